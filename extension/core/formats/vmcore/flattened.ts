import type { ByteSource } from "../../io/byteSource";
import { FormatError, hex } from "../../io/formatError";
import { latin1, view } from "../../io/binary";

/** makedumpfile's flattened stream (vmcore-formats.md §3): header block, then BE records. */
export const FLAT_HEADER_SIZE = 4096;
const RECORD_HEADER = 16;
/** A scan step budget: each record costs one 16-byte read; 10^7 covers multi-TiB QEMU dumps. */
const MAX_RECORDS = 10_000_000;

export function isFlattened(head: Uint8Array): boolean {
  return head.length >= 24 && latin1(head.subarray(0, 12)) === "makedumpfile" && head[12] === 0;
}

/** A mapped piece of the rearranged file: logical [start, end) ← stream offset `pos`. */
interface Piece {
  start: number;
  end: number;
  pos: number;
}

/**
 * The rearranged ("makedumpfile -R") view of a flattened stream, as a ByteSource. The record
 * index is built on first use; overlapping records resolve "later record wins"
 * (libkdumpfile), bytes never written read as zero (crash).
 */
export class FlattenedByteSource implements ByteSource {
  readonly name: string;
  private pieces?: Piece[];
  private logicalSize = 0;
  /** Set when the stream ends without the 0xFF… end marker. */
  truncated = false;
  records = 0;

  constructor(private readonly inner: ByteSource) {
    this.name = inner.name;
    const h = inner.read(0, 32, "flattened header");
    if (!isFlattened(h)) throw new FormatError(inner.name, 0, "flattened header signature", '"makedumpfile\\0"');
    const dv = view(h);
    const type = dv.getBigInt64(16, false);
    const version = dv.getBigInt64(24, false);
    if (type !== 1n) throw new FormatError(inner.name, 16, "flattened header type (BE)", "1", String(type));
    if (version !== 1n) throw new FormatError(inner.name, 24, "flattened header version (BE)", "1", String(version));
  }

  get bytesRead(): number {
    return this.inner.bytesRead;
  }

  get size(): number {
    this.index();
    return this.logicalSize;
  }

  /** Scans the record headers once. */
  private index(): Piece[] {
    if (this.pieces) return this.pieces;
    const raw: Piece[] = [];
    let pos = FLAT_HEADER_SIZE;
    let sorted = true;
    let ended = false;
    for (let n = 0; n < MAX_RECORDS; n++) {
      if (pos + RECORD_HEADER > this.inner.size) break;
      const dv = view(this.inner.read(pos, RECORD_HEADER, "flattened record header"));
      const offset = dv.getBigInt64(0, false);
      const size = dv.getBigInt64(8, false);
      if (offset === -1n && size === -1n) {
        ended = true;
        break;
      }
      if (offset < 0n || size <= 0n || offset + size > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new FormatError(this.inner.name, pos, "flattened record header", "offset >= 0 and buf_size > 0", `offset ${offset}, buf_size ${size}`);
      }
      const start = Number(offset);
      const len = Number(size);
      if (pos + RECORD_HEADER + len > this.inner.size) {
        // Keep what is there of the last record; the stream was cut short.
        const have = this.inner.size - pos - RECORD_HEADER;
        if (have > 0) raw.push({ start, end: start + have, pos: pos + RECORD_HEADER });
        break;
      }
      const prev = raw[raw.length - 1];
      if (prev && start < prev.end) sorted = false;
      raw.push({ start, end: start + len, pos: pos + RECORD_HEADER });
      pos += RECORD_HEADER + len;
      if (n === MAX_RECORDS - 1) throw new FormatError(this.inner.name, pos, "flattened records", `at most ${MAX_RECORDS} records`);
    }
    this.truncated = !ended;
    this.records = raw.length;
    this.pieces = sorted ? raw : paint(raw);
    this.logicalSize = raw.reduce((m, p) => Math.max(m, p.end), 0);
    return this.pieces;
  }

  read(offset: number, length: number, field = "data"): Uint8Array {
    const pieces = this.index();
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.logicalSize) {
      throw new FormatError(this.name, offset, field, `${length} byte(s) inside the rearranged dump`, `end at ${hex(this.logicalSize)}`);
    }
    // Fast path: one piece holds the whole range.
    let i = findPiece(pieces, offset);
    const p0 = pieces[i];
    if (p0 && offset >= p0.start && offset + length <= p0.end) {
      return this.inner.read(p0.pos + (offset - p0.start), length, field);
    }
    const out = new Uint8Array(length);
    if (i < 0) i = 0;
    for (; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (p.start >= offset + length) break;
      const a = Math.max(p.start, offset);
      const b = Math.min(p.end, offset + length);
      if (b <= a) continue;
      out.set(this.inner.read(p.pos + (a - p.start), b - a, field), a - offset);
    }
    return out;
  }

  readUpTo(offset: number, length: number): Uint8Array {
    const size = this.size;
    if (offset >= size || length <= 0) return new Uint8Array(0);
    return this.read(offset, Math.min(length, size - offset));
  }

  close(): void {
    this.inner.close();
  }
}

/** Index of the last piece with start <= offset, or -1. */
function findPiece(pieces: Piece[], offset: number): number {
  let lo = 0;
  let hi = pieces.length - 1;
  let r = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (pieces[mid]!.start <= offset) {
      r = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return r;
}

/** Applies records in stream order onto a sorted, non-overlapping list (later wins). */
function paint(records: Piece[]): Piece[] {
  let list: Piece[] = [];
  for (const r of records) {
    const lo = Math.max(0, findPiece(list, r.start));
    let hi = lo;
    while (hi < list.length && list[hi]!.start < r.end) hi++;
    const repl: Piece[] = [];
    for (let k = lo; k < hi; k++) {
      const p = list[k]!;
      if (p.end <= r.start || p.start >= r.end) {
        repl.push(p);
        continue;
      }
      if (p.start < r.start) repl.push({ start: p.start, end: r.start, pos: p.pos });
      if (p.end > r.end) repl.push({ start: r.end, end: p.end, pos: p.pos + (r.end - p.start) });
    }
    repl.push(r);
    repl.sort((a, b) => a.start - b.start);
    list = list.slice(0, lo).concat(repl, list.slice(hi));
  }
  return list;
}
