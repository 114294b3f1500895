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
import { GiB, MiB, PAGE_SIZE, alignDown, hex, hexPad, mergeRanges, subtractRanges } from "./ranges";

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

  // reserve_crashkernel_generic() (6.7+).
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
      return result();
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
    return result();
  }
  const needLow = profile.lowThresholdInclusive ? b >= lowMax : b > lowMax;
  if (needLow && lowSize > 0) {
    const lb = mbk.allocTopDown(lowSize, align, 0, lowMax);
    if (!lb) {
      messages.push(`cannot allocate crashkernel low memory (size:${hex(lowSize)}).`);
      mbk.release(b, size);
      return result();
    }
    messages.push(`crashkernel low memory reserved: 0x${hexPad(lb, 8)} - 0x${hexPad(lb + lowSize, 8)} (${mb(lowSize)} MB)`);
    ranges.push({ start: lb, end: lb + lowSize - 1, name: "Crash kernel", role: "low" });
  } else if (fixed && b >= lowMax) {
    notes.push("A crashkernel=X@BASE area above 4 GiB gets no low area in 6.7+.");
  }
  messages.push(`crashkernel reserved: 0x${hexPad(b, 16)} - 0x${hexPad(b + size, 16)} (${mb(size)} MB)`);
  ranges.push({ start: b, end: b + size - 1, name: "Crash kernel", role: "main" });
  if (profile.cmaSuffix && request.cma > 0n) reserveCma(mbk, num(request.cma), messages, cma);
  warnAbove64T(b, size, paging, notes);
  return result();
}

/**
 * ≥6.17 reserve_crashkernel_cma(): CMA areas anywhere, halving the request on failure.
 * CRASHKERNEL_CMA_RANGES_MAX and the CMA alignment are UNVERIFIED (4 ranges, 4 MiB assumed).
 */
const CMA_RANGES_MAX = 4;
const CMA_ALIGN = 4 * MiB;
function reserveCma(mbk: Memblock, request: number, messages: string[], out: AddrRange[]): void {
  let left = request;
  let chunk = request;
  while (left > 0 && out.length < CMA_RANGES_MAX && chunk >= PAGE_SIZE) {
    const want = Math.min(chunk, left);
    const b = mbk.allocTopDown(want, CMA_ALIGN, 0, Number.MAX_SAFE_INTEGER);
    if (b) {
      out.push({ start: b, end: b + want - 1 });
      left -= want;
    } else {
      chunk = Math.floor(chunk / 2);
    }
  }
  const got = request - left;
  if (left === 0) messages.push(`crashkernel CMA reserved: ${mb(got)} MB in ${out.length} ranges`);
  else messages.push(`crashkernel CMA reservation failed: ${mb(request)} MB requested, ${mb(got)} MB reserved in ${out.length} ranges`);
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
