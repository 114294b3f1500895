// Builders for synthetic dumps used by the vmcore unit tests (not a test file itself).
import { zlibSync } from "fflate";
import { compress as snappyCompress } from "snappyjs";
import { FormatError } from "../../extension/core/io/formatError";

export const PAGE = 4096;

/** LZO1X stream made of one literal run (valid for any length ≥ 18) and the end marker. */
export function lzoLiteral(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let n = data.length - 3 - 15;
  out.push(0);
  while (n > 255) {
    out.push(0);
    n -= 255;
  }
  out.push(n);
  out.push(...data, 0x11, 0, 0);
  return Uint8Array.from(out);
}

/** Zstandard frame holding one raw (stored) block. */
export function zstdRaw(data: Uint8Array): Uint8Array {
  // FHD 0xa0: single segment, 2-byte FCS (value - 256).
  const fcs = data.length - 256;
  const bh = (data.length << 3) | (0 << 1) | 1;
  return Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x60, fcs & 0xff, fcs >> 8, bh & 0xff, (bh >> 8) & 0xff, (bh >> 16) & 0xff, ...data]);
}

export type Codec = "none" | "zlib" | "lzo" | "snappy" | "zstd";
const FLAG: Record<Codec, number> = { none: 0, zlib: 1, lzo: 2, snappy: 4, zstd: 0x20 };

export function encode(codec: Codec, page: Uint8Array): Uint8Array {
  switch (codec) {
    case "zlib":
      return zlibSync(page, { level: 1 });
    case "lzo":
      return lzoLiteral(page);
    case "snappy":
      return snappyCompress(page);
    case "zstd":
      return zstdRaw(page);
    default:
      return page;
  }
}

export function note(name: string, type: number, desc: Uint8Array): Uint8Array {
  const nb = new TextEncoder().encode(name + "\0");
  const pad = (n: number): number => (n + 3) & ~3;
  const out = new Uint8Array(12 + pad(nb.length) + pad(desc.length));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, nb.length, true);
  dv.setUint32(4, desc.length, true);
  dv.setUint32(8, type, true);
  out.set(nb, 12);
  out.set(desc, 12 + pad(nb.length));
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function prstatus(pid: number, rip: bigint): Uint8Array {
  const d = new Uint8Array(336);
  const dv = new DataView(d.buffer);
  dv.setInt32(32, pid, true);
  dv.setBigUint64(240, rip, true);
  dv.setBigUint64(264, 0x1234n, true);
  return d;
}

/** Guest physical memory as sparse pages. */
export class PhysImage {
  pages = new Map<number, Uint8Array>();
  page(pfn: number): Uint8Array {
    let p = this.pages.get(pfn);
    if (!p) this.pages.set(pfn, (p = new Uint8Array(PAGE)));
    return p;
  }
  write(pa: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; ) {
      const a = pa + i;
      const o = a % PAGE;
      const n = Math.min(PAGE - o, bytes.length - i);
      this.page(Math.floor(a / PAGE)).set(bytes.subarray(i, i + n), o);
      i += n;
    }
  }
  u64(pa: number, v: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    this.write(pa, b);
  }
}

export interface KdumpOptions {
  codec: Codec;
  maxPfn: number;
  mem: PhysImage;
  /** pfns that are RAM but filtered out (bitmap 1 set, bitmap 2 clear). */
  excluded?: number[];
  notes: Uint8Array;
  vmcoreinfo?: string;
  headerVersion?: number;
  machine?: string;
}

/**
 * The page_desc table and the data area as makedumpfile writes them (§2.4, §2.6): data right after
 * the table, the shared zero page first, then each non-zero page (compressed when that is smaller).
 */
function descriptorsAndData(pages: Uint8Array[], codec: Codec, descStart: number): { descs: Uint8Array; data: Uint8Array[] } {
  const dataStart = descStart + pages.length * 24;
  const descs = new Uint8Array(pages.length * 24);
  const ddv = new DataView(descs.buffer);
  const data: Uint8Array[] = [new Uint8Array(PAGE)];
  let off = dataStart + PAGE;
  pages.forEach((page, i) => {
    let offset = dataStart;
    let size = PAGE;
    let flags = 0;
    if (page.some((b) => b !== 0)) {
      const c = encode(codec, page);
      const stored = c.length < PAGE ? c : page;
      flags = c.length < PAGE ? FLAG[codec] : 0;
      offset = off;
      size = stored.length;
      data.push(stored);
      off += stored.length;
    }
    ddv.setBigInt64(i * 24, BigInt(offset), true);
    ddv.setUint32(i * 24 + 8, size, true);
    ddv.setUint32(i * 24 + 12, flags, true);
  });
  return { descs, data };
}

/** makedumpfile-style kdump-compressed file (vmcore-formats.md §2) with a shared zero page. */
export function buildKdump(o: KdumpOptions): Uint8Array {
  const v = o.headerVersion ?? 6;
  const subSize = 104;
  const vmi = new TextEncoder().encode(o.vmcoreinfo ?? "");
  const notes = o.notes;
  const subHdrBlocks = Math.ceil((subSize + notes.length + vmi.length) / PAGE);
  const bmBytes = Math.ceil(Math.ceil(o.maxPfn / 8) / PAGE) * PAGE;
  const bitmapBlocks = (2 * bmBytes) / PAGE;
  const bm1 = new Uint8Array(bmBytes);
  const bm2 = new Uint8Array(bmBytes);
  const pfns = [...o.mem.pages.keys()].filter((p) => p < o.maxPfn).sort((a, b) => a - b);
  for (const p of pfns) {
    bm1[p >> 3]! |= 1 << (p & 7);
    bm2[p >> 3]! |= 1 << (p & 7);
  }
  for (const p of o.excluded ?? []) bm1[p >> 3]! |= 1 << (p & 7);
  const descStart = (1 + subHdrBlocks + bitmapBlocks) * PAGE;
  const { descs, data } = descriptorsAndData(pfns.map((p) => o.mem.pages.get(p)!), o.codec, descStart);
  const head = new Uint8Array((1 + subHdrBlocks) * PAGE);
  const hv = new DataView(head.buffer);
  head.set(new TextEncoder().encode("KDUMP   "), 0);
  hv.setInt32(8, v, true);
  head.set(new TextEncoder().encode("Linux"), 12);
  head.set(new TextEncoder().encode(o.machine ?? "x86_64"), 12 + 4 * 65);
  hv.setUint32(424, FLAG[o.codec], true);
  hv.setInt32(428, PAGE, true);
  hv.setInt32(432, subHdrBlocks, true);
  hv.setUint32(436, bitmapBlocks, true);
  hv.setUint32(440, o.maxPfn, true);
  hv.setInt32(460, 1, true);
  const s = PAGE;
  hv.setInt32(s + 8, 31, true);
  const noteOff = s + subSize;
  head.set(notes, noteOff);
  head.set(vmi, noteOff + notes.length);
  if (v >= 3 && vmi.length) {
    hv.setBigInt64(s + 32, BigInt(noteOff + notes.length), true);
    hv.setBigUint64(s + 40, BigInt(vmi.length), true);
  }
  if (v >= 4) {
    hv.setBigInt64(s + 48, BigInt(noteOff), true);
    hv.setBigUint64(s + 56, BigInt(notes.length), true);
  }
  if (v >= 6) hv.setBigUint64(s + 96, BigInt(o.maxPfn), true);
  return concat([head, bm1, bm2, descs, ...data]);
}

/** ELF64 core with one PT_NOTE and one PT_LOAD per run of consecutive pages. */
export function buildElf(mem: PhysImage, notes: Uint8Array, opts: { xnum?: boolean; machine?: number; cls?: number } = {}): Uint8Array {
  const pfns = [...mem.pages.keys()].sort((a, b) => a - b);
  const runs: Array<[number, number]> = [];
  for (const p of pfns) {
    const r = runs[runs.length - 1];
    if (r && r[1] === p) r[1] = p + 1;
    else runs.push([p, p + 1]);
  }
  const phnum = runs.length + 1;
  const shoff = 64 + phnum * 56;
  const noteOff = shoff + (opts.xnum ? 64 : 0);
  let dataOff = Math.ceil((noteOff + notes.length) / PAGE) * PAGE;
  const head = new Uint8Array(dataOff);
  const dv = new DataView(head.buffer);
  head.set([0x7f, 0x45, 0x4c, 0x46, opts.cls ?? 2, 1, 1], 0);
  dv.setUint16(16, 4, true);
  dv.setUint16(18, opts.machine ?? 62, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(32, 64n, true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  if (opts.xnum) {
    dv.setBigUint64(40, BigInt(shoff), true);
    dv.setUint16(56, 0xffff, true);
    dv.setUint16(58, 64, true);
    dv.setUint16(60, 1, true);
    dv.setUint32(shoff + 44, phnum, true);
  } else dv.setUint16(56, phnum, true);
  dv.setUint32(64, 4, true);
  dv.setBigUint64(64 + 8, BigInt(noteOff), true);
  dv.setBigUint64(64 + 32, BigInt(notes.length), true);
  dv.setBigUint64(64 + 40, BigInt(notes.length), true);
  head.set(notes, noteOff);
  const body: Uint8Array[] = [head];
  runs.forEach(([a, b], i) => {
    const ph = 64 + (i + 1) * 56;
    const len = (b - a) * PAGE;
    dv.setUint32(ph, 1, true);
    dv.setBigUint64(ph + 8, BigInt(dataOff), true);
    dv.setBigUint64(ph + 16, BigInt(a * PAGE), true);
    dv.setBigUint64(ph + 24, BigInt(a * PAGE), true);
    dv.setBigUint64(ph + 32, BigInt(len), true);
    dv.setBigUint64(ph + 40, BigInt(len), true);
    for (let p = a; p < b; p++) body.push(mem.pages.get(p)!);
    dataOff += len;
  });
  return concat(body);
}

/** makedumpfile -F stream of `file`, in `chunk`-byte records, optionally shuffled and with a stale overlapping record written first. */
export function flatten(file: Uint8Array, chunk: number, opts: { reverse?: boolean; staleOverlap?: boolean; noEnd?: boolean } = {}): Uint8Array {
  const header = new Uint8Array(PAGE);
  header.set(new TextEncoder().encode("makedumpfile"), 0);
  const hv = new DataView(header.buffer);
  hv.setBigInt64(16, 1n, false);
  hv.setBigInt64(24, 1n, false);
  const rec = (offset: number, bytes: Uint8Array): Uint8Array => {
    const r = new Uint8Array(16 + bytes.length);
    const dv = new DataView(r.buffer);
    dv.setBigInt64(0, BigInt(offset), false);
    dv.setBigInt64(8, BigInt(bytes.length), false);
    r.set(bytes, 16);
    return r;
  };
  const recs: Uint8Array[] = [];
  if (opts.staleOverlap) recs.push(rec(0, new Uint8Array(Math.min(file.length, 3 * chunk + 7)).fill(0xee)));
  const chunks: Uint8Array[] = [];
  for (let o = 0; o < file.length; o += chunk) chunks.push(rec(o, file.subarray(o, Math.min(file.length, o + chunk))));
  if (opts.reverse) chunks.reverse();
  recs.push(...chunks);
  const end = new Uint8Array(16).fill(0xff);
  return concat([header, ...recs, ...(opts.noEnd ? [] : [end])]);
}

export interface PrintkLogDumpOptions {
  /** Records of the 3.5–5.9 `printk_log` ring (printk.md §3), oldest first. */
  records: Array<{ tsNsec: bigint; level: number; text: string }>;
  levels?: 4 | 5;
  /** Extra VMCOREINFO lines (key=value), appended after the ones the log needs. */
  vmcoreinfo?: string[];
  /** NT_PRSTATUS notes (one per CPU). */
  cpus?: number;
}

/**
 * An ELF vmcore whose kernel log is a `printk_log` ring in kernel text (translated without page
 * tables: va - __START_KERNEL_map + phys_base), with VMCOREINFO describing it. For the editor tests.
 */
export function buildPrintkLogElf(o: PrintkLogDumpOptions): Uint8Array {
  const KTEXT = 0xffffffff81000000n;
  const pa = (va: bigint): number => Number(va - 0xffffffff80000000n);
  const mem = new PhysImage();
  const sym = { log_buf: KTEXT + 0x1000n, log_buf_len: KTEXT + 0x1008n, log_first_idx: KTEXT + 0x100cn, log_next_idx: KTEXT + 0x1010n, init_top_pgt: KTEXT + 0x2000n };
  const bufVa = KTEXT + 0x10000n;
  const hdr = 16;
  const parts: Uint8Array[] = [];
  for (const r of o.records) {
    const text = new TextEncoder().encode(r.text);
    const len = (hdr + text.length + 7) & ~7;
    const rec = new Uint8Array(len);
    const dv = new DataView(rec.buffer);
    dv.setBigUint64(0, r.tsNsec, true);
    dv.setUint16(8, len, true);
    dv.setUint16(10, text.length, true);
    rec[15] = (r.level & 7) << 5;
    rec.set(text, hdr);
    parts.push(rec);
  }
  const ring = concat(parts);
  const bufLen = Math.max(4096, 1 << Math.ceil(Math.log2(ring.length + hdr)));
  mem.write(pa(bufVa), ring);
  for (let a = pa(bufVa); a < pa(bufVa) + bufLen; a += PAGE) mem.page(Math.floor(a / PAGE));
  mem.u64(pa(sym.log_buf), bufVa);
  const u32 = (va: bigint, v: number): void => mem.write(pa(va), Uint8Array.of(v & 255, (v >> 8) & 255, (v >> 16) & 255, v >>> 24));
  u32(sym.log_buf_len, bufLen);
  u32(sym.log_first_idx, 0);
  u32(sym.log_next_idx, ring.length);
  mem.page(pa(sym.init_top_pgt) / PAGE);
  const vi = [
    ...Object.entries(sym).map(([k, v]) => `SYMBOL(${k})=${v.toString(16)}`),
    "SIZE(printk_log)=16",
    "OFFSET(printk_log.ts_nsec)=0",
    "OFFSET(printk_log.len)=8",
    "OFFSET(printk_log.text_len)=10",
    "NUMBER(phys_base)=0",
    `NUMBER(pgtable_l5_enabled)=${o.levels === 5 ? 1 : 0}`,
    "KERNELOFFSET=1000000",
    ...(o.vmcoreinfo ?? []),
    "",
  ].join("\n");
  const cpus = Array.from({ length: o.cpus ?? 1 }, (_, i) => note("CORE", 1, prstatus(100 + i, KTEXT + BigInt(i * 0x10))));
  return buildElf(mem, concat([...cpus, note("VMCOREINFO", 0, new TextEncoder().encode(vi))]));
}

/**
 * A virtual file of any size (up to 2^53): zeros except the given pieces, then the fills over them. Lets unit tests
 * and fuzz seeds hold a kdump file whose bitmaps cover 2^40 pfns (128 GiB each) in a few KiB.
 */
export class SparseByteSource {
  bytesRead = 0;
  private readonly pieces: Array<{ at: number; bytes: Uint8Array }>;
  constructor(
    readonly name: string,
    readonly size: number,
    pieces: Array<{ at: number; bytes: Uint8Array }>,
    private readonly fills: Array<{ start: number; end: number; byte: number }> = [],
  ) {
    this.pieces = [...pieces].sort((a, b) => a.at - b.at);
  }
  read(offset: number, length: number, field = "data"): Uint8Array {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new FormatError(this.name, Math.max(0, offset || 0), field, `${length} byte(s) inside the file`, `end of file at 0x${this.size.toString(16)}`);
    }
    this.bytesRead += length;
    const out = new Uint8Array(length);
    const end = offset + length;
    for (const p of this.pieces) {
      if (p.at >= end) break;
      const a = Math.max(p.at, offset);
      const b = Math.min(p.at + p.bytes.length, end);
      if (b > a) out.set(p.bytes.subarray(a - p.at, b - p.at), a - offset);
    }
    for (const f of this.fills) {
      const a = Math.max(f.start, offset);
      const b = Math.min(f.end, end);
      if (b > a) out.fill(f.byte, a - offset, b - offset);
    }
    return out;
  }
  readUpTo(offset: number, length: number): Uint8Array {
    if (offset >= this.size || length <= 0) return new Uint8Array(0);
    return this.read(offset, Math.min(length, this.size - offset));
  }
  close(): void {}
  /** Flattens to bytes (small files only). */
  bytes(): Uint8Array {
    return this.read(0, this.size);
  }
}

export interface SparseKdumpOptions {
  maxPfn: number;
  /** Dumped pages, anywhere below maxPfn. */
  pages: Map<number, Uint8Array>;
  /** RAM filtered out (bitmap 1 only). */
  excluded?: number[];
  codec?: Codec;
  notes?: Uint8Array;
  vmcoreinfo?: string;
  /** Hostile: both bitmaps 0xff for pfns [allOnes[0], allOnes[1]) whatever the descriptors say. */
  allOnes?: [number, number];
  /** Hostile: the file ends this many bytes into the descriptor table. */
  cutDescriptorsAt?: number;
}

/** A makedumpfile-shaped kdump-compressed file with bitmaps as wide as maxPfn, as a SparseByteSource. */
export function buildSparseKdump(o: SparseKdumpOptions, name = "sparse-kdump"): SparseByteSource {
  const codec = o.codec ?? "zlib";
  const vmi = new TextEncoder().encode(o.vmcoreinfo ?? "");
  const notes = o.notes ?? new Uint8Array(0);
  const subHdrBlocks = Math.ceil((104 + notes.length + vmi.length) / PAGE);
  const bmBytes = Math.ceil(Math.ceil(o.maxPfn / 8) / PAGE) * PAGE;
  const bitmapBlocks = (2 * bmBytes) / PAGE;
  const bm1 = (1 + subHdrBlocks) * PAGE;
  const bm2 = bm1 + bmBytes;
  const pfns = [...o.pages.keys()].filter((p) => p < o.maxPfn).sort((a, b) => a - b);
  const bits = new Map<number, number>();
  const setBit = (base: number, p: number): void => void bits.set(base + Math.floor(p / 8), (bits.get(base + Math.floor(p / 8)) ?? 0) | (1 << (p % 8)));
  for (const p of pfns) {
    setBit(bm1, p);
    setBit(bm2, p);
  }
  for (const p of o.excluded ?? []) setBit(bm1, p);
  const descStart = (1 + subHdrBlocks + bitmapBlocks) * PAGE;
  const { descs, data } = descriptorsAndData(pfns.map((p) => o.pages.get(p)!), codec, descStart);
  const head = new Uint8Array((1 + subHdrBlocks) * PAGE);
  const hv = new DataView(head.buffer);
  head.set(new TextEncoder().encode("KDUMP   "), 0);
  hv.setInt32(8, 6, true);
  head.set(new TextEncoder().encode("Linux"), 12);
  head.set(new TextEncoder().encode("x86_64"), 12 + 4 * 65);
  hv.setUint32(424, FLAG[codec], true);
  hv.setInt32(428, PAGE, true);
  hv.setInt32(432, subHdrBlocks, true);
  hv.setUint32(436, bitmapBlocks, true);
  hv.setUint32(440, Math.min(o.maxPfn, 0xffffffff), true);
  hv.setInt32(460, 1, true);
  hv.setInt32(PAGE + 8, 31, true);
  const noteOff = PAGE + 104;
  head.set(notes, noteOff);
  head.set(vmi, noteOff + notes.length);
  if (vmi.length) {
    hv.setBigInt64(PAGE + 32, BigInt(noteOff + notes.length), true);
    hv.setBigUint64(PAGE + 40, BigInt(vmi.length), true);
  }
  if (notes.length) {
    hv.setBigInt64(PAGE + 48, BigInt(noteOff), true);
    hv.setBigUint64(PAGE + 56, BigInt(notes.length), true);
  }
  hv.setBigUint64(PAGE + 96, BigInt(o.maxPfn), true);
  const pieces = [{ at: 0, bytes: head }, { at: descStart, bytes: concat([descs, ...data]) }];
  for (const [at, v] of bits) pieces.push({ at, bytes: Uint8Array.of(v) });
  const fills: Array<{ start: number; end: number; byte: number }> = [];
  if (o.allOnes) {
    const [a, b] = o.allOnes;
    for (const base of [bm1, bm2]) fills.push({ start: base + Math.ceil(a / 8), end: base + Math.floor(b / 8), byte: 0xff });
  }
  let size = descStart + descs.length + data.reduce((n, d) => n + d.length, 0);
  if (o.cutDescriptorsAt !== undefined) size = descStart + o.cutDescriptorsAt;
  return new SparseByteSource(name, size, pieces, fills);
}

/**
 * An ELF vmcore of a big machine: `n` PT_LOADs (one per RAM range) spread evenly over `span` bytes
 * of physical address space, each with one page in the file (all sharing the same page data) and
 * `memsz` bytes of range (the rest "not dumped"). Small in memory whatever n and span.
 */
export function buildManyLoadsElf(n: number, span: number, notes: Uint8Array, memsz = 1 << 30): Uint8Array {
  const phnum = n + 1;
  const xnum = phnum >= 0xffff;
  const shoff = 64 + phnum * 56;
  const noteOff = shoff + (xnum ? 64 : 0);
  const dataOff = Math.ceil((noteOff + notes.length) / PAGE) * PAGE;
  const out = new Uint8Array(dataOff + PAGE);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  dv.setUint16(16, 4, true);
  dv.setUint16(18, 62, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(32, 64n, true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  if (xnum) {
    dv.setBigUint64(40, BigInt(shoff), true);
    dv.setUint16(56, 0xffff, true);
    dv.setUint16(58, 64, true);
    dv.setUint16(60, 1, true);
    dv.setUint32(shoff + 44, phnum, true);
  } else dv.setUint16(56, phnum, true);
  dv.setUint32(64, 4, true);
  dv.setBigUint64(64 + 8, BigInt(noteOff), true);
  dv.setBigUint64(64 + 32, BigInt(notes.length), true);
  dv.setBigUint64(64 + 40, BigInt(notes.length), true);
  out.set(notes, noteOff);
  const step = Math.floor(span / n / PAGE) * PAGE;
  for (let i = 0; i < n; i++) {
    const ph = 64 + (i + 1) * 56;
    dv.setUint32(ph, 1, true);
    dv.setBigUint64(ph + 8, BigInt(dataOff), true);
    dv.setBigUint64(ph + 16, 0xffff888000000000n + BigInt(i * step), true);
    dv.setBigUint64(ph + 24, BigInt(i * step), true);
    dv.setBigUint64(ph + 32, BigInt(PAGE), true);
    dv.setBigUint64(ph + 40, BigInt(Math.min(memsz, step)), true);
  }
  for (let i = 0; i < PAGE; i++) out[dataOff + i] = (i * 7 + 3) & 0xff;
  return out;
}
