/**
 * Physical address ranges as plain numbers. Addresses go up to 4 PiB (2^52) in 5-level mode,
 * which is below 2^53, so `number` is exact; never use 32-bit bitwise operators on them.
 */
import { hex } from "../io/formatError";
export interface AddrRange {
  start: number;
  /** Inclusive, like /proc/iomem and kexec-tools. */
  end: number;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;
export const PiB = 1024 * TiB;
export const PAGE_SIZE = 4096;

export function alignDown(x: number, a: number): number {
  return x - (x % a);
}

export function alignUp(x: number, a: number): number {
  const r = x % a;
  return r === 0 ? x : x + (a - r);
}

/** The one hex formatter (io/formatError.ts): "0x" + digits, zero-padded to `digits`. */
export { hex };

/** Zero-padded hex without prefix, as the kernel's %016llx / %08llx print. */
export function hexPad(x: number, width: number): string {
  return x.toString(16).padStart(width, "0");
}

export function rangeSize(r: AddrRange): number {
  return r.end - r.start + 1;
}

/** Sorts and merges overlapping or adjacent ranges (inputs are not modified). */
export function mergeRanges(list: readonly AddrRange[]): AddrRange[] {
  const sorted = list.filter((r) => r.end >= r.start).map((r) => ({ start: r.start, end: r.end }));
  sorted.sort((a, b) => a.start - b.start);
  const out: AddrRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1) {
      if (r.end > last.end) last.end = r.end;
    } else {
      out.push(r);
    }
  }
  return out;
}

/** base minus holes; both sorted and merged. Linear in the total length. */
export function subtractRanges(base: readonly AddrRange[], holes: readonly AddrRange[]): AddrRange[] {
  const out: AddrRange[] = [];
  let j = 0;
  for (const b of base) {
    let start = b.start;
    while (j < holes.length && holes[j]!.end < start) j++;
    let k = j;
    while (k < holes.length && holes[k]!.start <= b.end) {
      const h = holes[k]!;
      if (h.start > start) out.push({ start, end: h.start - 1 });
      start = Math.max(start, h.end + 1);
      if (h.end > b.end) break;
      k++;
    }
    if (start <= b.end) out.push({ start, end: b.end });
  }
  return out;
}

export function overlaps(a: AddrRange, b: AddrRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}
