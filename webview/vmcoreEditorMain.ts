/**
 * Vmcore editor webview: asks the host for the dump summary, renders it, loads the kernel log
 * on demand (chunks with progress, cancellable) into a virtualised list, and keeps the small UI
 * state (open sections, filters, whether the log was loaded, scroll position) in
 * getState/setState so hiding and restoring the editor does not lose it (no retainContextWhenHidden).
 */
import { MessageHandler } from "../extension/protocol/image";
import {
  parseVmcoreToWebview,
  VmcoreMessageType,
  type VmcoreFromWebview,
  type VmcoreRejectedMessage,
  type VmcoreToWebview,
  type VmcoreView,
} from "../extension/protocol/vmcore";
import { append, button, clear, el, progressBar, progressRing, section, setDisabled, textField } from "./components";
import { hex, size } from "./format";
import { logList, type LogList } from "./vmcoreLog";
import { cpuSection, rangesPanel, summaryCard, vmcoreinfoSection, type RangesPanel } from "./vmcoreSections";
import { V } from "./vmcoreStrings";
import { vscodeApi } from "./vscodeApi";

interface UiState {
  open: Record<string, boolean>;
  /** The user loaded the log: load it again after a restore (the host has it cached). */
  logWanted: boolean;
  logQuery: string;
  logScroll: number;
  logAtEnd: boolean;
  viFilter: string;
}

const api = vscodeApi<UiState>();
let state: UiState = { open: {}, logWanted: false, logQuery: "", logScroll: 0, logAtEnd: false, viFilter: "", ...(api.getState() ?? {}) };
const save = (patch: Partial<UiState>): void => {
  state = { ...state, ...patch };
  api.setState(state);
};

const app = document.getElementById("app")!;
const status = el("div", { className: "status", attrs: { id: "status", role: "status" } });

const host = new MessageHandler<VmcoreFromWebview, VmcoreToWebview>(
  (m) => api.postMessage(m),
  parseVmcoreToWebview,
  (m) => onEvent(m),
  (text) => console.warn(`[kexec-inspector] ${text}`),
);
window.addEventListener("message", (ev: MessageEvent<unknown>) => {
  host.receive(ev.data);
});

/** Messages that are not replies: log chunks and progress, for the current load only. */
let logSink: { token: number; chunk(first: number, lines: string[], levels: number[]): void; progress(phase: "read" | "format", done: number, total: number): void } | null = null;
let rangeSink: { token: number; panel: RangesPanel } | null = null;
function onEvent(m: VmcoreToWebview): void {
  if (m.type === VmcoreMessageType.LogChunk && logSink?.token === m.token) logSink.chunk(m.first, m.lines, m.levels);
  else if (m.type === VmcoreMessageType.LogProgress && logSink?.token === m.token) logSink.progress(m.phase, m.done, m.total);
  else if (m.type === VmcoreMessageType.RangesProgress && rangeSink?.token === m.token) rangeSink.panel.progress(m.scanned, m.end);
}

/** Asks the host to scan the memory ranges (kdump bitmaps of a big address space) and shows the result. */
async function scanRanges(panel: RangesPanel): Promise<void> {
  const token = nextToken++;
  rangeSink = { token, panel };
  panel.progress(0, 1);
  const r = await host.sendRequest({ type: VmcoreMessageType.ScanRanges, token });
  if (rangeSink?.token === token) rangeSink = null;
  if (r.type === VmcoreMessageType.RangesDone && r.token === token) panel.done(r.ranges, r.rangesOmitted, r.beyondFourLevel);
  else if (r.type === VmcoreMessageType.RangesFailed && r.token === token) panel.failed(r.cancelled, r.reason);
}

function showStatus(text: string, ok = true): void {
  status.textContent = text;
  status.className = ok ? "status" : "status bad";
}

async function action(body: VmcoreFromWebview): Promise<void> {
  const r = await host.sendRequest(body);
  if (r.type === VmcoreMessageType.VmcoreActionDone && r.text) showStatus(r.text, r.ok);
}

const openOf = (id: string, dflt = true): boolean => state.open[id] ?? dflt;
const toggled = (id: string, open: boolean): void => save({ open: { ...state.open, [id]: open } });

let nextToken = 1;

function logSection(v: VmcoreView): { root: HTMLElement; list: LogList } {
  let saveTimer = 0;
  const list = logList((top, atEnd) => {
    // Throttled: scrolling fires often and setState crosses into VS Code.
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(() => save({ logScroll: top, logAtEnd: atEnd }), 150);
  });
  const bar = progressBar();
  const phase = el("span", { text: V.reading });
  const busy = el("div", { className: "busy", attrs: { id: "log-progress", hidden: "" } }, progressRing(), phase, bar.root, button(V.cancel, () => host.send({ type: VmcoreMessageType.CancelLog }), { id: "log-cancel" }));
  const info = el("p", { className: "muted", attrs: { id: "log-info" } });
  const matches = el("span", { className: "muted", attrs: { id: "log-matches", "aria-live": "polite" } });
  const step = (dir: 1 | -1): void => {
    const r = list.step(dir);
    matches.textContent = V.matches(r.position, r.total);
  };
  const search = textField(
    { id: "log-search", placeholder: V.searchLog, label: V.searchLog, value: state.logQuery },
    (q) => {
      save({ logQuery: q });
      const n = list.search(q);
      matches.textContent = q ? V.matches(0, n) : "";
      if (n) step(1);
    },
    (shift) => step(shift ? -1 : 1),
  );
  const tools = el(
    "div",
    { className: "toolbar log-tools", attrs: { id: "log-tools", hidden: "" } },
    search,
    button(V.prev, () => step(-1), { id: "log-prev" }),
    button(V.next, () => step(1), { id: "log-next" }),
    matches,
    el("span", { className: "spacer" }),
    button(V.jumpEnd, () => list.jumpToEnd(), { id: "log-end" }),
  );
  const listBox = el("div", { className: "log-box", attrs: { hidden: "" } }, list.root);

  const go: HTMLElement = button(V.loadLog, () => void run(), { appearance: "primary", id: "load-log", disabled: v.logUnavailable !== null });
  const intro = el(
    "div",
    {},
    v.logUnavailable ? el("p", { className: "muted", attrs: { id: "log-unavailable" }, text: V.logUnavailable(v.logUnavailable) }) : el("p", { className: "muted", text: V.logHint }),
    el("div", { className: "toolbar" }, go),
  );
  const run = async (): Promise<void> => {
    const token = nextToken++;
    setDisabled(go, true);
    busy.hidden = false;
    phase.textContent = V.reading;
    bar.set(0);
    info.textContent = "";
    info.className = "muted";
    list.reset();
    listBox.hidden = false;
    logSink = {
      token,
      chunk: (first, lines, levels) => list.append(first, lines, levels),
      progress: (p, done, total) => {
        phase.textContent = p === "read" ? V.reading : V.rendering;
        bar.set(total ? done / total : 0);
      },
    };
    save({ logWanted: true });
    const r = await host.sendRequest({ type: VmcoreMessageType.LoadLog, token });
    logSink = null;
    busy.hidden = true;
    if (r.type === VmcoreMessageType.LogDone && r.token === token) {
      intro.hidden = true;
      tools.hidden = false;
      info.textContent = [r.kind === "text" ? V.logSummaryText(r.lines) : V.logSummary(r.lines, r.records, r.kind), ...r.warnings].join(" · ");
      if (state.logQuery) {
        const n = list.search(state.logQuery);
        matches.textContent = V.matches(0, n);
      }
      if (state.logAtEnd) list.jumpToEnd();
      else list.scrollTo(state.logScroll);
    } else if (r.type === VmcoreMessageType.LogFailed) {
      setDisabled(go, false);
      listBox.hidden = true;
      save({ logWanted: false });
      info.className = r.cancelled ? "muted" : "bad";
      info.textContent = r.cancelled ? V.cancelled : V.failed(r.reason);
    }
  };
  const root = el(
    "div",
    {},
    intro,
    busy,
    info,
    tools,
    listBox,
  );
  if (state.logWanted && !v.logUnavailable) void run();
  return { root, list };
}

function renderVmcore(v: VmcoreView): void {
  clear(app);
  const base = v.fileName.split(/[\\/]/).pop() ?? v.fileName;
  const title = el(
    "header",
    { className: "title" },
    el("h1", { text: base, attrs: { id: "file-name" }, title: v.fileName }),
    el("span", { className: "muted", text: `${v.summary.format} · ${size(v.fileSize)}` }),
  );
  const log = logSection(v);
  const ranges: RangesPanel = rangesPanel(
    v,
    () => void scanRanges(ranges),
    () => host.send({ type: VmcoreMessageType.CancelRanges }),
  );
  const logDetails = section("log", V.kernelLog, openOf("log"), toggled, log.root);
  logDetails.addEventListener("toggle", () => {
    if (logDetails.open) log.list.refresh();
  });
  append(
    app,
    title,
    status,
    summaryCard(v),
    logDetails,
    section("ranges", V.ranges, openOf("ranges"), toggled, ...ranges.nodes),
    section("vmcoreinfo", `${V.vmcoreinfo} (${v.vmcoreinfo.length})`, openOf("vmcoreinfo", false), toggled, ...vmcoreinfoSection(v, state.viFilter, (q) => save({ viFilter: q }))),
    section("cpus", V.registers, openOf("cpus", false), toggled, ...cpuSection(v)),
  );
  if (!v.rangesComplete) void scanRanges(ranges);
}

function renderRejected(m: VmcoreRejectedMessage): void {
  clear(app);
  const actions = el(
    "div",
    { className: "toolbar" },
    button(V.openText, () => void action({ type: VmcoreMessageType.VmcoreReopenWith, editor: "text" }), { appearance: "primary", id: "open-text" }),
    m.hexEditorAvailable ? button(V.openHex, () => void action({ type: VmcoreMessageType.VmcoreReopenWith, editor: "hex" }), { id: "open-hex" }) : null,
    button(V.openPick, () => void action({ type: VmcoreMessageType.VmcoreReopenWith, editor: "pick" }), { id: "open-pick" }),
  );
  append(
    app,
    el(
      "div",
      { className: "card rejected", attrs: { id: "rejected" } },
      el("h1", { text: V.rejectedTitle }),
      el("p", { className: "mono", text: m.fileName }),
      el("p", { text: V.rejectedBody }),
      el("p", { className: "muted", attrs: { id: "rejected-reason" }, text: m.reason }),
      m.field && m.offset !== null ? el("p", { className: "muted", text: V.rejectedDetail(m.field, hex(m.offset)) }) : null,
      actions,
    ),
    status,
  );
}

async function start(): Promise<void> {
  app.appendChild(el("p", { className: "muted", text: V.loading }));
  const r = await host.sendRequest({ type: VmcoreMessageType.VmcoreReady });
  if (r.type === VmcoreMessageType.VmcoreLoaded) renderVmcore(r.view);
  else if (r.type === VmcoreMessageType.VmcoreRejected) renderRejected(r);
  document.body.dataset["ready"] = "true";
}

void start();
