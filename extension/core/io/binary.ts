import type { ByteSource } from "./byteSource";
import { FormatError } from "./formatError";

/** Little-endian scalar readers over a ByteSource, each naming the field it reads. */
export function u8(src: ByteSource, off: number, field: string): number {
  return src.read(off, 1, field)[0]!;
}
export function u16(src: ByteSource, off: number, field: string): number {
  const b = src.read(off, 2, field);
  return b[0]! | (b[1]! << 8);
}
export function u32(src: ByteSource, off: number, field: string): number {
  const b = src.read(off, 4, field);
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16)) + b[3]! * 0x1000000;
}
export function u64(src: ByteSource, off: number, field: string): bigint {
  const b = src.read(off, 8, field);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}
/** u64 as a number; throws when the value is not exactly representable. */
export function u64n(src: ByteSource, off: number, field: string): number {
  const v = u64(src, off, field);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FormatError(src.name, off, field, "a value below 2^53", "0x" + v.toString(16));
  }
  return Number(v);
}

/** A DataView over bytes already read (for structures parsed field by field). */
export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads a NUL-terminated ASCII string of at most `max` bytes. */
export function cString(src: ByteSource, off: number, max: number): string {
  const b = src.readUpTo(off, max);
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  return latin1(b.subarray(0, end));
}

export function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) {
    s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  }
  return s;
}

export function ascii(b: Uint8Array): string {
  return latin1(b);
}
