import type { ByteSource } from "../../io/byteSource";
import { FormatError, hex } from "../../io/formatError";
import { view } from "../../io/binary";
import { parseNotes, type ElfNote } from "./notes";
import { listScanner, mergeRanges, type MemRange, type PhysicalMemory, type RangeScanner } from "./physical";

/** One program header of interest (vmcore-formats.md §1.2). Raw u64 values. */
export interface ElfLoad {
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
}

export interface ElfVmcore {
  phnum: number;
  /** True when e_phnum was PN_XNUM and the count came from section header 0. */
  pnXnum: boolean;
  loads: ElfLoad[];
  notes: ElfNote[];
  memory: PhysicalMemory;
}

const PT_LOAD = 1;
const PT_NOTE = 4;
const PN_XNUM = 0xffff;
/** Far beyond any real dump (QEMU needs PN_XNUM only above 65 533); bounds the header read. */
const MAX_PHNUM = 1 << 20;
const EM_NAMES: Record<number, string> = { 3: "i386", 21: "ppc64", 22: "s390x", 40: "arm", 183: "aarch64", 243: "riscv", 258: "loongarch" };

/** Checks the ELF identification and machine; throws the refusal messages of vmcore-formats.md §5. */
export function checkElfIdent(src: ByteSource): void {
  const h = src.read(0, 64, "ELF header");
  const cls = h[4]!;
  const data = h[5]!;
  if (cls === 1) throw new FormatError(src.name, 4, "e_ident[EI_CLASS]", "ELFCLASS64 (32-bit ELF vmcore (i386) is not supported)", "1");
  if (cls !== 2) throw new FormatError(src.name, 4, "e_ident[EI_CLASS]", "ELFCLASS64", String(cls));
  const dv = view(h);
  if (data === 2) {
    const m = dv.getUint16(18, false);
    throw new FormatError(src.name, 5, "e_ident[EI_DATA]", "little-endian", `big-endian dump (e_machine ${m}) is not supported`);
  }
  if (data !== 1) throw new FormatError(src.name, 5, "e_ident[EI_DATA]", "ELFDATA2LSB", String(data));
  const type = dv.getUint16(16, true);
  if (type !== 4) throw new FormatError(src.name, 16, "e_type", "4 (ET_CORE): not a vmcore", String(type));
  const machine = dv.getUint16(18, true);
  if (machine === 3) {
    throw new FormatError(src.name, 18, "e_machine", "62 (x86_64)", "3: i386 dump (64-bit ELF container) is not supported");
  }
  if (machine !== 62) {
    const arch = EM_NAMES[machine] ?? `e_machine ${machine}`;
    throw new FormatError(src.name, 18, "e_machine", "62 (x86_64)", `${arch} dump is not supported, x86_64 only`);
  }
}

/** Parses the ELF64 vmcore headers and notes. Reads only headers and the PT_NOTE bytes. */
export function readElfVmcore(src: ByteSource): ElfVmcore {
  checkElfIdent(src);
  const h = view(src.read(0, 64, "ELF header"));
  const phoff = Number(h.getBigUint64(32, true));
  const shoff = h.getBigUint64(40, true);
  const phentsize = h.getUint16(54, true);
  let phnum = h.getUint16(56, true);
  const shentsize = h.getUint16(58, true);
  let pnXnum = false;
  if (phentsize !== 56) throw new FormatError(src.name, 54, "e_phentsize", "56", String(phentsize));
  if (phnum === PN_XNUM) {
    // QEMU with >= 65533 mappings: real count in section header 0's sh_info (u32 at +44).
    if (shoff === 0n || shentsize < 48) {
      throw new FormatError(src.name, 40, "e_shoff", "a section header holding the PN_XNUM program header count", hex(shoff));
    }
    const off = Number(shoff);
    phnum = view(src.read(off, 48, "section header 0")).getUint32(44, true);
    pnXnum = true;
  }
  if (phnum > MAX_PHNUM) throw new FormatError(src.name, 56, "e_phnum", `at most ${MAX_PHNUM} program headers`, String(phnum));
  const table = view(src.read(phoff, phnum * 56, "program headers"));
  const loads: ElfLoad[] = [];
  const notes: ElfNote[] = [];
  for (let i = 0; i < phnum; i++) {
    const b = i * 56;
    const type = table.getUint32(b, true);
    const offset = table.getBigUint64(b + 8, true);
    const filesz = table.getBigUint64(b + 32, true);
    if (type === PT_NOTE) {
      if (offset > BigInt(src.size) || filesz > BigInt(src.size)) {
        throw new FormatError(src.name, phoff + b + 8, `program header ${i} (PT_NOTE) p_offset/p_filesz`, "a range inside the file", `${hex(offset)}+${hex(filesz)}`);
      }
      notes.push(...parseNotes(src, Number(offset), Number(filesz), `PT_NOTE[${i}]`));
    } else if (type === PT_LOAD) {
      loads.push({
        offset,
        vaddr: table.getBigUint64(b + 16, true),
        paddr: table.getBigUint64(b + 24, true),
        filesz,
        memsz: table.getBigUint64(b + 40, true),
      });
    }
  }
  return { phnum, pnXnum, loads, notes, memory: new ElfPhysicalMemory(src, loads) };
}

interface Segment {
  start: number;
  fileEnd: number;
  end: number;
  offset: number;
}

/** Physical reads through PT_LOADs: first segment covering an address wins (§1.6). */
export class ElfPhysicalMemory implements PhysicalMemory {
  readonly pageSize = 4096;
  private readonly segs: Segment[] = [];

  constructor(
    private readonly src: ByteSource,
    loads: ElfLoad[],
  ) {
    // Plain numbers from here on (2^52 is exact): no BigInt arithmetic per segment, so thousands
    // of PT_LOADs (one per RAM range of a big machine) cost microseconds each.
    const LIMIT = 2 ** 52;
    for (const l of loads) {
      const start = Number(l.paddr);
      const memsz = Number(l.memsz);
      if (start >= LIMIT || memsz > LIMIT || start + memsz > LIMIT) continue;
      // QEMU marks filtered mappings with p_offset = -1 and p_filesz = 0: no data.
      const offset = Number(l.offset);
      const filesz = offset >= 2 ** 64 - 1 ? 0 : Math.min(Number(l.filesz), memsz);
      this.segs.push({ start, fileEnd: start + filesz, end: start + memsz, offset });
    }
    this.segs.sort((a, b) => a.start - b.start);
    let m = 0;
    this.maxEnd = this.segs.map((s) => (m = Math.max(m, s.end)));
    this.addressSpaceEnd = m;
  }

  readonly addressSpaceEnd: number;

  rangeScanner(opts: { aboveAt?: number } = {}): RangeScanner {
    return listScanner((this.rangeCache ??= this.computeRanges()), this.addressSpaceEnd, opts.aboveAt);
  }

  private readonly maxEnd: number[];
  private last: Segment | undefined;

  /** Binary search on start, then walk back while an earlier segment may still reach `a`. */
  private find(a: number): Segment | undefined {
    const l = this.last;
    if (l && a >= l.start && a < l.end) return l;
    let lo = 0;
    let hi = this.segs.length - 1;
    let idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.segs[mid]!.start <= a) {
        idx = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let j = idx; j >= 0 && this.maxEnd[j]! > a; j--) {
      const s = this.segs[j]!;
      if (a < s.end) return (this.last = s);
    }
    return undefined;
  }

  private rangeCache?: MemRange[];

  ranges(): MemRange[] {
    return (this.rangeCache ??= this.computeRanges()).map((r) => ({ ...r }));
  }

  private computeRanges(): MemRange[] {
    const out: MemRange[] = [];
    for (const s of this.segs) {
      if (s.fileEnd > s.start) out.push({ start: s.start, end: s.fileEnd, state: "dumped" });
      if (s.end > s.fileEnd) out.push({ start: s.fileEnd, end: s.end, state: "not-dumped" });
    }
    return mergeRanges(out);
  }

  read(paddr: number, length: number, field = "physical memory"): Uint8Array {
    const seg = this.find(paddr);
    if (seg && paddr + length <= seg.fileEnd) {
      return this.src.read(seg.offset + (paddr - seg.start), length, `${field} @ phys ${hex(paddr)}`);
    }
    // Slow path: the range spans segments or a zero tail.
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const a = paddr + done;
      const s = this.find(a);
      if (!s) {
        throw new FormatError(this.src.name, 0, `${field} @ phys ${hex(a)}`, "an address covered by a PT_LOAD", "a hole in the dump");
      }
      const n = Math.min(length - done, s.end - a);
      if (a < s.fileEnd) {
        const m = Math.min(n, s.fileEnd - a);
        out.set(this.src.read(s.offset + (a - s.start), m, `${field} @ phys ${hex(a)}`), done);
      }
      done += n;
    }
    return out;
  }
}
