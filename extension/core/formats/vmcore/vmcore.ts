import type { ByteSource } from "../../io/byteSource";
import { FormatError } from "../../io/formatError";
import { latin1 } from "../../io/binary";
import { detectVmcore } from "./detect";
import { readElfVmcore, type ElfLoad } from "./elf";
import { FlattenedByteSource, type FlattenedIndexState } from "./flattened";
import { readKdumpCompressed, type DiskDumpHeader, type KdumpSubHeader } from "./kdumpCompressed";
import type { ElfNote } from "./notes";
import { compressionNames } from "./pageCodecs";
import type { MemRange, PhysicalMemory, RangeScanner, RangeScanResult, StateBytes } from "./physical";
import { KdumpPhysicalMemory } from "./kdumpCompressed";
import { FOUR_LEVEL_LIMIT, PAGING_MODES } from "../../knowledge/pagingModes";
import { parsePrstatus, parseQemuCpuState, PRSTATUS_SIZE, type Prstatus, type QemuCpuState } from "./prstatus";
import { formatMakedumpfile, readKernelLog, type FormatOptions, type KernelLog, type ProgressFn } from "./printk";
import { KernelTranslator, START_KERNEL_MAP, type Translation } from "./translate";
import { Vmcoreinfo } from "./vmcoreinfo";

export type VmcoreFormat = "elf64" | "kdump-compressed";

/**
 * What the dump says about physical memory a 4-level kernel cannot map (issue #14): a capture
 * kernel running 4-level paging (MAX_PHYSMEM_BITS 46) cannot read RAM above FOUR_LEVEL_LIMIT, so
 * a dump can hold pages there only if its capture kernel ran 5-level.
 */
export interface BeyondFourLevel {
  /** FOUR_LEVEL_LIMIT (pagingModes.ts). */
  limit: number;
  /** End of the dump's physical address space (max_mapnr pages, or the last PT_LOAD end). */
  addressSpaceEnd: number;
  /**
   * present: pages above the limit are in the dump; excluded: RAM recorded there, none dumped;
   * missing: no RAM recorded there; not-dumped: none dumped, RAM not yet known; unknown: not scanned.
   */
  state: "present" | "excluded" | "missing" | "not-dumped" | "unknown";
  /** Bytes per state above the limit, once the range scan went through. */
  bytes: StateBytes | null;
  /** How the state was decided. */
  basis: "program headers" | "range scan" | "bitmap probe" | "not scanned";
  /** What it implies about the capture kernel's paging mode. */
  implication: string;
}

/** Binary size with the largest unit that divides it evenly enough for a label ("64 TiB"). */
export function sizeLabel(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

export interface VmcoreCpu {
  /** Position among the NT_PRSTATUS notes (not necessarily the CPU number, vmcore-formats.md §1.3). */
  index: number;
  pid: number;
  rip: bigint;
  rsp: bigint;
  prstatus?: Prstatus;
  qemu?: QemuCpuState;
}

export interface PagingDecision {
  levels: 4 | 5;
  /** Which signal decided (x86-64-translation.md §2). */
  source: "NUMBER(pgtable_l5_enabled)" | "QEMU CR4.LA57" | "NUMBER(MAX_PHYSMEM_BITS)" | "default";
}

/** The summary the CLI prints and the webview shows; cheap to compute (headers and notes only). */
export interface VmcoreSummary {
  format: VmcoreFormat;
  /** "flattened" when the file is makedumpfile's -F stream around the format. */
  container: "file" | "flattened";
  compression: string;
  osrelease: string | null;
  pagingLevels: 4 | 5;
  pagingSource: PagingDecision["source"];
  vmcoreinfo: Record<string, string>;
  loads: Array<{ paddr: bigint; vaddr: bigint; filesz: bigint; memsz: bigint; offset: bigint }>;
  cpus: VmcoreCpu[];
  notes: Array<{ name: string; type: number; descsz: number }>;
  physBase: bigint | null;
  kaslrOffset: bigint | null;
  crashTime: number | null;
  dumpLevel: number | null;
  kdumpHeader?: { headerVersion: number; utsname: DiskDumpHeader["utsname"]; status: number; blockSize: number; maxPfn: number; nrCpus: number; split: boolean };
  /** Set when the address space reaches above what 4-level paging maps; null otherwise. */
  beyondFourLevel: BeyondFourLevel | null;
  /** A flattened stream's record index: built on demand, so the summary says how far it got. */
  flattenedIndex?: FlattenedIndexState & { onDemand: true };
  warnings: string[];
  bytesRead: number;
}

/** An opened dump: summary data plus lazy physical/virtual reads and the kernel log. */
export class Vmcore {
  readonly vmcoreinfo: Vmcoreinfo;
  readonly cpus: VmcoreCpu[];
  readonly paging: PagingDecision;
  private readonly warningList: string[] = [];
  private truncationWarned = false;
  /** The flattened stream's rearranged view, when the dump came in one. */
  flattened?: FlattenedByteSource;
  private translatorCache?: KernelTranslator;

  constructor(
    readonly source: ByteSource,
    readonly format: VmcoreFormat,
    readonly container: "file" | "flattened",
    readonly memory: PhysicalMemory,
    readonly notes: ElfNote[],
    vmcoreinfoText: string | undefined,
    readonly loads: ElfLoad[],
    readonly kdump?: { header: DiskDumpHeader; sub: KdumpSubHeader },
  ) {
    const viNote = notes.find((n) => n.name === "VMCOREINFO");
    this.vmcoreinfo = new Vmcoreinfo(viNote ? latin1(viNote.desc) : (vmcoreinfoText ?? ""));
    if (!viNote && vmcoreinfoText === undefined) this.warnings.push("no VMCOREINFO: kernel symbols and the kernel log are unavailable");
    this.cpus = this.readCpus();
    this.paging = this.decidePaging();
  }

  /** Warnings so far; a flattened stream's missing end marker shows once its index reached the end. */
  get warnings(): string[] {
    if (this.flattened?.truncated && !this.truncationWarned) {
      this.truncationWarned = true;
      this.warningList.push("flattened stream has no end marker: the dump is truncated");
    }
    return this.warningList;
  }

  private readCpus(): VmcoreCpu[] {
    const pr = this.notes.filter((n) => n.name === "CORE" && n.type === 1);
    const qemu = this.notes.filter((n) => n.name === "QEMU" && n.type === 0);
    for (const n of pr) {
      if (n.desc.length !== PRSTATUS_SIZE) {
        throw new FormatError(this.source.name, n.descOffset, "NT_PRSTATUS descriptor", `${PRSTATUS_SIZE} bytes (x86_64 elf_prstatus)`, `${n.desc.length} bytes: not an x86_64 dump`);
      }
    }
    const cpus: VmcoreCpu[] = pr.map((n, index) => {
      const p = parsePrstatus(n.desc)!;
      return { index, pid: p.pid, rip: p.regs.rip, rsp: p.regs.rsp, prstatus: p };
    });
    // QEMU notes come in the same vCPU order as the CORE notes.
    qemu.forEach((n, i) => {
      const q = parseQemuCpuState(n.desc);
      if (!q) return;
      const c = cpus[i];
      if (c) c.qemu = q;
      else cpus.push({ index: i, pid: 0, rip: q.rip, rsp: q.rsp, qemu: q });
    });
    return cpus;
  }

  private decidePaging(): PagingDecision {
    const l5 = this.vmcoreinfo.number("pgtable_l5_enabled");
    if (l5 !== undefined) return { levels: l5 !== 0n ? 5 : 4, source: "NUMBER(pgtable_l5_enabled)" };
    const q = this.cpus.find((c) => c.qemu)?.qemu;
    if (q) return { levels: q.la57 ? 5 : 4, source: "QEMU CR4.LA57" };
    if (this.vmcoreinfo.number("MAX_PHYSMEM_BITS") === 52n) return { levels: 5, source: "NUMBER(MAX_PHYSMEM_BITS)" };
    return { levels: 4, source: "default" };
  }

  /** phys_base: VMCOREINFO, else a kernel-text PT_LOAD, else the makedumpfile sub-header (x86-64-translation.md §6.3). */
  physBase(): bigint | undefined {
    const n = this.vmcoreinfo.number("phys_base");
    if (n !== undefined) return BigInt.asUintN(64, n);
    const kt = this.loads.find((l) => l.vaddr >= START_KERNEL_MAP);
    if (kt) return BigInt.asUintN(64, kt.paddr - (kt.vaddr - START_KERNEL_MAP));
    if (this.kdump && this.kdump.header.utsname.release !== "") return this.kdump.sub.physBase;
    return undefined;
  }

  /** The kernel virtual → physical translator; throws FormatError when the root table is unknown. */
  translator(): KernelTranslator {
    if (this.translatorCache) return this.translatorCache;
    const vi = this.vmcoreinfo;
    const physBase = this.physBase();
    const smeMask = BigInt.asUintN(64, vi.number("sme_mask") ?? 0n);
    const root = vi.symbol("init_top_pgt") ?? vi.symbol("init_level4_pgt") ?? vi.symbol("swapper_pg_dir");
    let rootPa: bigint;
    if (root !== undefined && physBase !== undefined) {
      rootPa = BigInt.asUintN(64, root - START_KERNEL_MAP + physBase);
    } else {
      const cr3 = this.cpus.find((c) => c.qemu)?.qemu?.cr3;
      if (cr3 === undefined) {
        throw new FormatError(this.source.name, 0, "VMCOREINFO", "SYMBOL(init_top_pgt) and phys_base, or a QEMU CR3, to translate kernel addresses", "none");
      }
      // Clear PCID (bits 0–11), the PTI user-copy bit 12 and anything above bit 51.
      rootPa = (cr3 & ~smeMask) & 0x000fffffffffe000n;
    }
    const kis = vi.number("KERNEL_IMAGE_SIZE");
    this.translatorCache = new KernelTranslator(
      this.memory,
      { levels: this.paging.levels, physBase: physBase ?? 0n, rootPa, smeMask, kernelImageSize: kis && kis > 0n ? kis : 1n << 30n },
      this.source.name,
    );
    return this.translatorCache;
  }

  translate(va: bigint, forceWalk = false): Translation {
    return this.translator().translate(va, forceWalk);
  }

  readPhysical(paddr: number, length: number): Uint8Array {
    return this.memory.read(paddr, length);
  }

  readVirtual(va: bigint, length: number): Uint8Array {
    return this.translator().read(va, length);
  }

  /** Physical ranges (dumped / not-dumped / excluded); reads the bitmaps of a kdump file. */
  ranges(): MemRange[] {
    return this.memory.ranges();
  }

  /**
   * The same in bounded steps (progress, cancel). Totals above the 4-level limit are always
   * collected, and a completed scan is kept for the summary's beyondFourLevel.
   */
  rangeScanner(): RangeScanner {
    const inner = this.memory.rangeScanner({ aboveAt: FOUR_LEVEL_LIMIT });
    const keep = (): void => {
      if (inner.done) this.lastScan = inner.result();
    };
    return {
      get end() {
        return inner.end;
      },
      get scanned() {
        return inner.scanned;
      },
      get done() {
        return inner.done;
      },
      step: () => {
        const d = inner.step();
        keep();
        return d;
      },
      result: () => inner.result(),
    };
  }

  private lastScan?: RangeScanResult;

  /**
   * Pages above the 4-level limit: from the PT_LOADs (ELF), a completed range scan, or (when
   * `probeBytes` allows) a bounded bitmap probe; the summary itself reads no bitmap.
   */
  beyondFourLevel(opts: { probeBytes?: number } = {}): BeyondFourLevel | null {
    const end = this.memory.addressSpaceEnd;
    const limit = FOUR_LEVEL_LIMIT;
    if (end <= limit) return null;
    let state: BeyondFourLevel["state"] = "unknown";
    let bytes: StateBytes | null = null;
    let basis: BeyondFourLevel["basis"] = "not scanned";
    const fromBytes = (b: StateBytes): BeyondFourLevel["state"] => (b.dumped > 0 ? "present" : b.excluded + b.notDumped > 0 ? "excluded" : "missing");
    if (this.format === "elf64" || this.lastScan) {
      const r = (this.lastScan ??= this.memory.rangeScanner({ aboveAt: limit }).result());
      bytes = { dumped: r.above!.dumped, notDumped: r.above!.notDumped, excluded: r.above!.excluded, hole: r.above!.hole };
      state = fromBytes(bytes);
      basis = this.format === "elf64" ? "program headers" : "range scan";
    } else if (opts.probeBytes && this.memory instanceof KdumpPhysicalMemory) {
      const p = this.memory.probeAbove(Math.ceil(limit / this.memory.pageSize), opts.probeBytes);
      if (p.dumped === true) state = "present";
      else if (p.dumped === false) state = p.ram === true ? "excluded" : p.ram === false ? "missing" : "not-dumped";
      if (state !== "unknown") basis = "bitmap probe";
    }
    return { limit, addressSpaceEnd: end, state, bytes, basis, implication: this.fourLevelImplication(state, end) };
  }

  private fourLevelImplication(state: BeyondFourLevel["state"], end: number): string {
    const four = PAGING_MODES[4];
    const lim = sizeLabel(four.maxmem);
    const reach = `The address space reaches ${sizeLabel(end)}, above the ${lim} a 4-level kernel maps (MAX_PHYSMEM_BITS ${four.maxPhysmemBits}).`;
    const crashed =
      this.paging.levels === 4 ? ` The crashed kernel itself ran 4-level, so it could not use memory above ${lim} either.` : "";
    switch (state) {
      case "present":
        return `${reach} Pages above ${lim} are in the dump: the capture kernel could read them, so it ran with 5-level paging.${crashed}`;
      case "excluded":
        return `${reach} RAM above ${lim} was recorded but no page of it is in the dump: filtered out by the dump level, or unreadable for a 4-level capture kernel; the dump does not say which.${crashed}`;
      case "missing":
        return `${reach} No RAM is recorded above ${lim}: the memory map the dump was made from had none there, so the dump says nothing about the capture kernel's paging mode; a 4-level capture kernel would have been enough.${crashed}`;
      case "not-dumped":
        return `${reach} No page above ${lim} is in the dump, as with a 4-level capture kernel; whether RAM was there (excluded) or not (missing) is known after the range scan.${crashed}`;
      default:
        return `${reach} Whether pages above ${lim} are in the dump is known after the range scan; a capture kernel running 4-level could not have read any.${crashed}`;
    }
  }

  readKernelLog(onProgress?: ProgressFn): KernelLog {
    return readKernelLog(this.vmcoreinfo, this.translator(), this.source.name, onProgress);
  }

  /** The log as `makedumpfile --dump-dmesg` writes it (latin1 string, one char per byte). */
  dmesg(opts?: FormatOptions): string {
    return formatMakedumpfile(this.readKernelLog(), opts);
  }

  summary(): VmcoreSummary {
    const vi = this.vmcoreinfo;
    const physBase = this.physBase();
    const k = this.kdump;
    return {
      format: this.format,
      container: this.container,
      compression: k ? compressionNames(k.header.status).join("+") || "none" : "none",
      osrelease: vi.osrelease() ?? (k?.header.utsname.release || null),
      pagingLevels: this.paging.levels,
      pagingSource: this.paging.source,
      vmcoreinfo: vi.toObject(),
      loads: this.loads.map((l) => ({ paddr: l.paddr, vaddr: l.vaddr, filesz: l.filesz, memsz: l.memsz, offset: l.offset })),
      cpus: this.cpus,
      notes: this.notes.map((n) => ({ name: n.name, type: n.type, descsz: n.desc.length })),
      physBase: physBase ?? null,
      kaslrOffset: vi.kernelOffset() ?? null,
      crashTime: vi.crashTime() ?? (k && k.header.timestamp.sec > 0n ? Number(k.header.timestamp.sec) : null),
      dumpLevel: k?.sub.dumpLevel ?? null,
      kdumpHeader: k
        ? {
            headerVersion: k.header.headerVersion,
            utsname: k.header.utsname,
            status: k.header.status,
            blockSize: k.header.blockSize,
            maxPfn: k.header.headerVersion >= 6 && k.sub.maxMapnr64 !== undefined ? k.sub.maxMapnr64 : k.header.maxMapnr,
            nrCpus: k.header.nrCpus,
            split: k.sub.split === 1,
          }
        : undefined,
      beyondFourLevel: this.beyondFourLevel(),
      ...(this.flattened ? { flattenedIndex: { ...this.flattened.state(), onDemand: true as const } } : {}),
      warnings: [...this.warnings],
      bytesRead: this.source.bytesRead,
    };
  }
}

/** Opens a dump from a ByteSource: detects the format and reads headers and notes only. */
export function openVmcore(src: ByteSource): Vmcore {
  const det = detectVmcore(src);
  const kind = det.kind;
  if (kind === "flattened") {
    const flat = new FlattenedByteSource(src);
    const open = (): Vmcore => {
      const det = detectVmcore(flat);
      if (det.kind === "flattened" || det.kind === "unknown") {
        throw new FormatError(src.name, 0, "flattened dump contents", "a KDUMP or ELF dump inside the flattened stream", det.reason ?? det.kind);
      }
      // makedumpfile -F -E writes zeroed program headers first and the real ones at the end of
      // the stream: an ELF inside needs the whole index (its records are 64 KiB: 16 bytes read
      // per 64 KiB). A KDUMP inside is indexed on demand: its headers and notes come first.
      if (det.kind === "elf64") flat.indexAll();
      const v = build(flat, det.kind, "flattened");
      v.flattened = flat;
      return v;
    };
    try {
      return open();
    } catch (e) {
      // A record later in the stream may rewrite the headers ("later record wins"): what did not
      // parse from the records read so far is retried once over the whole index.
      if (!(e instanceof FormatError) || flat.complete) throw e;
      flat.indexAll();
      return open();
    }
  }
  if (kind === "unknown") throw new FormatError(src.name, 0, "vmcore signature", "an ELF64 core, KDUMP or makedumpfile flattened dump", det.reason);
  return build(src, kind, "file");
}

function build(src: ByteSource, kind: "elf64" | "kdump-compressed", container: "file" | "flattened"): Vmcore {
  if (kind === "elf64") {
    const e = readElfVmcore(src);
    const v = new Vmcore(src, "elf64", container, e.memory, e.notes, undefined, e.loads);
    if (e.pnXnum) v.warnings.push(`PN_XNUM: ${e.phnum} program headers (count from section header 0)`);
    return v;
  }
  const k = readKdumpCompressed(src);
  const v = new Vmcore(src, "kdump-compressed", container, k.memory, k.notes, k.vmcoreinfoText, [], { header: k.header, sub: k.sub });
  if (k.header.status & 0x08) v.warnings.push("dump is incomplete (DUMP_DH_COMPRESSED_INCOMPLETE): some pages are missing");
  if (k.sub.split === 1) v.warnings.push(`part of a split dump set: pfns ${k.sub.startPfn64 ?? "?"}..${k.sub.endPfn64 ?? "?"} only`);
  return v;
}
