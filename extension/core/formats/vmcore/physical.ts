/**
 * The guest-physical address space of a dump, independent of the container format.
 * Physical addresses are numbers: x86_64 tops out at 2^52, inside Number's exact range.
 */
export type RangeState =
  /** Bytes are in the file. */
  | "dumped"
  /** ELF p_filesz < p_memsz tail: reads as zero. */
  | "not-dumped"
  /** kdump-compressed: RAM filtered out by makedumpfile's dump level. */
  | "excluded";

export interface MemRange {
  start: number;
  /** Exclusive. */
  end: number;
  state: RangeState;
}

export interface PhysicalMemory {
  readonly pageSize: number;
  /** Reads `length` bytes at `paddr`; throws FormatError naming the address if any byte is absent. */
  read(paddr: number, length: number, field?: string): Uint8Array;
  /** Ranges covered by the dump, sorted, adjacent ranges of the same state merged. Holes are gaps. */
  ranges(): MemRange[];
}

/** Sorts and merges ranges of the same state that touch. */
export function mergeRanges(list: MemRange[]): MemRange[] {
  const sorted = [...list].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: MemRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.state === r.state && r.start <= last.end) {
      last.end = Math.max(last.end, r.end);
    } else {
      out.push({ ...r });
    }
  }
  return out;
}
