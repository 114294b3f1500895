/**
 * Boot log reader (dmesg or serial console). Takes the first boot in the file: a second
 * "Linux version" line (a second boot, or a dmesg dump appended to the console log) ends it.
 *
 * The e820 table has been printed in three forms (arch/x86/kernel/e820.c, e820_print_map() /
 * e820__print_table()); every one is read, with each era's type names:
 *
 * 1. Before the 2012 %pR-style rework (Linux 2.6 … 3.x; first release carrying the new form not
 *    pinned, 3.6-rc1 logs already have it): `BIOS-e820: 0000000000000000 - 000000000009fc00 (usable)`,
 *    end exclusive; types `(usable)`, `(reserved)`, `(ACPI data)`, `(ACPI NVS)`, `(unusable)`,
 *    `type N`.
 * 2. `BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable`, end inclusive; types `usable`
 *    (E820_TYPE_RAM and E820_TYPE_RESERVED_KERN), `reserved`, `soft reserved`, `ACPI data`,
 *    `ACPI NVS`, `unusable`, `persistent (type N)`, `type N`.
 * 3. Linux 7.0 (Ingo Molnar's e820 series, tip x86/boot 2025-12-14, merged with
 *    "x86-boot-2026-02-09"): fa06d58805c8 "x86/boot/e820: Print E820_TYPE_RAM entries as ... RAM
 *    entries" (`System RAM`), c87f94477740 "Make the field separator space character part of
 *    e820_print_type()" (two spaces before the type), 4a7a13e04c05 "Improve e820_print_type()
 *    messages" (`device reserved`, `persistent RAM (type N)`), 4d8e5a682be4 "Print gaps in the
 *    E820 table" (`BIOS-e820: [gap 0x…-0x…]` lines between entries). Lab: lab-7.2 boots of Debian
 *    7.2.13.
 *
 * The table is printed by several callers, each with its own prefix ("who"): the firmware map
 * (`BIOS-e820`, `BIOS-88`, `BIOS-e801`, `Xen`), and later edits of it (`reserve setup_data`,
 * `user` for mem=/memmap=, `modified`). The firmware map is what /sys/firmware/memmap shows; the
 * last table printed is the kernel's own view when it reserves crashkernel=.
 *
 * A map that yields no usable RAM, or whose RAM contradicts the log's own "Memory: …K/NK" line, is
 * an error naming the line that was not understood — never a 0 MiB answer.
 */
import { FormatError } from "../io/formatError";
import type { E820Entry, MemoryMap, ReservedRange } from "./memoryMap";
import { memblockMemory, systemRamFromE820 } from "./memoryMap";
import type { AddrRange } from "./ranges";
import { KiB, MiB, alignUp, mergeRanges } from "./ranges";

/** Optional syslog level, timestamp and caller id (`[    T1]`, CONFIG_PRINTK_CALLER). */
const PREFIX = String.raw`^(?:<\d+>)?(?:\[\s*\d+\.\d+\]\s*)?(?:\[\s*[TC]\d+\]\s*)?`;
/** The "who" argument of e820__print_table() in every version read. */
const WHO = String.raw`(BIOS-e820|BIOS-88|BIOS-e801|Xen|user|modified|reserve setup_data)`;
const RE = {
  version: /Linux version (\S+)/,
  cmdline: new RegExp(PREFIX + String.raw`Command line: (.*)$`),
  /** Any line the e820 printer made (used to spot lines we do not understand). */
  e820Any: new RegExp(String.raw`(?:^|[\]\s:])` + WHO + String.raw`: `),
  /** Forms 2 and 3: "[mem A-B] type" (one space before the type up to 6.x, two from 7.0). */
  e820Mem: new RegExp(WHO + String.raw`: \[mem (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\]\s+(\S.*?)\s*$`),
  /** Form 3: "[gap A-B]" between entries (sizes and " ..." tolerated after it). */
  e820Gap: new RegExp(WHO + String.raw`: \[gap (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\]`),
  /** Form 1: "A - B (type)" or "A - B type N", end exclusive. */
  e820Old: new RegExp(WHO + String.raw`: ([0-9a-fA-F]{8,16}) - ([0-9a-fA-F]{8,16}) +(\(([^)]*)\)|type \d+)\s*$`),
  ramdisk: /RAMDISK: \[mem (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\]/,
  nodeData: /(NODE_DATA\(\d+\)) allocated \[mem (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\]/,
  acpi: /ACPI: Reserving (\S+) table memory at \[mem (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\]/,
  kernelIomem: /^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+) : Kernel (code|rodata|data|bss)\s*$/,
  memory: /Memory: (\d+)[kK]\/(\d+)[kK] available \((\d+)[kK] kernel code, (\d+)[kK] rwdata, (\d+)[kK] rodata, (\d+)[kK] init, (\d+)[kK] bss/,
  crashOld: /Reserving (\d+)MB of (low )?memory at (\d+)MB for crashkernel/,
  crashNew: /crashkernel (low memory )?reserved: 0x([0-9a-fA-F]+) - 0x([0-9a-fA-F]+)/,
  /** mm/cma.c cma_declare_contiguous_nid(): "cma: Reserved %ld MiB at %pa". */
  cma: /\bcma: Reserved (\d+) MiB at (0x[0-9a-fA-F]+)/,
  /** kernel/crash_reserve.c reserve_crashkernel_cma() (≥6.17). */
  crashCma: /crashkernel CMA reserved: (\d+) MB in (\d+) ranges/,
  rsdp: /ACPI: RSDP 0x([0-9a-fA-F]+)/,
  efi: /\befi: EFI v\d/,
  la57: /\b5-level paging\b|MAX_PHYSMEM_BITS\)=52/,
};

const num = (s: string): number => Number.parseInt(s.replace(/^0x/i, ""), 16);

export function looksLikeBootLog(text: string): boolean {
  return /BIOS-e820:|BIOS-e801:|BIOS-88:|Linux version \d|Command line: /.test(text.slice(0, 1 << 20));
}

/** Default physical load address of x86_64 kernels (CONFIG_PHYSICAL_START = 0x1000000). */
const DEFAULT_PHYSICAL_START = 0x1000000;

/** One input line with where it starts (character offset, 1-based line number). */
interface Line {
  text: string;
  offset: number;
  no: number;
}

/** Splits on LF, CRLF and bare CR (serial captures use all three), keeping offsets. */
export function splitLines(text: string): Line[] {
  const out: Line[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  let no = 1;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ text: text.slice(start, m.index), offset: start, no: no++ });
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push({ text: text.slice(start), offset: start, no });
  return out;
}

/** One printed e820 table: consecutive lines with the same "who". */
interface E820Block {
  who: string;
  entries: E820Entry[];
  /** The line each entry came from. */
  lines: Line[];
  firstLine: Line;
}

/** Every type name e820_print_type() has printed, ≤3.x … 7.x (without the form-1 parentheses). */
const KNOWN_TYPES = /^(usable|reserved|soft reserved|ACPI data|ACPI NVS|unusable|System RAM|device reserved|reserved-kern|persistent (RAM )?\(type \d+\)|type \d+)$/;

/** The e820 types of form 1 as the newer forms name them (so isRamType() sees one vocabulary). */
function oldType(t: string): string {
  const m = /^\((.*)\)$/.exec(t);
  return m ? m[1]! : t;
}

export function memoryMapFromBootLog(text: string, file: string): MemoryMap {
  const blocks: E820Block[] = [];
  const reserved: ReservedRange[] = [];
  const crash: AddrRange[] = [];
  const kernelParts: AddrRange[] = [];
  const notes: string[] = [];
  const cmaPending: AddrRange[] = [];
  const crashCma: AddrRange[] = [];
  const unknown: Line[] = [];
  let cmdline: string | undefined;
  let release: string | undefined;
  let memoryLine: { totalKiB: number; kernelKiB: number[]; line: Line } | null = null;
  let paging: 4 | 5 | undefined;
  let rsdp: number | undefined;
  let efiBoot = false;
  let boots = 0;
  // A table is a run of e820 lines with one "who"; any other line ends it.
  let inTable: boolean = false;
  const addEntry = (who: string, e: E820Entry, line: Line): void => {
    const last = blocks[blocks.length - 1];
    if (inTable && last && last.who === who) {
      last.entries.push(e);
      last.lines.push(line);
    } else blocks.push({ who, entries: [e], lines: [line], firstLine: line });
  };
  for (const ln of splitLines(text)) {
    const line = ln.text;
    const wasInTable: boolean = inTable;
    inTable = false;
    const v = RE.version.exec(line);
    if (v) {
      boots++;
      if (boots > 1) break;
      release = v[1];
      continue;
    }
    let m: RegExpExecArray | null;
    if (cmdline === undefined && (m = RE.cmdline.exec(line))) cmdline = m[1]!.trim();
    else if (RE.e820Gap.test(line)) {
      inTable = wasInTable; // a hole between entries (7.0+): nothing to record
    } else if ((m = RE.e820Mem.exec(line))) {
      inTable = wasInTable;
      addEntry(m[1]!, { start: num(m[2]!), end: num(m[3]!), type: m[4]! }, ln);
      inTable = true;
    } else if ((m = RE.e820Old.exec(line))) {
      inTable = wasInTable;
      addEntry(m[1]!, { start: num(m[2]!), end: num(m[3]!) - 1, type: oldType(m[4]!) }, ln);
      inTable = true;
    } else if (RE.e820Any.test(line) && !/physical RAM map|out of order E820 entry/.test(line)) unknown.push(ln);
    else if ((m = RE.ramdisk.exec(line))) reserved.push({ start: num(m[1]!), end: num(m[2]!), what: "initrd", source: m[0] });
    else if ((m = RE.nodeData.exec(line))) reserved.push({ start: num(m[2]!), end: num(m[3]!), what: m[1]!, source: m[0] });
    else if ((m = RE.acpi.exec(line))) reserved.push({ start: num(m[2]!), end: num(m[3]!), what: `ACPI ${m[1]} table`, source: m[0] });
    else if ((m = RE.kernelIomem.exec(line))) kernelParts.push({ start: num(m[1]!), end: num(m[2]!) });
    else if ((m = RE.memory.exec(line))) memoryLine ??= { totalKiB: Number(m[2]), kernelKiB: m.slice(3, 8).map(Number), line: ln };
    else if ((m = RE.crashOld.exec(line))) {
      const start = Number(m[3]) * MiB;
      crash.push({ start, end: start + Number(m[1]) * MiB - 1 });
    } else if ((m = RE.crashNew.exec(line))) crash.push({ start: num(m[2]!), end: num(m[3]!) - 1 });
    else if ((m = RE.cma.exec(line))) {
      const start = num(m[2]!);
      cmaPending.push({ start, end: start + Number(m[1]) * MiB - 1 });
    } else if ((m = RE.crashCma.exec(line))) {
      // The last N "cma: Reserved" lines are the crashkernel's (reserve_crashkernel_cma() runs them).
      const n = Number(m[2]);
      crashCma.push(...cmaPending.splice(Math.max(0, cmaPending.length - n)));
    }
    if (paging === undefined && RE.la57.test(line)) paging = 5;
    if (rsdp === undefined && (m = RE.rsdp.exec(line))) rsdp = num(m[1]!);
    if (RE.efi.test(line)) efiBoot = true;
  }
  const firmwareBlock = blocks.find((b) => /^(BIOS-|Xen$)/.test(b.who)) ?? blocks[0];
  if (!firmwareBlock) {
    const bad = unknown[0];
    if (bad) throw unrecognised(file, bad);
    throw new FormatError(file, 0, "BIOS-e820", "a boot log with \"BIOS-e820: [mem …]\" lines (boot with loglevel ≥ 6 or use the serial console)");
  }
  const firmware = firmwareBlock.entries;
  const kernelBlock = blocks[blocks.length - 1]!;
  if (kernelBlock !== firmwareBlock) notes.push(`The kernel edited the firmware map ("${kernelBlock.who}:" table, line ${kernelBlock.firstLine.no}): that table is used for System RAM.`);
  const systemRam = systemRamFromE820(kernelBlock.entries);
  if (systemRam.length === 0) {
    const bad = unknown[0] ?? kernelBlock.lines[kernelBlock.entries.findIndex((e) => !KNOWN_TYPES.test(e.type))];
    if (bad) throw unrecognised(file, bad);
    const types = [...new Set(kernelBlock.entries.map((e) => JSON.stringify(e.type)))].join(", ");
    throw new FormatError(
      file,
      kernelBlock.firstLine.offset,
      `line ${kernelBlock.firstLine.no} (e820 table "${kernelBlock.who}")`,
      "at least one usable RAM entry (\"usable\", or \"System RAM\" from Linux 7.0)",
      `only ${types}`,
    );
  }
  if (memoryLine) {
    // "Memory: …K/NK available": N is the present pages the kernel counted, i.e. memblock.memory.
    // It tracks the map to the page on the boots read (lab 6.1, 6.12, 7.2); firmware edits the log
    // does not show (EFI, MTRR) move it a little, a misread map moves it a lot.
    const mapKiB = memblockMemory({ systemRam } as MemoryMap).reduce((a, r) => a + (r.end - r.start + 1), 0) / KiB;
    const diff = Math.abs(mapKiB - memoryLine.totalKiB);
    if (diff > memoryLine.totalKiB / 8) {
      const bad = unknown[0] ?? kernelBlock.lines[kernelBlock.entries.findIndex((e) => !KNOWN_TYPES.test(e.type))];
      if (bad) throw unrecognised(file, bad);
      throw new FormatError(
        file,
        memoryLine.line.offset,
        `line ${memoryLine.line.no} ("Memory:")`,
        `an e820 map whose usable RAM matches the kernel's own count (${memoryLine.totalKiB}K)`,
        `${Math.round(mapKiB)}K of usable RAM in the e820 lines read`,
      );
    }
  }
  if (unknown.length > 0) notes.push(`${unknown.length} e820 line(s) not understood and skipped, first at line ${unknown[0]!.no}: ${JSON.stringify(unknown[0]!.text.trim().slice(0, 120))}.`);
  if (kernelParts.length > 0) {
    // mergeRanges drops inverted (end < start) ranges, so a lying log can leave nothing.
    const k = mergeRanges(kernelParts);
    const first = k[0];
    const last = k[k.length - 1];
    if (first && last) reserved.push({ start: first.start, end: last.end, what: "kernel image", source: "Kernel code…bss lines" });
    else notes.push("Kernel image lines give no valid range (end before start): not treated as reserved.");
  } else if (cmdline !== undefined && /(^|\s)nokaslr(\s|$)/.test(cmdline)) {
    // nokaslr: the kernel runs at LOAD_PHYSICAL_ADDR; its size from the "Memory:" line.
    const kib = memoryLine ? memoryLine.kernelKiB.reduce((a, b) => a + b, 0) : 64 * 1024;
    reserved.push({
      start: DEFAULT_PHYSICAL_START,
      end: DEFAULT_PHYSICAL_START + alignUp(kib * 1024, 2 * MiB) - 1,
      what: "kernel image",
      source: memoryLine ? "nokaslr + \"Memory:\" line sizes" : "nokaslr (size assumed 64 MiB)",
      estimated: true,
    });
  } else {
    notes.push("Kernel image position unknown (KASLR and no \"Kernel code\" lines): it is not treated as reserved.");
  }
  if (!reserved.some((r) => r.what === "initrd")) notes.push("No RAMDISK line: no initrd is treated as reserved.");
  const map: MemoryMap = {
    kind: "boot-log",
    file,
    firmware,
    systemRam,
    reserved,
    crashKernel: [...crash].sort((a, b) => a.start - b.start),
    cmdline,
    kernelRelease: release,
    pagingLevels: paging,
    notes,
  };
  if (rsdp !== undefined) map.acpiRsdp = rsdp;
  if (efiBoot) map.efiBoot = true;
  if (crashCma.length > 0) map.crashCma = crashCma.sort((a, b) => a.start - b.start);
  return map;
}

function unrecognised(file: string, line: Line): FormatError {
  return new FormatError(
    file,
    line.offset,
    `line ${line.no} (e820 table)`,
    "an e820 entry as the kernel prints it: \"BIOS-e820: [mem 0x…-0x…] usable\" (≤6.x), \"[mem 0x…-0x…]  System RAM\" / \"[gap 0x…-0x…]\" (7.0+) or \"0000… - 0000… (usable)\" (≤3.x)",
    JSON.stringify(line.text.trim().slice(0, 160)),
  );
}
