/**
 * Bytes the first zstd frame asks the decoder to hold: Frame_Content_Size for a single-segment frame,
 * else Window_Size (RFC 8878 §3.1.1.1). 0 when the header is too short to say (the decoder reports it).
 */
export function zstdFrameNeeds(b: Uint8Array): number {
  const { window, content, single } = zstdFrameSizes(b);
  return single ? content : Math.max(window, content);
}

/** The first frame's Window_Size and Frame_Content_Size (0 when absent or not readable). */
export function zstdFrameSizes(b: Uint8Array): { window: number; content: number; single: boolean } {
  if (b.length < 6) return { window: 0, content: 0, single: false };
  const fhd = b[4]!;
  const single = (fhd & 0x20) !== 0;
  const fcsFlag = fhd >> 6;
  let p = 5;
  let window = 0;
  if (!single) {
    const wd = b[p++]!;
    const base = 2 ** (10 + (wd >> 3));
    window = base + (base / 8) * (wd & 7);
  }
  p += [0, 1, 2, 4][fhd & 3]!;
  const fcsBytes = fcsFlag === 0 ? (single ? 1 : 0) : [0, 2, 4, 8][fcsFlag]!;
  if (p + fcsBytes > b.length) return { window, content: 0, single };
  let fcs = 0;
  for (let i = fcsBytes - 1; i >= 0; i--) fcs = fcs * 256 + b[p + i]!;
  if (fcsBytes === 2) fcs += 256;
  return { window, content: fcs, single };
}
