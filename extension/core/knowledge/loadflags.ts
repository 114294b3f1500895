/** loadflags bits (setup_header 0x211). Source: boot.rst "loadflags"; ../shared/spec/boot-protocol.md §3. */
export interface LoadflagsBit {
  bit: number;
  mask: number;
  name: string;
  direction: string;
  meaning: string;
}

export const LOADFLAGS_BITS: readonly LoadflagsBit[] = [
  { bit: 0, mask: 0x01, name: "LOADED_HIGH", direction: "kernel→loader", meaning: "Protected-mode code loads at 0x100000 (bzImage); clear means zImage at 0x10000. kexec_file and kexec-tools reject images without it (\"zImage not a bzImage\")." },
  { bit: 1, mask: 0x02, name: "KASLR_FLAG", direction: "kernel internal", meaning: "Decompressor → kernel: KASLR was applied. Loaders leave it 0." },
  { bit: 5, mask: 0x20, name: "QUIET_FLAG", direction: "loader→kernel", meaning: "Suppress early console output." },
  { bit: 6, mask: 0x40, name: "KEEP_SEGMENTS", direction: "obsolete (2.07+)", meaning: "Formerly: do not reload segment registers." },
  { bit: 7, mask: 0x80, name: "CAN_USE_HEAP", direction: "loader→kernel", meaning: "heap_end_ptr is valid." },
];

export function decodeLoadflags(value: number): { names: string[]; unknownBits: number } {
  const known = LOADFLAGS_BITS.reduce((m, b) => m | b.mask, 0);
  return { names: LOADFLAGS_BITS.filter((b) => value & b.mask).map((b) => b.name), unknownBits: value & ~known & 0xff };
}
