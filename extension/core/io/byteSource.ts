import * as fs from "node:fs";
import { FormatError } from "./formatError";

/**
 * Ranged, synchronous access to an input that may be many GiB. Parsers locate structures by
 * offset and read only those ranges; nothing reads a whole file to find a header.
 * Synchronous on purpose: header reads are small, and page-table walks do thousands of tiny
 * reads where a promise per read would dominate.
 */
export interface ByteSource {
  /** File path or display name, used in every error message. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /** Bytes fetched from the backing store so far (cache hits do not count). */
  readonly bytesRead: number;
  /**
   * Returns exactly `length` bytes at `offset`. Throws FormatError naming `field` when the
   * range is not inside the source. The returned array must not be modified by callers.
   */
  read(offset: number, length: number, field?: string): Uint8Array;
  /** Like read, but returns fewer bytes at EOF instead of throwing. */
  readUpTo(offset: number, length: number): Uint8Array;
  /** Releases the file handle; further reads throw. */
  close(): void;
}

function checkRange(src: ByteSource, offset: number, length: number, field: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new FormatError(src.name, Math.max(0, Number.isFinite(offset) ? offset : 0), field, "a valid byte range", `offset ${offset}, length ${length}`);
  }
  if (offset + length > src.size) {
    throw new FormatError(
      src.name,
      offset,
      field,
      `${length} byte(s) inside the file`,
      `end of file at 0x${src.size.toString(16)}`,
    );
  }
}

/** In-memory source for tests, webviews and decompressed payloads. */
export class MemoryByteSource implements ByteSource {
  bytesRead = 0;
  readonly size: number;
  constructor(
    private readonly data: Uint8Array,
    readonly name = "<memory>",
  ) {
    this.size = data.length;
  }
  read(offset: number, length: number, field = "data"): Uint8Array {
    checkRange(this, offset, length, field);
    this.bytesRead += length;
    return this.data.subarray(offset, offset + length);
  }
  readUpTo(offset: number, length: number): Uint8Array {
    if (offset >= this.size || length <= 0) return new Uint8Array(0);
    return this.read(offset, Math.min(length, this.size - offset));
  }
  close(): void {
    /* nothing to release */
  }
}

/**
 * File-backed source with a small LRU page cache. Opened read-only: inspected files are
 * never written.
 */
export class FileByteSource implements ByteSource {
  static readonly PAGE = 64 * 1024;
  bytesRead = 0;
  readonly size: number;
  private fd: number | null;
  private readonly cache = new Map<number, Uint8Array>();

  constructor(
    readonly name: string,
    private readonly maxPages = 64,
  ) {
    statInput(name);
    // O_NONBLOCK: a FIFO swapped in after the stat still cannot block the open; the fstat rejects it.
    this.fd = fs.openSync(name, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(this.fd);
    if (!st.isFile() && !st.isBlockDevice()) {
      fs.closeSync(this.fd);
      this.fd = null;
      throw new FormatError(name, 0, "file", "a regular file");
    }
    this.size = st.size;
  }

  private page(index: number): Uint8Array {
    const hit = this.cache.get(index);
    if (hit) {
      // Refresh LRU position.
      this.cache.delete(index);
      this.cache.set(index, hit);
      return hit;
    }
    if (this.fd === null) throw new Error(`${this.name}: read after close`);
    const start = index * FileByteSource.PAGE;
    const len = Math.min(FileByteSource.PAGE, this.size - start);
    const buf = new Uint8Array(len);
    let got = 0;
    while (got < len) {
      const n = fs.readSync(this.fd, buf, got, len - got, start + got);
      if (n === 0) break;
      got += n;
    }
    this.bytesRead += got;
    const page = got === len ? buf : buf.subarray(0, got);
    this.cache.set(index, page);
    if (this.cache.size > this.maxPages) {
      const oldest = this.cache.keys().next().value as number;
      this.cache.delete(oldest);
    }
    return page;
  }

  read(offset: number, length: number, field = "data"): Uint8Array {
    checkRange(this, offset, length, field);
    const P = FileByteSource.PAGE;
    const first = Math.floor(offset / P);
    const last = Math.floor((offset + Math.max(length, 1) - 1) / P);
    if (first === last) {
      const p = this.page(first);
      const o = offset - first * P;
      return p.subarray(o, o + length);
    }
    // Large reads bypass the cache so one big range does not evict the useful pages.
    if (length > P * 4) return this.readDirect(offset, length);
    const out = new Uint8Array(length);
    let done = 0;
    for (let i = first; i <= last; i++) {
      const p = this.page(i);
      const o = i === first ? offset - i * P : 0;
      const n = Math.min(p.length - o, length - done);
      out.set(p.subarray(o, o + n), done);
      done += n;
    }
    return out;
  }

  /**
   * A read that neither fills nor consults the page cache, for scattered small reads (a flattened
   * dump's record headers, one per record) that would otherwise pull a 64 KiB page each.
   */
  readUncached(offset: number, length: number, field = "data"): Uint8Array {
    checkRange(this, offset, length, field);
    return this.readDirect(offset, length);
  }

  /**
   * Fills `out` with the bytes at `offset`, bypassing the page cache, for long sequential scans
   * that reuse one buffer (a kdump bitmap of 128 GiB read 1 MiB at a time). Returns `out`.
   */
  readInto(offset: number, out: Uint8Array, field = "data"): Uint8Array {
    checkRange(this, offset, out.length, field);
    if (this.fd === null) throw new Error(`${this.name}: read after close`);
    let got = 0;
    while (got < out.length) {
      const n = fs.readSync(this.fd, out, got, out.length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    this.bytesRead += got;
    return out;
  }

  private readDirect(offset: number, length: number): Uint8Array {
    if (this.fd === null) throw new Error(`${this.name}: read after close`);
    const out = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(this.fd, out, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    this.bytesRead += got;
    return out;
  }

  readUpTo(offset: number, length: number): Uint8Array {
    if (offset >= this.size || length <= 0) return new Uint8Array(0);
    return this.read(offset, Math.min(length, this.size - offset));
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    this.cache.clear();
  }
}

/**
 * Stats a path before anything opens it: opening a FIFO blocks until a writer comes, and a
 * character device or socket has no end. Only regular files and block devices pass.
 */
export function statInput(path: string): fs.Stats {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch (e) {
    throw new FormatError(path, 0, "file", "a readable file", (e as NodeJS.ErrnoException).code ?? String(e));
  }
  if (!st.isFile() && !st.isBlockDevice()) {
    const what = st.isFIFO() ? "a FIFO" : st.isDirectory() ? "a directory" : st.isSocket() ? "a socket" : st.isCharacterDevice() ? "a character device" : "not a regular file";
    throw new FormatError(path, 0, "file", "a regular file", what);
  }
  return st;
}

/**
 * Reads a text input (boot log, /proc file, source file) of at most maxBytes, checking its type
 * first. /proc files report size 0, so this reads to EOF rather than trusting st.size.
 */
export function readTextInput(path: string, maxBytes = 64 * 1024 * 1024): string {
  statInput(path);
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new FormatError(path, 0, "file", "a readable file", (e as NodeJS.ErrnoException).code ?? String(e));
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw new FormatError(path, 0, "file", "a regular file");
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(Math.min(1 << 20, maxBytes + 1 - total));
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new FormatError(path, maxBytes, "file", `a text file of at most ${maxBytes} bytes`, "more");
    }
    return Buffer.concat(chunks).toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/** Opens a path as a read-only ByteSource; a missing file becomes a FormatError. */
export function openFile(path: string): FileByteSource {
  try {
    return new FileByteSource(path);
  } catch (e) {
    if (e instanceof FormatError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new FormatError(path, 0, "file", "a readable file", err.code ?? String(e));
  }
}

/**
 * A window [base, base + size) of another source, addressed from 0: a parser given the window
 * sees an ordinary ByteSource and reads through to the parent (no copy). Reads outside the window
 * throw like reads past EOF do; errors name the window, whose name says where it sits.
 */
export class WindowByteSource implements ByteSource {
  readonly name: string;
  private readonly startRead: number;
  constructor(
    private readonly parent: ByteSource,
    readonly base: number,
    readonly size: number,
    name?: string,
  ) {
    if (!Number.isSafeInteger(base) || !Number.isSafeInteger(size) || base < 0 || size < 0 || base + size > parent.size) {
      throw new FormatError(parent.name, Math.max(0, Number.isFinite(base) ? base : 0), name ?? "window", `a range inside the file (size 0x${parent.size.toString(16)})`, `offset ${base}, length ${size}`);
    }
    this.name = name ?? `${parent.name}@0x${base.toString(16)}`;
    this.startRead = parent.bytesRead;
  }
  /** Bytes the parent fetched since the window was made (shared cache: an upper bound for this window). */
  get bytesRead(): number {
    return this.parent.bytesRead - this.startRead;
  }
  read(offset: number, length: number, field = "data"): Uint8Array {
    checkRange(this, offset, length, field);
    return this.parent.read(this.base + offset, length, field);
  }
  readUpTo(offset: number, length: number): Uint8Array {
    if (offset >= this.size || length <= 0) return new Uint8Array(0);
    return this.read(offset, Math.min(length, this.size - offset));
  }
  /** The parent owns the file handle. */
  close(): void {
    /* nothing to release */
  }
}
