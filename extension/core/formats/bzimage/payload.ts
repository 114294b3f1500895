/**
 * The compressed kernel inside a bzImage: located by the setup header's payload_offset /
 * payload_length (boot protocol 2.08+; file offset = (setup_sects||4 + 1) * 512 +
 * payload_offset), recognised by magic, decompressed with a hard output cap.
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { ByteSource } from "../../io/byteSource";
import { FormatError, hex } from "../../io/formatError";
import { bunzip2, gunzip, CodecDataError, OutputBuffer, OutputLimitError, unlz4, unlzma, unlzo, unxz, unzstd, type Codec } from "./codecs";

export type Compression = "gzip" | "bzip2" | "lzma" | "xz" | "lzo" | "lz4" | "zstd" | "unknown";

export interface PayloadInfo {
  compression: Compression;
  /** File offset of the compressed payload. */
  offset: number;
  /** payload_length: compressed bytes plus, for all codecs but gzip, the appended le32 size. */
  length: number;
  /** First bytes of the payload, lowercase hex (up to 6). */
  magicHex: string;
  /**
   * le32 at the payload's end: the uncompressed size appended by $(size_append) in
   * scripts/Makefile.lib (gzip: its ISIZE trailer, RFC 1952). The decompressor stub uses it.
   */
  appendedSize: number;
}

export interface DecompressProgress {
  inputBytes: number;
  inputTotal: number;
  outputBytes: number;
}

export interface DecompressOptions {
  /** Hard cap on decompressed bytes; exceeding it is a FormatError (compression bomb guard). */
  maxBytes: number;
  onProgress?: (p: DecompressProgress) => void;
  signal?: AbortSignal;
}

/** Magic numbers (boot-protocol.md payload_offset row; lzop: lzop's own header). */
const MAGICS: { compression: Compression; bytes: number[] }[] = [
  { compression: "xz", bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { compression: "lzo", bytes: [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a] },
  { compression: "zstd", bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { compression: "lz4", bytes: [0x02, 0x21, 0x4c, 0x18] },
  { compression: "bzip2", bytes: [0x42, 0x5a, 0x68] },
  { compression: "gzip", bytes: [0x1f, 0x8b] },
  { compression: "gzip", bytes: [0x1f, 0x9e] },
  { compression: "lzma", bytes: [0x5d, 0x00] },
];

const CODECS: Partial<Record<Compression, Codec>> = {
  gzip: gunzip,
  bzip2: bunzip2,
  lzma: unlzma,
  xz: unxz,
  lz4: unlz4,
  lzo: unlzo,
  zstd: unzstd,
};

export const SUPPORTED_COMPRESSIONS = Object.keys(CODECS) as Compression[];

/** Identifies the payload at [fileOffset, fileOffset + length). Reads 16 bytes at each end. */
export function detectPayload(src: ByteSource, fileOffset: number, length: number): PayloadInfo {
  if (!Number.isSafeInteger(fileOffset) || !Number.isSafeInteger(length) || fileOffset < 0 || length < 8 || fileOffset + length > src.size) {
    throw new FormatError(src.name, Math.max(0, fileOffset), "setup_header.payload_length", `a payload of at least 8 bytes inside the file (size ${hex(src.size)})`, `${hex(fileOffset)}+${hex(length)}`);
  }
  const head = src.read(fileOffset, Math.min(16, length), "payload.magic");
  const match = MAGICS.find((m) => m.bytes.every((b, i) => head[i] === b));
  const tail = src.read(fileOffset + length - 4, 4, "payload.appended_size");
  return {
    compression: match?.compression ?? "unknown",
    offset: fileOffset,
    length,
    magicHex: Buffer.from(head.subarray(0, 6)).toString("hex"),
    appendedSize: (tail[0]! | (tail[1]! << 8) | (tail[2]! << 16)) + tail[3]! * 0x1000000,
  };
}

/** Real kernels compress 2-6x; a bigger first allocation would be sized by an unchecked field. */
const MAX_RATIO_GUESS = 32;

/**
 * First output allocation: the appended size, bounded by a plausible ratio to the compressed
 * length (a lying le32 must not allocate up to maxBytes before a single byte is decoded).
 * The buffer still grows, up to maxBytes, when the data really is larger.
 */
export function initialOutputSize(info: Pick<PayloadInfo, "appendedSize" | "length">): number {
  const guess = info.appendedSize > 0 ? info.appendedSize : info.length * 4;
  return Math.min(guess, info.length * MAX_RATIO_GUESS + (1 << 20));
}

/**
 * Decompresses the payload into memory. Output is capped by `maxBytes`; progress is reported
 * and the event loop is yielded to every few MiB so callers can cancel via `signal`.
 */
export async function decompressPayload(src: ByteSource, info: PayloadInfo, opts: DecompressOptions): Promise<Uint8Array> {
  const codec = CODECS[info.compression];
  if (!codec) {
    throw new FormatError(src.name, info.offset, "payload.compression", `one of ${SUPPORTED_COMPRESSIONS.join(", ")}`, `${info.compression} (magic ${info.magicHex})`);
  }
  opts.signal?.throwIfAborted();
  const input = src.read(info.offset, info.length, "payload");
  // The appended size is a good first guess for the output; never trust it past the cap.
  const out = new OutputBuffer(initialOutputSize(info), opts.maxBytes);
  const tick = async (inputPos: number): Promise<void> => {
    opts.onProgress?.({ inputBytes: Math.min(inputPos, info.length), inputTotal: info.length, outputBytes: out.pos });
    await yieldToLoop();
    opts.signal?.throwIfAborted();
  };
  try {
    await codec(input, out, tick);
  } catch (e) {
    if (e instanceof OutputLimitError) {
      throw new FormatError(src.name, info.offset + e.inputOffset, `payload.${info.compression}`, `at most ${opts.maxBytes} decompressed bytes (maxBytes)`, "more");
    }
    if (e instanceof CodecDataError) {
      throw new FormatError(src.name, info.offset + Math.min(e.inputOffset, info.length), `payload.${e.field}`, e.expected, e.found);
    }
    if (e instanceof RangeError) {
      throw new FormatError(src.name, info.offset, `payload.${info.compression}`, "valid compressed data", e.message);
    }
    throw e;
  }
  opts.onProgress?.({ inputBytes: info.length, inputTotal: info.length, outputBytes: out.pos });
  return out.result();
}
