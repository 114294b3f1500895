/**
 * Image inspector webview: asks the host for the parsed image, renders it, and keeps the small
 * UI state (selection, open sections, decompression result) in getState/setState so hiding and
 * restoring the editor does not lose it (no retainContextWhenHidden).
 */
import {
  MessageHandler,
  MessageType,
  parseToWebview,
  type FieldRow,
  type FromWebviewMessage,
  type ImageRejectedMessage,
  type ImageView,
  type ToWebviewMessage,
  type VmlinuxView,
} from "../extension/protocol/image";
import { append, button, clear, el, progressBar, progressRing, section, setDisabled } from "./components";
import { hexStrip } from "./hexStrip";
import { hex, size } from "./format";
import { headerTable, kernelInfoCard, loadflagsLine, noteList, payloadFacts, peCard, summaryCard, ukiCard, verdictList, vmlinuxCard, xloadflagsGrid } from "./imageSections";
import { S } from "./strings";
import { vscodeApi } from "./vscodeApi";

interface UiState {
  selected: string | null;
  open: Record<string, boolean>;
  vmlinux: VmlinuxView | null;
}

const api = vscodeApi<UiState>();
let state: UiState = { selected: null, open: {}, vmlinux: null, ...(api.getState() ?? {}) };
const save = (patch: Partial<UiState>): void => {
  state = { ...state, ...patch };
  api.setState(state);
};

const app = document.getElementById("app")!;
const status = el("div", { className: "status", attrs: { id: "status", role: "status" } });

const host = new MessageHandler<FromWebviewMessage, ToWebviewMessage>(
  (m) => api.postMessage(m),
  parseToWebview,
  (m) => onEvent(m),
  (text) => console.warn(`[kexec-inspector] ${text}`),
);
window.addEventListener("message", (ev: MessageEvent<unknown>) => {
  host.receive(ev.data);
});

/** Messages that are not replies: only progress events arrive this way. */
let progress: ((done: number, total: number) => void) | null = null;
function onEvent(m: ToWebviewMessage): void {
  if (m.type === MessageType.PayloadProgress) progress?.(m.done, m.total);
}

function showStatus(text: string, ok = true): void {
  status.textContent = text;
  status.className = ok ? "status" : "status bad";
}

async function action(body: FromWebviewMessage): Promise<void> {
  const r = await host.sendRequest(body);
  if (r.type === MessageType.ActionDone) showStatus(r.text, r.ok);
}

const openOf = (id: string, dflt = true): boolean => state.open[id] ?? dflt;
const toggled = (id: string, open: boolean): void => save({ open: { ...state.open, [id]: open } });

function renderImage(v: ImageView): void {
  clear(app);
  const base = v.fileName.split(/[\\/]/).pop() ?? v.fileName;
  const toolbar = el(
    "div",
    { className: "toolbar" },
    button(S.simulate, () => void action({ type: MessageType.Simulate }), { appearance: "primary", id: "simulate" }),
    button(S.copyMarkdown, () => void action({ type: MessageType.CopyHeader, format: "markdown" }), { id: "copy-md" }),
    button(S.copyJson, () => void action({ type: MessageType.CopyHeader, format: "json" }), { id: "copy-json" }),
  );
  const title = el("header", { className: "title" }, el("h1", { text: base, attrs: { id: "file-name" }, title: v.fileName }), el("span", { className: "muted", attrs: { id: "file-kind" }, text: `${v.uki ? `${S.ukiKind} · ` : ""}${v.kind} · ${v.fileSize.toLocaleString()} bytes` }));

  // Header table and hex strip select together.
  const hoverLine = el("div", { className: "hex-hover mono", attrs: { id: "hex-hover" } });
  let table: ReturnType<typeof headerTable> | null = null;
  const select = (f: FieldRow | null): void => {
    save({ selected: f?.name ?? null });
    table?.select(f?.name ?? null);
    strip.highlight(f);
    selectedLine.textContent = f ? `${f.name}: ${hex(f.offset)}..${hex(f.offset + f.size - 1)} (${f.size} byte${f.size > 1 ? "s" : ""})` : "";
  };
  const selectedLine = el("div", { className: "hex-selected mono", attrs: { id: "hex-selected" } });
  const strip = hexStrip(v.stripStart, v.headerEnd, v.stripHex, v.fields, (f) => {
    select(f);
    document.querySelector(`tr[data-field="${CSS.escape(f.name)}"]`)?.scrollIntoView({ block: "nearest" });
  }, hoverLine);
  table = headerTable(v.fields, select);

  append(
    app,
    title,
    toolbar,
    status,
    summaryCard(v),
    // A UKI's own facts come first, then everything about the kernel in its .linux.
    v.uki ? section("uki", S.uki, openOf("uki"), toggled, ukiCard(v.uki)) : null,
    v.uki ? section("uki-loaders", S.ukiLoaders, openOf("uki-loaders"), toggled, verdictList(v.uki.verdicts)) : null,
    v.uki?.notes.length ? section("uki-notes", S.notes, openOf("uki-notes"), toggled, noteList(v.uki.notes)) : null,
    v.uki ? el("p", { className: "muted uki-kernel", attrs: { id: "uki-kernel" }, text: S.ukiKernel(hex(v.uki.linux.offset), size(v.uki.linux.size)) }) : null,
    section("verdicts", S.verdicts, openOf("verdicts"), toggled, verdictList(v.verdicts)),
    v.notes.length ? section("notes", S.notes, openOf("notes"), toggled, noteList(v.notes)) : null,
    section(
      "header",
      S.setupHeader,
      openOf("header"),
      toggled,
      el("div", { className: "hex-box" }, el("h3", { text: `${S.hexStrip} ${hex(v.stripStart)}..${hex(v.headerEnd - 1)}` }), el("p", { className: "muted", text: S.hexHint }), strip.root, selectedLine, hoverLine),
      table.root,
    ),
    section("xloadflags", S.xloadflags, openOf("xloadflags"), toggled, xloadflagsGrid(v.xloadflags), loadflagsLine(v.loadflags)),
    section("kernel-info", S.kernelInfo, openOf("kernel-info"), toggled, kernelInfoCard(v.kernelInfo)),
    section("pe", S.pe, openOf("pe"), toggled, v.uki ? el("p", { className: "muted", text: S.ukiKernelPe }) : null, peCard(v.pe)),
    section("payload", S.payload, openOf("payload"), toggled, payloadFacts(v.payload), payloadControls(v)),
  );
  const sel = v.fields.find((f) => f.name === state.selected) ?? null;
  if (sel) select(sel);
}

function payloadControls(v: ImageView): HTMLElement | null {
  if (!v.payload) return null;
  const out = el("div", { className: "payload-out" });
  const bar = progressBar();
  const busy = el("div", { className: "busy", attrs: { id: "payload-progress", hidden: "" } }, progressRing(), el("span", { text: S.decompressing }), bar.root);
  const cancel = button(S.cancel, () => host.send({ type: MessageType.CancelPayload }), { id: "payload-cancel" });
  busy.appendChild(cancel);
  // Declared before run() so the handler can disable it; run() is only called after this line.
  const go: HTMLElement = button(S.decompress, () => void run(), { id: "decompress", disabled: !v.canDecompress });
  const run = async (): Promise<void> => {
    setDisabled(go, true);
    busy.hidden = false;
    bar.set(0);
    clear(out);
    progress = (done, total) => bar.set(total ? done / total : 0);
    const r = await host.sendRequest({ type: MessageType.DecompressPayload });
    progress = null;
    busy.hidden = true;
    setDisabled(go, false);
    if (r.type === MessageType.PayloadResult) {
      save({ vmlinux: r.vmlinux });
      out.appendChild(vmlinuxCard(r.vmlinux));
    } else if (r.type === MessageType.PayloadFailed) {
      out.appendChild(el("p", { className: r.cancelled ? "muted" : "bad", attrs: { id: "payload-error" }, text: r.cancelled ? S.cancelled : S.failed(r.reason) }));
    }
  };
  if (state.vmlinux) out.appendChild(vmlinuxCard(state.vmlinux));
  return el("div", {}, el("div", { className: "toolbar" }, go), busy, out);
}

function renderRejected(m: ImageRejectedMessage): void {
  clear(app);
  const actions = el(
    "div",
    { className: "toolbar" },
    button(S.openText, () => void action({ type: MessageType.ReopenWith, editor: "text" }), { appearance: "primary", id: "open-text" }),
    m.hexEditorAvailable ? button(S.openHex, () => void action({ type: MessageType.ReopenWith, editor: "hex" }), { id: "open-hex" }) : null,
    button(S.openPick, () => void action({ type: MessageType.ReopenWith, editor: "pick" }), { id: "open-pick" }),
  );
  append(
    app,
    el(
      "div",
      { className: "card rejected", attrs: { id: "rejected" } },
      el("h1", { text: S.rejectedTitle }),
      el("p", { className: "mono", text: m.fileName }),
      el("p", { text: S.rejectedBody }),
      el("p", { className: "muted", attrs: { id: "rejected-reason" }, text: m.reason }),
      m.field && m.offset !== null ? el("p", { className: "muted", text: S.rejectedDetail(m.field, hex(m.offset)) }) : null,
      actions,
    ),
    status,
  );
}

async function start(): Promise<void> {
  app.appendChild(el("p", { className: "muted", text: S.loading }));
  const r = await host.sendRequest({ type: MessageType.Ready });
  if (r.type === MessageType.ImageLoaded) renderImage(r.view);
  else if (r.type === MessageType.ImageRejected) renderRejected(r);
  document.body.dataset["ready"] = "true";
}

void start();
