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
  /**
   * Ranges covered by the dump, sorted, adjacent ranges of the same state merged. Holes are gaps.
   * For a kdump file this scans both bitmaps whole (their size follows the address space: 128 GiB
   * each at 4 PiB) and lists at most MAX_LISTED_RANGES; rangeScanner() does it in steps.
   */
  ranges(): MemRange[];
  /** The same computation in bounded steps; `aboveAt` asks for per-state totals above an address. */
  rangeScanner(opts?: { aboveAt?: number }): RangeScanner;
  /** End of the physical address space the dump describes. */
  readonly addressSpaceEnd: number;
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

/** Bytes of address space per state at or above an address (the 4-level limit, for the summary). */
export interface StateBytes {
  dumped: number;
  notDumped: number;
  excluded: number;
  /** Neither in the file nor recorded as RAM (complete scans only; else what was seen so far). */
  hole: number;
}

export interface RangeScanResult {
  /** Sorted, merged; at most MAX_LISTED_RANGES (the rest are counted in `omitted`). */
  ranges: MemRange[];
  omitted: number;
  /** The scan covers [0, end): max_mapnr pages for kdump, the last PT_LOAD end for ELF. */
  end: number;
  /** Address-space bytes scanned so far (== end when complete). */
  scanned: number;
  complete: boolean;
  /** Per-state bytes in [above.at, end), when the scan was asked to split there. */
  above?: { at: number } & StateBytes;
  /** Per-state bytes over the whole scanned space. */
  totals: StateBytes;
}

/** A memory-range computation done in steps, so callers can show progress and cancel between them. */
export interface RangeScanner {
  readonly end: number;
  readonly scanned: number;
  readonly done: boolean;
  /** Does one bounded step (about 1 MiB of bitmap for kdump); returns `done`. */
  step(): boolean;
  result(): RangeScanResult;
}

/** A cap on listed ranges: a hostile bitmap alternating every bit would otherwise list 2^39. */
export const MAX_LISTED_RANGES = 100_000;

/** Collects runs in ascending order: merges touching runs of a state, caps the list, sums per state. */
export class RangeCollector {
  private readonly list: MemRange[] = [];
  omitted = 0;
  readonly totals: StateBytes = { dumped: 0, notDumped: 0, excluded: 0, hole: 0 };
  readonly above?: { at: number } & StateBytes;

  constructor(aboveAt?: number) {
    if (aboveAt !== undefined) this.above = { at: aboveAt, dumped: 0, notDumped: 0, excluded: 0, hole: 0 };
  }

  /** Adds [start, end) in `state` ("hole" only counts). Calls must come in ascending order. */
  add(start: number, end: number, state: RangeState | "hole"): void {
    if (end <= start) return;
    const key = state === "not-dumped" ? "notDumped" : state;
    this.totals[key] += end - start;
    if (this.above && end > this.above.at) this.above[key] += end - Math.max(start, this.above.at);
    if (state === "hole") return;
    const last = this.list[this.list.length - 1];
    if (last && last.state === state && last.end >= start) {
      last.end = Math.max(last.end, end);
      return;
    }
    if (this.list.length >= MAX_LISTED_RANGES) {
      this.omitted++;
      return;
    }
    this.list.push({ start, end, state });
  }

  ranges(): MemRange[] {
    return this.list;
  }
}

/** A scanner for ranges already known (ELF PT_LOADs): one step. */
export function listScanner(ranges: MemRange[], end: number, aboveAt?: number): RangeScanner {
  const c = new RangeCollector(aboveAt);
  let pos = 0;
  for (const r of ranges) {
    if (r.start > pos) c.add(pos, r.start, "hole");
    c.add(Math.max(r.start, pos), r.end, r.state);
    pos = Math.max(pos, r.end);
  }
  if (end > pos) c.add(pos, end, "hole");
  return {
    end,
    scanned: end,
    done: true,
    step: () => true,
    result: () => ({ ranges: c.ranges(), omitted: c.omitted, end, scanned: end, complete: true, totals: c.totals, ...(c.above ? { above: c.above } : {}) }),
  };
}
