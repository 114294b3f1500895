/**
 * kexec_file_load as the kernel does it on x86_64 (kexec.md §B): bzImage64_probe() and
 * bzImage64_load() in arch/x86/kernel/kexec-bzimage64.c, kexec_add_buffer() and
 * locate_mem_hole_{top_down,bottom_up}() in kernel/kexec_file.c (6.1.192, 6.12.117).
 */
import type { KernelConfig } from "./kernelConfig";
import { configBool, configInt, crashHeaderSizing } from "./kernelConfig";
import type { KernelProfile } from "./kernelProfiles";
import type { KexecImage } from "./kexecImage";
import { LOADED_HIGH, XLF_5LEVEL, XLF_CAN_BE_LOADED_ABOVE_4G, XLF_KERNEL_64, kern16Size } from "./kexecImage";
import type { MemoryMap } from "./memoryMap";
import type { Errno, PlacementResult, Segment } from "./placement";
import { NO_UPPER_LIMIT } from "./placement";
import type { AddrRange } from "./ranges";
import { MiB, PAGE_SIZE, alignDown, alignUp, hex, mergeRanges, subtractRanges } from "./ranges";

export interface KexecFileInput {
  map: MemoryMap;
  image: KexecImage;
  initrdSize?: number;
  crash: boolean;
  /** Command line passed by user space (without the NUL). */
  cmdline: string;
  profile: KernelProfile;
  /** Paging mode of the running kernel (pgtable_l5_enabled()). */
  runningPaging: 4 | 5;
  /** EFI runtime services on 32-bit firmware (probe check 8). */
  efi32?: boolean;
  crashRanges?: readonly AddrRange[];
  /** Possible CPUs of the running kernel (crash notes in the ELF headers); default 1. */
  cpus?: number;
  /** crashkernel=…,cma areas (≥6.17); default map.crashCma. */
  cmaRanges?: readonly AddrRange[];
  /** The running kernel's .config: sizes that depend on the build (CONFIG_CRASH_HOTPLUG …). */
  config?: KernelConfig;
}

const PFX = "kexec-bzImage64: ";
/** MAX_ELFCOREHDR_STR_LEN: room for "elfcorehdr=0x<addr> ". */
const ELFCOREHDR_ROOM = 30;
const MIN_PURGATORY_ADDR = 0x3000;
const MIN_BOOTPARAM_ADDR = 0x3000;
const MIN_KERNEL_LOAD_ADDR = 0x100000;
const MIN_INITRD_LOAD_ADDR = 0x1000000;
const KEXEC_SEGMENT_MAX = 16;
/** sizeof(struct setup_data) + sizeof(struct efi_setup_data), always added (kexec-bzimage64.c). */
const EFI_SETUP_DATA = 16 + 96;
/** sizeof(struct setup_data) + RNG_SEED_LENGTH (6.1+). */
const RNG_SETUP_DATA = 16 + 32;
/** Elf64_Ehdr and Elf64_Phdr sizes. */
const EHDR = 64;
const PHDR = 56;
/** PN_XNUM: the hotplug-sized header is used only below this many program headers. */
const PN_XNUM = 0xffff;
/** sizeof(struct setup_data) + sizeof(struct ima_setup_data) (CONFIG_IMA_KEXEC). */
const IMA_SETUP_DATA = 16 + 16;
/** sizeof(struct setup_data) + sizeof(struct kho_data) (CONFIG_KEXEC_HANDOVER, 6.16+). */
const KHO_SETUP_DATA = 16 + 16;
/** The first 640 KiB the pre-5.5 crash load backed up (KEXEC_BACKUP_SRC_END + 1). */
const BACKUP_SRC_END = 640 * 1024;

/** bzImage64_probe(): null when accepted, else the kernel's message. */
export function kexecFileProbe(img: KexecImage, profile: KernelProfile, runningPaging: 4 | 5, efi32 = false): string | null {
  if (img.fileSize < 2 * 512) return PFX + "File is too short to be a bzImage";
  if (!img.hasHdrS) return PFX + "Not a bzImage";
  if (img.bootFlag !== 0xaa55) return PFX + "No x86 boot sector present";
  if (img.protocolVersion < 0x020c) return PFX + "Must be at least protocol version 2.12";
  if (!(img.loadflags & LOADED_HIGH)) return PFX + "zImage not a bzImage";
  if (!(img.xloadflags & XLF_KERNEL_64)) return PFX + "Not a bzImage64. XLF_KERNEL_64 is not set.";
  if (!(img.xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G)) return PFX + "XLF_CAN_BE_LOADED_ABOVE_4G is not set.";
  if (efi32) return PFX + "EFI is 32 bit. Can't load kernel above 4G.";
  if (profile.kexecFile.fiveLevelCheck && runningPaging === 5 && !(img.xloadflags & XLF_5LEVEL)) {
    return PFX + "bzImage cannot handle 5-level paging mode.";
  }
  return null;
}

interface Kbuf {
  what: string;
  bufsz: number;
  memsz: number;
  align: number;
  min: number;
  max: number;
  topDown: boolean;
}

class KexecFileImage {
  readonly segments: Segment[] = [];
  constructor(
    private readonly regionsAsc: readonly AddrRange[],
    private readonly regionsTopDown: readonly AddrRange[],
    private readonly offByOneFixed: boolean,
  ) {}

  /** kimage_is_destination_range(): the first placed segment overlapping [s, e], if any. */
  private overlap(s: number, e: number): Segment | undefined {
    return this.segments.find((g) => s <= g.mem + g.memsz - 1 && g.mem <= e);
  }

  private topDown(start: number, end: number, k: Kbuf): number {
    const tEnd = Math.min(end, k.max);
    let t = this.offByOneFixed ? tEnd - k.memsz + 1 : tEnd - k.memsz;
    for (;;) {
      t = alignDown(t, k.align);
      if (t < start || t < k.min) return -1;
      const g = this.overlap(t, t + k.memsz - 1);
      if (!g) return t;
      // Stepping down a page at a time reaches the first spot below g; jump there.
      t = Math.min(t - PAGE_SIZE, g.mem - k.memsz);
    }
  }

  private bottomUp(start: number, end: number, k: Kbuf): number {
    let t = Math.max(start, k.min);
    for (;;) {
      t = alignUp(t, k.align);
      const e = t + k.memsz - 1;
      if (e > end || e > k.max) return -1;
      const g = this.overlap(t, e);
      if (!g) return t;
      t = Math.max(t + PAGE_SIZE, g.mem + g.memsz);
    }
  }

  /** kexec_add_buffer(): page-rounds memsz and alignment, walks the regions. */
  add(k: Kbuf): number {
    if (this.segments.length >= KEXEC_SEGMENT_MAX) return -1;
    k = { ...k, memsz: alignUp(k.memsz, PAGE_SIZE), align: Math.max(k.align, PAGE_SIZE) };
    const regions = k.topDown ? this.regionsTopDown : this.regionsAsc;
    for (const r of regions) {
      const sz = r.end - r.start + 1;
      if (sz < k.memsz) continue;
      if (r.end < k.min || r.start > k.max) continue;
      const at = k.topDown ? this.topDown(r.start, r.end, k) : this.bottomUp(r.start, r.end, k);
      if (at >= 0) {
        this.segments.push({ what: k.what, mem: at, memsz: k.memsz, bufsz: k.bufsz });
        return at;
      }
    }
    return -1;
  }
}

export function simulateKexecFile(input: KexecFileInput): PlacementResult {
  const { map, image: img, profile } = input;
  const log: string[] = [];
  const notes: string[] = [];
  const res = (accepted: boolean, reason: string, segs: Segment[], crashRegion?: AddrRange, errno: Errno | null = accepted ? null : "EINVAL"): PlacementResult => ({
    interface: "kexec_file_load", loader: "bzImage64", accepted, reason, errno, segments: segs, log, crashRegion, notes,
  });
  const refused = kexecFileProbe(img, profile, input.runningPaging, input.efi32);
  if (refused) {
    log.push(refused);
    // Every loader's probe failed: kexec_image_probe_default() returns -ENOEXEC.
    return { ...res(false, refused, [], undefined, "ENOEXEC"), loader: null };
  }
  log.push(PFX + "It's a relocatable bzImage64");
  const k16 = kern16Size(img);
  if (img.fileSize < k16) return res(false, PFX + "bzImage truncated", [], undefined, "ENOEXEC");
  const cmdlineLen = input.cmdline.length + 1;
  // bzImage64_load(): both checks apply to normal loads too; the second was pr_debug before 6.12.
  if (cmdlineLen > img.cmdlineSize) return res(false, PFX + "Kernel command line too long", []);
  if (cmdlineLen + ELFCOREHDR_ROOM > img.cmdlineSize) {
    const text = profile.kexecFile.cmdlineRoomIsError
      ? "Appending elfcorehdr=<addr> to command line exceeds maximum allowed length"
      : "Appending elfcorehdr=<addr> exceeds cmdline size";
    if (!profile.kexecFile.cmdlineRoomIsError) notes.push("Before 6.12 the kernel prints this refusal with pr_debug only: dmesg shows nothing unless dynamic debug is on; the syscall fails with EINVAL.");
    return res(false, PFX + text, []);
  }
  let regionsAsc: AddrRange[];
  let regionsTop: AddrRange[];
  let crashRegion: AddrRange | undefined;
  if (input.crash) {
    const cr = input.crashRanges ?? map.crashKernel;
    // crashk_res is the main area: the highest "Crash kernel" range (the low one is below 4 GiB).
    crashRegion = cr[cr.length - 1];
    // The first kexec_add_buffer() walks an empty crashk_res: kexec_locate_mem_hole() -EADDRNOTAVAIL.
    if (!crashRegion) return { ...res(false, "kexec_file_load: no crash kernel memory reserved (crashk_res is empty)", [], undefined, "EADDRNOTAVAIL"), noRoom: true };
    regionsAsc = [crashRegion];
    regionsTop = [crashRegion];
  } else {
    regionsAsc = map.systemRam;
    regionsTop = profile.kexecFile.walkTopDown ? [...map.systemRam].reverse() : map.systemRam;
  }
  const kimg = new KexecFileImage(regionsAsc, regionsTop, profile.kexecFile.offByOneFixed);
  const fail = (what: string): PlacementResult => ({ ...res(false, `kexec_file: cannot place ${what} (-EADDRNOTAVAIL)`, [...kimg.segments], crashRegion, "EADDRNOTAVAIL"), noRoom: true });
  if (input.crash) {
    if (profile.kexecFile.backupRegion) {
      // <5.5 crash_load_segments(): a zero-filled segment the size of the first System RAM range
      // below 640 KiB, bottom-up in crashk_res; purgatory copies that memory there after a crash.
      const src = map.systemRam.find((r) => r.start < BACKUP_SRC_END);
      if (src) {
        const sz = Math.min(src.end, BACKUP_SRC_END - 1) - src.start + 1;
        const at = kimg.add({ what: "backup", bufsz: 1, memsz: sz, align: PAGE_SIZE, min: 0, max: NO_UPPER_LIMIT, topDown: false });
        if (at < 0) return fail("backup region");
        log.push(`kexec: Loaded backup region at ${hex(at)} backup_start=${hex(src.start)} memsz=${hex(sz)}`);
      }
    }
    // crash_load_segments(): ELF headers for the possible CPUs + vmcoreinfo + kernel text + RAM ranges
    // (crash_prepare_elf64_headers(), ALIGN(…, ELF_CORE_HEADER_ALIGN)).
    // The RAM ranges the headers describe: System RAM minus the first 1 MiB, the crash areas and
    // (≥6.17) the crashkernel CMA areas (crash.c elf_header_exclude_ranges()).
    const ranges = elfLoadRanges(input, crashRegion!).length;
    const bufsz = alignUp(EHDR + PHDR * ((input.cpus ?? 1) + 2 + ranges), PAGE_SIZE);
    let memsz = bufsz;
    if (profile.kexecFile.crashHotplugElfHeaders) {
      const sizing = crashHeaderSizing(input.config);
      notes.push(...sizing.notes);
      if (sizing.crashHotplug) {
        // CONFIG_CRASH_HOTPLUG: room for every CPU and (with MEMORY_HOTPLUG) every memory range.
        const pnum = sizing.memoryHotplug ? 2 + sizing.nrCpusDefault + sizing.maxMemoryRanges : ranges + 2 + sizing.nrCpusDefault;
        if (pnum < PN_XNUM) memsz = EHDR + PHDR * pnum;
        notes.push(`elfcorehdr sized for ${pnum} program headers (CONFIG_CRASH_HOTPLUG, NR_CPUS_DEFAULT ${sizing.nrCpusDefault}${sizing.memoryHotplug ? `, CRASH_MAX_MEMORY_RANGES ${sizing.maxMemoryRanges}` : ""}; from ${sizing.from}).`);
      }
    }
    const at = kimg.add({ what: "elfcorehdr", bufsz, memsz, align: PAGE_SIZE, min: 0, max: NO_UPPER_LIMIT, topDown: false });
    if (at < 0) return fail("elfcorehdr");
    log.push(`kexec: Loaded ELF headers at ${hex(at)} bufsz=${hex(bufsz)} memsz=${hex(memsz)}`);
  }
  if (profile.kexecFile.khoAndCma && !input.crash) {
    const cmaMb = configInt(input.config, "CONFIG_CMA_SIZE_MBYTES");
    const cmaCmdline = /(^|\s)cma=/.test(map.cmdline ?? "");
    if (configBool(input.config, "CONFIG_KEXEC_HANDOVER")) notes.push("CONFIG_KEXEC_HANDOVER=y: with kho=on the kernel places every segment inside KHO scratch areas (kho_locate_mem_hole()); not simulated.");
    if (configBool(input.config, "CONFIG_DMA_CMA") && ((cmaMb ?? 0) > 0 || cmaCmdline)) {
      notes.push("A default CMA area exists (CONFIG_DMA_CMA with CONFIG_CMA_SIZE_MBYTES > 0 or cma=): kexec_alloc_contig() takes each segment from it before walking System RAM; not simulated.");
    } else if (!input.config) {
      notes.push("6.16+ may place non-crash segments in KHO scratch areas or a default CMA area when configured; no .config given, so neither is assumed.");
    }
  }
  const purg = profile.kexecFile.purgatoryMemsz;
  if (kimg.add({ what: "purgatory", bufsz: purg, memsz: purg, align: PAGE_SIZE, min: MIN_PURGATORY_ADDR, max: NO_UPPER_LIMIT, topDown: true }) < 0) return fail("purgatory");
  let params = alignUp(4096 + cmdlineLen + ELFCOREHDR_ROOM, 16) + EFI_SETUP_DATA + (profile.kexecFile.rngSeed ? RNG_SETUP_DATA : 0);
  if (configBool(input.config, "CONFIG_IMA_KEXEC")) params += IMA_SETUP_DATA;
  if (profile.kexecFile.khoAndCma && configBool(input.config, "CONFIG_KEXEC_HANDOVER")) params += KHO_SETUP_DATA;
  const bp = kimg.add({ what: "boot_params + cmdline", bufsz: params, memsz: params, align: 16, min: MIN_BOOTPARAM_ADDR, max: NO_UPPER_LIMIT, topDown: true });
  if (bp < 0) return fail("boot_params");
  const kmin = profile.kexecFile.kernelMinPrefAddress ? Math.max(MIN_KERNEL_LOAD_ADDR, img.prefAddress) : MIN_KERNEL_LOAD_ADDR;
  const ksz = alignUp(img.initSize, PAGE_SIZE);
  const k = kimg.add({ what: "kernel", bufsz: img.fileSize - k16, memsz: ksz, align: img.kernelAlignment, min: kmin, max: NO_UPPER_LIMIT, topDown: true });
  if (k < 0) return fail("kernel");
  log.push(`kexec-bzImage64: Loaded 64bit kernel at ${hex(k)} bufsz=${hex(img.fileSize - k16)} memsz=${hex(ksz)}`);
  if (input.initrdSize) {
    const i = kimg.add({ what: "initrd", bufsz: input.initrdSize, memsz: input.initrdSize, align: PAGE_SIZE, min: MIN_INITRD_LOAD_ADDR, max: NO_UPPER_LIMIT, topDown: true });
    if (i < 0) return fail("initrd");
    log.push(`kexec-bzImage64: Loaded initrd at ${hex(i)} bufsz=${hex(input.initrdSize)} memsz=${hex(alignUp(input.initrdSize, PAGE_SIZE))}`);
  }
  const done = res(true, "", [...kimg.segments], crashRegion);
  if (input.crash && crashRegion) done.dumpKernel = dumpKernelView(input, crashRegion, kimg.segments);
  return done;
}

/**
 * arch/x86/kernel/crash.c crash_setup_memmap_entries() and elf_header_exclude_ranges() (5.5+;
 * ≥6.17 with crashk_cma_ranges): the capture kernel gets the CMA areas as RAM while the ELF
 * headers it exports as /proc/vmcore leave them out (their pages belong to the crashed kernel's
 * movable allocations and are not dumped).
 */
function dumpKernelView(input: KexecFileInput, main: AddrRange, segs: readonly Segment[]): NonNullable<PlacementResult["dumpKernel"]> {
  const { map, profile } = input;
  const all = input.crashRanges ?? map.crashKernel;
  const low = all.filter((r) => r !== main && r.end < main.start);
  const cma = profile.cmaSuffix ? [...(input.cmaRanges ?? map.crashCma ?? [])] : [];
  const eh = segs.find((g) => g.what === "elfcorehdr");
  const lowMiB = subtractRanges(map.systemRam, [{ start: MiB, end: Number.MAX_SAFE_INTEGER }]);
  const mainRam = eh ? subtractRanges([main], [{ start: eh.mem, end: eh.mem + eh.memsz - 1 }]) : [main];
  const ram = mergeRanges([...lowMiB, ...low, ...mainRam.filter((r) => r.end - r.start + 1 >= PAGE_SIZE), ...cma]);
  return { ram, elfLoads: elfLoadRanges(input, main) };
}

function elfLoadRanges(input: KexecFileInput, main: AddrRange): AddrRange[] {
  const { map, profile } = input;
  const all = input.crashRanges ?? map.crashKernel;
  const cma = profile.cmaSuffix ? [...(input.cmaRanges ?? map.crashCma ?? [])] : [];
  return subtractRanges(mergeRanges(map.systemRam), mergeRanges([{ start: 0, end: MiB - 1 }, ...all, main, ...cma]));
}
