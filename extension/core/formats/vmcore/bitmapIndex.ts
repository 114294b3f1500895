import type { ByteSource } from "../../io/byteSource";
import { FormatError, hex } from "../../io/formatError";
import { RangeCollector, type RangeScanner, type RangeScanResult } from "./physical";

/**
 * Lazy access to a kdump-compressed bitmap (vmcore-formats.md §2.3) whose size follows the
 * machine's physical address space, not the dump: 32 MiB for 1 TiB, 4 GiB for 128 TiB, 128 GiB
 * for 4 PiB (2^40 pfns). Nothing here ever holds a whole bitmap.
 *
 * The bitmap is cut into fixed 64 KiB chunks (2^19 pfns, 2 GiB of memory each). Bit lookups read
 * the one chunk they need through a small LRU. Rank queries (set bits below a pfn = the page
 * descriptor index) use prefix counts with one entry per chunk (at most 2^21 + 1 entries, 16 MiB,
 * for the 5-level limit; stored in pages allocated as written), filled on demand from two frontiers:
 *
 * - bottom-up: chunks [0, lo) counted, in 1 MiB sequential reads;
 * - top-down: chunks [hi, n) counted, used only when the number of page descriptors N is known
 *   (see `descriptorCount` in kdumpCompressed.ts); then prefix(c) = N - (bits in chunks ≥ c).
 *
 * A query for chunk j advances both frontiers in turn until one covers j, so its cost is at most
 * twice the cheaper direction. The counts also bound the work: once the bits counted below the
 * bottom frontier and above the top one add up to N, every chunk between holds no dumpable page
 * and needs no read. That is what makes a 2^40-pfn bitmap cheap when the dumped pages
 * are low (a big machine's sparse layout) or high (one page at the top): only the chunks up to the
 * last (from the first) dumped page are read. A file whose bits disagree with N is a FormatError.
 * Reading a page whose pfn sits in a long run of zero chunks between dumped pages at both ends
 * still costs that run's bytes, sequentially and in bounded memory: nothing in the format lets a
 * reader skip bits it has not read.
 */
export const CHUNK_BYTES = 1 << 16;
export const CHUNK_PFNS = CHUNK_BYTES * 8;
/** Sequential scans read this much per call (big reads bypass the ByteSource page cache). */
export const SCAN_BYTES = 1 << 20;
const CHUNK_CACHE = 16;

const ZERO = Buffer.alloc(SCAN_BYTES);
const ONES = Buffer.alloc(SCAN_BYTES, 0xff);

/** True when every byte is 0xff. */
function allOnes(b: Uint8Array): boolean {
  for (let o = 0; o < b.length; o += SCAN_BYTES) {
    const n = Math.min(SCAN_BYTES, b.length - o);
    if (Buffer.compare(Buffer.from(b.buffer, b.byteOffset + o, n), ONES.subarray(0, n)) !== 0) return false;
  }
  return true;
}

/** True when every byte is zero (memcmp speed). */
export function allZero(b: Uint8Array): boolean {
  for (let o = 0; o < b.length; o += SCAN_BYTES) {
    const n = Math.min(SCAN_BYTES, b.length - o);
    if (Buffer.compare(Buffer.from(b.buffer, b.byteOffset + o, n), ZERO.subarray(0, n)) !== 0) return false;
  }
  return true;
}

const POP8 = new Uint8Array(256).map((_, i) => {
  let c = 0;
  for (let x = i; x; x >>= 1) c += x & 1;
  return c;
});

function pop32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Set bits in whole bytes. */
export function popcountBytes(b: Uint8Array): number {
  if (allZero(b)) return 0;
  let c = 0;
  let i = 0;
  const head = (4 - (b.byteOffset & 3)) & 3;
  for (; i < head && i < b.length; i++) c += POP8[b[i]!]!;
  const words = Math.floor((b.length - i) / 4);
  if (words > 0) {
    const u = new Uint32Array(b.buffer, b.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      const x = u[k]!;
      if (x !== 0) c += pop32(x);
    }
    i += words * 4;
  }
  for (; i < b.length; i++) c += POP8[b[i]!]!;
  return c;
}

/** Set bits for bit positions [from, to) of `b` (bit p is bit p%8 of byte p/8). */
export function popcountBits(b: Uint8Array, from: number, to: number): number {
  if (to <= from) return 0;
  let c = 0;
  let p = from;
  while (p < to && p & 7) {
    c += (b[p >>> 3]! >> (p & 7)) & 1;
    p++;
  }
  const fullEnd = to & ~7;
  if (fullEnd > p) {
    c += popcountBytes(b.subarray(p >>> 3, fullEnd >>> 3));
    p = fullEnd;
  }
  while (p < to) {
    c += (b[p >>> 3]! >> (p & 7)) & 1;
    p++;
  }
  return c;
}

/** One bitmap in the file: bits for pfns [0, maxPfn), read in chunks. */
export class LazyBitmap {
  /** Relevant bytes: ceil(maxPfn / 8) (the rest of the blocks is padding). */
  readonly bytes: number;
  readonly chunks: number;
  private readonly cache = new Map<number, Uint8Array>();

  constructor(
    private readonly src: ByteSource,
    readonly offset: number,
    readonly maxPfn: number,
    readonly label: string,
  ) {
    this.bytes = Math.ceil(maxPfn / 8);
    this.chunks = Math.ceil(this.bytes / CHUNK_BYTES);
  }

  /** Chunk `c` (a view; do not modify). */
  chunk(c: number): Uint8Array {
    const hit = this.cache.get(c);
    if (hit) {
      this.cache.delete(c);
      this.cache.set(c, hit);
      return hit;
    }
    const start = c * CHUNK_BYTES;
    const b = this.src.read(this.offset + start, Math.min(CHUNK_BYTES, this.bytes - start), this.label);
    this.cache.set(c, b);
    if (this.cache.size > CHUNK_CACHE) this.cache.delete(this.cache.keys().next().value as number);
    return b;
  }

  bit(pfn: number): boolean {
    if (pfn < 0 || pfn >= this.maxPfn) return false;
    const c = Math.floor(pfn / CHUNK_PFNS);
    const o = pfn - c * CHUNK_PFNS;
    return ((this.chunk(c)[o >>> 3]! >> (o & 7)) & 1) === 1;
  }

  /**
   * Bitmap bytes [byteStart, byteStart + length), read in one go (for sequential scans). With a
   * `scratch` buffer and a file source the bytes land in it (no allocation per step); the result
   * is valid until the next span call with the same scratch.
   */
  span(byteStart: number, length: number, scratch?: Uint8Array): Uint8Array {
    const into = (this.src as Partial<{ readInto(o: number, out: Uint8Array, f?: string): Uint8Array }>).readInto;
    if (scratch && into && length <= scratch.length) return into.call(this.src, this.offset + byteStart, scratch.subarray(0, length), this.label);
    return this.src.read(this.offset + byteStart, length, this.label);
  }

  /** Set bits of chunk c below pfn bound `to` (absolute pfn, clipped to the chunk and maxPfn). */
  countInChunk(c: number, to = Infinity, bytes?: Uint8Array): number {
    const base = c * CHUNK_PFNS;
    const end = Math.min(to, base + CHUNK_PFNS, this.maxPfn);
    if (end <= base) return 0;
    return popcountBits(bytes ?? this.chunk(c), 0, end - base);
  }
}

/**
 * The prefix counts, one per chunk boundary, in pages of 4096 entries allocated as the frontiers
 * write them, plus one constant run for a gap closed by the descriptor count: a 2^40-pfn bitmap
 * whose dumped pages sit at both ends costs two pages (64 KiB), not 2^21 entries (16 MiB).
 */
class PrefixCounts {
  private static readonly PAGE = 4096;
  private readonly pages = new Map<number, Float64Array>();
  private run?: { from: number; to: number; value: number };

  get(i: number): number {
    const r = this.run;
    if (r && i >= r.from && i < r.to) return r.value;
    return this.pages.get(Math.floor(i / PrefixCounts.PAGE))?.[i % PrefixCounts.PAGE] ?? 0;
  }

  set(i: number, v: number): void {
    const k = Math.floor(i / PrefixCounts.PAGE);
    let p = this.pages.get(k);
    if (!p) this.pages.set(k, (p = new Float64Array(PrefixCounts.PAGE)));
    p[i % PrefixCounts.PAGE] = v;
  }

  /** Entries [from, to) all equal v (the index fills at most one such gap). */
  fill(v: number, from: number, to: number): void {
    if (to - from <= PrefixCounts.PAGE) {
      for (let i = from; i < to; i++) this.set(i, v);
      return;
    }
    this.run = { from, to, value: v };
  }
}

/**
 * Rank index over bitmap 2 (see the comment at the top of this file). `total` is the number of
 * page descriptors when known (enables the top-down frontier and the early stop).
 */
export class RankIndex {
  private pre?: PrefixCounts;
  private lo = 0;
  private hi: number;
  private total?: number;
  private totalAsked = false;
  /** Bits in chunks [hi, n), valid when total is known. */
  private suffix = 0;
  /** Bitmap bytes read by rank scans (for tests and the bench). */
  scannedBytes = 0;
  private scratch?: Uint8Array;

  constructor(
    private readonly bm: LazyBitmap,
    /** The descriptor count N, asked for only when a query needs a scan (it may cost reads). */
    private readonly totalFn: () => number | undefined,
    private readonly fileName: string,
  ) {
    this.hi = bm.chunks;
  }

  private arr(): PrefixCounts {
    if (!this.pre) {
      this.pre = new PrefixCounts();
      if (this.total !== undefined) this.pre.set(this.bm.chunks, this.total);
    }
    return this.pre;
  }

  /** Set bits in bitmap 2 for pfns [0, pfn). */
  rank(pfn: number): number {
    const n = this.bm.chunks;
    const j = Math.min(Math.floor(pfn / CHUNK_PFNS), n);
    this.cover(j);
    const pre = this.arr();
    if (j >= n) return pre.get(n);
    return pre.get(j) + this.bm.countInChunk(j, pfn);
  }

  /** Number of set bits in the whole bitmap (scans what is not known yet). */
  count(): number {
    const n = this.bm.chunks;
    this.cover(n);
    return this.arr().get(n);
  }

  /**
   * rank(pfn) if it can be had within `budget` more bitmap bytes (one chunk per step, both ends
   * in turn), else undefined. For cheap facts in a summary.
   */
  tryRank(pfn: number, budget: number): number | undefined {
    const j = Math.min(Math.floor(pfn / CHUNK_PFNS), this.bm.chunks);
    const stop = this.scannedBytes + budget;
    if (!this.known(j) && !this.totalAsked) {
      this.totalAsked = true;
      this.total = this.totalFn();
      if (this.total !== undefined && this.pre) this.pre.set(this.bm.chunks, this.total);
    }
    while (!this.known(j) && this.scannedBytes + CHUNK_BYTES <= stop) {
      this.stepUp(1);
      if (this.total !== undefined && !this.known(j) && this.scannedBytes + CHUNK_BYTES <= stop) this.stepDown(1);
    }
    return this.known(j) ? this.rank(pfn) : undefined;
  }

  /** The descriptor count the index works with (undefined: unknown or not asked yet). */
  get descriptorTotal(): number | undefined {
    return this.total;
  }

  /** True when chunks [c0, c1) are known to hold no set bit (without reading anything). */
  knownZero(c0: number, c1: number): boolean {
    if (!this.pre || !this.known(c0) || !this.known(c1)) return false;
    return this.pre.get(c1) === this.pre.get(c0);
  }

  /** True when pre[j] is known. */
  private known(j: number): boolean {
    // pre[n] is N when N is known; without N it is known only once the bottom frontier got there.
    return j <= this.lo || (j >= this.hi && (j < this.bm.chunks || this.total !== undefined));
  }

  private cover(j: number): void {
    if (this.known(j)) return;
    if (!this.totalAsked) {
      this.totalAsked = true;
      this.total = this.totalFn();
      if (this.total !== undefined && this.pre) this.pre.set(this.bm.chunks, this.total);
    }
    const useTop = this.total !== undefined;
    while (!this.known(j)) {
      this.stepUp();
      if (useTop && !this.known(j)) this.stepDown();
    }
  }

  private fail(why: string): never {
    throw new FormatError(this.fileName, this.bm.offset, this.bm.label, `set bits matching the ${this.total ?? "?"} page descriptors`, why);
  }

  private stepUp(per = SCAN_BYTES / CHUNK_BYTES): void {
    const pre = this.arr();
    const n = this.bm.chunks;
    const last = Math.min(this.lo + per, this.hi);
    const start = this.lo * CHUNK_BYTES;
    const span = this.bm.span(start, Math.min(last * CHUNK_BYTES, this.bm.bytes) - start, (this.scratch ??= new Uint8Array(SCAN_BYTES)));
    this.scannedBytes += span.length;
    let acc = pre.get(this.lo);
    for (let c = this.lo; c < last; c++) {
      const o = (c - this.lo) * CHUNK_BYTES;
      acc += this.bm.countInChunk(c, Infinity, span.subarray(o, o + CHUNK_BYTES));
      // pre[hi] is already known from the top frontier (or is N at the end): compare, do not overwrite.
      if (c + 1 === this.hi && this.total !== undefined && (this.hi < n || this.suffix === 0)) {
        const want = this.hi < n ? pre.get(this.hi) : this.total;
        if (acc !== want) this.fail(`${acc} set bits below pfn ${hex(this.hi * CHUNK_PFNS)}, ${want} by the descriptor count`);
      } else pre.set(c + 1, acc);
    }
    this.lo = last;
    if (this.total === undefined) return;
    this.closeGap();
  }

  private stepDown(per = SCAN_BYTES / CHUNK_BYTES): void {
    const total = this.total!;
    const pre = this.arr();
    const first = Math.max(this.hi - per, this.lo);
    const start = first * CHUNK_BYTES;
    const span = this.bm.span(start, Math.min(this.hi * CHUNK_BYTES, this.bm.bytes) - start, (this.scratch ??= new Uint8Array(SCAN_BYTES)));
    this.scannedBytes += span.length;
    let suf = this.suffix;
    for (let c = this.hi - 1; c >= first; c--) {
      const o = (c - first) * CHUNK_BYTES;
      suf += this.bm.countInChunk(c, Infinity, span.subarray(o, o + CHUNK_BYTES));
      if (c === this.lo) {
        if (pre.get(c) !== total - suf) this.fail(`${pre.get(c)} set bits below pfn ${hex(c * CHUNK_PFNS)} and ${suf} from there up`);
      } else pre.set(c, total - suf);
    }
    this.suffix = suf;
    this.hi = first;
    this.closeGap();
  }

  /**
   * When the bits counted below lo and at or above hi add up to N, every descriptor is accounted
   * for and the chunks between hold no set bit: they are known without a read. More than N is a
   * FormatError.
   */
  private closeGap(): void {
    if (this.total === undefined || this.lo >= this.hi) return;
    const pre = this.arr();
    const below = pre.get(this.lo);
    if (below + this.suffix > this.total) {
      this.fail(`${below} set bits below pfn ${hex(this.lo * CHUNK_PFNS)} and ${this.suffix} from pfn ${hex(this.hi * CHUNK_PFNS)} up`);
    }
    if (below + this.suffix === this.total) {
      pre.fill(below, this.lo + 1, this.hi);
      this.lo = this.hi;
    }
  }
}

/**
 * Dumped / excluded / hole runs from the two bitmaps, 1 MiB of bitmap (8 Mi pfns, 32 GiB of memory)
 * per step. A window whose bitmap 1 is all zero is a hole without reading bitmap 2; bitmap 2 is not
 * read either where the rank index already knows it holds no set bit.
 */
export class KdumpRangeScanner implements RangeScanner {
  private byte: number;
  private readonly endByte: number;
  private readonly c: RangeCollector;
  private scratch1?: Uint8Array;
  private scratch2?: Uint8Array;
  readonly end: number;

  constructor(
    private readonly bm1: LazyBitmap,
    private readonly bm2: LazyBitmap,
    private readonly index: RankIndex | undefined,
    /** Pfns outside [from, to) are holes (split dump parts). */
    private readonly from: number,
    private readonly to: number,
    private readonly pageSize: number,
    aboveAt?: number,
  ) {
    this.end = bm1.maxPfn * pageSize;
    this.c = new RangeCollector(aboveAt);
    this.c.add(0, from * pageSize, "hole");
    this.byte = Math.floor(from / 8 / SCAN_BYTES) * SCAN_BYTES;
    this.endByte = Math.ceil(to / 8);
    if (to <= from) this.byte = this.endByte;
  }

  get done(): boolean {
    return this.byte >= this.endByte;
  }

  get scanned(): number {
    if (this.done) return this.end;
    return Math.max(this.from, Math.min(this.byte * 8, this.to)) * this.pageSize;
  }

  private run(p0: number, p1: number, st: "dumped" | "excluded" | "hole"): void {
    const a = Math.max(p0, this.from);
    const b = Math.min(p1, this.to);
    if (b > a) this.c.add(a * this.pageSize, b * this.pageSize, st);
  }

  step(): boolean {
    if (this.done) return true;
    const wb = this.byte;
    const len = Math.min(SCAN_BYTES, this.endByte - wb);
    this.byte = wb + len;
    const a = this.bm1.span(wb, len, (this.scratch1 ??= new Uint8Array(SCAN_BYTES)));
    const p0 = wb * 8;
    if (allZero(a)) {
      this.run(p0, p0 + len * 8, "hole");
    } else {
      const c0 = Math.floor(wb / CHUNK_BYTES);
      const c1 = Math.ceil((wb + len) / CHUNK_BYTES);
      const b = this.bm2 === this.bm1 ? a : this.index?.knownZero(c0, c1) ? null : this.bm2.span(wb, len, (this.scratch2 ??= new Uint8Array(SCAN_BYTES)));
      // Whole windows of one state (RAM fully dumped or fully excluded) skip the word loop.
      if (allOnes(a) && (b === a || (b !== null && allOnes(b)))) this.run(p0, p0 + len * 8, "dumped");
      else if (allOnes(a) && (b === null || allZero(b))) this.run(p0, p0 + len * 8, "excluded");
      else this.words(a, b, p0, len);
    }
    if (this.done) {
      this.c.add(this.to * this.pageSize, this.end, "hole");
    }
    return this.done;
  }

  private words(a: Uint8Array, b: Uint8Array | null, p0: number, len: number): void {
    const single = this.bm2 === this.bm1;
    // Runs of one state are gathered here and handed on when the state changes.
    let runState: "dumped" | "excluded" | "hole" | null = null;
    let runFrom = p0;
    let at = p0;
    const emit = (st: "dumped" | "excluded" | "hole", from: number, to: number): void => {
      if (st === runState && from === at) {
        at = to;
        return;
      }
      if (runState !== null) this.run(runFrom, at, runState);
      runState = st;
      runFrom = from;
      at = to;
    };
    for (let i = 0; i < len; i += 4) {
      const base = p0 + i * 8;
      if (i + 4 <= len && base >= this.from && base + 32 <= this.to) {
        const x = a[i]! | (a[i + 1]! << 8) | (a[i + 2]! << 16) | (a[i + 3]! << 24);
        const y = b ? b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24) : 0;
        if (x === 0) {
          emit("hole", base, base + 32);
          continue;
        }
        if (x === -1 && (single || y === -1)) {
          emit("dumped", base, base + 32);
          continue;
        }
        if (x === -1 && y === 0) {
          emit("excluded", base, base + 32);
          continue;
        }
      }
      for (let k = 0; k < 32 && i * 8 + k < len * 8; k++) {
        const p = base + k;
        if (p < this.from || p >= this.to) continue;
        const byte = i + (k >>> 3);
        const bit = 1 << (k & 7);
        emit(!(a[byte]! & bit) ? "hole" : single || (b && b[byte]! & bit) ? "dumped" : "excluded", p, p + 1);
      }
    }
    if (runState !== null) this.run(runFrom, at, runState);
  }

  result(): RangeScanResult {
    const c = this.c;
    return {
      ranges: c.ranges(),
      omitted: c.omitted,
      end: this.end,
      scanned: this.scanned,
      complete: this.done,
      totals: { ...c.totals },
      ...(c.above ? { above: { ...c.above } } : {}),
    };
  }
}
