/**
 * Vmcore (core model) → VmcoreView (protocol data), and kernel-log records → display lines.
 * Pure and vscode-free so the webview tests build the very same messages the host sends. It
 * only reshapes what the core reads; the paging consequence is worded from spec paging.md.
 */
import { hex } from "../core/io/formatError";
import type { ByteSource } from "../core/io/byteSource";
import type { Vmcore, VmcoreCpu } from "../core/formats/vmcore/vmcore";
import { PRSTATUS_REGS } from "../core/formats/vmcore/prstatus";
import { formatMakedumpfile, type KernelLog, type LogRecord } from "../core/formats/vmcore/printk";
import { latin1 } from "../core/io/binary";
import { PAGING_MODES } from "../core/knowledge/pagingModes";
import { MAX_RANGES, type CpuView, type RegisterRow, type VmcoreSummaryView, type VmcoreView } from "../protocolVmcore";

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

/** Reads headers, notes and (for kdump files) the bitmaps: never page data. */
export function buildVmcoreView(src: ByteSource, v: Vmcore): VmcoreView {
  const s = v.summary();
  const ranges = v.ranges();
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
    crashedCpu: crashed.index,
    crashedCpuText: crashed.text,
  };
  const vi = v.vmcoreinfo;
  const logKeys = ["SYMBOL(prb)", "SIZE(printk_log)", "SIZE(log)", "SYMBOL(log_end)"];
  return {
    fileName: src.name,
    fileSize: src.size,
    summary,
    ranges: ranges.slice(0, MAX_RANGES).map((r) => ({ start: r.start, end: r.end, state: r.state })),
    rangesOmitted: Math.max(0, ranges.length - MAX_RANGES),
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
