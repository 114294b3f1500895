/**
 * LZO1X decompression ("decompress_safe"): every input and output access is bounds-checked,
 * so corrupt pages fail with an error instead of reading or writing out of range.
 * Port of Linux lib/lzo/lzo1x_decompress_safe.c (without the lzo-rle extension, which
 * makedumpfile's liblzo2 `lzo1x_1_compress` never produces).
 */
export class LzoError extends Error {
  override readonly name = "LzoError";
}

const M2_MAX_OFFSET = 0x0800;

/** Decompresses `input` into exactly `outLen` bytes (throws LzoError otherwise). */
export function lzo1xDecompress(input: Uint8Array, outLen: number): Uint8Array {
  const out = new Uint8Array(outLen);
  const inLen = input.length;
  let ip = 0;
  let op = 0;
  let t = 0;
  let next = 0;
  let state = 0;
  let mPos = 0;

  const needIp = (n: number): void => {
    if (ip + n > inLen) throw new LzoError("input overrun");
  };
  const needOp = (n: number): void => {
    if (op + n > outLen) throw new LzoError("output overrun");
  };
  const byte = (): number => {
    if (ip >= inLen) throw new LzoError("input overrun");
    return input[ip++]!;
  };
  /** Reads the zero-run length extension used by long literal runs and long matches. */
  const longCount = (base: number): number => {
    const start = ip;
    while (true) {
      if (ip >= inLen) throw new LzoError("input overrun");
      if (input[ip] !== 0) break;
      ip++;
    }
    const zeros = ip - start;
    return zeros * 255 + base + byte();
  };
  const copyLiterals = (n: number): void => {
    needIp(n);
    needOp(n);
    out.set(input.subarray(ip, ip + n), op);
    ip += n;
    op += n;
  };
  const copyMatch = (len: number): void => {
    if (mPos < 0) throw new LzoError("lookbehind overrun");
    needOp(len);
    // Byte-wise forward copy: matches may overlap their own output (run-length style).
    for (let i = 0; i < len; i++) out[op++] = out[mPos++]!;
  };

  if (inLen < 3) throw new LzoError("input too short");
  let phase: "loop" | "literal" | "matchNext" = "loop";
  if (input[0]! > 17) {
    t = input[0]! - 17;
    ip = 1;
    if (t < 4) {
      next = t;
      phase = "matchNext";
    } else {
      phase = "literal";
    }
  }

  // Each iteration consumes at least one input byte, so the loop is bounded by inLen.
  for (;;) {
    if (phase === "literal") {
      copyLiterals(t);
      state = 4;
      phase = "loop";
      continue;
    }
    if (phase === "matchNext") {
      state = next;
      copyLiterals(next);
      phase = "loop";
      continue;
    }
    t = byte();
    if (t < 16) {
      if (state === 0) {
        if (t === 0) t = longCount(15);
        t += 3;
        phase = "literal";
        continue;
      } else if (state !== 4) {
        next = t & 3;
        mPos = op - 1 - (t >> 2) - (byte() << 2);
        copyMatch(2);
        phase = "matchNext";
        continue;
      } else {
        next = t & 3;
        mPos = op - (1 + M2_MAX_OFFSET) - (t >> 2) - (byte() << 2);
        t = 3;
      }
    } else if (t >= 64) {
      next = t & 3;
      mPos = op - 1 - ((t >> 2) & 7) - (byte() << 3);
      t = (t >> 5) - 1 + 2;
    } else if (t >= 32) {
      t = (t & 31) + 2;
      if (t === 2) t = longCount(31) + 2;
      needIp(2);
      const d = input[ip]! | (input[ip + 1]! << 8);
      ip += 2;
      mPos = op - 1 - (d >> 2);
      next = d & 3;
    } else {
      mPos = op - ((t & 8) << 11);
      t = (t & 7) + 2;
      if (t === 2) t = longCount(7) + 2;
      needIp(2);
      const d = input[ip]! | (input[ip + 1]! << 8);
      ip += 2;
      mPos -= d >> 2;
      next = d & 3;
      if (mPos === op) {
        // End-of-stream marker (M4 with distance 0).
        if (t !== 3) throw new LzoError("bad end marker");
        if (ip !== inLen) throw new LzoError("input not fully consumed");
        if (op !== outLen) throw new LzoError(`decompressed to ${op} bytes, expected ${outLen}`);
        return out;
      }
      mPos -= 0x4000;
    }
    copyMatch(t);
    phase = "matchNext";
  }
}
