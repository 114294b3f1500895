/**
 * crashkernel= reservation on x86_64 per kernel version: memblock top-down search over
 * (memory − reserved) with the version's windows, fallbacks and messages
 * (../shared/spec/crashkernel.md §3–§5; arch/x86/kernel/setup.c ≤6.6, kernel/crash_core.c /
 * crash_reserve.c reserve_crashkernel_generic() 6.7+).
 */
import type { CrashkernelRequest } from "./crashkernelSyntax";
import { parseCrashkernel, parseLowForSetup } from "./crashkernelSyntax";
import type { KernelProfile } from "./kernelProfiles";
import { defaultLowSize } from "./kernelProfiles";
import type { MemoryMap } from "./memoryMap";
import { memblockMemory } from "./memoryMap";
import type { AddrRange } from "./ranges";
import { FOUR_LEVEL_LIMIT } from "../knowledge/pagingModes";
import { GiB, MiB, PAGE_SIZE, alignDown, alignUp, hex, hexPad, mergeRanges, subtractRanges } from "./ranges";

/**
 * memblock with only what crashkernel needs: free = memory − reserved, kept sorted, and
 * memblock_find_in_range_node() top-down (mm/memblock.c, 6.1).
 */
export class Memblock {
  private free: AddrRange[];
  constructor(memory: readonly AddrRange[], reserved: readonly AddrRange[]) {
    this.free = subtractRanges(mergeRanges(memory), mergeRanges(reserved));
  }

  /** memblock_phys_alloc_range(size, align, start, end): top-down; 0 on failure. */
  allocTopDown(size: number, align: number, start: number, end: number): number {
    start = Math.max(start, PAGE_SIZE); // never page 0
    end = Math.max(start, end);
    const f = this.free;
    // Last range starting below end.
    let lo = 0;
    let hi = f.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (f[mid]!.start < end) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0; i--) {
      const r = f[i]!;
      const thisEnd = Math.min(Math.max(r.end + 1, start), end);
      const thisStart = Math.min(Math.max(r.start, start), end);
      if (thisEnd <= start) break;
      if (thisEnd < size) continue;
      const cand = alignDown(thisEnd - size, align);
      if (cand >= thisStart) {
        this.take(i, cand, size);
        return cand;
      }
    }
    return 0;
  }

  /** The same, bottom-up (memblock_set_bottom_up(true)): the lowest aligned fit. */
  allocBottomUp(size: number, align: number, start: number, end: number): number {
    start = Math.max(start, PAGE_SIZE);
    for (let i = 0; i < this.free.length; i++) {
      const r = this.free[i]!;
      const thisStart = Math.max(r.start, start);
      const thisEnd = Math.min(r.end + 1, end);
      if (thisEnd <= thisStart) {
        if (r.start >= end) break;
        continue;
      }
      const cand = alignUp(thisStart, align);
      if (cand < thisEnd && thisEnd - cand >= size) {
        this.take(i, cand, size);
        return cand;
      }
    }
    return 0;
  }

  private take(i: number, base: number, size: number): void {
    const r = this.free[i]!;
    const parts: AddrRange[] = [];
    if (base > r.start) parts.push({ start: r.start, end: base - 1 });
    if (base + size - 1 < r.end) parts.push({ start: base + size, end: r.end });
    this.free.splice(i, 1, ...parts);
  }

  /** memblock_phys_free(). */
  release(base: number, size: number): void {
    this.free = mergeRanges([...this.free, { start: base, end: base + size - 1 }]);
  }

  freeRanges(): readonly AddrRange[] {
    return this.free;
  }
}

export interface CrashRange extends AddrRange {
  name: "Crash kernel";
  role: "main" | "low";
}

export interface CrashkernelSimInput {
  map: MemoryMap;
  cmdline: string;
  profile: KernelProfile;
  /** Paging mode of the running kernel (MAXMEM before 5.3). */
  pagingLevels?: 4 | 5;
  /** swiotlb size in bytes (default 64 MiB) for the default low area. */
  swiotlbBytes?: number;
  xenPv?: boolean;
}

export interface CrashkernelSimResult {
  /** As /proc/iomem lists them: ascending. */
  ranges: CrashRange[];
  /** CMA areas (≥6.17 `,cma`); they are not "Crash kernel" entries in /proc/iomem. */
  cma: AddrRange[];
  /** Lines the kernel prints (dmesg), in order. */
  messages: string[];
  /** Simulator notes: why, caveats, warnings. Not kernel text. */
  notes: string[];
  /** memblock_phys_mem_size() used. */
  systemRam: number;
  /**
   * /sys/kernel/kexec_crash_size: the main area, plus the low area from 6.5 (16c6006af4d4); never
   * the CMA areas.
   */
  kexecCrashSize: number;
  request: CrashkernelRequest;
  /** Parse errors with their 1-based column in the command line. */
  errors: { message: string; column: number }[];
}

const mb = (x: number): number => Math.floor(x / MiB);
const num = (b: bigint): number => Number(b);

export function simulateCrashkernel(input: CrashkernelSimInput): CrashkernelSimResult {
  const { map, cmdline, profile } = input;
  const paging = input.pagingLevels ?? map.pagingLevels ?? 4;
  const memory = memblockMemory(map);
  let systemRam = 0;
  for (const r of memory) systemRam += r.end - r.start + 1;
  const reservedRanges: AddrRange[] = [{ start: 0, end: profile.lowReservedBytes - 1 }, ...map.reserved];
  const mbk = new Memblock(memory, reservedRanges);
  const defLow = defaultLowSize(input.swiotlbBytes);
  const request = parseCrashkernel(cmdline, systemRam, profile, defLow);
  const messages: string[] = [];
  const notes: string[] = [...map.notes];
  const errors: { message: string; column: number }[] = [];
  for (const m of request.messages) {
    messages.push(m.text);
    if (m.level === "warn") errors.push({ message: m.text, column: m.column });
  }
  const ranges: CrashRange[] = [];
  const cma: AddrRange[] = [];
  const result = (): CrashkernelSimResult => ({
    ranges: ranges.sort((a, b) => a.start - b.start),
    cma,
    messages,
    notes,
    systemRam,
    kexecCrashSize: ranges.filter((r) => r.role === "main" || profile.crashSizeIncludesLow).reduce((a, r) => a + r.end - r.start + 1, 0),
    request,
    errors,
  });
  if (!request.reserve) {
    notes.push(`No reservation: ${request.why}.`);
    return result();
  }
  if (input.xenPv) {
    messages.push("Ignoring crashkernel for a Xen PV domain");
    return result();
  }
  const size = num(request.size);
  const base = num(request.base);
  const align = profile.crashAlign;
  const lowMax = profile.lowMax;
  const highMax = profile.highMax(paging);

  if (profile.reservation !== "generic") {
    let b = 0;
    if (base === 0) {
      if (profile.reservation === "setup-4.19") {
        b = mbk.allocTopDown(size, align, align, request.high ? highMax : lowMax);
      } else {
        if (!request.high) b = mbk.allocTopDown(size, align, align, lowMax);
        if (!b) b = mbk.allocTopDown(size, align, align, highMax);
      }
      if (!b) {
        messages.push("crashkernel reservation failed - No suitable area found.");
        return result();
      }
    } else {
      const got = mbk.allocTopDown(size, MiB, base, base + size);
      if (got !== base) {
        if (got) mbk.release(got, size);
        messages.push("crashkernel reservation failed - memory is in use.");
        if (base % MiB !== 0) notes.push(`@${hex(base)} is not 1 MiB aligned, so the kernel cannot place the area there.`);
        return result();
      }
      b = base;
    }
    if (b >= 4 * GiB) {
      // reserve_crashkernel_low(): runs for any form once the main area is ≥ 4 GiB.
      let lowLimit = 0;
      if (profile.lowRamLimitMessage) lowLimit = Math.min(systemRam, 4 * GiB);
      else for (const r of memory) if (r.start < 4 * GiB) lowLimit += Math.min(r.end + 1, 4 * GiB) - r.start;
      const low = parseLowForSetup(cmdline, lowLimit, profile);
      for (const m of low.messages) {
        messages.push(m.text);
        errors.push({ message: m.text, column: m.column });
      }
      const lowSize = low.value === null ? defLow : num(low.value);
      if (lowSize > 0) {
        const lb = mbk.allocTopDown(lowSize, align, 0, 4 * GiB);
        if (!lb) {
          messages.push(`Cannot reserve ${mb(lowSize)}MB crashkernel low memory, please try smaller size.`);
          mbk.release(b, size);
          return result();
        }
        const label = profile.lowRamLimitMessage ? "low RAM limit" : "System low RAM";
        messages.push(`Reserving ${mb(lowSize)}MB of low memory at ${mb(lb)}MB for crashkernel (${label}: ${mb(lowLimit)}MB)`);
        ranges.push({ start: lb, end: lb + lowSize - 1, name: "Crash kernel", role: "low" });
      }
    }
    messages.push(`Reserving ${mb(size)}MB of memory at ${mb(b)}MB for crashkernel (System RAM: ${mb(systemRam)}MB)`);
    ranges.push({ start: b, end: b + size - 1, name: "Crash kernel", role: "main" });
    warnAbove64T(b, size, paging, notes);
    return result();
  }

  // reserve_crashkernel_generic() (6.7+), then reserve_crashkernel_cma() (≥6.17), which
  // arch_reserve_crashkernel() calls whether or not the main area was found.
  reserveGeneric(mbk, input, request, defLow, paging, ranges, messages, notes);
  if (profile.cmaSuffix && request.cma > 0n) reserveCma(mbk, num(request.cma), memory, messages, cma);
  return result();
}

function reserveGeneric(
  mbk: Memblock,
  input: CrashkernelSimInput,
  request: CrashkernelRequest,
  defLow: number,
  paging: 4 | 5,
  ranges: CrashRange[],
  messages: string[],
  notes: string[],
): void {
  const { cmdline, profile } = input;
  const size = num(request.size);
  const base = num(request.base);
  const align = profile.crashAlign;
  const lowMax = profile.lowMax;
  const highMax = profile.highMax(paging);
  let lowSize = request.lowSize === null ? 0 : num(request.lowSize);
  let searchBase = 0;
  let searchEnd = lowMax;
  const fixed = base !== 0;
  if (fixed) {
    searchBase = base;
    searchEnd = base + size;
  } else if (request.high) {
    searchBase = lowMax;
    searchEnd = highMax;
  }
  let b: number;
  for (;;) {
    b = mbk.allocTopDown(size, align, searchBase, searchEnd);
    if (b) break;
    if (fixed) {
      messages.push("crashkernel reservation failed - memory is in use.");
      if (base % align !== 0) notes.push(`@${hex(base)} is not ${align / MiB} MiB aligned; 6.7+ uses CRASH_ALIGN for a fixed base too (≤6.6 needed 1 MiB).`);
      return;
    }
    if (!request.high && searchEnd === lowMax) {
      searchEnd = highMax;
      searchBase = lowMax;
      lowSize = defLow;
      if (hasLowParam(cmdline)) notes.push("crashkernel=…,low is ignored for a plain crashkernel=X that falls back above 4 GiB (6.7+ uses the default low size).");
      continue;
    }
    if (request.high && searchEnd === highMax && lowMax !== highMax) {
      searchEnd = lowMax;
      searchBase = 0;
      continue;
    }
    messages.push(`cannot allocate crashkernel (size:${hex(size)})`);
    return;
  }
  const needLow = profile.lowThresholdInclusive ? b >= lowMax : b > lowMax;
  if (needLow && lowSize > 0) {
    const lb = mbk.allocTopDown(lowSize, align, 0, lowMax);
    if (!lb) {
      messages.push(`cannot allocate crashkernel low memory (size:${hex(lowSize)}).`);
      mbk.release(b, size);
      return;
    }
    messages.push(`crashkernel low memory reserved: 0x${hexPad(lb, 8)} - 0x${hexPad(lb + lowSize, 8)} (${mb(lowSize)} MB)`);
    ranges.push({ start: lb, end: lb + lowSize - 1, name: "Crash kernel", role: "low" });
  } else if (fixed && b >= lowMax) {
    notes.push("A crashkernel=X@BASE area above 4 GiB gets no low area in 6.7+.");
  }
  messages.push(`crashkernel reserved: 0x${hexPad(b, 16)} - 0x${hexPad(b + size, 16)} (${mb(size)} MB)`);
  ranges.push({ start: b, end: b + size - 1, name: "Crash kernel", role: "main" });
  warnAbove64T(b, size, paging, notes);
}

/** CRASHKERNEL_CMA_RANGES_MAX (include/linux/crash_reserve.h, ≥6.17). */
export const CRASHKERNEL_CMA_RANGES_MAX = 4;
/**
 * CMA_MIN_ALIGNMENT_BYTES = PAGE_SIZE << pageblock_order; pageblock_order is HUGETLB_PAGE_ORDER (9)
 * on x86_64, so 2 MiB (include/linux/cma.h, include/linux/pageblock-flags.h).
 */
export const CMA_MIN_ALIGNMENT = 2 * MiB;
const FOUR_GIB = 4 * GiB;

/**
 * mm/cma.c __cma_declare_contiguous_nid() + cma_alloc_mem() for base 0, limit 0, alignment 0:
 * size and limit aligned to a pageblock; when memblock ends at or above 4 GiB + size, bottom-up
 * from 4 GiB first ("avoid using first 4GB to not interfere with constrained zones like
 * DMA/DMA32"), else (or on failure) top-down below the end of memory. Returns the base, or a
 * failure message the kernel prints.
 */
function cmaDeclare(mbk: Memblock, request: number, memoryEnd: number): { base: number; size: number } | { error: string } {
  const size = alignUp(request, CMA_MIN_ALIGNMENT);
  const limit = alignDown(memoryEnd, CMA_MIN_ALIGNMENT);
  if (size > limit) return { error: `cma: Size (0x${hexPad(size, 16)}) of region at 0x${hexPad(0, 16)} exceeds limit (0x${hexPad(limit, 16)})` };
  let base = 0;
  if (limit >= FOUR_GIB + size) base = mbk.allocBottomUp(size, CMA_MIN_ALIGNMENT, FOUR_GIB, limit);
  if (!base) base = mbk.allocTopDown(size, CMA_MIN_ALIGNMENT, 0, limit);
  if (!base) return { error: "" };
  return { base, size };
}

/**
 * ≥6.17 reserve_crashkernel_cma() (kernel/crash_reserve.c): cma_declare_contiguous() of the whole
 * request, halving it (page-rounded) on each failure, at most CRASHKERNEL_CMA_RANGES_MAX areas.
 * Messages: mm/cma.c "cma: Reserved %ld MiB at %pa" / "cma: Failed to reserve %ld MiB" per try,
 * then the crashkernel summary. Verified on the lab-7.2 `,cma` boot (1 GiB at 4 GiB).
 */
function reserveCma(mbk: Memblock, cmaSize: number, memory: readonly AddrRange[], messages: string[], out: AddrRange[]): void {
  const memoryEnd = memory.length ? memory[memory.length - 1]!.end + 1 : 0;
  let request = alignUp(cmaSize, PAGE_SIZE);
  let reserved = 0;
  while (cmaSize > reserved && out.length < CRASHKERNEL_CMA_RANGES_MAX) {
    const r = cmaDeclare(mbk, request, memoryEnd);
    if ("error" in r) {
      if (r.error) messages.push(r.error);
      messages.push(`cma: Failed to reserve ${mb(request)} MiB`);
      if (request <= PAGE_SIZE) break;
      request = alignUp(Math.floor(request / 2), PAGE_SIZE);
      continue;
    }
    messages.push(`cma: Reserved ${mb(r.size)} MiB at 0x${hexPad(r.base, 16)}`);
    out.push({ start: r.base, end: r.base + r.size - 1 });
    reserved += request;
  }
  if (cmaSize > reserved) messages.push(`crashkernel CMA reservation failed: ${mb(cmaSize)} MB requested, ${mb(reserved)} MB reserved in ${out.length} ranges`);
  else messages.push(`crashkernel CMA reserved: ${mb(reserved)} MB in ${out.length} ranges`);
  out.sort((a, b) => a.start - b.start);
}

function warnAbove64T(b: number, size: number, paging: 4 | 5, notes: string[]): void {
  if (b + size > FOUR_LEVEL_LIMIT) {
    notes.push(`The area ends above 64 TiB (${hex(b + size - 1)}): a dump kernel running 4-level paging cannot use it (only possible before 5.3, when CRASH_ADDR_HIGH_MAX was MAXMEM; running ${paging}-level).`);
  }
}

/** /proc/iomem-style lines for the result ("  af000000-beffffff : Crash kernel"). */
/** Whether a crashkernel=…,low token is present; a token scan, since /crashkernel=\S*,low/ backtracks quadratically. */
function hasLowParam(cmdline: string): boolean {
  return cmdline.split(/\s+/).some((t) => {
    const at = t.indexOf("crashkernel=");
    return at >= 0 && t.indexOf(",low", at) >= 0;
  });
}

export function iomemLines(ranges: readonly AddrRange[]): string[] {
  return ranges.map((r) => `  ${hexPad(r.start, 8)}-${hexPad(r.end, 8)} : Crash kernel`);
}
