/**
 * Typed messages between the extension host and the vmcore editor webview. Same envelope,
 * schema combinators and MessageHandler as the image inspector (./protocol); only the message
 * set differs, and its type strings are distinct so a message meant for one page is rejected
 * by the other. Imports nothing but ./protocol: both the node host and the browser bundle compile it.
 */
import { arr, bool, checkEnvelope, hexNumber, lit, nullable, num, obj, str, type Check, type Envelope } from "./image";

export const enum VmcoreMessageType {
  //#region to webview
  /** Reply to VmcoreReady: the dump's summary and tables, as plain data. */
  VmcoreLoaded = "vmcoreLoaded",
  /** Reply to VmcoreReady: the file is not a vmcore the core can read. */
  VmcoreRejected = "vmcoreRejected",
  /** Event while a LoadLog request runs. */
  LogProgress = "logProgress",
  /** Event while a LoadLog request runs: the next rendered lines of the kernel log. */
  LogChunk = "logChunk",
  /** Reply to LoadLog: every chunk has been sent. */
  LogDone = "logDone",
  /** Reply to LoadLog when reading failed or was cancelled. */
  LogFailed = "logFailed",
  /** Reply to VmcoreReopenWith. */
  VmcoreActionDone = "vmcoreActionDone",
  /** Event while a ScanRanges request runs: how much of the address space is scanned. */
  RangesProgress = "rangesProgress",
  /** Reply to ScanRanges: the complete ranges. */
  RangesDone = "rangesDone",
  /** Reply to ScanRanges when the scan failed or was cancelled. */
  RangesFailed = "rangesFailed",
  //#endregion

  //#region from webview
  /** The page script is up; asks for the dump. */
  VmcoreReady = "vmcoreReady",
  /** Read the kernel log now (it is never read before the user asks). */
  LoadLog = "loadLog",
  /** Abort the running log read. */
  CancelLog = "cancelLog",
  /** Open the file with another editor (fallback for files that are not vmcores). */
  VmcoreReopenWith = "vmcoreReopenWith",
  /** Compute the memory ranges (a kdump file's bitmaps, in steps with progress). */
  ScanRanges = "scanRanges",
  /** Abort the running range scan. */
  CancelRanges = "cancelRanges",
  //#endregion
}

// ---------------------------------------------------------------------------------------------
// Data. JSON-safe: physical addresses are safe integers (x86_64 tops out at 2^52); 64-bit
// values (registers, virtual addresses, phys_base) are "0x…" hex strings.

export type PagingSource = "NUMBER(pgtable_l5_enabled)" | "QEMU CR4.LA57" | "NUMBER(MAX_PHYSMEM_BITS)" | "default";

export interface VmcoreSummaryView {
  format: "elf64" | "kdump-compressed";
  container: "file" | "flattened";
  compression: string;
  dumpLevel: number | null;
  osrelease: string | null;
  /** CRASHTIME (seconds since the epoch) and its ISO text; null when the dump has none. */
  crashTime: number | null;
  crashTimeText: string | null;
  pagingLevels: 4 | 5;
  pagingSource: PagingSource;
  /** What the paging mode means for kexec/kdump (spec paging.md §2, §4, §5). */
  pagingConsequence: string;
  /** phys_base as the u64 the kernel stores, and as a signed offset when it is "negative". */
  physBase: string | null;
  physBaseSigned: string | null;
  kaslrOffset: string | null;
  cpuCount: number;
  /** A flattened stream's record index (built on demand): how far it got; null for plain files. */
  recordIndex: string | null;
  /** Index of the CPU note that crashed, when the dump tells; else null and a reason. */
  crashedCpu: number | null;
  crashedCpuText: string;
}

export type RangeStateView = "dumped" | "not-dumped" | "excluded";

export interface RangeRow {
  start: number;
  /** Exclusive. */
  end: number;
  state: RangeStateView;
}

export interface RegisterRow {
  name: string;
  /** 0x + 16 hex digits. */
  value: string;
}

export interface CpuView {
  index: number;
  pid: number;
  /** What pid means here: a task PID (kernel notes) or vCPU index + 1 (QEMU). */
  pidMeaning: string;
  registers: RegisterRow[];
  /** QEMU's CPU state note (control registers), when present. */
  control: RegisterRow[];
  la57: boolean | null;
}

/** Physical memory above the 4-level limit (64 TiB): what the dump holds there and what it implies. */
export interface BeyondFourLevelView {
  limit: number;
  state: "present" | "excluded" | "missing" | "not-dumped" | "unknown";
  basis: string;
  implication: string;
  /** Bytes above the limit per state, once known. */
  dumped: number | null;
  excluded: number | null;
  hole: number | null;
}

export interface VmcoreView {
  fileName: string;
  fileSize: number;
  summary: VmcoreSummaryView;
  /** End of the physical address space the dump describes (max_mapnr pages / last PT_LOAD end). */
  addressSpaceEnd: number;
  /** The ranges found so far; complete when `rangesComplete` (else a ScanRanges finishes them). */
  ranges: RangeRow[];
  rangesComplete: boolean;
  /** Ranges left out of `ranges` (the view caps the list). */
  rangesOmitted: number;
  /** Null when the address space stays below the 4-level limit. */
  beyondFourLevel: BeyondFourLevelView | null;
  vmcoreinfo: { key: string; value: string }[];
  cpus: CpuView[];
  notes: { name: string; type: number; descsz: number }[];
  warnings: string[];
  /** Bytes read from the file to build this view. */
  bytesRead: number;
  /** Null when the kernel log can be read; else why not (no VMCOREINFO, no printk keys). */
  logUnavailable: string | null;
}

// ---------------------------------------------------------------------------------------------
// Messages.

export interface VmcoreLoadedMessage {
  type: VmcoreMessageType.VmcoreLoaded;
  view: VmcoreView;
}
export interface VmcoreRejectedMessage {
  type: VmcoreMessageType.VmcoreRejected;
  fileName: string;
  reason: string;
  offset: number | null;
  field: string | null;
  hexEditorAvailable: boolean;
}
export interface LogProgressMessage {
  type: VmcoreMessageType.LogProgress;
  /** The `token` of the LoadLog request this belongs to. */
  token: number;
  /** "read": walking the ring in the dump; "format": rendering and sending lines. */
  phase: "read" | "format";
  done: number;
  total: number;
}
export interface LogChunkMessage {
  type: VmcoreMessageType.LogChunk;
  token: number;
  /** Line number of lines[0]; chunks arrive in order. */
  first: number;
  lines: string[];
  /** Log level 0..7 per line, -1 when unknown (pre-3.5 text ring). */
  levels: number[];
}
export interface LogDoneMessage {
  type: VmcoreMessageType.LogDone;
  token: number;
  kind: "lockless" | "printk_log" | "log" | "text";
  records: number;
  lines: number;
  warnings: string[];
}
export interface LogFailedMessage {
  type: VmcoreMessageType.LogFailed;
  token: number;
  cancelled: boolean;
  reason: string;
}
export interface VmcoreActionDoneMessage {
  type: VmcoreMessageType.VmcoreActionDone;
  ok: boolean;
  text: string;
}

export interface RangesProgressMessage {
  type: VmcoreMessageType.RangesProgress;
  token: number;
  /** Bytes of address space scanned, of `end`. */
  scanned: number;
  end: number;
}
export interface RangesDoneMessage {
  type: VmcoreMessageType.RangesDone;
  token: number;
  ranges: RangeRow[];
  rangesOmitted: number;
  beyondFourLevel: BeyondFourLevelView | null;
}
export interface RangesFailedMessage {
  type: VmcoreMessageType.RangesFailed;
  token: number;
  cancelled: boolean;
  reason: string;
}
export interface ScanRangesMessage {
  type: VmcoreMessageType.ScanRanges;
  token: number;
}
export interface CancelRangesMessage {
  type: VmcoreMessageType.CancelRanges;
}

export interface VmcoreReadyMessage {
  type: VmcoreMessageType.VmcoreReady;
}
export interface LoadLogMessage {
  type: VmcoreMessageType.LoadLog;
  /** Chosen by the page; echoed in every LogChunk/LogProgress so stale events can be told apart. */
  token: number;
}
export interface CancelLogMessage {
  type: VmcoreMessageType.CancelLog;
}
export interface VmcoreReopenWithMessage {
  type: VmcoreMessageType.VmcoreReopenWith;
  editor: "text" | "hex" | "pick";
}

export type VmcoreToWebview =
  | VmcoreLoadedMessage
  | VmcoreRejectedMessage
  | LogProgressMessage
  | LogChunkMessage
  | LogDoneMessage
  | LogFailedMessage
  | VmcoreActionDoneMessage
  | RangesProgressMessage
  | RangesDoneMessage
  | RangesFailedMessage;

export type VmcoreFromWebview = VmcoreReadyMessage | LoadLogMessage | CancelLogMessage | VmcoreReopenWithMessage | ScanRangesMessage | CancelRangesMessage;

/** Lines per LogChunk; the schema allows a little more. */
export const LOG_CHUNK_LINES = 2000;
/** Memory ranges carried in one view. */
export const MAX_RANGES = 4096;

// ---------------------------------------------------------------------------------------------
// Schemas.

const regRow = obj<RegisterRow>({ name: str, value: hexNumber });
const rangeState = lit<RangeStateView>("dumped", "not-dumped", "excluded");
const rangeRows = arr(obj<RangeRow>({ start: num, end: num, state: rangeState }), MAX_RANGES);
const beyondCheck = nullable(
  obj<BeyondFourLevelView>({
    limit: num,
    state: lit("present", "excluded", "missing", "not-dumped", "unknown"),
    basis: str,
    implication: str,
    dumped: nullable(num),
    excluded: nullable(num),
    hole: nullable(num),
  }),
);

export const vmcoreViewCheck = obj<VmcoreView>({
  fileName: str,
  fileSize: num,
  summary: obj<VmcoreSummaryView>({
    format: lit("elf64", "kdump-compressed"),
    container: lit("file", "flattened"),
    compression: str,
    dumpLevel: nullable(num),
    osrelease: nullable(str),
    crashTime: nullable(num),
    crashTimeText: nullable(str),
    pagingLevels: ((x, p) => (x === 4 || x === 5 ? null : `${p}: expected 4 | 5`)) as Check<4 | 5>,
    pagingSource: lit<PagingSource>("NUMBER(pgtable_l5_enabled)", "QEMU CR4.LA57", "NUMBER(MAX_PHYSMEM_BITS)", "default"),
    pagingConsequence: str,
    physBase: nullable(hexNumber),
    physBaseSigned: nullable(str),
    kaslrOffset: nullable(hexNumber),
    cpuCount: num,
    recordIndex: nullable(str),
    crashedCpu: nullable(num),
    crashedCpuText: str,
  }),
  addressSpaceEnd: num,
  ranges: rangeRows,
  rangesComplete: bool,
  rangesOmitted: num,
  beyondFourLevel: beyondCheck,
  vmcoreinfo: arr(obj({ key: str, value: str }), 10_000),
  cpus: arr(
    obj<CpuView>({ index: num, pid: num, pidMeaning: str, registers: arr(regRow, 64), control: arr(regRow, 16), la57: nullable(bool) }),
    8192,
  ),
  notes: arr(obj({ name: str, type: num, descsz: num }), 20_000),
  warnings: arr(str, 1000),
  bytesRead: num,
  logUnavailable: nullable(str),
});

const logKind = lit("lockless", "printk_log", "log", "text");
const level: Check<number> = (x, p) => (typeof x === "number" && Number.isInteger(x) && x >= -1 && x <= 7 ? null : `${p}: expected a log level -1..7`);

const toWebviewChecks: { [K in VmcoreToWebview["type"]]: Check<Extract<VmcoreToWebview, { type: K }>> } = {
  [VmcoreMessageType.VmcoreLoaded]: obj<VmcoreLoadedMessage>({ type: lit(VmcoreMessageType.VmcoreLoaded), view: vmcoreViewCheck }),
  [VmcoreMessageType.VmcoreRejected]: obj<VmcoreRejectedMessage>({
    type: lit(VmcoreMessageType.VmcoreRejected), fileName: str, reason: str, offset: nullable(num), field: nullable(str), hexEditorAvailable: bool,
  }),
  [VmcoreMessageType.LogProgress]: obj<LogProgressMessage>({ type: lit(VmcoreMessageType.LogProgress), token: num, phase: lit("read", "format"), done: num, total: num }),
  [VmcoreMessageType.LogChunk]: (x, p) => {
    const e = obj<LogChunkMessage>({
      type: lit(VmcoreMessageType.LogChunk), token: num, first: num, lines: arr(str, LOG_CHUNK_LINES + 64), levels: arr(level, LOG_CHUNK_LINES + 64),
    })(x, p);
    if (e) return e;
    const m = x as LogChunkMessage;
    return m.lines.length === m.levels.length ? null : `${p}.levels: expected one level per line`;
  },
  [VmcoreMessageType.LogDone]: obj<LogDoneMessage>({ type: lit(VmcoreMessageType.LogDone), token: num, kind: logKind, records: num, lines: num, warnings: arr(str, 1000) }),
  [VmcoreMessageType.LogFailed]: obj<LogFailedMessage>({ type: lit(VmcoreMessageType.LogFailed), token: num, cancelled: bool, reason: str }),
  [VmcoreMessageType.VmcoreActionDone]: obj<VmcoreActionDoneMessage>({ type: lit(VmcoreMessageType.VmcoreActionDone), ok: bool, text: str }),
  [VmcoreMessageType.RangesProgress]: obj<RangesProgressMessage>({ type: lit(VmcoreMessageType.RangesProgress), token: num, scanned: num, end: num }),
  [VmcoreMessageType.RangesDone]: obj<RangesDoneMessage>({ type: lit(VmcoreMessageType.RangesDone), token: num, ranges: rangeRows, rangesOmitted: num, beyondFourLevel: beyondCheck }),
  [VmcoreMessageType.RangesFailed]: obj<RangesFailedMessage>({ type: lit(VmcoreMessageType.RangesFailed), token: num, cancelled: bool, reason: str }),
};

const fromWebviewChecks: { [K in VmcoreFromWebview["type"]]: Check<Extract<VmcoreFromWebview, { type: K }>> } = {
  [VmcoreMessageType.VmcoreReady]: obj<VmcoreReadyMessage>({ type: lit(VmcoreMessageType.VmcoreReady) }),
  [VmcoreMessageType.LoadLog]: obj<LoadLogMessage>({ type: lit(VmcoreMessageType.LoadLog), token: num }),
  [VmcoreMessageType.CancelLog]: obj<CancelLogMessage>({ type: lit(VmcoreMessageType.CancelLog) }),
  [VmcoreMessageType.VmcoreReopenWith]: obj<VmcoreReopenWithMessage>({ type: lit(VmcoreMessageType.VmcoreReopenWith), editor: lit("text", "hex", "pick") }),
  [VmcoreMessageType.ScanRanges]: obj<ScanRangesMessage>({ type: lit(VmcoreMessageType.ScanRanges), token: num }),
  [VmcoreMessageType.CancelRanges]: obj<CancelRangesMessage>({ type: lit(VmcoreMessageType.CancelRanges) }),
};

export function parseVmcoreToWebview(raw: unknown): { ok: true; envelope: Envelope<VmcoreToWebview> } | { ok: false; error: string } {
  return checkEnvelope<VmcoreToWebview>(raw, toWebviewChecks as Record<string, Check<VmcoreToWebview>>);
}

export function parseVmcoreFromWebview(raw: unknown): { ok: true; envelope: Envelope<VmcoreFromWebview> } | { ok: false; error: string } {
  return checkEnvelope<VmcoreFromWebview>(raw, fromWebviewChecks as Record<string, Check<VmcoreFromWebview>>);
}
