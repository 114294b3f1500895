import type { ByteSource } from "../../io/byteSource";
import { FormatError } from "../../io/formatError";
import { latin1, view } from "../../io/binary";
import { fieldOffset } from "../../knowledge/binaryStructs";
import { ELF64_NHDR } from "../../knowledge/elfStructs";

/** One ELF note record (layout in vmcore-formats.md §1.3). */
export interface ElfNote {
  name: string;
  type: number;
  /** File offset of the descriptor. */
  descOffset: number;
  desc: Uint8Array;
}

/** Largest PT_NOTE blob we read: thousands of CPUs × ~800 bytes stays far below this. */
export const MAX_NOTES_BYTES = 16 * 1024 * 1024;
/** VMCOREINFO is at most one page (VMCOREINFO_BYTES); QEMU/kdump notes are < 1 KiB. */
const MAX_DESC_BYTES = 1024 * 1024;

const pad4 = (n: number): number => (n + 3) & ~3;
const NHDR_SIZE = ELF64_NHDR.size;
const N_NAMESZ = fieldOffset(ELF64_NHDR, "n_namesz");
const N_DESCSZ = fieldOffset(ELF64_NHDR, "n_descsz");
const N_TYPE = fieldOffset(ELF64_NHDR, "n_type");

/**
 * Walks the notes in `[offset, offset + size)`. Stops at a record with n_namesz 0 (the
 * kernel's final-note terminator) or at the end; a record that overruns the segment throws,
 * since a lying size would otherwise make us read unrelated bytes as notes.
 */
export function parseNotes(src: ByteSource, offset: number, size: number, field = "PT_NOTE"): ElfNote[] {
  if (size > MAX_NOTES_BYTES) {
    throw new FormatError(src.name, offset, `${field} size`, `at most ${MAX_NOTES_BYTES} bytes of notes`, String(size));
  }
  const blob = src.read(offset, size, field);
  const dv = view(blob);
  const notes: ElfNote[] = [];
  let p = 0;
  while (p + NHDR_SIZE <= size) {
    const namesz = dv.getUint32(p + N_NAMESZ, true);
    const descsz = dv.getUint32(p + N_DESCSZ, true);
    const type = dv.getUint32(p + N_TYPE, true);
    if (namesz === 0) break;
    const nameEnd = p + NHDR_SIZE + pad4(namesz);
    const descEnd = nameEnd + pad4(descsz);
    if (namesz > 256 || descsz > MAX_DESC_BYTES || nameEnd + descsz > size) {
      throw new FormatError(
        src.name,
        offset + p,
        `${field} note header`,
        `a note inside the ${size}-byte segment`,
        `n_namesz ${namesz}, n_descsz ${descsz}`,
      );
    }
    let nameBytes = blob.subarray(p + NHDR_SIZE, p + NHDR_SIZE + namesz);
    if (nameBytes[nameBytes.length - 1] === 0) nameBytes = nameBytes.subarray(0, nameBytes.length - 1);
    notes.push({
      name: latin1(nameBytes),
      type,
      descOffset: offset + nameEnd,
      desc: blob.subarray(nameEnd, nameEnd + descsz),
    });
    p = descEnd;
  }
  return notes;
}
