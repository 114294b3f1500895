import type { ByteSource } from "../../io/byteSource";
import { latin1 } from "../../io/binary";

export type VmcoreKind = "elf64" | "kdump-compressed" | "flattened" | "unknown";

export interface Detection {
  kind: VmcoreKind;
  /** Why the file is not (or not a supported) vmcore; set for "unknown" and refused variants. */
  reason?: string;
}

const MAGICS: Array<[string, string]> = [
  ["DISKDUMP", "legacy diskdump format not supported"],
  ["sadump\0\0", "Fujitsu sadump format not supported"],
];

/** Classifies a file from its first bytes (vmcore-formats.md §4). Reads at most 64 bytes. */
export function detectVmcore(src: ByteSource): Detection {
  const h = src.readUpTo(0, 64);
  if (h.length >= 4 && h[0] === 0x7f && h[1] === 0x45 && h[2] === 0x4c && h[3] === 0x46) {
    if (h.length < 20) return { kind: "unknown", reason: "truncated ELF header" };
    if (h[4] === 1) return { kind: "unknown", reason: "32-bit ELF vmcore (i386) is not supported" };
    if (h[5] === 2) return { kind: "unknown", reason: "big-endian dump is not supported" };
    const type = h[16]! | (h[17]! << 8);
    if (type !== 4) return { kind: "unknown", reason: `ELF file of type ${type}, not a core dump (ET_CORE)` };
    return { kind: "elf64" };
  }
  const sig8 = latin1(h.subarray(0, 8));
  if (sig8 === "KDUMP   ") return { kind: "kdump-compressed" };
  if (h.length >= 13 && latin1(h.subarray(0, 12)) === "makedumpfile" && h[12] === 0) return { kind: "flattened" };
  for (const [m, reason] of MAGICS) if (sig8 === m) return { kind: "unknown", reason };
  if (h.length < 8) return { kind: "unknown", reason: `file too short (${h.length} bytes) for a vmcore header` };
  return { kind: "unknown", reason: "no ELF, KDUMP or makedumpfile signature at offset 0" };
}
