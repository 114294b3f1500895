import type { ByteSource } from "../../io/byteSource";
import { FormatError, hex } from "../../io/formatError";
import { latin1, view } from "../../io/binary";
import { parseNotes, type ElfNote } from "./notes";

/**
 * VMCOREINFO is one page in the kernel (VMCOREINFO_BYTES = PAGE_SIZE, kernel/vmcore_info.c); a
 * megabyte leaves room for any real dump and keeps a lying size from costing a long read at open.
 */
const MAX_VMCOREINFO_BYTES = 1 << 20;
import type { MemRange, PhysicalMemory, RangeScanner } from "./physical";
import { allZero, CHUNK_BYTES, CHUNK_PFNS, KdumpRangeScanner, LazyBitmap, popcountBits, RankIndex } from "./bitmapIndex";
import { PAGING_MODES } from "../../knowledge/pagingModes";
import { fieldOffset, qualifiedName, structField, type FieldName } from "../../knowledge/binaryStructs";
import { DISK_DUMP_HEADER, DISK_DUMP_HEADER_I386, KDUMP_SIGNATURE, KDUMP_SUB_HEADER, PAGE_DESC } from "../../knowledge/kdumpStructs";
import { readField, readStruct } from "../structReader";
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

type HeaderField = FieldName<typeof DISK_DUMP_HEADER>;
type SubField = FieldName<typeof KDUMP_SUB_HEADER>;
/** The sub header's 64-bit fields (offsets, sizes, pfns), read as safe numbers. */
type Sub64Field = Extract<(typeof KDUMP_SUB_HEADER)["fields"][number], { type: "u64" | "i64" }>["name"];
const hdrAt = (name: HeaderField): number => fieldOffset(DISK_DUMP_HEADER, name);
const hdrName = (name: HeaderField): string => qualifiedName(DISK_DUMP_HEADER, name);
// page_desc offsets, taken once here: every page read decodes a descriptor.
const DESC_SIZE = PAGE_DESC.size;
const PD_OFFSET = fieldOffset(PAGE_DESC, "offset");
const PD_SIZE = fieldOffset(PAGE_DESC, "size");
const PD_FLAGS = fieldOffset(PAGE_DESC, "flags");
const PD_OFFSET_NAME = qualifiedName(PAGE_DESC, "offset");
const PD_SIZE_NAME = qualifiedName(PAGE_DESC, "size");
const PD_FLAGS_NAME = qualifiedName(PAGE_DESC, "flags");
/** max_pfn = header_version >= 6 ? max_mapnr_64 : max_mapnr (§2.2). */
const MAX_MAPNR_64_SINCE = structField(KDUMP_SUB_HEADER, "max_mapnr_64").since;

function fixedString(b: Uint8Array): string {
  const z = b.indexOf(0);
  return latin1(z < 0 ? b : b.subarray(0, z));
}

function safeNum(src: ByteSource, v: bigint, off: number, field: string): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(src.name, off, field, "a value below 2^53", hex(BigInt.asUintN(64, v)));
  return Number(v);
}

export function readKdumpHeader(src: ByteSource): DiskDumpHeader {
  const dv = view(src.read(0, DISK_DUMP_HEADER.size, "disk_dump_header"));
  const r = readStruct(dv, DISK_DUMP_HEADER);
  const sig = latin1(r.signature);
  if (sig !== KDUMP_SIGNATURE) throw new FormatError(src.name, hdrAt("signature"), hdrName("signature"), JSON.stringify(KDUMP_SIGNATURE), JSON.stringify(sig));
  const h: DiskDumpHeader = {
    headerVersion: r.header_version,
    utsname: {
      sysname: fixedString(r["utsname.sysname"]),
      nodename: fixedString(r["utsname.nodename"]),
      release: fixedString(r["utsname.release"]),
      version: fixedString(r["utsname.version"]),
      machine: fixedString(r["utsname.machine"]),
      domainname: fixedString(r["utsname.domainname"]),
    },
    timestamp: { sec: r["timestamp.tv_sec"], usec: r["timestamp.tv_usec"] },
    status: r.status,
    blockSize: r.block_size,
    subHdrSize: r.sub_hdr_size,
    bitmapBlocks: r.bitmap_blocks,
    maxMapnr: r.max_mapnr,
    nrCpus: r.nr_cpus,
  };
  if (h.headerVersion < 1 || h.headerVersion > 6) {
    throw new FormatError(src.name, hdrAt("header_version"), hdrName("header_version"), "1..6", String(h.headerVersion));
  }
  const m = h.utsname.machine;
  if (m !== "" && m !== "x86_64") throw new FormatError(src.name, hdrAt("utsname.machine"), hdrName("utsname.machine"), "x86_64", `${m} dump not supported`);
  // Plausibility (libkdumpfile's test): block_size a page and bitmaps covering max_mapnr.
  if (h.blockSize !== 4096) {
    // The 32-bit layout puts block_size elsewhere (vmcore-formats.md §5).
    const bs32 = readField(dv, DISK_DUMP_HEADER_I386, "block_size");
    const found = bs32 === 4096 ? "32-bit kdump-compressed dump not supported" : readField(dv, DISK_DUMP_HEADER, "block_size", 0, "big") === 4096 ? "big-endian kdump-compressed dump not supported" : String(h.blockSize);
    throw new FormatError(src.name, hdrAt("block_size"), hdrName("block_size"), "4096 (x86_64 page size)", found);
  }
  if (h.subHdrSize < 1 || h.subHdrSize > 1 << 16) {
    throw new FormatError(src.name, hdrAt("sub_hdr_size"), hdrName("sub_hdr_size"), "1..65536 blocks", String(h.subHdrSize));
  }
  if (h.nrCpus < 0 || h.nrCpus > 1 << 16) throw new FormatError(src.name, hdrAt("nr_cpus"), hdrName("nr_cpus"), "0..65536", String(h.nrCpus));
  return h;
}

export function readKdumpCompressed(src: ByteSource): KdumpCompressed {
  const header = readKdumpHeader(src);
  const bs = header.blockSize;
  const v = header.headerVersion;
  const dv = view(src.read(bs, KDUMP_SUB_HEADER.size, "kdump_sub_header"));
  // A field is read only when the file's header_version has it (the table's `since`).
  const has = (name: SubField): boolean => v >= structField(KDUMP_SUB_HEADER, name).since;
  const num = (name: Sub64Field): number => safeNum(src, readField(dv, KDUMP_SUB_HEADER, name), bs + fieldOffset(KDUMP_SUB_HEADER, name), qualifiedName(KDUMP_SUB_HEADER, name));
  const sub: KdumpSubHeader = { physBase: readField(dv, KDUMP_SUB_HEADER, "phys_base") };
  if (has("dump_level")) sub.dumpLevel = readField(dv, KDUMP_SUB_HEADER, "dump_level");
  if (has("split")) sub.split = readField(dv, KDUMP_SUB_HEADER, "split");
  if (has("offset_vmcoreinfo")) {
    sub.offsetVmcoreinfo = num("offset_vmcoreinfo");
    sub.sizeVmcoreinfo = num("size_vmcoreinfo");
  }
  if (has("offset_note")) {
    sub.offsetNote = num("offset_note");
    sub.sizeNote = num("size_note");
  }
  if (has("offset_eraseinfo")) {
    sub.offsetEraseinfo = num("offset_eraseinfo");
    sub.sizeEraseinfo = num("size_eraseinfo");
  }
  if (has("start_pfn_64")) {
    sub.startPfn64 = num("start_pfn_64");
    sub.endPfn64 = num("end_pfn_64");
    sub.maxMapnr64 = num("max_mapnr_64");
  }

  let notes: ElfNote[] = [];
  if (sub.offsetNote && sub.sizeNote) {
    notes = parseNotes(src, sub.offsetNote, sub.sizeNote, "kdump notes");
  }
  let vmcoreinfoText: string | undefined;
  if (sub.offsetVmcoreinfo && sub.sizeVmcoreinfo) {
    if (sub.sizeVmcoreinfo > MAX_VMCOREINFO_BYTES) {
      throw new FormatError(src.name, bs + fieldOffset(KDUMP_SUB_HEADER, "size_vmcoreinfo"), qualifiedName(KDUMP_SUB_HEADER, "size_vmcoreinfo"), `at most ${MAX_VMCOREINFO_BYTES}`, String(sub.sizeVmcoreinfo));
    }
    vmcoreinfoText = latin1(src.read(sub.offsetVmcoreinfo, sub.sizeVmcoreinfo, "VMCOREINFO (offset_vmcoreinfo)"));
  }
  return { header, sub, notes, vmcoreinfoText, memory: new KdumpPhysicalMemory(src, header, sub) };
}

/**
 * Highest pfn + 1 an x86_64 dump can describe: 2^52 bytes of physical address space (MAXMEM with
 * 5-level paging, MAX_PHYSMEM_BITS 52) in pages. max_mapnr beyond it is not a real machine.
 */
function maxPfnLimit(pageSize: number): number {
  return PAGING_MODES[5].maxmem / pageSize;
}

/** Physical reads through the bitmaps and page descriptors (§2.3, §2.4), lazily (bitmapIndex.ts). */
export class KdumpPhysicalMemory implements PhysicalMemory {
  readonly pageSize: number;
  readonly maxPfn: number;
  readonly bitmap1Offset: number;
  readonly bitmapBytes: number;
  readonly twoBitmaps: boolean;
  readonly descOffset: number;
  readonly startPfn: number;
  readonly endPfn: number;
  readonly addressSpaceEnd: number;
  private readonly bm1: LazyBitmap;
  private readonly bm2: LazyBitmap;
  private index?: RankIndex;
  private total?: number | null;
  private readonly pageCache = new Map<number, Uint8Array>();
  private static readonly CACHE_PAGES = 256;

  constructor(
    private readonly src: ByteSource,
    readonly header: DiskDumpHeader,
    private readonly sub: KdumpSubHeader,
  ) {
    const bs = header.blockSize;
    this.pageSize = bs;
    const v64 = header.headerVersion >= MAX_MAPNR_64_SINCE && sub.maxMapnr64 !== undefined;
    this.maxPfn = v64 ? sub.maxMapnr64! : header.maxMapnr;
    const limit = maxPfnLimit(bs);
    if (this.maxPfn > limit) {
      const at = v64 ? bs + fieldOffset(KDUMP_SUB_HEADER, "max_mapnr_64") : hdrAt("max_mapnr");
      throw new FormatError(src.name, at, "max_mapnr", `at most ${hex(limit)} pfns (the 5-level paging limit of ${PAGING_MODES[5].maxPhysmemBits} physical address bits)`, hex(this.maxPfn));
    }
    this.addressSpaceEnd = this.maxPfn * bs;
    this.bitmap1Offset = (1 + header.subHdrSize) * bs;
    const oneBitmapBlocks = Math.ceil(Math.ceil(this.maxPfn / 8) / bs);
    // crash: two bitmaps only when bitmap_blocks covers two full copies (old DISKDUMP had one).
    this.twoBitmaps = header.bitmapBlocks >= 2 * oneBitmapBlocks;
    // crash: bitmap_len / 2 with bitmap_len = bitmap_blocks * block_size (an odd count splits a block).
    this.bitmapBytes = this.twoBitmaps ? (header.bitmapBlocks * bs) / 2 : header.bitmapBlocks * bs;
    if (this.bitmapBytes * 8 < this.maxPfn) {
      throw new FormatError(src.name, hdrAt("bitmap_blocks"), hdrName("bitmap_blocks"), `bitmaps covering max_mapnr ${this.maxPfn}`, String(header.bitmapBlocks));
    }
    this.descOffset = (1 + header.subHdrSize + header.bitmapBlocks) * bs;
    if (this.descOffset > src.size) {
      throw new FormatError(src.name, hdrAt("bitmap_blocks"), hdrName("bitmap_blocks"), `bitmaps ending inside the file (size ${hex(src.size)})`, `page descriptors at ${hex(this.descOffset)}`);
    }
    const split = (sub.split ?? 0) === 1 && sub.startPfn64 !== undefined && sub.endPfn64 !== undefined;
    this.startPfn = split ? Math.min(sub.startPfn64!, this.maxPfn) : 0;
    this.endPfn = split ? Math.min(sub.endPfn64!, this.maxPfn) : this.maxPfn;
    this.bm1 = new LazyBitmap(src, this.bitmap1Offset, this.maxPfn, "bitmap 1");
    this.bm2 = this.twoBitmaps ? new LazyBitmap(src, this.bitmap1Offset + this.bitmapBytes, this.maxPfn, "bitmap 2") : this.bm1;
  }

  /**
   * N, the number of page descriptors, from the layout every producer writes: the data area starts
   * right after the descriptor table (offset_data = desc start + sizeof(page_desc) (24) * num_dumpable, makedumpfile's
   * write_kdump_pages_and_bitmap_cyclic and QEMU's write_dump_pages), and its first item is either
   * the first dumpable page or, with dump level bit 0, one shared zero page followed by it
   * (§2.6). So desc[0].offset is data start or data start + one page; 4096 is not a multiple of 24,
   * so at most one reading gives a whole count, and the zero page is checked to be zeros. Undefined
   * when that does not hold (or for split parts): then ranks are counted from the bottom only.
   */
  descriptorCount(): number | undefined {
    if (this.total !== undefined) return this.total ?? undefined;
    this.total = null;
    try {
      this.total = this.findDescriptorCount() ?? null;
    } catch (e) {
      // A table that does not read back (cut file) gives no count; page reads report the cut.
      if (!(e instanceof FormatError)) throw e;
    }
    return this.total ?? undefined;
  }

  private findDescriptorCount(): number | undefined {
    if (this.startPfn !== 0 || this.endPfn !== this.maxPfn) return undefined;
    if (this.descOffset + DESC_SIZE > this.src.size) return undefined;
    const d0 = view(this.src.read(this.descOffset, DESC_SIZE, "page_desc[0]"));
    const o0 = d0.getBigInt64(PD_OFFSET, true);
    if (o0 <= 0n || o0 > BigInt(this.src.size)) return undefined;
    for (const zero of [0, this.pageSize]) {
      const span = Number(o0) - zero - this.descOffset;
      if (span < DESC_SIZE || span % DESC_SIZE !== 0) continue;
      const dataStart = this.descOffset + span;
      if (zero) {
        if (dataStart + zero > this.src.size || !allZero(this.src.read(dataStart, zero, "shared zero page"))) continue;
      }
      return span / DESC_SIZE;
    }
    return undefined;
  }

  private rankIndex(): RankIndex {
    return (this.index ??= new RankIndex(this.bm2, () => this.checkedDescriptorCount(), this.src.name));
  }

  /**
   * N as the rank index trusts it for counting from the top: also the last descriptor must point
   * into the data area. (That read sits at the end of the table, so it is made only when a rank
   * query needs a scan, never for pages in the chunks already counted.)
   */
  private checkedDescriptorCount(): number | undefined {
    const n = this.descriptorCount();
    if (n === undefined) return undefined;
    try {
      const dataStart = this.descOffset + DESC_SIZE * n;
      const last = view(this.src.read(this.descOffset + (n - 1) * DESC_SIZE, DESC_SIZE, `page_desc[${n - 1}]`)).getBigInt64(PD_OFFSET, true);
      return last >= BigInt(dataStart) && last <= BigInt(this.src.size) ? n : undefined;
    } catch (e) {
      if (e instanceof FormatError) return undefined;
      throw e;
    }
  }

  /** Bitmap bytes read for rank queries so far (tests and the bench count them). */
  get rankScanBytes(): number {
    return this.index?.scannedBytes ?? 0;
  }

  /** Page state of a pfn: in the file, filtered out, or not RAM / not in this dump. */
  pageState(pfn: number): "dumped" | "excluded" | "hole" {
    if (!Number.isSafeInteger(pfn) || pfn < 0 || pfn >= this.maxPfn) return "hole";
    if (pfn < this.startPfn || pfn >= this.endPfn) return "hole";
    if (!this.bm1.bit(pfn)) return "hole";
    return this.bm2.bit(pfn) ? "dumped" : "excluded";
  }

  private rank(pfn: number): number {
    const idx = this.rankIndex();
    return idx.rank(pfn) - (this.startPfn ? idx.rank(this.startPfn) : 0);
  }

  /** Reads and decodes one page; throws FormatError for holes, excluded and corrupt pages. */
  page(pfn: number): Uint8Array {
    const hit = this.pageCache.get(pfn);
    if (hit) return hit;
    const st = this.pageState(pfn);
    const paddr = hex(pfn * this.pageSize);
    const bitOff = this.bitmap1Offset + Math.floor(Math.max(0, Math.min(pfn, this.maxPfn)) / 8);
    if (st === "hole") throw new FormatError(this.src.name, bitOff, `page at phys ${paddr}`, "a page present in the dump", "not in the dump (memory hole)");
    if (st === "excluded") throw new FormatError(this.src.name, bitOff, `page at phys ${paddr}`, "a page present in the dump", "excluded by makedumpfile (dump level filtering)");
    const r = this.rank(pfn);
    const n = r > 0 ? this.descriptorCount() : undefined;
    if (n !== undefined && r >= n) {
      throw new FormatError(this.src.name, bitOff, `bitmap 2 bit for phys ${paddr}`, `one of the ${n} page descriptors`, `descriptor index ${r}`);
    }
    const dOff = this.descOffset + r * DESC_SIZE;
    const d = view(this.src.read(dOff, DESC_SIZE, `page_desc for phys ${paddr}`));
    const offset = d.getBigInt64(PD_OFFSET, true);
    const size = d.getUint32(PD_SIZE, true);
    const flags = d.getUint32(PD_FLAGS, true);
    if (offset <= 0n || offset + BigInt(size) > BigInt(this.src.size)) {
      throw new FormatError(this.src.name, dOff + PD_OFFSET, PD_OFFSET_NAME, "page data inside the file (0 = incomplete dump)", hex(BigInt.asUintN(64, offset)));
    }
    if (size > this.pageSize || size === 0 || (flags === 0 && size !== this.pageSize)) {
      throw new FormatError(this.src.name, dOff + PD_SIZE, PD_SIZE_NAME, `1..${this.pageSize} bytes (exactly ${this.pageSize} when uncompressed)`, String(size));
    }
    const known = DUMP_DH_COMPRESSED_ZLIB | DUMP_DH_COMPRESSED_LZO | DUMP_DH_COMPRESSED_SNAPPY | DUMP_DH_COMPRESSED_ZSTD;
    if (flags & ~known) throw new FormatError(this.src.name, dOff + PD_FLAGS, PD_FLAGS_NAME, "a known compression flag", hex(flags));
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

  /**
   * Cheap facts about pfns at or above `pfn` within about `budget` bitmap bytes: whether any is
   * dumped (bitmap 2, from the descriptor count: N minus the set bits below) and whether any is
   * recorded as RAM (bitmap 1, scanned down from the top). Undefined where the budget did not
   * reach.
   */
  probeAbove(pfn: number, budget: number): { dumped?: boolean; ram?: boolean } {
    const out: { dumped?: boolean; ram?: boolean } = {};
    if (pfn >= this.maxPfn) return { dumped: false, ram: false };
    const idx = this.rankIndex();
    const before = idx.scannedBytes;
    const below = idx.tryRank(pfn, budget / 2);
    const n = idx.descriptorTotal;
    if (below !== undefined && n !== undefined) out.dumped = n - below > 0;
    const left = budget - (idx.scannedBytes - before);
    if (out.dumped) out.ram = true;
    else {
      // Bitmap 1 from the top down to pfn, one chunk at a time.
      const first = Math.floor(pfn / CHUNK_PFNS);
      let spent = 0;
      for (let c = this.bm1.chunks - 1; c >= first && spent + CHUNK_BYTES <= left; c--) {
        const b = this.bm1.chunk(c);
        spent += b.length;
        const from = c === first ? pfn - c * CHUNK_PFNS : 0;
        if (popcountBits(b, from, Math.min(CHUNK_PFNS, this.maxPfn - c * CHUNK_PFNS)) > 0) {
          out.ram = true;
          break;
        }
        if (c === first) out.ram = false;
      }
    }
    // A dumped page is RAM (pageState reads bitmap 1 first): no RAM, nothing dumped.
    if (out.ram === false) out.dumped = false;
    return out;
  }

  rangeScanner(opts: { aboveAt?: number } = {}): RangeScanner {
    // Use what the rank index already knows (never forces a scan of its own).
    return new KdumpRangeScanner(this.bm1, this.bm2, this.index, this.startPfn, this.endPfn, this.pageSize, opts.aboveAt);
  }

  ranges(): MemRange[] {
    const s = this.rangeScanner();
    while (!s.step()) {
      /* one 1 MiB window per step */
    }
    return s.result().ranges;
  }
}
