/**
 * The memory map the simulators work on, whatever it was read from (boot log, /proc/iomem,
 * vmcore, JSON). Reserved ranges the kernel avoids are part of the model, never guessed:
 * when a reader cannot know them it says so in `notes`.
 */
import type { AddrRange } from "./ranges";
import { PAGE_SIZE, alignDown, alignUp, mergeRanges, subtractRanges } from "./ranges";

export interface E820Entry extends AddrRange {
  /**
   * As the kernel printed it: "usable", "reserved", "ACPI data", "ACPI NVS", "unusable",
   * "persistent (type 12)", "type 20" (≤6.x); "System RAM", "device reserved",
   * "persistent RAM (type 12)" (7.0+).
   */
  type: string;
}

export interface ReservedRange extends AddrRange {
  /** What holds it: "kernel image", "initrd", "NODE_DATA(0)", "ACPI table", … */
  what: string;
  /** The input line or field it came from. */
  source: string;
  /** True when the position is an estimate (e.g. kernel size from the "Memory:" line). */
  estimated?: boolean;
}

export type MemoryMapKind = "boot-log" | "iomem" | "vmcore" | "json";

export interface MemoryMap {
  kind: MemoryMapKind;
  file: string;
  /** Firmware map as /sys/firmware/memmap shows it (kexec-tools reads this); may be empty. */
  firmware: E820Entry[];
  /** "System RAM" after the kernel's own edits (page 0, 640K–1M), sorted, merged. */
  systemRam: AddrRange[];
  /** Memblock reservations known to exist before crashkernel= runs. */
  reserved: ReservedRange[];
  /** "Crash kernel" ranges the input shows, ascending (kexec-tools uses the last one). */
  crashKernel: AddrRange[];
  /**
   * crashkernel=…,cma areas (≥6.17) the input shows (boot log "cma: Reserved … at …" lines). They
   * are not in /proc/iomem and not in kexec_crash_size.
   */
  crashCma?: AddrRange[];
  /** Physical address of the ACPI RSDP ("ACPI: RSDP 0x…" in a boot log); kexec-tools passes it to a kdump kernel. */
  acpiRsdp?: number;
  /** The kernel was booted through EFI ("efi: EFI v…" in a boot log). */
  efiBoot?: boolean;
  cmdline?: string;
  kernelRelease?: string;
  pagingLevels?: 4 | 5;
  notes: string[];
}

/** x86 e820 types that become memblock.memory (E820_TYPE_RAM, E820_TYPE_RESERVED_KERN). */
export function isRamType(type: string): boolean {
  const t = type.toLowerCase();
  return t === "usable" || t === "ram" || t === "system ram" || t === "reserved-kern" || t === "reserved_kern";
}

/**
 * The kernel's view of RAM from a firmware map: usable entries, page 0 made reserved and
 * 640 KiB–1 MiB removed (arch/x86/kernel/e820.c trim_bios_range(), crashkernel.md §1.5).
 */
export function systemRamFromE820(e820: readonly E820Entry[]): AddrRange[] {
  const ram = mergeRanges(e820.filter((e) => isRamType(e.type)));
  return subtractRanges(ram, [
    { start: 0, end: 0xfff },
    { start: 0xa0000, end: 0xfffff },
  ]);
}

/**
 * memblock.memory: System RAM trimmed to whole pages (memblock_trim_memory(PAGE_SIZE) in
 * e820__memblock_setup()).
 */
export function memblockMemory(map: MemoryMap): AddrRange[] {
  const out: AddrRange[] = [];
  for (const r of map.systemRam) {
    const s = alignUp(r.start, PAGE_SIZE);
    const e = alignDown(r.end + 1, PAGE_SIZE);
    if (e > s) out.push({ start: s, end: e - 1 });
  }
  return out;
}

/** memblock_phys_mem_size(): the "System RAM: NMB" figure and the ranges-form RAM. */
export function memblockPhysMemSize(map: MemoryMap): number {
  let total = 0;
  for (const r of memblockMemory(map)) total += r.end - r.start + 1;
  return total;
}
