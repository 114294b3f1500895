/**
 * Vmcore (core model) → VmcoreView (protocol data), and kernel-log records → display lines.
 * Pure and vscode-free so the webview tests build the very same messages the host sends. It
 * only reshapes what the core reads; the paging consequence is worded from spec paging.md.
 */
import { hex } from "../core/io/formatError";
import type { ByteSource } from "../core/io/byteSource";
import type { BeyondFourLevel, Vmcore, VmcoreCpu } from "../core/formats/vmcore/vmcore";
import type { RangeScanResult } from "../core/formats/vmcore/physical";
import { PRSTATUS_REGS } from "../core/formats/vmcore/prstatus";
import { formatMakedumpfile, type KernelLog, type LogRecord } from "../core/formats/vmcore/printk";
import { latin1 } from "../core/io/binary";
import { PAGING_MODES } from "../core/knowledge/pagingModes";
import { MAX_RANGES, type BeyondFourLevelView, type CpuView, type RangeRow, type RegisterRow, type VmcoreSummaryView, type VmcoreView } from "../protocol/vmcore";

const reg = (name: string, v: bigint): RegisterRow => ({ name, value: "0x" + BigInt.asUintN(64, v).toString(16).padStart(16, "0") });

/** What the crashed kernel's paging mode means for kexec/kdump: the knowledge table's words. */
export function pagingConsequence(levels: 4 | 5): string {
  return PAGING_MODES[levels].consequence;
}

/** The panic CPU is not in VMCOREINFO or the notes (vmcoreinfo.md); with one CPU note it is that one. */
function crashedCpu(cpus: readonly VmcoreCpu[]): { index: number | null; text: string } {
  if (cpus.length === 1) return { index: 0, text: "CPU note 0 (the only CPU in the dump)" };
  if (cpus.length === 0) return { index: null, text: "no CPU notes in the dump" };
  return { index: null, text: "not recorded: the dump format does not name the panic CPU" };
}

function cpuView(c: VmcoreCpu): CpuView {
  const registers = c.prstatus ? PRSTATUS_REGS.map((r) => reg(r, c.prstatus!.regs[r])) : [reg("rip", c.rip), reg("rsp", c.rsp)];
  const q = c.qemu;
  return {
    index: c.index,
    pid: c.pid,
    pidMeaning: q ? "vCPU index + 1 (QEMU dump)" : c.pid === 0 ? "idle task" : "PID of the task on this CPU",
    registers,
    control: q ? [reg("cr0", q.cr0), reg("cr2", q.cr2), reg("cr3", q.cr3), reg("cr4", q.cr4), reg("rflags", q.rflags), reg("idt_base", q.idtBase)] : [],
    la57: q ? q.la57 : null,
  };
}

/** A range-scan result as the view carries it (at most MAX_RANGES rows). */
export function rangesView(r: RangeScanResult): { ranges: RangeRow[]; rangesOmitted: number } {
  return {
    ranges: r.ranges.slice(0, MAX_RANGES).map((x) => ({ start: x.start, end: x.end, state: x.state })),
    rangesOmitted: r.omitted + Math.max(0, r.ranges.length - MAX_RANGES),
  };
}

export function beyondView(b: BeyondFourLevel | null): BeyondFourLevelView | null {
  if (!b) return null;
  return {
    limit: b.limit,
    state: b.state,
    basis: b.basis,
    implication: b.implication,
    dumped: b.bytes ? b.bytes.dumped : null,
    excluded: b.bytes ? b.bytes.excluded + b.bytes.notDumped : null,
    hole: b.bytes ? b.bytes.hole : null,
  };
}

/**
 * Reads headers, notes and at most one step of the range scan (1 MiB of a kdump file's bitmap:
 * the whole of it up to 32 GiB of address space); never page data. Bigger address spaces are
 * scanned on the webview's ScanRanges request, with progress and cancel.
 */
export function buildVmcoreView(src: ByteSource, v: Vmcore): VmcoreView {
  const scan = v.rangeScanner();
  scan.step();
  const s = v.summary();
  const scanned = scan.result();
  const crashed = crashedCpu(v.cpus);
  const pb = s.physBase;
  const signed = pb === null ? null : BigInt.asIntN(64, pb);
  const summary: VmcoreSummaryView = {
    format: s.format,
    container: s.container,
    compression: s.compression,
    dumpLevel: s.dumpLevel,
    osrelease: s.osrelease,
    crashTime: s.crashTime,
    crashTimeText: s.crashTime === null ? null : new Date(s.crashTime * 1000).toISOString().replace(".000Z", "Z"),
    pagingLevels: s.pagingLevels,
    pagingSource: s.pagingSource,
    pagingConsequence: pagingConsequence(s.pagingLevels),
    physBase: pb === null ? null : hex(pb),
    physBaseSigned: signed === null || signed >= 0n ? null : "-0x" + (-signed).toString(16),
    kaslrOffset: s.kaslrOffset === null ? null : hex(s.kaslrOffset),
    cpuCount: s.cpus.length,
    recordIndex: s.flattenedIndex
      ? s.flattenedIndex.complete
        ? `${s.flattenedIndex.records.toLocaleString("en-US")} records, complete${s.flattenedIndex.truncated ? " (no end marker: truncated)" : ""}`
        : `built on demand: ${s.flattenedIndex.records.toLocaleString("en-US")} records read so far`
      : null,
    crashedCpu: crashed.index,
    crashedCpuText: crashed.text,
  };
  const vi = v.vmcoreinfo;
  const logKeys = ["SYMBOL(prb)", "SIZE(printk_log)", "SIZE(log)", "SYMBOL(log_end)"];
  return {
    fileName: src.name,
    fileSize: src.size,
    summary,
    addressSpaceEnd: scanned.end,
    ...rangesView(scanned),
    rangesComplete: scanned.complete,
    beyondFourLevel: beyondView(s.beyondFourLevel),
    vmcoreinfo: Object.entries(s.vmcoreinfo).map(([key, value]) => ({ key, value })),
    cpus: v.cpus.map(cpuView),
    notes: s.notes,
    warnings: [...s.warnings],
    bytesRead: src.bytesRead,
    logUnavailable: vi.entries.size === 0 ? "The dump has no VMCOREINFO, so the kernel log cannot be located." : logKeys.some((k) => vi.has(k)) ? null : "VMCOREINFO has none of the printk keys (SYMBOL(prb), SIZE(printk_log), SIZE(log), SYMBOL(log_end)).",
  };
}

/** One record as `makedumpfile --dump-dmesg` prints it, split into display lines. */
export function recordLines(r: LogRecord): string[] {
  const text = formatMakedumpfile({ kind: "lockless", records: [r], warnings: [] });
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The pre-3.5 plain text ring as display lines (no levels). */
export function rawTextLines(log: KernelLog): string[] {
  if (!log.rawText) return [];
  const lines = latin1(log.rawText).split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}
