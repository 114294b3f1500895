/** /proc/iomem reader: top-level "System RAM", nested "Crash kernel" and "Kernel …" entries. */
import { FormatError } from "../io/formatError";
import type { MemoryMap, ReservedRange } from "./memoryMap";
import type { AddrRange } from "./ranges";
import { mergeRanges } from "./ranges";

const LINE = /^(\s*)([0-9a-fA-F]+)-([0-9a-fA-F]+) : (.+?)\s*$/;

export function looksLikeIomem(text: string): boolean {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== "");
  return first !== undefined && LINE.test(first);
}

export function memoryMapFromIomem(text: string, file: string): MemoryMap {
  const ram: AddrRange[] = [];
  const crash: AddrRange[] = [];
  const kernel: AddrRange[] = [];
  const reserved: ReservedRange[] = [];
  let entries = 0;
  let nonZero = 0;
  const topNames: string[] = [];
  let firstRamOffset = 0;
  let offset = 0;
  for (const raw of text.split("\n")) {
    const lineOffset = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") continue;
    const m = LINE.exec(line);
    if (!m) throw new FormatError(file, lineOffset, "iomem line", "\"start-end : name\"", JSON.stringify(line.slice(0, 60)));
    const start = Number.parseInt(m[2]!, 16);
    const end = Number.parseInt(m[3]!, 16);
    const depth = m[1]!.length;
    const name = m[4]!;
    entries++;
    if (start !== 0 || end !== 0) nonZero++;
    if (depth === 0) topNames.push(name);
    if (depth === 0 && name === "System RAM") {
      if (ram.length === 0) firstRamOffset = lineOffset;
      ram.push({ start, end });
    }
    else if (name === "Crash kernel") crash.push({ start, end });
    else if (/^Kernel (code|rodata|data|bss)$/.test(name)) kernel.push({ start, end });
  }
  if (entries > 0 && nonZero === 0) {
    throw new FormatError(file, 0, "iomem addresses", "real addresses (read /proc/iomem as root)", "every range is 00000000-00000000: the dump was taken without CAP_SYS_ADMIN");
  }
  if (ram.length === 0) {
    const names = [...new Set(topNames)].slice(0, 6).map((n) => JSON.stringify(n)).join(", ");
    throw new FormatError(file, 0, "System RAM", "at least one top-level \"System RAM\" entry (a /proc/iomem dump)", names ? `only ${names}` : "no top-level entry");
  }
  const ramBytes = ram.reduce((a, r) => a + Math.max(0, r.end - r.start + 1), 0);
  if (ramBytes < 1024 * 1024) {
    throw new FormatError(file, firstRamOffset, "System RAM", "at least 1 MiB of System RAM (a machine's /proc/iomem)", `${ramBytes} bytes`);
  }
  const extraNotes: string[] = [];
  if (kernel.length > 0) {
    // mergeRanges drops inverted (end < start) ranges, so a lying log can leave nothing.
    const k = mergeRanges(kernel);
    const first = k[0];
    const last = k[k.length - 1];
    if (first && last) reserved.push({ start: first.start, end: last.end, what: "kernel image", source: "Kernel code…bss entries" });
    else extraNotes.push("Kernel code…bss entries give no valid range (end before start): not treated as reserved.");
  }
  return {
    kind: "iomem",
    file,
    firmware: [],
    systemRam: mergeRanges(ram),
    reserved,
    crashKernel: [...crash].sort((a, b) => a.start - b.start),
    notes: [
      "/proc/iomem does not show memblock reservations made at boot (initrd, NODE_DATA, page tables): a crashkernel simulation from it is an upper bound.",
      ...extraNotes,
    ],
  };
}
