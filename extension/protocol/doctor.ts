/**
 * Typed messages between the extension host and the kdump readiness report (the doctor's
 * webview). Same envelope and schema combinators as ./protocol.ts; its own unions so the pages
 * cannot be mixed up. The report is the core's DoctorReport, reshaped to plain JSON-safe data.
 * Imports the image protocol's envelope and the core's report types (import type only).
 */
import type { Check as DoctorCheck, CheckSimulation, CheckStatus } from "../core/scenario/doctor/checks";
import type { DoctorReport } from "../core/scenario/doctor/doctor";
import { arr, bool, checkEnvelope, lit, nullable, num, obj, type Check, type Envelope } from "./image";

export const enum DoctorMessageType {
  //#region to webview
  /** Reply to DoctorReady / DoctorRerun / DoctorPickRoot: the report. */
  DoctorReport = "doctorReport",
  /** The check is running (reading files, parsing images). */
  DoctorBusy = "doctorBusy",
  /** A status line (copied, cancelled, failed). */
  DoctorActionDone = "doctorActionDone",
  //#endregion

  //#region from webview
  DoctorReady = "doctorReady",
  /** Run the check again on the same root. */
  DoctorRerun = "doctorRerun",
  /** Check another root: this machine or a folder chosen in a dialog. */
  DoctorPickRoot = "doctorPickRoot",
  /** Copy the report as JSON (the CLI's --json document) to the clipboard. */
  DoctorCopyJson = "doctorCopyJson",
  /** Copy the report as Markdown (for a ticket). */
  DoctorCopyMarkdown = "doctorCopyMarkdown",
  /**
   * Open the simulation behind a check in the simulation panel. The page names the check only:
   * the inputs (files, versions) are the host's own report's, never the page's.
   */
  DoctorOpenSimulation = "doctorOpenSimulation",
  //#endregion
}

/** The core's report is JSON-safe already: the protocol names its types instead of copying them. */
export type CheckStatusView = CheckStatus;
export type CheckView = DoctorCheck;
export type CheckSimulationView = CheckSimulation;
export type DoctorReportView = DoctorReport;

export interface DoctorReportMessage {
  type: DoctorMessageType.DoctorReport;
  report: DoctorReportView;
}
export interface DoctorBusyMessage {
  type: DoctorMessageType.DoctorBusy;
  text: string;
}
export interface DoctorActionDoneMessage {
  type: DoctorMessageType.DoctorActionDone;
  ok: boolean;
  text: string;
}
export interface DoctorReadyMessage {
  type: DoctorMessageType.DoctorReady;
}
export interface DoctorRerunMessage {
  type: DoctorMessageType.DoctorRerun;
}
export interface DoctorPickRootMessage {
  type: DoctorMessageType.DoctorPickRoot;
}
export interface DoctorCopyJsonMessage {
  type: DoctorMessageType.DoctorCopyJson;
}

export type DoctorToWebview = DoctorReportMessage | DoctorBusyMessage | DoctorActionDoneMessage;
export interface DoctorCopyMarkdownMessage {
  type: DoctorMessageType.DoctorCopyMarkdown;
}

export interface DoctorOpenSimulationMessage {
  type: DoctorMessageType.DoctorOpenSimulation;
  /** The check's id in the last report ("capture-jump", "kexec-target:vmlinuz-6.1.0-50-amd64"). */
  id: string;
}

export type DoctorFromWebview = DoctorReadyMessage | DoctorRerunMessage | DoctorPickRootMessage | DoctorCopyJsonMessage | DoctorCopyMarkdownMessage | DoctorOpenSimulationMessage;

const text = (max: number): Check<string> => (x, p) => (typeof x === "string" && x.length <= max ? null : `${p}: expected string of at most ${max} characters`);
const s = text(64 * 1024);
const hex: Check<string> = (x, p) => (typeof x === "string" && /^0x[0-9a-f]+$/.test(x) ? null : `${p}: expected 0x… hex`);
const strMap: Check<Record<string, string>> = (x, p) =>
  typeof x === "object" && x !== null && !Array.isArray(x) && Object.keys(x).length <= 256 && Object.values(x).every((v) => typeof v === "string" && v.length <= 4096) ? null : `${p}: expected map of strings`;
const levels: Check<4 | 5> = (x, p) => (x === 4 || x === 5 ? null : `${p}: expected 4 | 5`);

const checkId = text(256);
const size: Check<number> = (x, p) => (typeof x === "number" && Number.isSafeInteger(x) && x >= 0 ? null : `${p}: expected a byte count`);

export const checkSimulationCheck = obj<CheckSimulationView>({
  what: lit("crashkernel", "load"),
  memmap: nullable(text(4096)),
  cmdline: nullable(text(4096)),
  image: nullable(text(4096)),
  kernel: text(256),
  kexecTools: text(64),
  paging: levels,
  iface: lit("auto", "file", "load"),
  crash: bool,
  crashkernel: text(4096),
  append: text(4096),
  initrdSize: nullable(size),
});

export const checkViewCheck = obj<CheckView>({ id: checkId, status: lit("pass", "warn", "fail"), title: s, detail: s, fix: s, source: s, simulate: nullable(checkSimulationCheck) });

export const doctorReportCheck = obj<DoctorReportView>({
  root: text(4096),
  layout: lit("live", "copy", "sosreport", "supportconfig"),
  kernel: obj({ release: nullable(text(256)), version: nullable(text(64)), banner: nullable(text(4096)), how: s }),
  paging: obj({ levels, how: s, confidence: lit("observed", "inferred", "assumed") }),
  reservation: obj({ ranges: arr(obj({ start: hex, end: hex, size: num }), 16), size: nullable(num), from: nullable(text(4096)) }),
  kexecTools: obj({ version: nullable(text(64)), how: s }),
  kdump: nullable(
    obj({ tool: text(64), kernel: nullable(text(4096)), initrd: nullable(text(4096)), initrdSize: nullable(num), append: nullable(s), kexecArgs: arr(text(4096), 64), files: arr(text(4096), 16) }),
  ),
  rules: obj({ kernel: text(256), family: text(64), kexecTools: text(64), mode: text(16) }),
  checks: arr(checkViewCheck, 512),
  summary: obj({ pass: num, warn: num, fail: num }),
  lacking: arr(s, 128),
  sources: strMap,
});

const toWebviewChecks: { [K in DoctorToWebview["type"]]: Check<Extract<DoctorToWebview, { type: K }>> } = {
  [DoctorMessageType.DoctorReport]: obj<DoctorReportMessage>({ type: lit(DoctorMessageType.DoctorReport), report: doctorReportCheck }),
  [DoctorMessageType.DoctorBusy]: obj<DoctorBusyMessage>({ type: lit(DoctorMessageType.DoctorBusy), text: s }),
  [DoctorMessageType.DoctorActionDone]: obj<DoctorActionDoneMessage>({ type: lit(DoctorMessageType.DoctorActionDone), ok: (x, p) => (typeof x === "boolean" ? null : `${p}: expected boolean`), text: s }),
};

const fromWebviewChecks: { [K in DoctorFromWebview["type"]]: Check<Extract<DoctorFromWebview, { type: K }>> } = {
  [DoctorMessageType.DoctorReady]: obj<DoctorReadyMessage>({ type: lit(DoctorMessageType.DoctorReady) }),
  [DoctorMessageType.DoctorRerun]: obj<DoctorRerunMessage>({ type: lit(DoctorMessageType.DoctorRerun) }),
  [DoctorMessageType.DoctorPickRoot]: obj<DoctorPickRootMessage>({ type: lit(DoctorMessageType.DoctorPickRoot) }),
  [DoctorMessageType.DoctorCopyJson]: obj<DoctorCopyJsonMessage>({ type: lit(DoctorMessageType.DoctorCopyJson) }),
  [DoctorMessageType.DoctorCopyMarkdown]: obj<DoctorCopyMarkdownMessage>({ type: lit(DoctorMessageType.DoctorCopyMarkdown) }),
  [DoctorMessageType.DoctorOpenSimulation]: obj<DoctorOpenSimulationMessage>({ type: lit(DoctorMessageType.DoctorOpenSimulation), id: checkId }),
};

export function parseDoctorToWebview(raw: unknown): { ok: true; envelope: Envelope<DoctorToWebview> } | { ok: false; error: string } {
  return checkEnvelope<DoctorToWebview>(raw, toWebviewChecks as Record<string, Check<DoctorToWebview>>);
}

export function parseDoctorFromWebview(raw: unknown): { ok: true; envelope: Envelope<DoctorFromWebview> } | { ok: false; error: string } {
  return checkEnvelope<DoctorFromWebview>(raw, fromWebviewChecks as Record<string, Check<DoctorFromWebview>>);
}

/** The page's saved state: which root it shows, re-checked when the panel is revived. */
export interface DoctorPanelState {
  root: string;
}
export const doctorPanelStateCheck = obj<DoctorPanelState>({ root: text(4096) });
