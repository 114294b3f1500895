import type { ByteSource } from "../../io/byteSource";
import { FormatError, hex } from "../../io/formatError";
import { latin1, view } from "../../io/binary";
import { fieldEnd, fieldOffset } from "../../knowledge/binaryStructs";
import { END_FLAG_FLAT_HEADER, MAKEDUMPFILE_DATA_HEADER, MAKEDUMPFILE_HEADER, MAKEDUMPFILE_SIGNATURE, MAX_SIZE_MDF_HEADER, TYPE_FLAT_HEADER, VERSION_FLAT_HEADER } from "../../knowledge/kdumpStructs";
import { readField } from "../structReader";

/** makedumpfile's flattened stream (vmcore-formats.md §3): header block, then BE records. */
export const FLAT_HEADER_SIZE = MAX_SIZE_MDF_HEADER;
const RECORD_HEADER = MAKEDUMPFILE_DATA_HEADER.size;
// Record header offsets, taken once here: the index reads one header per record (big-endian).
const R_OFFSET = fieldOffset(MAKEDUMPFILE_DATA_HEADER, "offset");
const R_BUF_SIZE = fieldOffset(MAKEDUMPFILE_DATA_HEADER, "buf_size");
const SIG_LEN = MAKEDUMPFILE_SIGNATURE.length;
const H_TYPE = fieldOffset(MAKEDUMPFILE_HEADER, "type");
const H_VERSION = fieldOffset(MAKEDUMPFILE_HEADER, "version");
/**
 * A scan step budget: each record costs one 16-byte read and one index entry (about 50 bytes).
 * The index is built on demand, so only reads deep into a stream get near it.
 */
const MAX_RECORDS = 10_000_000;

export function isFlattened(head: Uint8Array): boolean {
  return head.length >= fieldEnd(MAKEDUMPFILE_HEADER, "type") && latin1(head.subarray(0, SIG_LEN)) === MAKEDUMPFILE_SIGNATURE && head[SIG_LEN] === 0;
}

/** A mapped piece of the rearranged file: logical [start, end) ← stream offset `pos`. */
interface Piece {
  start: number;
  end: number;
  pos: number;
}

/**
 * Sorted, non-overlapping pieces in three growable Float64Arrays: 24 bytes a piece (an object
 * per record cost about twice that). At most MAX_RECORDS pieces: 240 MB for a stream of 10^7
 * records, reached only by reads that deep (the index grows on demand).
 */
class PieceList {
  length = 0;
  private start = new Float64Array(1024);
  private end = new Float64Array(1024);
  private pos = new Float64Array(1024);

  at(i: number): Piece {
    return { start: this.start[i]!, end: this.end[i]!, pos: this.pos[i]! };
  }
  startOf(i: number): number {
    return this.start[i]!;
  }
  endOf(i: number): number {
    return this.end[i]!;
  }

  private grow(min: number): void {
    if (min <= this.start.length) return;
    const cap = Math.min(Math.max(min, Math.ceil(this.start.length * 1.5)), MAX_RECORDS + 16);
    for (const k of ["start", "end", "pos"] as const) {
      const a = new Float64Array(cap);
      a.set(this[k].subarray(0, this.length));
      this[k] = a;
    }
  }

  push(p: Piece): void {
    this.grow(this.length + 1);
    this.start[this.length] = p.start;
    this.end[this.length] = p.end;
    this.pos[this.length] = p.pos;
    this.length++;
  }

  /** Replaces entries [lo, hi) with `repl` (sorted). */
  splice(lo: number, hi: number, repl: Piece[]): void {
    const delta = repl.length - (hi - lo);
    this.grow(this.length + Math.max(0, delta));
    for (const k of ["start", "end", "pos"] as const) this[k].copyWithin(lo + repl.length, hi, this.length);
    repl.forEach((p, i) => {
      this.start[lo + i] = p.start;
      this.end[lo + i] = p.end;
      this.pos[lo + i] = p.pos;
    });
    this.length += delta;
  }

  /** Index of the last piece with start <= offset, or -1. */
  find(offset: number): number {
    let lo = 0;
    let hi = this.length - 1;
    let r = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.start[mid]! <= offset) {
        r = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return r;
  }
}

/** What the record index knows so far (the summary reports it). */
export interface FlattenedIndexState {
  /** Records indexed so far. */
  records: number;
  /** True once the whole stream was scanned (end marker or end of file). */
  complete: boolean;
  /** Stream offset of the next record header not yet read. */
  streamOffset: number;
  /** Known only when complete: the stream had no end marker. */
  truncated: boolean | null;
}

/**
 * The rearranged ("makedumpfile -R") view of a flattened stream, as a ByteSource. The record
 * index is built on demand: a read scans record headers (16 bytes each, in stream order) only
 * until the bytes it asks for are covered, so opening a dump for its summary reads the first few
 * records, not one header per record of a multi-GiB stream. Overlapping records resolve "later
 * record wins" (libkdumpfile) among the records scanned; bytes never written read as zero
 * (crash), which is known only once the stream was scanned to its end. A producer that rewrites
 * a range later in the stream (makedumpfile -F -E writes zeroed program headers first and the
 * real ones last) needs `indexAll()` before that range is trusted; openVmcore does that for ELF.
 */
export class FlattenedByteSource implements ByteSource {
  readonly name: string;
  /** Sorted, non-overlapping pieces of the records scanned so far, later records painted over earlier ones. */
  private readonly pieces = new PieceList();
  private maxEnd = 0;
  private pos = FLAT_HEADER_SIZE;
  private ended = false;
  private markerSeen = false;
  records = 0;

  constructor(private readonly inner: ByteSource) {
    this.name = inner.name;
    const h = inner.read(0, MAKEDUMPFILE_HEADER.size, "flattened header");
    if (!isFlattened(h)) throw new FormatError(inner.name, 0, "flattened header signature", '"makedumpfile\\0"');
    const dv = view(h);
    const type = readField(dv, MAKEDUMPFILE_HEADER, "type");
    const version = readField(dv, MAKEDUMPFILE_HEADER, "version");
    if (type !== TYPE_FLAT_HEADER) throw new FormatError(inner.name, H_TYPE, "flattened header type (BE)", String(TYPE_FLAT_HEADER), String(type));
    if (version !== VERSION_FLAT_HEADER) throw new FormatError(inner.name, H_VERSION, "flattened header version (BE)", String(VERSION_FLAT_HEADER), String(version));
  }

  get bytesRead(): number {
    return this.inner.bytesRead;
  }

  /** Set when the stream ended without the 0xFF… end marker (known once complete). */
  get truncated(): boolean {
    return this.ended && !this.markerSeen;
  }

  get complete(): boolean {
    return this.ended;
  }

  state(): FlattenedIndexState {
    return { records: this.records, complete: this.ended, streamOffset: this.pos, truncated: this.ended ? !this.markerSeen : null };
  }

  /**
   * The rearranged size: the end of the furthest record. Until the stream is fully indexed it is
   * not known, so this is 2^53 - 1 and reads past the real end fail once the scan got there.
   */
  get size(): number {
    return this.ended ? this.maxEnd : Number.MAX_SAFE_INTEGER;
  }

  /** Scans every remaining record header. */
  indexAll(): void {
    while (!this.ended) this.scanOne();
  }

  /** Reads one record header and paints the record; sets `ended` at the marker or the end of the stream. */
  private scanOne(): void {
    const pos = this.pos;
    if (this.records >= MAX_RECORDS) throw new FormatError(this.inner.name, pos, "flattened records", `at most ${MAX_RECORDS} records`);
    if (pos + RECORD_HEADER > this.inner.size) {
      this.ended = true;
      return;
    }
    const direct = (this.inner as Partial<{ readUncached(o: number, l: number, f?: string): Uint8Array }>).readUncached;
    // Big records put each header in a different 64 KiB page: read those 16 bytes without the cache.
    const prevLen = this.lastLen;
    const hb = direct && prevLen >= 16384 ? direct.call(this.inner, pos, RECORD_HEADER, "flattened record header") : this.inner.read(pos, RECORD_HEADER, "flattened record header");
    const dv = view(hb);
    const offset = dv.getBigInt64(R_OFFSET, false);
    const size = dv.getBigInt64(R_BUF_SIZE, false);
    if (offset === END_FLAG_FLAT_HEADER && size === END_FLAG_FLAT_HEADER) {
      this.ended = true;
      this.markerSeen = true;
      return;
    }
    if (offset < 0n || size <= 0n || offset + size > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new FormatError(this.inner.name, pos, "flattened record header", "offset >= 0 and buf_size > 0", `offset ${offset}, buf_size ${size}`);
    }
    const start = Number(offset);
    let len = Number(size);
    if (pos + RECORD_HEADER + len > this.inner.size) {
      // Keep what is there of the last record; the stream was cut short.
      len = this.inner.size - pos - RECORD_HEADER;
      this.ended = true;
    }
    this.lastLen = len;
    this.records++;
    this.pos = pos + RECORD_HEADER + len;
    if (len > 0) this.paintOne({ start, end: start + len, pos: pos + RECORD_HEADER });
  }

  private lastLen = 0;

  private paintOne(r: Piece): void {
    if (r.start >= this.maxEnd) {
      this.pieces.push(r);
      this.maxEnd = r.end;
      return;
    }
    this.maxEnd = Math.max(this.maxEnd, r.end);
    const list = this.pieces;
    const lo = Math.max(0, list.find(r.start));
    let hi = lo;
    while (hi < list.length && list.startOf(hi) < r.end) hi++;
    const repl: Piece[] = [];
    for (let k = lo; k < hi; k++) {
      const p = list.at(k);
      if (p.end <= r.start || p.start >= r.end) {
        repl.push(p);
        continue;
      }
      if (p.start < r.start) repl.push({ start: p.start, end: r.start, pos: p.pos });
      if (p.end > r.end) repl.push({ start: r.end, end: p.end, pos: p.pos + (r.end - p.start) });
    }
    repl.push(r);
    repl.sort((a, b) => a.start - b.start);
    if (list.length + repl.length - (hi - lo) > MAX_RECORDS) {
      throw new FormatError(this.inner.name, r.pos - RECORD_HEADER, "flattened records", `at most ${MAX_RECORDS} mapped pieces`, "more, from overlapping records");
    }
    list.splice(lo, hi, repl);
  }

  /** True when the pieces scanned so far cover [offset, end) without a gap. */
  private covered(offset: number, end: number): boolean {
    const list = this.pieces;
    let i = list.find(offset);
    if (i < 0) return false;
    let at = offset;
    for (; i < list.length && at < end; i++) {
      if (list.startOf(i) > at) return false;
      at = Math.max(at, list.endOf(i));
    }
    return at >= end;
  }

  read(offset: number, length: number, field = "data"): Uint8Array {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new FormatError(this.name, Math.max(0, Number.isFinite(offset) ? offset : 0), field, "a valid byte range", `offset ${offset}, length ${length}`);
    }
    const end = offset + length;
    while (!this.ended && !this.covered(offset, end)) this.scanOne();
    if (end > this.size) {
      throw new FormatError(this.name, offset, field, `${length} byte(s) inside the rearranged dump`, `end at ${hex(this.maxEnd)}`);
    }
    const pieces = this.pieces;
    // Fast path: one piece holds the whole range.
    let i = pieces.find(offset);
    if (i >= 0) {
      const p0 = pieces.at(i);
      if (offset >= p0.start && end <= p0.end) return this.inner.read(p0.pos + (offset - p0.start), length, field);
    }
    const out = new Uint8Array(length);
    if (i < 0) i = 0;
    for (; i < pieces.length; i++) {
      const p = pieces.at(i);
      if (p.start >= end) break;
      const a = Math.max(p.start, offset);
      const b = Math.min(p.end, end);
      if (b <= a) continue;
      out.set(this.inner.read(p.pos + (a - p.start), b - a, field), a - offset);
    }
    return out;
  }

  readUpTo(offset: number, length: number): Uint8Array {
    if (length <= 0) return new Uint8Array(0);
    // Index as far as the request reaches (or to the end) before clipping to the size.
    const want = Math.min(length, Number.MAX_SAFE_INTEGER - offset);
    while (!this.ended && !this.covered(offset, offset + want)) this.scanOne();
    const size = this.size;
    if (offset >= size) return new Uint8Array(0);
    return this.read(offset, Math.min(length, size - offset));
  }

  close(): void {
    this.inner.close();
  }
}
