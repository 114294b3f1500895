/**
 * Decompressors for the bzImage payload codecs, each capped by `OutputBuffer.max` and pacing
 * progress through `tick`. Formats as the kernel builds them (scripts/Makefile.lib cmd_gzip,
 * cmd_bzip2, cmd_lzma, cmd_xzkern, cmd_lz4, cmd_zstd22): every codec but gzip is followed by
 * a le32 uncompressed size ($(size_append)); gzip's own ISIZE trailer plays that role.
 */
import type * as CodecLibs from "../codecLibs";
import { CodecDataError, OutputBuffer, OutputLimitError, type Tick } from "./codecErrors";
import { zstdFrameNeeds } from "../zstdFrame";
import { LzoError, lzo1xDecompress } from "../lzo1x";
import { decodeWithLiblzma } from "./xzLiblzma";

/** The codec libraries, loaded on the first decode (see codecLibs.ts). */
function libs(): typeof CodecLibs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: not evaluated when the bundle loads
  return require("../codecLibs") as typeof CodecLibs;
}

export { CodecDataError, OutputBuffer, OutputLimitError, type Tick } from "./codecErrors";

export type Codec = (input: Uint8Array, out: OutputBuffer, tick: Tick) => Promise<void>;

const FEED = 1 << 20;

/**
 * Pushes `input` through a chunk-callback decoder in 1 MiB pieces. Only the decoder's own
 * errors become CodecDataError; the cap and abort errors from `tick`/the sink pass through.
 */
async function feed(input: Uint8Array, push: (chunk: Uint8Array, final: boolean) => void, tick: Tick, field: string): Promise<void> {
  for (let p = 0; p === 0 || p < input.length; p += FEED) {
    const end = Math.min(input.length, p + FEED);
    try {
      push(input.subarray(p, end), end === input.length);
    } catch (e) {
      wrap(field, end, e);
    }
    await tick(end);
  }
}

function sink(out: OutputBuffer): (chunk: Uint8Array) => void {
  return (chunk) => {
    out.ensure(chunk.length, 0);
    out.buf.set(chunk, out.pos);
    out.pos += chunk.length;
  };
}

function wrap(field: string, at: number, e: unknown): never {
  if (e instanceof CodecDataError || e instanceof OutputLimitError) throw e;
  throw new CodecDataError(at, field, "valid compressed data", e instanceof Error ? e.message : String(e));
}

export const gunzip: Codec = async (input, out, tick) => {
  const g = new (libs().Gunzip)(sink(out));
  await feed(input, (c, final) => g.push(c, final), tick, "gzip.data");
};

/** One zstd frame; the payload's last 4 bytes are the appended size, not a frame. */
export const unzstd: Codec = async (input, out, tick) => {
  // fzstd allocates the frame's whole window (or declared content size) up front: check it against
  // the cap first, so a 150-byte frame cannot make us zero-fill hundreds of MiB.
  const need = zstdFrameNeeds(input);
  if (need > out.max) throw new OutputLimitError(out.max, 0);
  const d = new (libs().ZstdDecompress)(sink(out));
  await feed(input.subarray(0, Math.max(0, input.length - 4)), (c, final) => d.push(c, final), tick, "zstd.data");
};

const LZOP_MAGIC = [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a];
/** lzop block size limit the kernel enforces (lib/decompress_unlzo.c LZO_BLOCK_SIZE). */
const LZOP_MAX_BLOCK = 256 * 1024;
const F_ADLER32_D = 0x1;
const F_ADLER32_C = 0x2;
const F_H_FILTER = 0x800;
const F_CRC32_D = 0x100;
const F_CRC32_C = 0x200;

/**
 * lzop container (cmd_lzo is `lzop -9`) around LZO1X blocks, read as lib/decompress_unlzo.c does:
 * header (version, flags, optional filter, mode, mtime, name, checksum), then blocks of big-endian
 * dst_len / src_len, their checksums, and stored (src_len == dst_len) or LZO1X data, until dst_len 0.
 */
export const unlzo: Codec = async (input, out, tick) => {
  const be16 = (at: number): number => (need(at, 2, "lzop header"), (input[at]! << 8) | input[at + 1]!);
  const be32 = (at: number, what: string): number => (need(at, 4, what), ((input[at]! << 24) >>> 0) + ((input[at + 1]! << 16) | (input[at + 2]! << 8) | input[at + 3]!));
  function need(at: number, n: number, what: string): void {
    if (at + n > input.length) throw new CodecDataError(at, `lzo.${what.replace(/ /g, "_")}`, `${n} byte(s) before the end of the payload`, `end at ${input.length}`);
  }
  if (!LZOP_MAGIC.every((b, i) => input[i] === b)) throw new CodecDataError(0, "lzo.magic", "the lzop signature 89 4C 5A 4F 00 0D 0A 1A 0A");
  let p = LZOP_MAGIC.length;
  const version = be16(p);
  p += 7; // version, library version, version needed to extract, method
  if (version >= 0x0940) p++; // level
  const flags = be32(p, "header flags");
  p += flags & F_H_FILTER ? 8 : 4;
  p += version >= 0x0940 ? 12 : 8; // mode, mtime_low, mtime_high
  need(p, 1, "header name length");
  p += 1 + input[p]! + 4; // name, header checksum
  const dChecks = (flags & F_ADLER32_D ? 4 : 0) + (flags & F_CRC32_D ? 4 : 0);
  const cChecks = (flags & F_ADLER32_C ? 4 : 0) + (flags & F_CRC32_C ? 4 : 0);
  for (;;) {
    const dstLen = be32(p, "block dst_len");
    p += 4;
    if (dstLen === 0) return;
    if (dstLen > LZOP_MAX_BLOCK) throw new CodecDataError(p - 4, "lzo.block_dst_len", `at most ${LZOP_MAX_BLOCK} (the kernel's LZO_BLOCK_SIZE)`, String(dstLen));
    const srcLen = be32(p, "block src_len");
    p += 4;
    if (srcLen === 0 || srcLen > dstLen) throw new CodecDataError(p - 4, "lzo.block_src_len", `1..${dstLen}`, String(srcLen));
    p += dChecks + (srcLen < dstLen ? cChecks : 0);
    need(p, srcLen, "block data");
    const block = input.subarray(p, p + srcLen);
    if (srcLen === dstLen) out.push(block, p);
    else {
      try {
        out.push(lzo1xDecompress(block, dstLen), p);
      } catch (e) {
        if (e instanceof LzoError) throw new CodecDataError(p, "lzo.block", "valid LZO1X data", e.message);
        throw e;
      }
    }
    p += srcLen;
    await tick(p);
  }
};

export const bunzip2: Codec = async (input, out) => {
  // seek-bzip is synchronous; its output stream is ours so the cap applies byte by byte.
  const stream = {
    writeByte(b: number): void {
      if (out.pos >= out.buf.length) out.ensure(1, 0);
      out.buf[out.pos++] = b;
    },
  };
  try {
    libs().Bunzip.decode(input, stream, false);
  } catch (e) {
    wrap("bzip2.data", 0, e);
  }
};

export const unxz: Codec = (input, out, tick) => decodeWithLiblzma("xz", input, out, tick);

export const unlzma: Codec = (input, out, tick) => decodeWithLiblzma("lzma", input, out, tick);

const LZ4_LEGACY_MAGIC = 0x184c2102;
/** lz4 legacy frame block size: 8 MiB of output per block (lz4 programs/lz4io.c LEGACY_BLOCKSIZE). */
const LZ4_LEGACY_BLOCK = 8 << 20;

/**
 * LZ4 legacy frame (`lz4 -l`, what cmd_lz4 emits): magic 02 21 4C 18, then blocks of
 * le32 compressed size + LZ4 block. Decoded here with bounds checks on every copy
 * (lz4js's block decoder has none and does not read the legacy frame).
 */
export const unlz4: Codec = async (input, out, tick) => {
  const le32 = (at: number): number => (input[at]! | (input[at + 1]! << 8) | (input[at + 2]! << 16) | (input[at + 3]! << 24)) >>> 0;
  if (input.length < 4 || le32(0) !== LZ4_LEGACY_MAGIC) throw new CodecDataError(0, "lz4.magic", "02 21 4C 18 (legacy frame)");
  let p = 4;
  while (p + 4 <= input.length) {
    const size = le32(p);
    if (size === LZ4_LEGACY_MAGIC) {
      p += 4;
      continue;
    }
    // The trailing le32 is the kernel's appended size, not a block (lib/decompress_unlz4.c).
    if (p + 4 === input.length) break;
    if (size === 0 || p + 4 + size > input.length) {
      throw new CodecDataError(p, "lz4.block_size", `a block inside the payload (${input.length - p - 4} bytes left)`, String(size));
    }
    p += 4;
    lz4Block(input, p, p + size, out);
    p += size;
    await tick(p);
  }
};

function lz4Block(src: Uint8Array, s: number, end: number, out: OutputBuffer): void {
  const blockStart = out.pos;
  const fail = (what: string): never => {
    throw new CodecDataError(s, "lz4.block", what);
  };
  out.ensure(0, s);
  while (s < end) {
    const token = src[s++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (s >= end) fail("a literal length inside the block");
        b = src[s++]!;
        lit += b;
      } while (b === 255);
    }
    if (s + lit > end) fail("literals inside the block");
    if (out.pos + lit - blockStart > LZ4_LEGACY_BLOCK) fail(`at most ${LZ4_LEGACY_BLOCK} bytes per block`);
    out.ensure(lit, s);
    out.buf.set(src.subarray(s, s + lit), out.pos);
    out.pos += lit;
    s += lit;
    if (s >= end) break;
    if (s + 2 > end) fail("a match offset inside the block");
    const off = src[s]! | (src[s + 1]! << 8);
    s += 2;
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (s >= end) fail("a match length inside the block");
        b = src[s++]!;
        len += b;
      } while (b === 255);
    }
    len += 4;
    if (off === 0 || off > out.pos) fail(`a match offset between 1 and ${out.pos}`);
    if (out.pos + len - blockStart > LZ4_LEGACY_BLOCK) fail(`at most ${LZ4_LEGACY_BLOCK} bytes per block`);
    out.ensure(len, s);
    const buf = out.buf;
    let from = out.pos - off;
    if (off >= len) {
      buf.copyWithin(out.pos, from, from + len);
      out.pos += len;
    } else {
      for (let i = 0; i < len; i++) buf[out.pos++] = buf[from++]!;
    }
  }
}
