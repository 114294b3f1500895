/**
 * kexec_load as kexec-tools does it on x86_64 (kexec.md §A; horms/kexec-tools kexec/kexec.c
 * locate_hole()/add_buffer(), kexec/arch/x86_64/kexec-bzImage64.c do_bzImage64_load(),
 * kexec/arch/i386/{kexec-bzImage.c,x86-linux-setup.c,crashdump-x86.c}).
 */
import type { KexecToolsProfile } from "./kernelProfiles";
import type { KexecImage } from "./kexecImage";
import { LOADED_HIGH, XLF_CAN_BE_LOADED_ABOVE_4G, XLF_KERNEL_64, kern16Size } from "./kexecImage";
import type { MemoryMap } from "./memoryMap";
import { isRamType } from "./memoryMap";
import type { Errno, PlacementResult, Segment } from "./placement";
import { NO_UPPER_LIMIT } from "./placement";
import type { AddrRange } from "./ranges";
import { KiB, PAGE_SIZE, alignDown, alignUp, hex, mergeRanges } from "./ranges";

export interface KexecToolsInput {
  map: MemoryMap;
  image: KexecImage;
  initrdSize?: number;
  crash: boolean;
  /** --append text (without the NUL). */
  cmdline: string;
  tools: KexecToolsProfile;
  /** Crash kernel ranges as /proc/iomem lists them; default map.crashKernel. */
  crashRanges?: readonly AddrRange[];
  /** CPUs with crash notes (elfcorehdr size). */
  cpus?: number;
  /** The running kernel is locked down (Secure Boot / lockdown=): kexec_load is refused with EPERM. */
  lockdown?: boolean;
}

class HoleFinder {
  readonly segments: Segment[] = [];
  constructor(
    private readonly ram: readonly AddrRange[],
    private readonly memMin: number,
    private readonly memMax: number,
  ) {}

  /** Free pieces of one RAM range between the (sorted) segments, ascending. */
  private pieces(r: AddrRange): AddrRange[] {
    const out: AddrRange[] = [];
    let mstart = r.start;
    for (const s of this.segments) {
      if (s.mem < r.start || s.mem > r.end) continue;
      if (mstart < s.mem) out.push({ start: mstart, end: s.mem - 1 });
      mstart = Math.max(mstart, s.mem + s.memsz);
    }
    // kexec-tools keeps the tail only if mstart < mend (a 1-byte tail is dropped).
    if (mstart < r.end) out.push({ start: mstart, end: r.end });
    return out;
  }

  /**
   * locate_hole(): kexec-tools walks ascending and, top-down, keeps the last fit; walking
   * descending and stopping at the first fit gives the same answer without visiting every range.
   */
  locate(size: number, align: number, min: number, max: number, topDown: boolean): number {
    align = Math.max(align, PAGE_SIZE);
    const n = this.ram.length;
    for (let k = 0; k < n; k++) {
      const r = this.ram[topDown ? n - 1 - k : k]!;
      if (topDown ? r.start > Math.min(this.memMax, max) : r.end < Math.max(this.memMin, min)) continue;
      if (topDown ? r.end < Math.max(this.memMin, min) : r.start > Math.min(this.memMax, max)) break;
      const ps = this.pieces(r);
      for (let q = 0; q < ps.length; q++) {
        const p = ps[topDown ? ps.length - 1 - q : q]!;
        let start = Math.max(p.start, this.memMin, min);
        start = alignUp(start, align);
        const end = Math.min(p.end, this.memMax, max);
        if (start >= end || start >= this.memMax || end <= this.memMin) continue;
        if (end - start + 1 >= size) {
          const base = topDown ? alignDown(end - size + 1, align) : start;
          return base + size - 1 > max ? -1 : base;
        }
      }
    }
    return -1;
  }

  add(what: string, bufsz: number, memsz: number, align: number, min: number, max: number, topDown: boolean): number {
    memsz = alignUp(memsz, PAGE_SIZE);
    const base = this.locate(memsz, align, min, max, topDown);
    if (base < 0) return -1;
    const seg: Segment = { what, mem: base, memsz, bufsz };
    let i = this.segments.findIndex((s) => s.mem > base);
    if (i < 0) i = this.segments.length;
    this.segments.splice(i, 0, seg);
    return base;
  }
}

/** RAM ranges as kexec-tools reads them (/sys/firmware/memmap, else /proc/iomem). */
export function kexecToolsRam(map: MemoryMap): AddrRange[] {
  const fw = map.firmware.filter((e) => isRamType(e.type)).map((e) => ({ start: e.start, end: e.end }));
  const ram = mergeRanges(fw.length > 0 ? fw : map.systemRam);
  // The first RAM range starts at 0x400 at the earliest (real-mode IVT).
  if (ram[0] && ram[0].start < 0x400) ram[0] = { start: 0x400, end: ram[0].end };
  return ram;
}

const DEFAULT_BZIMAGE_ADDR_MAX = 0x37ffffff;
const INITRD_BASE = 0x1000000;
/** Observed with kexec-tools 2.0.25 `kexec -d` (lab/kexec-load): a 0x30-byte setup_data. */
const SETUP_DATA_BYTES = 0x30;

/** kexec-tools bzImage64_probe(): protocol >= 2.12, LOADED_HIGH, (xloadflags & 3) == 3. */
export function probe64(img: KexecImage): boolean {
  return img.fileSize >= 1024 && img.hasHdrS && img.bootFlag === 0xaa55 && img.protocolVersion >= 0x020c && (img.loadflags & LOADED_HIGH) !== 0 && (img.xloadflags & (XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G)) === (XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G);
}

/** kexec-tools i386 bzImage_probe(): any bzImage with HdrS and LOADED_HIGH. */
export function probe32(img: KexecImage): boolean {
  return img.fileSize >= 1024 && img.hasHdrS && img.bootFlag === 0xaa55 && img.protocolVersion >= 0x0200 && (img.loadflags & LOADED_HIGH) !== 0;
}

export function simulateKexecLoad(input: KexecToolsInput): PlacementResult {
  const { map, image: img, tools } = input;
  const log: string[] = [];
  // Refusals are kexec-tools' own (no syscall made, errno null) unless the kernel's is given.
  const res = (accepted: boolean, reason: string, loader: string | null, segs: Segment[], crashRegion?: AddrRange, errno: Errno | null = null): PlacementResult => ({
    interface: "kexec_load", loader, accepted, reason, errno, segments: segs, log, crashRegion,
  });
  const is64 = probe64(img);
  if (!is64 && !probe32(img)) return res(false, `Cannot determine the file type of ${img.name}`, null, []);
  const loader = is64 ? "bzImage64" : "bzImage (i386)";
  const ram = kexecToolsRam(map);
  let memMin = 0;
  let memMax = NO_UPPER_LIMIT;
  let crashRegion: AddrRange | undefined;
  if (input.crash) {
    const cr = input.crashRanges ?? map.crashKernel;
    // crashdump-x86.c: the last "Crash kernel" line of /proc/iomem.
    crashRegion = cr[cr.length - 1];
    if (!crashRegion) return { ...res(false, "Memory for crashkernel is not reserved", loader, []), noRoom: true };
    memMin = crashRegion.start;
    memMax = crashRegion.end;
  }
  const h = new HoleFinder(ram, memMin, memMax);
  const fail = (what: string, size: number): PlacementResult => {
    log.push(`Could not find a free area of memory of ${hex(size)} bytes...`);
    return { ...res(false, `locate_hole failed (${what})`, loader, [...h.segments], crashRegion), noRoom: true };
  };
  let cmdline = input.cmdline;
  if (is64 && cmdline.length + 1 > img.cmdlineSize) {
    // kexec-bzImage64.c prints this with dbgprintf() (only with -d); the user sees "Cannot load <file>".
    log.push("Kernel command line too long for kernel!");
    return res(false, `Cannot load ${img.name}`, loader, [], crashRegion);
  }
  if (input.crash) {
    // load_crashdump_segments(): backup of the first RAM range below 640 KiB, then ELF headers.
    const first = map.systemRam.find((r) => r.start < 640 * KiB) ?? ram.find((r) => r.start < 640 * KiB);
    if (first) {
      const src = { start: first.start, end: Math.min(first.end, 640 * KiB - 1) };
      const sz = alignUp(src.end - src.start + 1, 1024);
      const b = h.add("backup", sz, sz, 1024, 0, NO_UPPER_LIMIT, true);
      if (b < 0) return fail("backup", sz);
      log.push(`Created backup segment at ${hex(b)}`);
    }
    const ranges = ram.length + 1;
    const phnum = (input.cpus ?? 1) + 2 + ranges;
    const bufsz = alignUp(64 + 56 * phnum, 1024);
    // crashdump-x86.c bloats the header segment to 16 KiB (ld gap workaround).
    const memsz = Math.max(bufsz, 16 * KiB);
    const e = h.add("elfcorehdr", bufsz, memsz, 1024, 0, NO_UPPER_LIMIT, true);
    if (e < 0) return fail("elfcorehdr", memsz);
    log.push(`Created elf header segment at ${hex(e)}`);
    // crashdump-x86.c: without an EFI runtime map (BIOS boot) cmdline_add_efi() appends the RSDP
    // address from /sys/kernel/boot_params (get_acpi_rsdp(), kexec-tools ≥ 2.0.20), then elfcorehdr=.
    if (map.acpiRsdp && !map.efiBoot) cmdline = `${cmdline} acpi_rsdp=0x${map.acpiRsdp.toString(16)}`;
    cmdline = `${cmdline} elfcorehdr=${Math.floor(e / 1024)}K`;
  }
  const cmdlineLen = cmdline.length + 1;
  const k16 = kern16Size(img);
  if (img.fileSize < k16) return res(false, "BzImage truncated?", loader, [], crashRegion);
  const relocatable32 = img.protocolVersion >= 0x0205 && img.relocatable;
  const pmax = is64 || !relocatable32 ? (is64 ? NO_UPPER_LIMIT : 640 * KiB) : 0x7fffffff;
  const p = h.add("purgatory", tools.purgatoryMemsz, tools.purgatoryMemsz, PAGE_SIZE, 0x3000, pmax, true);
  if (p < 0) return fail("purgatory", tools.purgatoryMemsz);
  log.push(`Loaded purgatory at addr ${hex(p)}`);
  const realMode = Math.max(is64 ? Math.max(k16, 4096) : k16, 0) + cmdlineLen + tools.purgatoryCmdlineSize;
  const realTop = is64 || input.crash;
  const rm = h.add("real_mode_data + cmdline", realMode, realMode, 16, 0x3000, realTop ? NO_UPPER_LIMIT : 640 * KiB, realTop);
  if (rm < 0) return fail("real_mode_data", realMode);
  log.push(`Loaded real_mode_data and command line at ${hex(rm)}`);
  const kmin = tools.honoursPrefAddress ? Math.max(0x100000, img.prefAddress) : 0x100000;
  if (is64) {
    log.push(`kernel init_size ${hex(img.initSize)}`);
    const ksz = alignUp(img.initSize, PAGE_SIZE);
    const k = h.add("kernel", img.fileSize - k16, ksz, img.kernelAlignment, kmin, NO_UPPER_LIMIT, true);
    if (k < 0) return fail("kernel", ksz);
    log.push(`Loaded 64bit kernel at ${hex(k)}`);
  } else if (relocatable32) {
    const kmax = Math.min(DEFAULT_BZIMAGE_ADDR_MAX, img.initrdAddrMax);
    const ksz = img.fileSize - k16;
    const k = h.add("kernel", ksz, ksz, img.kernelAlignment, kmin, kmax, false);
    if (k < 0) return fail("kernel", ksz);
  } else {
    // Non-relocatable: fixed at KERN32_BASE (0x100000).
    const ksz = alignUp(img.fileSize - k16, PAGE_SIZE);
    h.segments.push({ what: "kernel", mem: 0x100000, memsz: ksz, bufsz: img.fileSize - k16 });
    h.segments.sort((a, b) => a.mem - b.mem);
  }
  if (input.initrdSize) {
    const imax = is64 ? NO_UPPER_LIMIT : img.protocolVersion >= 0x0203 ? img.initrdAddrMax : DEFAULT_BZIMAGE_ADDR_MAX;
    const i = h.add("initrd", input.initrdSize, input.initrdSize, PAGE_SIZE, INITRD_BASE, imax, true);
    if (i < 0) return fail("initrd", input.initrdSize);
    log.push(`Loaded initrd at ${hex(i)} size ${hex(input.initrdSize)}`);
  }
  if (is64 && tools.setupDataSegment) {
    // add_setup_data() for the RNG seed (≥2.0.25): bottom-up from 1 MiB (x86-linux-setup.c).
    const s = h.add("setup_data", SETUP_DATA_BYTES, SETUP_DATA_BYTES, PAGE_SIZE, 0x100000, NO_UPPER_LIMIT, false);
    if (s < 0) return fail("setup_data", SETUP_DATA_BYTES);
  }
  // kernel/kexec.c: nr_segments > KEXEC_SEGMENT_MAX is -EINVAL.
  if (h.segments.length > 16) return res(false, "Too many segments (KEXEC_SEGMENT_MAX is 16)", loader, [...h.segments], crashRegion, "EINVAL");
  if (input.lockdown) {
    // kernel/kexec.c kexec_load_check(): security_locked_down(LOCKDOWN_KEXEC) → -EPERM, after
    // kexec-tools has placed everything; security/lockdown/lockdown.c logs the refusal.
    log.push("Lockdown: kexec: kexec of unsigned images is restricted; see man kernel_lockdown.7");
    return res(false, "kexec_load failed: Operation not permitted", loader, [...h.segments], crashRegion, "EPERM");
  }
  if (!is64 && !(img.xloadflags & XLF_KERNEL_64)) log.push("32-bit kernel: entered through the 32-bit entry point.");
  else if (!is64 && !(img.xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G)) log.push("Not a relocatable bzImage64: the i386 loader keeps it below 0x37FFFFFF.");
  return res(true, "", loader, [...h.segments], crashRegion);
}
