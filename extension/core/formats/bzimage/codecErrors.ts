/** Shared output buffer and errors of the payload codecs (codecs.ts, xzLiblzma.ts). */

/** Thrown for corrupt or unsupported data; payload.ts turns it into a FormatError. */
export class CodecDataError extends Error {
  constructor(
    readonly inputOffset: number,
    readonly field: string,
    readonly expected: string,
    readonly found?: string,
  ) {
    super(`${field}: expected ${expected}${found === undefined ? "" : `, found ${found}`} (input offset ${inputOffset})`);
  }
}

export class OutputLimitError extends Error {
  constructor(
    readonly max: number,
    readonly inputOffset: number,
  ) {
    super(`decompressed output exceeds the limit of ${max} bytes`);
  }
}

/** Growable output with a hard cap (compression-bomb guard). */
export class OutputBuffer {
  buf: Uint8Array;
  pos = 0;
  constructor(
    initial: number,
    readonly max: number,
  ) {
    this.buf = new Uint8Array(Math.max(1024, Math.min(initial, max)));
  }
  /** Makes room for `n` more bytes; throws OutputLimitError past max. */
  ensure(n: number, inputOffset: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    if (need > this.max) throw new OutputLimitError(this.max, inputOffset);
    const next = new Uint8Array(Math.min(this.max, Math.max(need, this.buf.length * 2)));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  push(chunk: Uint8Array, inputOffset: number): void {
    this.ensure(chunk.length, inputOffset);
    this.buf.set(chunk, this.pos);
    this.pos += chunk.length;
  }
  result(): Uint8Array {
    return this.buf.length === this.pos ? this.buf : this.buf.slice(0, this.pos);
  }
}

/** Called between chunks with the input position: reports progress, yields, checks abort. */
export type Tick = (inputPos: number) => Promise<void>;
