/**
 * Memory map from a vmcore's PT_LOAD headers. Uses the vmcore parser's `{ loads }` when the
 * caller has it; otherwise a tiny ELF program-header reader of our own (ELF32/ELF64, LE).
 */
import type { ByteSource } from "../io/byteSource";
import { u16, u32, u64n } from "../io/binary";
import { FormatError } from "../io/formatError";
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

const PT_LOAD = 1;
/** Kernel text mapping (__START_KERNEL_map) starts here on x86_64. */
const KERNEL_TEXT_VA = 0xffffffff80000000;

export function isElf(src: ByteSource): boolean {
  if (src.size < 16) return false;
  const b = src.read(0, 4, "e_ident");
  return b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

/** PT_LOAD entries of an ELF vmcore (little-endian only: x86). */
export function readElfLoads(src: ByteSource): VmcoreLoad[] {
  if (!isElf(src)) throw new FormatError(src.name, 0, "e_ident", "ELF magic 7f 45 4c 46");
  const cls = src.read(4, 1, "e_ident[EI_CLASS]")[0]!;
  const data = src.read(5, 1, "e_ident[EI_DATA]")[0]!;
  if (data !== 1) throw new FormatError(src.name, 5, "e_ident[EI_DATA]", "1 (little-endian)", String(data));
  const loads: VmcoreLoad[] = [];
  if (cls === 2) {
    const phoff = u64n(src, 0x20, "e_phoff");
    const phentsize = u16(src, 0x36, "e_phentsize");
    const phnum = u16(src, 0x38, "e_phnum");
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      if (u32(src, o, `phdr[${i}].p_type`) !== PT_LOAD) continue;
      // p_vaddr above 2^53 loses low bits as a number; only its range matters here.
      const vlo = u32(src, o + 16, `phdr[${i}].p_vaddr`);
      const vhi = u32(src, o + 20, `phdr[${i}].p_vaddr`);
      loads.push({
        paddr: u64n(src, o + 24, `phdr[${i}].p_paddr`),
        memsz: u64n(src, o + 40, `phdr[${i}].p_memsz`),
        vaddr: vhi * 0x100000000 + vlo,
      });
    }
  } else if (cls === 1) {
    const phoff = u32(src, 0x1c, "e_phoff");
    const phentsize = u16(src, 0x2a, "e_phentsize");
    const phnum = u16(src, 0x2c, "e_phnum");
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      if (u32(src, o, `phdr[${i}].p_type`) !== PT_LOAD) continue;
      loads.push({ paddr: u32(src, o + 12, `phdr[${i}].p_paddr`), memsz: u32(src, o + 20, `phdr[${i}].p_memsz`), vaddr: u32(src, o + 8, `phdr[${i}].p_vaddr`) });
    }
  } else {
    throw new FormatError(src.name, 4, "e_ident[EI_CLASS]", "1 or 2", String(cls));
  }
  return loads;
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

/** Entry point kept behind one function so the vmcore parser can replace the tiny reader. */
export function memoryMapFromVmcore(src: ByteSource, loads?: VmcoreLoads): MemoryMap {
  return memoryMapFromVmcoreLoads(loads ?? { loads: readElfLoads(src) }, src.name);
}
