import type { ByteSource } from "../../io/byteSource";
import { FormatError, hex } from "../../io/formatError";
import { latin1, view } from "../../io/binary";
import { parseNotes, type ElfNote } from "./notes";

/**
 * VMCOREINFO is one page in the kernel (VMCOREINFO_BYTES = PAGE_SIZE, kernel/vmcore_info.c); a
 * megabyte leaves room for any real dump and keeps a lying size from costing a long read at open.
 */
const MAX_VMCOREINFO_BYTES = 1 << 20;
import { mergeRanges, type MemRange, type PhysicalMemory } from "./physical";
import { decodePage, DUMP_DH_COMPRESSED_LZO, DUMP_DH_COMPRESSED_SNAPPY, DUMP_DH_COMPRESSED_ZLIB, DUMP_DH_COMPRESSED_ZSTD } from "./pageCodecs";

/** disk_dump_header, x86_64 layout (vmcore-formats.md §2.1). */
export interface DiskDumpHeader {
  headerVersion: number;
  utsname: { sysname: string; nodename: string; release: string; version: string; machine: string; domainname: string };
  timestamp: { sec: bigint; usec: bigint };
  status: number;
  blockSize: number;
  subHdrSize: number;
  bitmapBlocks: number;
  maxMapnr: number;
  nrCpus: number;
}

/** kdump_sub_header (§2.2); fields newer than header_version are undefined. */
export interface KdumpSubHeader {
  physBase: bigint;
  dumpLevel?: number;
  split?: number;
  offsetVmcoreinfo?: number;
  sizeVmcoreinfo?: number;
  offsetNote?: number;
  sizeNote?: number;
  offsetEraseinfo?: number;
  sizeEraseinfo?: number;
  startPfn64?: number;
  endPfn64?: number;
  maxMapnr64?: number;
}

export interface KdumpCompressed {
  header: DiskDumpHeader;
  sub: KdumpSubHeader;
  notes: ElfNote[];
  /** VMCOREINFO text from offset_vmcoreinfo (v3+) when present. */
  vmcoreinfoText?: string;
  memory: KdumpPhysicalMemory;
}

const HEADER_SIZE = 464;
const SUB_HEADER_SIZE = 104;
/** Bitmap 2 is loaded whole for rank queries; 256 MiB covers 8 TiB of 4 KiB pages. */
const MAX_BITMAP_BYTES = 256 * 1024 * 1024;

function fixedString(b: Uint8Array): string {
  const z = b.indexOf(0);
  return latin1(z < 0 ? b : b.subarray(0, z));
}

function safeNum(src: ByteSource, v: bigint, off: number, field: string): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(src.name, off, field, "a value below 2^53", hex(BigInt.asUintN(64, v)));
  return Number(v);
}

export function readKdumpHeader(src: ByteSource): DiskDumpHeader {
  const b = src.read(0, HEADER_SIZE, "disk_dump_header");
  const dv = view(b);
  const sig = latin1(b.subarray(0, 8));
  if (sig !== "KDUMP   ") throw new FormatError(src.name, 0, "disk_dump_header.signature", '"KDUMP   "', JSON.stringify(sig));
  const u = (i: number): string => fixedString(b.subarray(12 + i * 65, 12 + (i + 1) * 65));
  const h: DiskDumpHeader = {
    headerVersion: dv.getInt32(8, true),
    utsname: { sysname: u(0), nodename: u(1), release: u(2), version: u(3), machine: u(4), domainname: u(5) },
    timestamp: { sec: dv.getBigInt64(408, true), usec: dv.getBigInt64(416, true) },
    status: dv.getUint32(424, true),
    blockSize: dv.getInt32(428, true),
    subHdrSize: dv.getInt32(432, true),
    bitmapBlocks: dv.getUint32(436, true),
    maxMapnr: dv.getUint32(440, true),
    nrCpus: dv.getInt32(460, true),
  };
  if (h.headerVersion < 1 || h.headerVersion > 6) {
    throw new FormatError(src.name, 8, "disk_dump_header.header_version", "1..6", String(h.headerVersion));
  }
  const m = h.utsname.machine;
  if (m !== "" && m !== "x86_64") throw new FormatError(src.name, 12 + 4 * 65, "disk_dump_header.utsname.machine", "x86_64", `${m} dump not supported`);
  // Plausibility (libkdumpfile's test): block_size a page and bitmaps covering max_mapnr.
  if (h.blockSize !== 4096) {
    // The 32-bit layout puts block_size at 416 (vmcore-formats.md §5).
    const bs32 = dv.getInt32(416, true);
    const found = bs32 === 4096 ? "32-bit kdump-compressed dump not supported" : dv.getInt32(428, false) === 4096 ? "big-endian kdump-compressed dump not supported" : String(h.blockSize);
    throw new FormatError(src.name, 428, "disk_dump_header.block_size", "4096 (x86_64 page size)", found);
  }
  if (h.subHdrSize < 1 || h.subHdrSize > 1 << 16) {
    throw new FormatError(src.name, 432, "disk_dump_header.sub_hdr_size", "1..65536 blocks", String(h.subHdrSize));
  }
  if (h.nrCpus < 0 || h.nrCpus > 1 << 16) throw new FormatError(src.name, 460, "disk_dump_header.nr_cpus", "0..65536", String(h.nrCpus));
  return h;
}

export function readKdumpCompressed(src: ByteSource): KdumpCompressed {
  const header = readKdumpHeader(src);
  const bs = header.blockSize;
  const v = header.headerVersion;
  const sb = src.read(bs, SUB_HEADER_SIZE, "kdump_sub_header");
  const dv = view(sb);
  const o = (at: number): number => bs + at;
  const sub: KdumpSubHeader = { physBase: dv.getBigUint64(0, true) };
  if (v >= 1) sub.dumpLevel = dv.getInt32(8, true);
  if (v >= 2) sub.split = dv.getInt32(12, true);
  if (v >= 3) {
    sub.offsetVmcoreinfo = safeNum(src, dv.getBigInt64(32, true), o(32), "kdump_sub_header.offset_vmcoreinfo");
    sub.sizeVmcoreinfo = safeNum(src, dv.getBigUint64(40, true), o(40), "kdump_sub_header.size_vmcoreinfo");
  }
  if (v >= 4) {
    sub.offsetNote = safeNum(src, dv.getBigInt64(48, true), o(48), "kdump_sub_header.offset_note");
    sub.sizeNote = safeNum(src, dv.getBigUint64(56, true), o(56), "kdump_sub_header.size_note");
  }
  if (v >= 5) {
    sub.offsetEraseinfo = safeNum(src, dv.getBigInt64(64, true), o(64), "kdump_sub_header.offset_eraseinfo");
    sub.sizeEraseinfo = safeNum(src, dv.getBigUint64(72, true), o(72), "kdump_sub_header.size_eraseinfo");
  }
  if (v >= 6) {
    sub.startPfn64 = safeNum(src, dv.getBigUint64(80, true), o(80), "kdump_sub_header.start_pfn_64");
    sub.endPfn64 = safeNum(src, dv.getBigUint64(88, true), o(88), "kdump_sub_header.end_pfn_64");
    sub.maxMapnr64 = safeNum(src, dv.getBigUint64(96, true), o(96), "kdump_sub_header.max_mapnr_64");
  }

  let notes: ElfNote[] = [];
  if (sub.offsetNote && sub.sizeNote) {
    notes = parseNotes(src, sub.offsetNote, sub.sizeNote, "kdump notes");
  }
  let vmcoreinfoText: string | undefined;
  if (sub.offsetVmcoreinfo && sub.sizeVmcoreinfo) {
    if (sub.sizeVmcoreinfo > MAX_VMCOREINFO_BYTES) {
      throw new FormatError(src.name, o(40), "kdump_sub_header.size_vmcoreinfo", `at most ${MAX_VMCOREINFO_BYTES}`, String(sub.sizeVmcoreinfo));
    }
    vmcoreinfoText = latin1(src.read(sub.offsetVmcoreinfo, sub.sizeVmcoreinfo, "VMCOREINFO (offset_vmcoreinfo)"));
  }
  return { header, sub, notes, vmcoreinfoText, memory: new KdumpPhysicalMemory(src, header, sub) };
}

/** Physical reads through the bitmaps and page descriptors (§2.3, §2.4). */
export class KdumpPhysicalMemory implements PhysicalMemory {
  readonly pageSize: number;
  readonly maxPfn: number;
  readonly bitmap1Offset: number;
  readonly bitmapBytes: number;
  readonly twoBitmaps: boolean;
  readonly descOffset: number;
  readonly startPfn: number;
  readonly endPfn: number;
  private bm1?: Uint8Array;
  private bm2?: Uint8Array;
  /** Set bits in bitmap 2 before each 4096-pfn chunk (counted from startPfn's chunk). */
  private chunkRank?: Float64Array;
  private readonly pageCache = new Map<number, Uint8Array>();
  private static readonly CACHE_PAGES = 256;

  constructor(
    private readonly src: ByteSource,
    readonly header: DiskDumpHeader,
    sub: KdumpSubHeader,
  ) {
    const bs = header.blockSize;
    this.pageSize = bs;
    this.maxPfn = header.headerVersion >= 6 && sub.maxMapnr64 !== undefined ? sub.maxMapnr64 : header.maxMapnr;
    this.bitmap1Offset = (1 + header.subHdrSize) * bs;
    const oneBitmapBlocks = Math.ceil(Math.ceil(this.maxPfn / 8) / bs);
    // crash: two bitmaps only when bitmap_blocks covers two full copies (old DISKDUMP had one).
    this.twoBitmaps = header.bitmapBlocks >= 2 * oneBitmapBlocks;
    this.bitmapBytes = this.twoBitmaps ? (header.bitmapBlocks / 2) * bs : header.bitmapBlocks * bs;
    if (this.bitmapBytes * 8 < this.maxPfn) {
      throw new FormatError(src.name, 436, "disk_dump_header.bitmap_blocks", `bitmaps covering max_mapnr ${this.maxPfn}`, String(header.bitmapBlocks));
    }
    if (this.bitmapBytes > MAX_BITMAP_BYTES) {
      throw new FormatError(src.name, 436, "disk_dump_header.bitmap_blocks", `bitmaps of at most ${MAX_BITMAP_BYTES} bytes`, String(this.bitmapBytes));
    }
    this.descOffset = (1 + header.subHdrSize + header.bitmapBlocks) * bs;
    if (this.descOffset > src.size) {
      throw new FormatError(src.name, 436, "disk_dump_header.bitmap_blocks", `bitmaps ending inside the file (size ${hex(src.size)})`, `page descriptors at ${hex(this.descOffset)}`);
    }
    const split = (sub.split ?? 0) === 1 && sub.startPfn64 !== undefined && sub.endPfn64 !== undefined;
    this.startPfn = split ? sub.startPfn64! : 0;
    this.endPfn = split ? Math.min(sub.endPfn64!, this.maxPfn) : this.maxPfn;
  }

  private bitmap(which: 1 | 2): Uint8Array {
    if (which === 1 && !this.twoBitmaps) return this.bitmap(2);
    if (which === 1) return (this.bm1 ??= this.src.read(this.bitmap1Offset, this.bitmapBytes, "bitmap 1"));
    const off = this.twoBitmaps ? this.bitmap1Offset + this.bitmapBytes : this.bitmap1Offset;
    return (this.bm2 ??= this.src.read(off, this.bitmapBytes, "bitmap 2"));
  }

  private static bit(bm: Uint8Array, pfn: number): boolean {
    return ((bm[pfn >>> 3]! >> (pfn & 7)) & 1) === 1;
  }

  /** Page state of a pfn: in the file, filtered out, or not RAM / not in this dump. */
  pageState(pfn: number): "dumped" | "excluded" | "hole" {
    if (pfn < 0 || pfn >= this.maxPfn) return "hole";
    if (!KdumpPhysicalMemory.bit(this.bitmap(1), pfn)) return "hole";
    if (pfn < this.startPfn || pfn >= this.endPfn) return "hole";
    return KdumpPhysicalMemory.bit(this.bitmap(2), pfn) ? "dumped" : "excluded";
  }

  private rank(pfn: number): number {
    const bm = this.bitmap(2);
    const CH = 4096;
    if (!this.chunkRank) {
      const first = Math.floor(this.startPfn / CH);
      const n = Math.ceil(this.maxPfn / CH) - first + 1;
      const r = new Float64Array(Math.max(n, 1));
      let acc = 0;
      for (let c = 0; c < n; c++) {
        r[c] = acc;
        const from = Math.max((first + c) * CH, this.startPfn);
        acc += popcountRange(bm, from, Math.min((first + c + 1) * CH, this.maxPfn));
      }
      this.chunkRank = r;
    }
    const c = Math.floor(pfn / CH) - Math.floor(this.startPfn / CH);
    const from = Math.max(Math.floor(pfn / CH) * CH, this.startPfn);
    return this.chunkRank[c]! + popcountRange(bm, from, pfn);
  }

  /** Reads and decodes one page; throws FormatError for holes, excluded and corrupt pages. */
  page(pfn: number): Uint8Array {
    const hit = this.pageCache.get(pfn);
    if (hit) return hit;
    const st = this.pageState(pfn);
    const paddr = hex(pfn * this.pageSize);
    if (st === "hole") throw new FormatError(this.src.name, this.bitmap1Offset + (pfn >>> 3), `page at phys ${paddr}`, "a page present in the dump", "not in the dump (memory hole)");
    if (st === "excluded") throw new FormatError(this.src.name, this.bitmap1Offset + (pfn >>> 3), `page at phys ${paddr}`, "a page present in the dump", "excluded by makedumpfile (dump level filtering)");
    const dOff = this.descOffset + this.rank(pfn) * 24;
    const d = view(this.src.read(dOff, 24, `page_desc for phys ${paddr}`));
    const offset = d.getBigInt64(0, true);
    const size = d.getUint32(8, true);
    const flags = d.getUint32(12, true);
    if (offset <= 0n || offset + BigInt(size) > BigInt(this.src.size)) {
      throw new FormatError(this.src.name, dOff, "page_desc.offset", "page data inside the file (0 = incomplete dump)", hex(BigInt.asUintN(64, offset)));
    }
    if (size > this.pageSize || size === 0 || (flags === 0 && size !== this.pageSize)) {
      throw new FormatError(this.src.name, dOff + 8, "page_desc.size", `1..${this.pageSize} bytes (exactly ${this.pageSize} when uncompressed)`, String(size));
    }
    const known = DUMP_DH_COMPRESSED_ZLIB | DUMP_DH_COMPRESSED_LZO | DUMP_DH_COMPRESSED_SNAPPY | DUMP_DH_COMPRESSED_ZSTD;
    if (flags & ~known) throw new FormatError(this.src.name, dOff + 12, "page_desc.flags", "a known compression flag", hex(flags));
    const raw = this.src.read(Number(offset), size, `page data for phys ${paddr}`);
    let page: Uint8Array;
    try {
      page = decodePage(raw, flags, this.pageSize);
    } catch (e) {
      throw new FormatError(this.src.name, Number(offset), `page data for phys ${paddr}`, "a valid compressed page", e instanceof Error ? e.message : String(e));
    }
    if (this.pageCache.size >= KdumpPhysicalMemory.CACHE_PAGES) this.pageCache.delete(this.pageCache.keys().next().value as number);
    this.pageCache.set(pfn, page);
    return page;
  }

  read(paddr: number, length: number, _field?: string): Uint8Array {
    const ps = this.pageSize;
    const pfn = Math.floor(paddr / ps);
    const o = paddr - pfn * ps;
    if (o + length <= ps) return this.page(pfn).subarray(o, o + length);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const a = paddr + done;
      const p = Math.floor(a / ps);
      const po = a - p * ps;
      const n = Math.min(ps - po, length - done);
      out.set(this.page(p).subarray(po, po + n), done);
      done += n;
    }
    return out;
  }

  ranges(): MemRange[] {
    const bm1 = this.bitmap(1);
    const bm2 = this.bitmap(2);
    const out: MemRange[] = [];
    let runStart = -1;
    let runState: "dumped" | "excluded" | "hole" = "hole";
    const flush = (end: number): void => {
      if (runStart >= 0 && runState !== "hole") out.push({ start: runStart * this.pageSize, end: end * this.pageSize, state: runState });
    };
    for (let byte = 0; byte * 8 < this.maxPfn; byte++) {
      const a = bm1[byte]!;
      const b = bm2[byte]!;
      // Whole-byte fast paths: eight pfns of the same state.
      const uniform = a === 0 ? "hole" : a === 0xff && b === 0xff ? "dumped" : a === 0xff && b === 0 ? "excluded" : undefined;
      if (uniform && byte * 8 + 8 <= this.maxPfn && this.startPfn === 0 && this.endPfn === this.maxPfn) {
        if (uniform !== runState) {
          flush(byte * 8);
          runStart = byte * 8;
          runState = uniform;
        }
        continue;
      }
      for (let i = 0; i < 8 && byte * 8 + i < this.maxPfn; i++) {
        const st = this.pageState(byte * 8 + i);
        if (st !== runState) {
          flush(byte * 8 + i);
          runStart = byte * 8 + i;
          runState = st;
        }
      }
    }
    flush(this.maxPfn);
    return mergeRanges(out);
  }
}

const POP8 = new Uint8Array(256).map((_, i) => {
  let c = 0;
  for (let x = i; x; x >>= 1) c += x & 1;
  return c;
});

/** Set bits for pfns in [from, to). */
function popcountRange(bm: Uint8Array, from: number, to: number): number {
  let c = 0;
  let p = from;
  while (p < to && p & 7) {
    c += (bm[p >>> 3]! >> (p & 7)) & 1;
    p++;
  }
  while (p + 8 <= to) {
    c += POP8[bm[p >>> 3]!]!;
    p += 8;
  }
  while (p < to) {
    c += (bm[p >>> 3]! >> (p & 7)) & 1;
    p++;
  }
  return c;
}
