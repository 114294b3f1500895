/**
 * Byte sources for the fuzzer. A seed's bytes live once in a read-only Backing (a whole
 * array, or a sparse copy of the 4 KiB chunks a clean parse touched); each case reads them
 * through a copy-on-read OverlayByteSource that applies that case's patches and size, so a
 * multi-MiB seed is never copied per case.
 */
import * as fs from "node:fs";
import type { ByteSource } from "../../extension/core/io/byteSource";
import { FormatError } from "../../extension/core/io/formatError";

export interface Backing {
  readonly size: number;
  /** Bytes [offset, offset + length) clipped to size; a view when possible. Unknown bytes read as 0. */
  slice(offset: number, length: number): Uint8Array;
}

export class ArrayBacking implements Backing {
  constructor(readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  slice(offset: number, length: number): Uint8Array {
    return this.bytes.subarray(offset, Math.min(this.bytes.length, offset + length));
  }
}

export const CHUNK = 4096;

/** A sparse copy of a big file: only the chunks a clean run read; the rest reads as zeros. */
export class SparseBacking implements Backing {
  constructor(
    readonly size: number,
    private readonly chunks: ReadonlyMap<number, Uint8Array>,
  ) {}

  get storedBytes(): number {
    let n = 0;
    for (const c of this.chunks.values()) n += c.length;
    return n;
  }

  slice(offset: number, length: number): Uint8Array {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    const first = Math.floor(offset / CHUNK);
    const last = Math.floor((end - 1) / CHUNK);
    if (first === last) {
      const c = this.chunks.get(first);
      const o = offset - first * CHUNK;
      return c ? c.subarray(o, o + (end - offset)) : new Uint8Array(end - offset);
    }
    const out = new Uint8Array(end - offset);
    for (let i = first; i <= last; i++) {
      const c = this.chunks.get(i);
      if (!c) continue;
      const a = Math.max(offset, i * CHUNK);
      const b = Math.min(end, i * CHUNK + c.length);
      out.set(c.subarray(a - i * CHUNK, b - i * CHUNK), a - offset);
    }
    return out;
  }

  /** Reads the given chunks of `file` (opened read-only). */
  static fromFile(file: string, chunkIndexes: Iterable<number>): SparseBacking {
    const fd = fs.openSync(file, "r");
    try {
      const size = fs.fstatSync(fd).size;
      const chunks = new Map<number, Uint8Array>();
      for (const i of chunkIndexes) {
        const len = Math.min(CHUNK, size - i * CHUNK);
        if (len <= 0 || chunks.has(i)) continue;
        const b = new Uint8Array(len);
        fs.readSync(fd, b, 0, len, i * CHUNK);
        chunks.set(i, b);
      }
      return new SparseBacking(size, chunks);
    } finally {
      fs.closeSync(fd);
    }
  }
}

export interface Patch {
  offset: number;
  bytes: Uint8Array;
}

function checkRange(name: string, size: number, offset: number, length: number, field: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new FormatError(name, Math.max(0, Number.isFinite(offset) ? offset : 0), field, "a valid byte range", `offset ${offset}, length ${length}`);
  }
  if (offset + length > size) {
    throw new FormatError(name, offset, field, `${length} byte(s) inside the file`, `end of file at 0x${size.toString(16)}`);
  }
}

/** Backing + patches (later patches win) + a size that may truncate or extend (zero fill). */
export class OverlayByteSource implements ByteSource {
  bytesRead = 0;
  private readonly lo: number;
  private readonly hi: number;

  constructor(
    private readonly backing: Backing,
    readonly name: string,
    private readonly patches: readonly Patch[] = [],
    readonly size: number = backing.size,
  ) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of patches) {
      lo = Math.min(lo, p.offset);
      hi = Math.max(hi, p.offset + p.bytes.length);
    }
    this.lo = lo;
    this.hi = hi;
  }

  read(offset: number, length: number, field = "data"): Uint8Array {
    checkRange(this.name, this.size, offset, length, field);
    this.bytesRead += length;
    const end = offset + length;
    const patched = end > this.lo && offset < this.hi;
    if (!patched && end <= this.backing.size) return this.backing.slice(offset, length);
    const out = new Uint8Array(length);
    if (offset < this.backing.size) out.set(this.backing.slice(offset, length), 0);
    if (patched) {
      for (const p of this.patches) {
        const a = Math.max(offset, p.offset);
        const b = Math.min(end, p.offset + p.bytes.length);
        if (b > a) out.set(p.bytes.subarray(a - p.offset, b - p.offset), a - offset);
      }
    }
    return out;
  }

  readUpTo(offset: number, length: number): Uint8Array {
    if (offset >= this.size || length <= 0) return new Uint8Array(0);
    return this.read(offset, Math.min(length, this.size - offset));
  }

  /** The whole mutated input as one array (for byte-array APIs and repro dumps). */
  materialize(limit = Infinity): Uint8Array {
    return this.read(0, Math.min(this.size, limit), "materialize");
  }

  close(): void {
    /* nothing to release */
  }
}

/** Wraps a source and records every byte range read (for hot regions and sparse seeds). */
export class RecordingByteSource implements ByteSource {
  readonly ranges: Array<[number, number]> = [];
  constructor(private readonly inner: ByteSource) {}
  get name(): string {
    return this.inner.name;
  }
  get size(): number {
    return this.inner.size;
  }
  get bytesRead(): number {
    return this.inner.bytesRead;
  }
  read(offset: number, length: number, field?: string): Uint8Array {
    const b = this.inner.read(offset, length, field);
    if (length > 0) this.ranges.push([offset, offset + length]);
    return b;
  }
  readUpTo(offset: number, length: number): Uint8Array {
    const b = this.inner.readUpTo(offset, length);
    if (b.length > 0) this.ranges.push([offset, offset + b.length]);
    return b;
  }
  close(): void {
    this.inner.close();
  }
}

/** Sorts and merges [start, end) ranges that touch or lie within `gap` bytes. */
export function mergeSpans(list: ReadonlyArray<readonly [number, number]>, gap = 0): Array<[number, number]> {
  const s = [...list].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + gap) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The 4 KiB chunk indexes covering some ranges. */
export function chunksOf(ranges: ReadonlyArray<readonly [number, number]>): Set<number> {
  const out = new Set<number>();
  for (const [a, b] of mergeSpans(ranges)) {
    for (let i = Math.floor(a / CHUNK); i * CHUNK < b; i++) out.add(i);
  }
  return out;
}
