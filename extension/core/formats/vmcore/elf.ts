import type { ByteSource } from "../../io/byteSource";
import { FormatError, hex } from "../../io/formatError";
import { view } from "../../io/binary";
import { fieldEnd, fieldOffset } from "../../knowledge/binaryStructs";
import { ELF64_EHDR, ELF64_PHDR, ELF64_SHDR, ELFCLASS32, ELFCLASS64, ELFDATA2LSB, ELFDATA2MSB, EM_386, EM_X86_64, ET_CORE, PN_XNUM, PT_LOAD, PT_NOTE } from "../../knowledge/elfStructs";
import { readField } from "../structReader";
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

// Offsets from the knowledge tables, taken once here: the program-header loop reads thousands.
const EI_CLASS = fieldOffset(ELF64_EHDR, "e_ident[EI_CLASS]");
const EI_DATA = fieldOffset(ELF64_EHDR, "e_ident[EI_DATA]");
const E_TYPE = fieldOffset(ELF64_EHDR, "e_type");
const E_MACHINE = fieldOffset(ELF64_EHDR, "e_machine");
const E_SHOFF = fieldOffset(ELF64_EHDR, "e_shoff");
const E_PHENTSIZE = fieldOffset(ELF64_EHDR, "e_phentsize");
const E_PHNUM = fieldOffset(ELF64_EHDR, "e_phnum");
const PHDR_SIZE = ELF64_PHDR.size;
const P_TYPE = fieldOffset(ELF64_PHDR, "p_type");
const P_OFFSET = fieldOffset(ELF64_PHDR, "p_offset");
const P_VADDR = fieldOffset(ELF64_PHDR, "p_vaddr");
const P_PADDR = fieldOffset(ELF64_PHDR, "p_paddr");
const P_FILESZ = fieldOffset(ELF64_PHDR, "p_filesz");
const P_MEMSZ = fieldOffset(ELF64_PHDR, "p_memsz");
/** Section header 0 is read up to sh_info, where a PN_XNUM core keeps the program header count. */
const SHDR_TO_SH_INFO = fieldEnd(ELF64_SHDR, "sh_info");
/** Far beyond any real dump (QEMU needs PN_XNUM only above 65 533); bounds the header read. */
const MAX_PHNUM = 1 << 20;
const EM_NAMES: Record<number, string> = { 3: "i386", 21: "ppc64", 22: "s390x", 40: "arm", 183: "aarch64", 243: "riscv", 258: "loongarch" };

/** Checks the ELF identification and machine; throws the refusal messages of vmcore-formats.md §5. */
export function checkElfIdent(src: ByteSource): void {
  const dv = view(src.read(0, ELF64_EHDR.size, "ELF header"));
  const cls = readField(dv, ELF64_EHDR, "e_ident[EI_CLASS]");
  const data = readField(dv, ELF64_EHDR, "e_ident[EI_DATA]");
  if (cls === ELFCLASS32) throw new FormatError(src.name, EI_CLASS, "e_ident[EI_CLASS]", "ELFCLASS64 (32-bit ELF vmcore (i386) is not supported)", "1");
  if (cls !== ELFCLASS64) throw new FormatError(src.name, EI_CLASS, "e_ident[EI_CLASS]", "ELFCLASS64", String(cls));
  if (data === ELFDATA2MSB) {
    const m = readField(dv, ELF64_EHDR, "e_machine", 0, "big");
    throw new FormatError(src.name, EI_DATA, "e_ident[EI_DATA]", "little-endian", `big-endian dump (e_machine ${m}) is not supported`);
  }
  if (data !== ELFDATA2LSB) throw new FormatError(src.name, EI_DATA, "e_ident[EI_DATA]", "ELFDATA2LSB", String(data));
  const type = readField(dv, ELF64_EHDR, "e_type");
  if (type !== ET_CORE) throw new FormatError(src.name, E_TYPE, "e_type", "4 (ET_CORE): not a vmcore", String(type));
  const machine = readField(dv, ELF64_EHDR, "e_machine");
  if (machine === EM_386) {
    throw new FormatError(src.name, E_MACHINE, "e_machine", "62 (x86_64)", "3: i386 dump (64-bit ELF container) is not supported");
  }
  if (machine !== EM_X86_64) {
    const arch = EM_NAMES[machine] ?? `e_machine ${machine}`;
    throw new FormatError(src.name, E_MACHINE, "e_machine", "62 (x86_64)", `${arch} dump is not supported, x86_64 only`);
  }
}

/** Parses the ELF64 vmcore headers and notes. Reads only headers and the PT_NOTE bytes. */
export function readElfVmcore(src: ByteSource): ElfVmcore {
  checkElfIdent(src);
  const h = view(src.read(0, ELF64_EHDR.size, "ELF header"));
  const phoff = Number(readField(h, ELF64_EHDR, "e_phoff"));
  const shoff = readField(h, ELF64_EHDR, "e_shoff");
  const phentsize = readField(h, ELF64_EHDR, "e_phentsize");
  let phnum = readField(h, ELF64_EHDR, "e_phnum");
  const shentsize = readField(h, ELF64_EHDR, "e_shentsize");
  let pnXnum = false;
  if (phentsize !== PHDR_SIZE) throw new FormatError(src.name, E_PHENTSIZE, "e_phentsize", String(PHDR_SIZE), String(phentsize));
  if (phnum === PN_XNUM) {
    // QEMU with >= 65533 mappings: real count in section header 0's sh_info.
    if (shoff === 0n || shentsize < SHDR_TO_SH_INFO) {
      throw new FormatError(src.name, E_SHOFF, "e_shoff", "a section header holding the PN_XNUM program header count", hex(shoff));
    }
    const off = Number(shoff);
    phnum = readField(view(src.read(off, SHDR_TO_SH_INFO, "section header 0")), ELF64_SHDR, "sh_info");
    pnXnum = true;
  }
  if (phnum > MAX_PHNUM) throw new FormatError(src.name, E_PHNUM, "e_phnum", `at most ${MAX_PHNUM} program headers`, String(phnum));
  const table = view(src.read(phoff, phnum * PHDR_SIZE, "program headers"));
  const loads: ElfLoad[] = [];
  const notes: ElfNote[] = [];
  for (let i = 0; i < phnum; i++) {
    const b = i * PHDR_SIZE;
    const type = table.getUint32(b + P_TYPE, true);
    const offset = table.getBigUint64(b + P_OFFSET, true);
    const filesz = table.getBigUint64(b + P_FILESZ, true);
    if (type === PT_NOTE) {
      if (offset > BigInt(src.size) || filesz > BigInt(src.size)) {
        throw new FormatError(src.name, phoff + b + P_OFFSET, `program header ${i} (PT_NOTE) p_offset/p_filesz`, "a range inside the file", `${hex(offset)}+${hex(filesz)}`);
      }
      notes.push(...parseNotes(src, Number(offset), Number(filesz), `PT_NOTE[${i}]`));
    } else if (type === PT_LOAD) {
      loads.push({
        offset,
        vaddr: table.getBigUint64(b + P_VADDR, true),
        paddr: table.getBigUint64(b + P_PADDR, true),
        filesz,
        memsz: table.getBigUint64(b + P_MEMSZ, true),
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
