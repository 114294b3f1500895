/**
 * Boot log reader (dmesg or serial console). Takes the first boot in the file: a second
 * "Linux version" line (a second boot, or a dmesg dump appended to the console log) ends it.
 */
import { FormatError } from "../io/formatError";
import type { E820Entry, MemoryMap, ReservedRange } from "./memoryMap";
import { systemRamFromE820 } from "./memoryMap";
import type { AddrRange } from "./ranges";
import { MiB, alignUp, mergeRanges } from "./ranges";

const PREFIX = String.raw`^(?:<\d+>)?(?:\[\s*\d+\.\d+\]\s*)?`;
const RE = {
  version: /Linux version (\S+)/,
  cmdline: new RegExp(PREFIX + String.raw`Command line: (.*)$`),
  // 7.x prints two spaces and "System RAM" / "device reserved" (and [gap …] lines, which do not match).
  e820: /BIOS-e820: \[mem (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\]\s+(.+?)\s*$/,
  // Pre-3.x format: "BIOS-e820: 0000000000000000 - 000000000009fc00 (usable)", end exclusive.
  e820Old: /BIOS-e820: ([0-9a-fA-F]{8,16}) - ([0-9a-fA-F]{8,16}) \((.+)\)/,
  user: /\buser: \[mem (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\] (.+?)\s*$/,
  ramdisk: /RAMDISK: \[mem (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\]/,
  nodeData: /(NODE_DATA\(\d+\)) allocated \[mem (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\]/,
  acpi: /ACPI: Reserving (\S+) table memory at \[mem (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\]/,
  kernelIomem: /^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+) : Kernel (code|rodata|data|bss)\s*$/,
  memory: /Memory: \d+K\/\d+K available \((\d+)K kernel code, (\d+)K rwdata, (\d+)K rodata, (\d+)K init, (\d+)K bss/,
  crashOld: /Reserving (\d+)MB of (low )?memory at (\d+)MB for crashkernel/,
  crashNew: /crashkernel (low memory )?reserved: 0x([0-9a-fA-F]+) - 0x([0-9a-fA-F]+)/,
  la57: /\b5-level paging\b|MAX_PHYSMEM_BITS\)=52/,
};

const num = (s: string): number => Number.parseInt(s.replace(/^0x/i, ""), 16);

export function looksLikeBootLog(text: string): boolean {
  return /BIOS-e820:|Linux version \d|Command line: /.test(text.slice(0, 1 << 20));
}

/** Default physical load address of x86_64 kernels (CONFIG_PHYSICAL_START = 0x1000000). */
const DEFAULT_PHYSICAL_START = 0x1000000;

export function memoryMapFromBootLog(text: string, file: string): MemoryMap {
  const firmware: E820Entry[] = [];
  const user: E820Entry[] = [];
  const reserved: ReservedRange[] = [];
  const crash: AddrRange[] = [];
  const kernelParts: AddrRange[] = [];
  const notes: string[] = [];
  let cmdline: string | undefined;
  let release: string | undefined;
  let memoryLine: number[] | null = null;
  let paging: 4 | 5 | undefined;
  let boots = 0;
  const lines = text.split(/\r?\n/);
  for (const line of lines) {
    const v = RE.version.exec(line);
    if (v) {
      boots++;
      if (boots > 1) break;
      release = v[1];
      continue;
    }
    let m: RegExpExecArray | null;
    if (cmdline === undefined && (m = RE.cmdline.exec(line))) cmdline = m[1]!.trim();
    else if ((m = RE.e820.exec(line))) firmware.push({ start: num(m[1]!), end: num(m[2]!), type: m[3]! });
    else if ((m = RE.e820Old.exec(line))) firmware.push({ start: num(m[1]!), end: num(m[2]!) - 1, type: m[3]! });
    else if ((m = RE.user.exec(line))) user.push({ start: num(m[1]!), end: num(m[2]!), type: m[3]! });
    else if ((m = RE.ramdisk.exec(line))) reserved.push({ start: num(m[1]!), end: num(m[2]!), what: "initrd", source: m[0] });
    else if ((m = RE.nodeData.exec(line))) reserved.push({ start: num(m[2]!), end: num(m[3]!), what: m[1]!, source: m[0] });
    else if ((m = RE.acpi.exec(line))) reserved.push({ start: num(m[2]!), end: num(m[3]!), what: `ACPI ${m[1]} table`, source: m[0] });
    else if ((m = RE.kernelIomem.exec(line))) kernelParts.push({ start: num(m[1]!), end: num(m[2]!) });
    else if ((m = RE.memory.exec(line))) memoryLine = m.slice(1, 6).map(Number);
    else if ((m = RE.crashOld.exec(line))) {
      const start = Number(m[3]) * MiB;
      crash.push({ start, end: start + Number(m[1]) * MiB - 1 });
    } else if ((m = RE.crashNew.exec(line))) crash.push({ start: num(m[2]!), end: num(m[3]!) - 1 });
    if (paging === undefined && RE.la57.test(line)) paging = 5;
  }
  if (firmware.length === 0) {
    throw new FormatError(file, 0, "BIOS-e820", "a boot log with \"BIOS-e820: [mem …]\" lines (boot with loglevel ≥ 6 or use the serial console)");
  }
  const kernelMap = user.length > 0 ? user : firmware;
  if (user.length > 0) notes.push("mem=/memmap= in effect: the kernel's \"user:\" map is used for System RAM.");
  if (kernelParts.length > 0) {
    // mergeRanges drops inverted (end < start) ranges, so a lying log can leave nothing.
    const k = mergeRanges(kernelParts);
    const first = k[0];
    const last = k[k.length - 1];
    if (first && last) reserved.push({ start: first.start, end: last.end, what: "kernel image", source: "Kernel code…bss lines" });
    else notes.push("Kernel image lines give no valid range (end before start): not treated as reserved.");
  } else if (cmdline !== undefined && /(^|\s)nokaslr(\s|$)/.test(cmdline)) {
    // nokaslr: the kernel runs at LOAD_PHYSICAL_ADDR; its size from the "Memory:" line.
    const kib = memoryLine ? memoryLine.reduce((a, b) => a + b, 0) : 64 * 1024;
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
  return {
    kind: "boot-log",
    file,
    firmware,
    systemRam: systemRamFromE820(kernelMap),
    reserved,
    crashKernel: [...crash].sort((a, b) => a.start - b.start),
    cmdline,
    kernelRelease: release,
    pagingLevels: paging,
    notes,
  };
}
