/**
 * The structure-aware byte mutator. A Seed names what the fuzzer knows about an input: the
 * byte ranges a clean parse read ("hot"), the count/size/offset fields and their widths, the
 * header boundaries worth truncating at, and key=value text regions (VMCOREINFO). Each case
 * draws a few operations and turns them into patches for an OverlayByteSource.
 */
import type { Backing, Patch } from "./overlay";
import type { Rng } from "./rng";

export type FieldKind = "count" | "size" | "offset" | "any";

export interface Field {
  off: number;
  width: 1 | 2 | 4 | 8;
  kind: FieldKind;
  /** Big-endian (makedumpfile's flattened records). */
  be?: boolean;
  name: string;
}

export interface Seed {
  name: string;
  backing: Backing;
  /** Ranges read by a clean run, merged: where mutations matter. */
  hot: Array<[number, number]>;
  fields: Field[];
  boundaries: number[];
  /** Ranges holding KEY=value lines. */
  texts: Array<[number, number]>;
  /** Weight when a target picks among its seeds. */
  weight: number;
}

export interface Mutation {
  patches: Patch[];
  size: number;
  ops: string[];
}

const INTERESTING_U64: readonly bigint[] = [
  0n, 1n, 2n, 3n, 4n, 7n, 8n, 0x10n, 0x20n, 0x40n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x1000n, 0x7fffn, 0x8000n, 0xffffn, 0x10000n,
  0x7fffffffn, 0x80000000n, 0xfffffffen, 0xffffffffn, 0x100000000n, (1n << 53n) - 1n, 1n << 53n, (1n << 63n) - 1n, 1n << 63n,
  (1n << 64n) - 1n, (1n << 64n) - 8n, 0xffffffff80000000n, 0xffff888000000000n, 1n << 52n,
];

function clamp(v: bigint, width: number): bigint {
  return BigInt.asUintN(width * 8, v);
}

function encode(v: bigint, width: number, be = false): Uint8Array {
  const b = new Uint8Array(width);
  let x = clamp(v, width);
  for (let i = 0; i < width; i++) {
    b[be ? width - 1 - i : i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return b;
}

function decode(b: Uint8Array, be = false): bigint {
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[be ? i : b.length - 1 - i]!);
  return v;
}

/** A value worth writing into a field: edges, file-relative sizes, neighbours of the original. */
export function interestingValue(rng: Rng, seed: Seed, original: bigint, kind: FieldKind): bigint {
  const size = BigInt(seed.backing.size);
  switch (rng.int(8)) {
    case 0:
    case 1:
      return rng.pick(INTERESTING_U64);
    case 2: {
      const deltas = [-1n, 1n, -2n, 2n, -8n, 8n, -4096n, 4096n, -16n, 16n];
      return original + rng.pick(deltas);
    }
    case 3:
      return kind === "count" ? original * BigInt(rng.pick([2, 16, 256, 65536])) + 1n : original << BigInt(rng.range(1, 40));
    case 4: {
      const rel = [size, size - 1n, size + 1n, size * 2n, size - 4n, size - 8n, size - 24n, 0n - size];
      return rng.pick(rel);
    }
    case 5: {
      const b = seed.boundaries;
      if (b.length) return BigInt(rng.pick(b)) + BigInt(rng.range(-4, 4));
      return BigInt(rng.int(seed.backing.size + 1));
    }
    case 6: {
      const h = rng.pick(seed.hot.length ? seed.hot : [[0, seed.backing.size] as [number, number]]);
      return BigInt(h[0] + rng.int(Math.max(1, h[1] - h[0])));
    }
    default:
      return rng.chance(0.5) ? BigInt(rng.u32()) : rng.u64();
  }
}

function hotOffset(rng: Rng, seed: Seed): number {
  if (!seed.hot.length || rng.chance(0.05)) return rng.int(Math.max(1, seed.backing.size));
  const [a, b] = rng.pick(seed.hot);
  // Mostly near the start of a range (headers), sometimes anywhere in it.
  if (rng.chance(0.5)) return a + rng.int(Math.min(b - a, 256));
  return a + rng.int(Math.max(1, b - a));
}

const OPS = ["bitflip", "byte", "run", "field", "int", "truncate", "extend", "copy", "zero", "text"] as const;
type Op = (typeof OPS)[number];
const OP_WEIGHTS: Record<Op, number> = { bitflip: 14, byte: 12, run: 6, field: 24, int: 10, truncate: 7, extend: 2, copy: 6, zero: 5, text: 14 };

export function mutate(rng: Rng, seed: Seed): Mutation {
  const patches: Patch[] = [];
  let size = seed.backing.size;
  const ops: string[] = [];
  const n = rng.chance(0.6) ? 1 : rng.chance(0.7) ? rng.range(2, 4) : rng.range(5, 12);
  const weights = OPS.map((o) => (o === "field" && !seed.fields.length) || (o === "text" && !seed.texts.length) ? 0 : OP_WEIGHTS[o]);
  const current = (off: number, len: number): Uint8Array => {
    const out = new Uint8Array(len);
    out.set(seed.backing.slice(off, len));
    for (const p of patches) {
      const a = Math.max(off, p.offset);
      const b = Math.min(off + len, p.offset + p.bytes.length);
      if (b > a) out.set(p.bytes.subarray(a - p.offset, b - p.offset), a - off);
    }
    return out;
  };
  for (let k = 0; k < n; k++) {
    const op = OPS[rng.weighted(weights)]!;
    switch (op) {
      case "bitflip": {
        const off = hotOffset(rng, seed);
        const b = current(off, 1);
        b[0]! ^= 1 << rng.int(8);
        patches.push({ offset: off, bytes: b });
        ops.push(`bitflip@${off}`);
        break;
      }
      case "byte": {
        const off = hotOffset(rng, seed);
        patches.push({ offset: off, bytes: Uint8Array.of(rng.pick([0, 0xff, 0x7f, 0x80, 1, rng.int(256)])) });
        ops.push(`byte@${off}`);
        break;
      }
      case "run": {
        const off = hotOffset(rng, seed);
        const b = new Uint8Array(rng.range(2, 32));
        const fill = rng.int(3);
        for (let i = 0; i < b.length; i++) b[i] = fill === 0 ? rng.int(256) : fill === 1 ? 0xff : 0;
        patches.push({ offset: off, bytes: b });
        ops.push(`run@${off}+${b.length}`);
        break;
      }
      case "field": {
        const f = rng.pick(seed.fields);
        const orig = decode(current(f.off, f.width), f.be);
        const v = interestingValue(rng, seed, orig, f.kind);
        patches.push({ offset: f.off, bytes: encode(v, f.width, f.be) });
        ops.push(`field ${f.name}=0x${clamp(v, f.width).toString(16)}`);
        break;
      }
      case "int": {
        const width = rng.pick([2, 4, 8] as const);
        const off = hotOffset(rng, seed) & ~(width - 1);
        const v = interestingValue(rng, seed, decode(current(off, width)), "any");
        patches.push({ offset: off, bytes: encode(v, width) });
        ops.push(`int${width * 8}@${off}=0x${clamp(v, width).toString(16)}`);
        break;
      }
      case "truncate": {
        const b = seed.boundaries;
        const to = b.length && rng.chance(0.7) ? rng.pick(b) + rng.range(-3, 3) : hotOffset(rng, seed);
        size = Math.max(0, Math.min(size, to));
        ops.push(`truncate ${size}`);
        break;
      }
      case "extend": {
        size += rng.pick([1, 7, 512, 4096, rng.int(65536)]);
        ops.push(`extend ${size}`);
        break;
      }
      case "copy": {
        // Duplicated/overlapping structures: copy a hot block over another (or over itself, shifted).
        const from = hotOffset(rng, seed);
        const to = rng.chance(0.5) ? from + rng.range(-64, 64) : hotOffset(rng, seed);
        const len = rng.pick([8, 16, 24, 56, 64, 256, 1024]);
        if (to >= 0) patches.push({ offset: to, bytes: current(from, len) });
        ops.push(`copy ${from}->${to}+${len}`);
        break;
      }
      case "zero": {
        const off = hotOffset(rng, seed);
        const len = rng.pick([8, 64, 512, 4096]);
        patches.push({ offset: off, bytes: new Uint8Array(len) });
        ops.push(`zero@${off}+${len}`);
        break;
      }
      case "text": {
        const [a, b] = rng.pick(seed.texts);
        const region = current(a, b - a);
        // Pick a line and rewrite its value in place (same length, or spilling into the next line).
        const eqs: number[] = [];
        for (let i = 0; i < region.length; i++) if (region[i] === 0x3d) eqs.push(i);
        if (!eqs.length) break;
        const eq = rng.pick(eqs);
        let end = eq + 1;
        while (end < region.length && region[end] !== 0x0a) end++;
        const len = end - eq - 1;
        const choices = ["0", "-1", "ffffffffffffffff", "7fffffffffffffff", "99999999999999999999", "fffffffffffff000", "1000", "4096", "40", "8", "", "0x"];
        let val: string;
        if (rng.chance(0.4) && len > 0) {
          const digits = "0123456789abcdef";
          val = "";
          for (let i = 0; i < len; i++) val += digits[rng.int(16)];
        } else val = rng.pick(choices);
        let bytes: Uint8Array = Uint8Array.from(val, (c) => c.charCodeAt(0));
        if (bytes.length < len) {
          // Pad with spaces only when the original had them; else keep the tail of the old value.
          const padded = current(a + eq + 1, len);
          padded.set(bytes, len - bytes.length);
          if (rng.chance(0.5)) padded.fill(0x20, 0, len - bytes.length);
          bytes = padded;
        }
        patches.push({ offset: a + eq + 1, bytes });
        ops.push(`text@${a + eq + 1}="${val}"`);
        break;
      }
    }
  }
  return { patches, size, ops };
}

/** Text mutator for source files and boot logs: splices tokens, deletes, duplicates, truncates. */
export function mutateText(rng: Rng, text: string, tokens: readonly string[]): { text: string; ops: string[] } {
  let t = text;
  const ops: string[] = [];
  const n = rng.chance(0.6) ? 1 : rng.range(2, 6);
  for (let k = 0; k < n; k++) {
    const at = rng.int(t.length + 1);
    switch (rng.int(8)) {
      case 0:
      case 1: {
        const tok = rng.pick(tokens);
        t = t.slice(0, at) + tok + t.slice(at);
        ops.push(`insert@${at} ${JSON.stringify(tok).slice(0, 40)}`);
        break;
      }
      case 2: {
        const len = rng.pick([1, 2, 8, 64, 1024]);
        t = t.slice(0, at) + t.slice(at + len);
        ops.push(`delete@${at}+${len}`);
        break;
      }
      case 3: {
        const len = rng.pick([4, 32, 256, 2048]);
        const from = rng.int(t.length + 1);
        t = t.slice(0, at) + t.slice(from, from + len) + t.slice(at);
        ops.push(`dup ${from}+${len}->${at}`);
        break;
      }
      case 4: {
        t = t.slice(0, at);
        ops.push(`truncate ${at}`);
        break;
      }
      case 5: {
        // Replace a number in place with an edge value.
        const re = /0x[0-9a-fA-F]+|\d+/g;
        re.lastIndex = at;
        const m = re.exec(t);
        if (!m) break;
        const v = rng.pick(["0", "0x0", "0xffffffffffffffff", "18446744073709551616", "99999999999999999999999", "-1", "4294967296", "0x7fffffffffffffff", "9007199254740993"]);
        t = t.slice(0, m.index) + v + t.slice(m.index + m[0].length);
        ops.push(`number@${m.index}=${v}`);
        break;
      }
      case 6: {
        const ch = rng.pick(["\0", "\r", "\t", "\uFFFD", "\u2028", "é", "\\", "\n", "(", ")", "{", "}", "/*", "*/", '"', "#"]);
        t = t.slice(0, at) + ch + t.slice(at + (rng.chance(0.5) ? 1 : 0));
        ops.push(`char@${at} ${JSON.stringify(ch)}`);
        break;
      }
      default: {
        const tok = rng.pick(tokens);
        const rep = tok.repeat(rng.pick([2, 16, 256, 4096]));
        t = t.slice(0, at) + rep + t.slice(at);
        ops.push(`repeat@${at} ${JSON.stringify(tok).slice(0, 20)}x${rep.length / Math.max(1, tok.length)}`);
        break;
      }
    }
  }
  return { text: t, ops };
}
