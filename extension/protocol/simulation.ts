/**
 * Typed messages between the extension host and the simulation panel. Same envelope,
 * MessageHandler and schema combinators as the image inspector (./protocol.ts); its own
 * discriminated unions so the two webviews cannot be mixed up. Imports only ./protocol.
 *
 * Addresses are plain numbers: physical addresses stay below 2^52 (4 PiB), exact in a double.
 */
import type { FailureExplanation, SimulationHint } from "../core/kexec/explainFailure";
import { arr, bool, checkEnvelope, lit, nullable, num, obj, str, type Check, type Envelope } from "./image";

export const enum SimMessageType {
  //#region to webview
  /** Reply to SimReady and SimPick, and an event when a command changes the inputs. */
  SimInputs = "simInputs",
  /** Reply to SimRun. */
  SimResult = "simResult",
  /** Reply to SimExplain. */
  SimExplanation = "simExplanation",
  /** Reply to SimExport / SimPick when there is only a status line to show. */
  SimActionDone = "simActionDone",
  //#endregion

  //#region from webview
  /** The page is up; asks for the inputs. */
  SimReady = "simReady",
  /** Simulate with these parameters (every keystroke in the crashkernel= field). */
  SimRun = "simRun",
  /** Explain pasted kexec stderr / dmesg text. */
  SimExplain = "simExplain",
  /** Choose another memory map or image (the host shows a quick pick). */
  SimPick = "simPick",
  /** Save the current result (and explanation) as a Markdown report. */
  SimExport = "simExport",
  //#endregion
}

export type Interface = "auto" | "kexec_load" | "kexec_file_load";

/** What the user chose in the panel. */
export interface SimParams {
  /** crashkernel= tokens as typed (the whole field is parsed as a command line: columns are field columns). */
  crashkernel: string;
  /** Kernel version profile, e.g. "6.1" or "6.1.0-50-amd64". */
  kernel: string;
  paging: 4 | 5;
  iface: Interface;
  kexecTools: string;
  /** kdump load (kexec -p) instead of kexec -l. */
  crash: boolean;
  /** --append text for the target. */
  append: string;
  /** Initrd bytes; null = none. */
  initrdSize: number | null;
}

/** Where an input came from, so a revived panel can read it again. */
export interface SourceRef {
  kind: "machine" | "file";
  /** File path (kind "file"); "" for this machine. */
  path: string;
}

export interface MapRegion {
  start: number;
  end: number;
  /** Firmware type ("reserved", "ACPI NVS") or reservation ("kernel image", "initrd"). */
  label: string;
}

export interface MapView {
  label: string;
  kind: string;
  source: SourceRef;
  /** System RAM as flat [start0, end0, start1, end1, …] (compact for 10,000-range maps). */
  ram: number[];
  /** Non-RAM firmware (e820) entries. */
  firmware: MapRegion[];
  /** Memblock reservations the map knows (kernel image, initrd, …). */
  reserved: MapRegion[];
  /** Crash kernel ranges the input itself shows. */
  crashKernel: MapRegion[];
  notes: string[];
  cmdline: string | null;
  kernelRelease: string | null;
}

export interface ImageInfoView {
  label: string;
  source: SourceRef;
  kernelVersion: string | null;
  xloadflags: number;
  initSize: number;
  prefAddress: number;
}

export interface ChoiceView {
  value: string;
  /** How the default was decided (shown next to the selector). */
  how: string;
}

export interface InputsView {
  map: MapView | null;
  /** Why there is no map (e.g. /proc/iomem zeroed for non-root). */
  mapProblem: string | null;
  image: ImageInfoView | null;
  /** Starting parameters (from the command's quick picks or the machine). */
  params: SimParams;
  pagingHow: string;
  kernelHow: string;
  kernelVersions: string[];
  kexecToolsVersions: string[];
  /** Text to explain right away ("Explain a failure" with a selection). */
  explainText: string | null;
  focus: "kexec" | "crashkernel" | "explain";
}

export interface CrashRangeView {
  start: number;
  end: number;
  role: "main" | "low";
  /** "af000000-beffffff", as /proc/iomem prints it. */
  iomem: string;
}

export interface SegmentView {
  what: string;
  mem: number;
  memsz: number;
}

export interface PlacementView {
  interface: "kexec_load" | "kexec_file_load";
  loader: string | null;
  accepted: boolean;
  reason: string;
  segments: SegmentView[];
  log: string[];
  crashRegion: { start: number; end: number } | null;
  /** Auto mode: kexec_file_load was refused with this message and kexec-tools fell back. */
  fallbackFrom: string | null;
  /** What the simulation assumed or found (the .config used, defaults, caveats): the CLI's `notes`. */
  notes: string[];
}

export interface SimVerdictView {
  id: string;
  severity: "error" | "warning" | "info";
  message: string;
  rule: string;
  source: string;
}

export interface SimResultView {
  /** Host time for the simulation itself. */
  elapsedMs: number;
  kernel: { version: string; family: string };
  kexecTools: string;
  crash: {
    ranges: CrashRangeView[];
    messages: string[];
    errors: { message: string; column: number }[];
    notes: string[];
    systemRam: number;
    reserved: boolean;
    why: string;
  };
  /** Null without a target image. */
  placement: PlacementView | null;
  verdicts: SimVerdictView[];
  /** Problems with the parameters themselves (bad version text). */
  paramErrors: string[];
}

/** explainFailure()'s answer, with the simulation hint's optional fields made explicit nulls for JSON. */
export type ExplanationView = Omit<FailureExplanation, "simulate"> & {
  simulate: { focus: SimulationHint["focus"]; paging: 4 | 5 | null; iface: Interface | null; crash: boolean | null; kexecTools: string | null } | null;
};

// ---------------------------------------------------------------------------------------------

export interface SimInputsMessage {
  type: SimMessageType.SimInputs;
  inputs: InputsView;
}
export interface SimResultMessage {
  type: SimMessageType.SimResult;
  result: SimResultView;
}
export interface SimExplanationMessage {
  type: SimMessageType.SimExplanation;
  items: ExplanationView[];
}
export interface SimActionDoneMessage {
  type: SimMessageType.SimActionDone;
  ok: boolean;
  text: string;
}
export interface SimReadyMessage {
  type: SimMessageType.SimReady;
}
export interface SimRunMessage {
  type: SimMessageType.SimRun;
  params: SimParams;
}
export interface SimExplainMessage {
  type: SimMessageType.SimExplain;
  text: string;
}
export interface SimPickMessage {
  type: SimMessageType.SimPick;
  what: "memoryMap" | "image";
}
export interface SimExportMessage {
  type: SimMessageType.SimExport;
  params: SimParams;
  explainText: string;
}

export type SimToWebview = SimInputsMessage | SimResultMessage | SimExplanationMessage | SimActionDoneMessage;
export type SimFromWebview = SimReadyMessage | SimRunMessage | SimExplainMessage | SimPickMessage | SimExportMessage;

// ---------------------------------------------------------------------------------------------
// Schemas.

/** Text the user typed or pasted: bounded so a runaway paste cannot stall the host. */
const text = (max: number): Check<string> => (x, p) => (typeof x === "string" && x.length <= max ? null : `${p}: expected string of at most ${max} characters`);
const paging: Check<4 | 5> = (x, p) => (x === 4 || x === 5 ? null : `${p}: expected 4 | 5`);
const iface = lit<Interface>("auto", "kexec_load", "kexec_file_load");

export const simParamsCheck = obj<SimParams>({
  crashkernel: text(4096), kernel: text(64), paging, iface, kexecTools: text(32), crash: bool, append: text(8192), initrdSize: nullable(num),
});
export const sourceRefCheck = obj<SourceRef>({ kind: lit("machine", "file"), path: text(4096) });
const region = obj<MapRegion>({ start: num, end: num, label: str });
const mapView = obj<MapView>({
  label: str, kind: str, source: sourceRefCheck, ram: arr(num, 400_000), firmware: arr(region, 200_000), reserved: arr(region, 200_000),
  crashKernel: arr(region, 64), notes: arr(str), cmdline: nullable(str), kernelRelease: nullable(str),
});
const imageInfo = obj<ImageInfoView>({ label: str, source: sourceRefCheck, kernelVersion: nullable(str), xloadflags: num, initSize: num, prefAddress: num });
const inputsView = obj<InputsView>({
  map: nullable(mapView), mapProblem: nullable(str), image: nullable(imageInfo), params: simParamsCheck, pagingHow: str, kernelHow: str,
  kernelVersions: arr(str, 64), kexecToolsVersions: arr(str, 64), explainText: nullable(str), focus: lit("kexec", "crashkernel", "explain"),
});
const severity = lit("error", "warning", "info");
const resultView = obj<SimResultView>({
  elapsedMs: num,
  kernel: obj({ version: str, family: str }),
  kexecTools: str,
  crash: obj({
    ranges: arr(obj<CrashRangeView>({ start: num, end: num, role: lit("main", "low"), iomem: str }), 16),
    messages: arr(str), errors: arr(obj({ message: str, column: num })), notes: arr(str), systemRam: num, reserved: bool, why: str,
  }),
  placement: nullable(obj<PlacementView>({
    interface: lit("kexec_load", "kexec_file_load"), loader: nullable(str), accepted: bool, reason: str,
    segments: arr(obj<SegmentView>({ what: str, mem: num, memsz: num }), 64), log: arr(str),
    crashRegion: nullable(obj({ start: num, end: num })), fallbackFrom: nullable(str), notes: arr(str, 256),
  })),
  verdicts: arr(obj<SimVerdictView>({ id: str, severity, message: str, rule: str, source: str })),
  paramErrors: arr(str),
});
const explanation = obj<ExplanationView>({
  id: str, title: str, matched: str, line: num, cause: str, check: arr(str), fix: arr(str), rule: str, source: str,
  simulate: nullable(obj({ focus: lit("crashkernel", "kexec"), paging: nullable(paging), iface: nullable(iface), crash: nullable(bool), kexecTools: nullable(str) })),
});

const toWebviewChecks: { [K in SimToWebview["type"]]: Check<Extract<SimToWebview, { type: K }>> } = {
  [SimMessageType.SimInputs]: obj<SimInputsMessage>({ type: lit(SimMessageType.SimInputs), inputs: inputsView }),
  [SimMessageType.SimResult]: obj<SimResultMessage>({ type: lit(SimMessageType.SimResult), result: resultView }),
  [SimMessageType.SimExplanation]: obj<SimExplanationMessage>({ type: lit(SimMessageType.SimExplanation), items: arr(explanation, 64) }),
  [SimMessageType.SimActionDone]: obj<SimActionDoneMessage>({ type: lit(SimMessageType.SimActionDone), ok: bool, text: str }),
};

const fromWebviewChecks: { [K in SimFromWebview["type"]]: Check<Extract<SimFromWebview, { type: K }>> } = {
  [SimMessageType.SimReady]: obj<SimReadyMessage>({ type: lit(SimMessageType.SimReady) }),
  [SimMessageType.SimRun]: obj<SimRunMessage>({ type: lit(SimMessageType.SimRun), params: simParamsCheck }),
  [SimMessageType.SimExplain]: obj<SimExplainMessage>({ type: lit(SimMessageType.SimExplain), text: text(256 * 1024) }),
  [SimMessageType.SimPick]: obj<SimPickMessage>({ type: lit(SimMessageType.SimPick), what: lit("memoryMap", "image") }),
  [SimMessageType.SimExport]: obj<SimExportMessage>({ type: lit(SimMessageType.SimExport), params: simParamsCheck, explainText: text(256 * 1024) }),
};

export function parseSimToWebview(raw: unknown): { ok: true; envelope: Envelope<SimToWebview> } | { ok: false; error: string } {
  return checkEnvelope<SimToWebview>(raw, toWebviewChecks as Record<string, Check<SimToWebview>>);
}

export function parseSimFromWebview(raw: unknown): { ok: true; envelope: Envelope<SimFromWebview> } | { ok: false; error: string } {
  return checkEnvelope<SimFromWebview>(raw, fromWebviewChecks as Record<string, Check<SimFromWebview>>);
}

/** The webview's saved state (getState/setState), checked again when a panel is revived. */
export interface SimPanelState {
  params: SimParams;
  mapSource: SourceRef | null;
  imageSource: SourceRef | null;
  explainText: string;
  open: Record<string, boolean>;
}

export const simPanelStateCheck = obj<SimPanelState>({
  params: simParamsCheck,
  mapSource: nullable(sourceRefCheck),
  imageSource: nullable(sourceRefCheck),
  explainText: text(256 * 1024),
  open: (x, p) => (typeof x === "object" && x !== null && !Array.isArray(x) && Object.values(x).every((v) => typeof v === "boolean") ? null : `${p}: expected map of booleans`),
});
