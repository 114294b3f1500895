import { zstdFrameSizes } from "../zstdFrame";
import type * as CodecLibs from "../codecLibs";
import { lzo1xDecompress } from "../lzo1x";

/** The codec libraries, loaded on the first compressed page (see codecLibs.ts). */
function libs(): typeof CodecLibs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: not evaluated when the bundle loads
  return require("../codecLibs") as typeof CodecLibs;
}

/** page_desc.flags / header status bits (makedumpfile diskdump_mod.h). */
export const DUMP_DH_COMPRESSED_ZLIB = 0x01;
export const DUMP_DH_COMPRESSED_LZO = 0x02;
export const DUMP_DH_COMPRESSED_SNAPPY = 0x04;
export const DUMP_DH_COMPRESSED_INCOMPLETE = 0x08;
export const DUMP_DH_EXCLUDED_VMEMMAP = 0x10;
export const DUMP_DH_COMPRESSED_ZSTD = 0x20;

export function compressionNames(status: number): string[] {
  const out: string[] = [];
  if (status & DUMP_DH_COMPRESSED_ZLIB) out.push("zlib");
  if (status & DUMP_DH_COMPRESSED_LZO) out.push("lzo");
  if (status & DUMP_DH_COMPRESSED_SNAPPY) out.push("snappy");
  if (status & DUMP_DH_COMPRESSED_ZSTD) out.push("zstd");
  return out;
}

/**
 * Decodes one stored page into exactly `pageSize` bytes. Every decoder is given an output
 * bound so a lying stream cannot allocate more than a page (+1 byte to detect overlong output).
 * Throws a plain Error with the reason; the caller wraps it in a FormatError with the offset.
 */
export function decodePage(data: Uint8Array, flags: number, pageSize: number): Uint8Array {
  let out: Uint8Array;
  if (flags & DUMP_DH_COMPRESSED_ZLIB) {
    out = libs().unzlibSync(data, { out: new Uint8Array(pageSize + 1) });
  } else if (flags & DUMP_DH_COMPRESSED_LZO) {
    out = lzo1xDecompress(data, pageSize);
  } else if (flags & DUMP_DH_COMPRESSED_SNAPPY) {
    out = libs().snappyUncompress(data, pageSize);
  } else if (flags & DUMP_DH_COMPRESSED_ZSTD) {
    // A frame that declares more content than a page is refused before fzstd sizes anything by it.
    const declared = zstdFrameSizes(data).content;
    if (declared > pageSize) throw new Error(`zstd frame declares ${declared} bytes, more than a ${pageSize}-byte page`);
    out = libs().zstdDecompress(data, new Uint8Array(pageSize + 1));
  } else {
    out = data;
  }
  if (out.length !== pageSize) throw new Error(`decoded to ${out.length} bytes, expected ${pageSize}`);
  return out;
}
