/**
 * Simulation panel webview: inputs and selectors, the memory-map picture, the reservation and
 * placement results with verdicts, and "explain a failure". Every change asks the host to run
 * the real core (SimRun, a few ms) and renders its answer; nothing is simulated in the page.
 * UI state lives in getState/setState (no retainContextWhenHidden).
 */
import { MessageHandler } from "../extension/protocol/image";
import {
  SimMessageType,
  parseSimToWebview,
  simPanelStateCheck,
  type ExplanationView,
  type InputsView,
  type SimFromWebview,
  type SimPanelState,
  type SimParams,
  type SimResultView,
  type SimToWebview,
  type SourceRef,
} from "../extension/protocol/simulation";
import { append, button, checkbox, clear, el, section, select, textArea, textInput } from "./components";
import { size } from "./format";
import { memoryMapPicture } from "./memoryMapPicture";
import { crashSection, explanationCards, placementSection, verdictSection } from "./simulationSections";
import { T } from "./simulationStrings";
import { vscodeApi } from "./vscodeApi";

const api = vscodeApi<SimPanelState>();
const restored = ((): SimPanelState | null => {
  const s = api.getState();
  return s !== undefined && simPanelStateCheck(s, "state") === null ? s : null;
})();

let inputs: InputsView | null = null;
let params: SimParams | null = restored?.params ?? null;
let explainText = restored?.explainText ?? "";
let open: Record<string, boolean> = restored?.open ?? {};
let lastResult: SimResultView | null = null;
let runSeq = 0;

function save(): void {
  if (!params) return;
  api.setState({ params, mapSource: inputs?.map?.source ?? restored?.mapSource ?? null, imageSource: inputs?.image?.source ?? restored?.imageSource ?? null, explainText, open });
}

const app = document.getElementById("app")!;
const status = el("div", { className: "status", attrs: { id: "status", role: "status" } });

const host = new MessageHandler<SimFromWebview, SimToWebview>(
  (m) => api.postMessage(m),
  parseSimToWebview,
  (m) => onEvent(m),
  (text) => console.warn(`[kexec-inspector] ${text}`),
);
window.addEventListener("message", (ev: MessageEvent<unknown>) => {
  host.receive(ev.data);
});

function onEvent(m: SimToWebview): void {
  if (m.type === SimMessageType.SimInputs) applyInputs(m.inputs, false);
}

function showStatus(text: string, ok = true): void {
  status.textContent = text;
  status.className = ok ? "status" : "status bad";
}

const sameSource = (a: SourceRef | null | undefined, b: SourceRef | null | undefined): boolean => !!a && !!b && a.kind === b.kind && a.path === b.path;

// ---------------------------------------------------------------------------------------------
// Layout: built once per inputs; results update in place.

const slots = {
  ckError: el("div", { className: "field-error mono", attrs: { id: "crashkernel-error", "aria-live": "polite" } }),
  pagingHow: el("div", { className: "how muted", attrs: { id: "paging-how" } }),
  kernelHow: el("div", { className: "how muted", attrs: { id: "kernel-how" } }),
  picture: el("div", { className: "picture", attrs: { id: "picture" } }),
  hover: el("div", { className: "hover-line mono", attrs: { id: "picture-hover" }, text: T.hoverHint }),
  crash: el("div"),
  placement: el("div"),
  verdicts: el("div"),
  explain: el("div"),
  timing: el("div", { className: "muted timing", attrs: { id: "timing" } }),
};
let ckInput: HTMLInputElement | null = null;

const toggled = (id: string, isOpen: boolean): void => {
  open = { ...open, [id]: isOpen };
  save();
};
const openOf = (id: string): boolean => open[id] ?? true;

function setParams(patch: Partial<SimParams>): void {
  if (!params) return;
  params = { ...params, ...patch };
  save();
  void run();
}

function field(label: string, control: HTMLElement, ...extra: (HTMLElement | null)[]): HTMLElement {
  return el("div", { className: "field" }, el("label", { className: "field-label", text: label, attrs: control.id ? { for: control.id } : {} }), control, ...extra);
}

function applyInputs(next: InputsView, initial: boolean): void {
  const mapChanged = !sameSource(inputs?.map?.source ?? restored?.mapSource, next.map?.source);
  // Keep what the user chose unless the memory map changed (its defaults then apply).
  if (!params || (mapChanged && !(initial && restored && sameSource(restored.mapSource, next.map?.source)))) params = next.params;
  inputs = next;
  if (next.explainText) explainText = next.explainText;
  save();
  render();
  if (next.focus === "explain" || next.explainText) document.getElementById("section-explain")?.scrollIntoView({ block: "start" });
  if (explainText) void explain();
  void run();
}

function render(): void {
  if (!inputs || !params) return;
  const inp = inputs;
  const p = params;
  clear(app);
  const mapLine = inp.map
    ? el("span", {}, el("span", { className: "mono", attrs: { id: "map-label" }, text: inp.map.label }), el("span", { className: "muted", text: ` · ${inp.map.kind}` }))
    : el("span", { className: "bad", attrs: { id: "map-label" }, text: T.noMap });
  const imageLine = inp.image
    ? el("span", {}, el("span", { className: "mono", attrs: { id: "image-label" }, text: inp.image.label }), el("span", { className: "muted", title: inp.image.kernelVersion ?? "", text: inp.image.kernelVersion ? ` · ${inp.image.kernelVersion.split(" ")[0]}` : "" }))
    : el("span", { className: "muted", attrs: { id: "image-label" }, text: T.noImage });
  const header = el(
    "header",
    { className: "inputs" },
    el("h1", { text: T.title }),
    el(
      "dl",
      { className: "kv" },
      el("dt", { text: T.memoryMap }),
      el("dd", {}, mapLine, " ", button(T.changeMap, () => void pick("memoryMap"), { id: "pick-map" })),
      el("dt", { text: T.image }),
      el("dd", {}, imageLine, " ", button(T.changeImage, () => void pick("image"), { id: "pick-image" })),
    ),
    inp.mapProblem ? el("p", { className: "callout warn", attrs: { id: "map-problem", role: "alert" }, text: inp.mapProblem }) : null,
    inp.map && inp.map.notes.length ? el("ul", { className: "plain-notes", attrs: { id: "map-notes" } }, ...inp.map.notes.map((n) => el("li", { className: "muted", text: n }))) : null,
  );

  ckInput = textInput("crashkernel", p.crashkernel, (v) => setParams({ crashkernel: v }), { mono: true, placeholder: T.crashkernelPlaceholder, label: T.crashkernel });
  const kernels = inp.kernelVersions.includes(p.kernel) ? inp.kernelVersions : [p.kernel, ...inp.kernelVersions];
  const controls = el(
    "div",
    { className: "controls" },
    el("div", { className: "field wide" }, el("label", { className: "field-label", text: T.crashkernel, attrs: { for: "crashkernel" } }), ckInput, slots.ckError),
    field(T.kernel, select("kernel", kernels.map((v) => ({ value: v, label: v })), p.kernel, (v) => setParams({ kernel: v }), T.kernel), slots.kernelHow),
    field(
      T.paging,
      select("paging", [{ value: "4", label: T.paging4 }, { value: "5", label: T.paging5 }], String(p.paging), (v) => setParams({ paging: v === "5" ? 5 : 4 }), T.paging),
      slots.pagingHow,
    ),
    field(
      T.iface,
      select("iface", [{ value: "auto", label: T.ifaceAuto }, { value: "kexec_load", label: T.ifaceLoad }, { value: "kexec_file_load", label: T.ifaceFile }], p.iface, (v) =>
        setParams({ iface: v === "kexec_load" || v === "kexec_file_load" ? v : "auto" }),
      T.iface),
    ),
    field(T.kexecTools, select("kexec-tools", (inp.kexecToolsVersions.includes(p.kexecTools) ? inp.kexecToolsVersions : [p.kexecTools, ...inp.kexecToolsVersions]).map((v) => ({ value: v, label: v })), p.kexecTools, (v) => setParams({ kexecTools: v }), T.kexecTools)),
    el("div", { className: "field" }, el("span", { className: "field-label", text: "\u00a0" }), checkbox("crash-load", T.crashLoad, p.crash, (v) => setParams({ crash: v }))),
    field(T.initrd, textInput("initrd-size", p.initrdSize === null ? "" : String(p.initrdSize), (v) => {
      const n = Number(v.trim());
      setParams({ initrdSize: v.trim() === "" || !Number.isSafeInteger(n) || n < 0 ? null : n });
    }, { mono: true, placeholder: T.initrdPlaceholder, label: T.initrd })),
    el("div", { className: "field wide" }, el("label", { className: "field-label", text: T.append, attrs: { for: "append" } }), textInput("append", p.append, (v) => setParams({ append: v }), { mono: true, placeholder: T.appendPlaceholder, label: T.append })),
  );

  const legend = el(
    "div",
    { className: "legend" },
    ...([["ram", T.legendRam], ["fw", T.legendFw], ["resv", T.legendResv], ["hole", T.legendHole], ["crash", T.legendCrash], ["seg", T.legendSeg]] as const).map(([c, t]) =>
      el("span", { className: "legend-item" }, el("span", { className: `swatch ${c}` }), t),
    ),
  );
  const explainBox = textArea("explain-text", explainText, (v) => {
    explainText = v;
    save();
  }, T.explainPlaceholder);

  append(
    app,
    header,
    controls,
    el("div", { className: "toolbar" }, button(T.export, () => void exportReport(), { id: "export", appearance: "primary" })),
    status,
    section("picture", T.picture, openOf("picture"), toggled, legend, slots.picture, slots.hover, slots.timing),
    section("crash", T.crashResult, openOf("crash"), toggled, slots.crash),
    section("placement", T.placement, openOf("placement"), toggled, slots.placement),
    section("verdicts", T.verdicts, openOf("verdicts"), toggled, slots.verdicts),
    section("explain", T.explain, openOf("explain"), toggled, el("p", { className: "muted", text: T.explainHint }), explainBox, el("div", { className: "toolbar" }, button(T.explainButton, () => void explain(), { id: "explain-run" })), slots.explain),
  );
  showHow();
}

function showHow(): void {
  if (!inputs || !params) return;
  slots.pagingHow.textContent = params.paging === inputs.params.paging ? inputs.pagingHow : T.chosen;
  slots.kernelHow.textContent = params.kernel === inputs.params.kernel ? inputs.kernelHow : T.chosen;
}

// ---------------------------------------------------------------------------------------------

let pictureMs = 0;
function drawPicture(): void {
  if (!inputs?.map) {
    clear(slots.picture);
    return;
  }
  const r = lastResult;
  const p = r?.placement ?? null;
  const width = slots.picture.clientWidth || app.clientWidth || 900;
  const pic = memoryMapPicture(
    {
      ram: inputs.map.ram,
      firmware: inputs.map.firmware,
      reserved: inputs.map.reserved,
      crash: r?.crash.ranges ?? [],
      inputCrash: inputs.map.crashKernel,
      segments: p?.accepted || p?.segments.length ? (p?.segments ?? []) : [],
      focus: p?.crashRegion ?? null,
    },
    width,
    (text) => {
      slots.hover.textContent = text || T.hoverHint;
    },
  );
  pictureMs = pic.renderMs;
  clear(slots.picture);
  slots.picture.appendChild(pic.root);
}

let lastWidth = 0;
new ResizeObserver(() => {
  const w = slots.picture.clientWidth;
  if (w && Math.abs(w - lastWidth) > 4) {
    lastWidth = w;
    drawPicture();
  }
}).observe(slots.picture);

function renderResult(r: SimResultView): void {
  lastResult = r;
  // crashkernel= validation: the kernel's own message, and a caret under the column.
  clear(slots.ckError);
  const errs = r.crash.errors;
  if (ckInput) {
    ckInput.classList.toggle("invalid", errs.length > 0);
    ckInput.setAttribute("aria-invalid", errs.length ? "true" : "false");
  }
  for (const e of errs) {
    slots.ckError.appendChild(el("div", { className: "caret", text: " ".repeat(Math.max(0, e.column - 1)) + "^" }));
    slots.ckError.appendChild(el("div", { className: "bad", data: { column: String(e.column) }, text: `${T.errorAt(e.column)}: ${e.message}` }));
  }
  for (const e of r.paramErrors) slots.ckError.appendChild(el("div", { className: "warn", text: e }));
  drawPicture();
  clear(slots.crash);
  slots.crash.appendChild(crashSection(r.crash));
  clear(slots.placement);
  slots.placement.appendChild(placementSection(r.placement, r.verdicts));
  clear(slots.verdicts);
  slots.verdicts.appendChild(verdictSection(r.verdicts));
  slots.timing.textContent = `${T.simulatedIn(r.elapsedMs.toFixed(2), pictureMs.toFixed(1))} · kernel ${r.kernel.version} [${r.kernel.family}] · System RAM ${size(r.crash.systemRam)}`;
  showHow();
}

async function run(): Promise<void> {
  if (!params) return;
  const seq = ++runSeq;
  const r = await host.sendRequest({ type: SimMessageType.SimRun, params });
  if (seq !== runSeq) return; // a newer keystroke already asked
  if (r.type === SimMessageType.SimResult) renderResult(r.result);
  else if (r.type === SimMessageType.SimActionDone) showStatus(r.text, r.ok);
  document.body.dataset["ready"] = "true";
}

async function pick(what: "memoryMap" | "image"): Promise<void> {
  const r = await host.sendRequest({ type: SimMessageType.SimPick, what });
  if (r.type === SimMessageType.SimInputs) applyInputs(r.inputs, false);
  else if (r.type === SimMessageType.SimActionDone && r.text) showStatus(r.text, r.ok);
}

function applyHint(e: ExplanationView): void {
  const h = e.simulate;
  if (!h) return;
  const patch: Partial<SimParams> = {};
  if (h.paging !== null) patch.paging = h.paging;
  if (h.iface !== null) patch.iface = h.iface;
  if (h.crash !== null) patch.crash = h.crash;
  if (h.kexecTools !== null) patch.kexecTools = h.kexecTools;
  if (params) params = { ...params, ...patch };
  save();
  render();
  void run();
  document.getElementById(h.focus === "crashkernel" ? "section-crash" : "section-placement")?.scrollIntoView({ block: "start" });
  if (h.focus === "crashkernel") document.getElementById("crashkernel")?.focus();
}

async function explain(): Promise<void> {
  const r = await host.sendRequest({ type: SimMessageType.SimExplain, text: explainText });
  if (r.type !== SimMessageType.SimExplanation) return;
  clear(slots.explain);
  slots.explain.appendChild(explanationCards(r.items, applyHint));
}

async function exportReport(): Promise<void> {
  if (!params) return;
  const r = await host.sendRequest({ type: SimMessageType.SimExport, params, explainText });
  if (r.type === SimMessageType.SimActionDone) showStatus(r.text, r.ok);
}

async function start(): Promise<void> {
  app.appendChild(el("p", { className: "muted", text: T.loading }));
  const r = await host.sendRequest({ type: SimMessageType.SimReady });
  if (r.type === SimMessageType.SimInputs) {
    applyInputs(r.inputs, true);
    if (!r.inputs.map) document.body.dataset["ready"] = "true";
  }
}

void start();
