/** Memory map from a vmcore's PT_LOAD headers, as the vmcore reader (formats/vmcore) reads them. */
import type { ByteSource } from "../io/byteSource";
import { FormatError } from "../io/formatError";
import { readElfVmcore } from "../formats/vmcore/elf";
import type { MemoryMap, ReservedRange } from "./memoryMap";
import type { AddrRange } from "./ranges";
import { mergeRanges } from "./ranges";

export interface VmcoreLoad {
  paddr: number;
  memsz: number;
  vaddr?: number;
}

/** The narrow interface taken from extension/core/formats/vmcore. */
export interface VmcoreLoads {
  loads: readonly VmcoreLoad[];
}

/** Kernel text mapping (__START_KERNEL_map) starts here on x86_64. */
const KERNEL_TEXT_VA = 0xffffffff80000000;

export function isElf(src: ByteSource): boolean {
  if (src.size < 16) return false;
  const b = src.read(0, 4, "e_ident");
  return b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

/** PT_LOAD entries of an ELF vmcore, from the vmcore reader (formats/vmcore/elf.ts). */
export function readElfLoads(src: ByteSource): VmcoreLoad[] {
  // p_vaddr above 2^53 loses low bits as a number; only its range (kernel text or not) matters here.
  return readElfVmcore(src).loads.map((l) => ({ paddr: Number(l.paddr), memsz: Number(l.memsz), vaddr: Number(l.vaddr) }));
}

/**
 * Builds the map: PT_LOADs in the direct map are RAM; the one in the kernel text mapping is the
 * kernel image. The crashed kernel's own Crash kernel range is not in any PT_LOAD.
 */
export function memoryMapFromVmcoreLoads(v: VmcoreLoads, file: string): MemoryMap {
  const ram: AddrRange[] = [];
  const reserved: ReservedRange[] = [];
  for (const l of v.loads) {
    if (l.memsz <= 0) continue;
    const r = { start: l.paddr, end: l.paddr + l.memsz - 1 };
    if (l.vaddr !== undefined && l.vaddr >= KERNEL_TEXT_VA) reserved.push({ ...r, what: "kernel image", source: "PT_LOAD in the kernel text mapping" });
    else ram.push(r);
  }
  if (ram.length === 0) throw new FormatError(file, 0, "PT_LOAD", "at least one PT_LOAD of RAM");
  return {
    kind: "vmcore",
    file,
    firmware: [],
    systemRam: mergeRanges(ram),
    reserved,
    crashKernel: [],
    notes: [
      "A vmcore's PT_LOADs leave out the crashed system's Crash kernel range and carry no initrd or early reservations.",
    ],
  };
}

export function memoryMapFromVmcore(src: ByteSource, loads?: VmcoreLoads): MemoryMap {
  return memoryMapFromVmcoreLoads(loads ?? { loads: readElfLoads(src) }, src.name);
}
