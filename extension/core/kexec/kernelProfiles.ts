/**
 * Kernel-version facts the simulator uses, one row per rule, each with its source. The profile
 * for a version is derived from these rows, so views and the source lint can cite the same row.
 * Facts and their confidence come from ../shared/spec/{crashkernel,kexec,paging}.md.
 */
import { CRASH_BYTES } from "../knowledge/crashConstants";
import { PAGING_MODES } from "../knowledge/pagingModes";
import { MiB } from "./ranges";

export type Confidence = "read" | "inferred" | "unverified";

export interface KernelRule {
  id: string;
  /** First mainline release with the behaviour ("5.3"); "0.0" = every version modelled. */
  since: string;
  summary: string;
  source: string;
  confidence: Confidence;
}

/** Every versioned rule the simulator applies. */
export const KERNEL_RULES: readonly KernelRule[] = [
  {
    id: "crash-low-max-4g",
    since: "5.2",
    summary: "CRASH_ADDR_LOW_MAX = 4 GiB (was 896 MiB); plain crashkernel=X tries below 4 GiB, then falls back high",
    source: "arch/x86/kernel/setup.c; commits 9ca5c8e632ce8f144ec6d00da2dc5e16b41d593c, b9ac3849af412fd3887d7652bdbabf29d2aecc16 (x86/kdump pull for v5.2)",
    confidence: "read",
  },
  {
    id: "crash-high-max-64t",
    since: "5.3",
    summary: "CRASH_ADDR_HIGH_MAX = SZ_64T (was MAXMEM: 64 TiB 4-level, 4 PiB 5-level)",
    source: "commit 8ff80fbe7e9870078b1cc3c2cdd8f3f223b333a9 \"x86/kdump/64: Restrict kdump kernel reservation to <64TB\"",
    confidence: "read",
  },
  {
    id: "first-1m-reserved",
    since: "5.13",
    summary: "the whole first 1 MiB is memblock-reserved before the crash reservation (earlier: first 64 KiB)",
    source: "arch/x86/kernel/setup.c (crashkernel.md §3; release UNVERIFIED)",
    confidence: "unverified",
  },
  {
    id: "low-ram-limit-message",
    since: "5.10",
    summary: "low step parses ,low against min(RAM, 4G) and prints \"low RAM limit\" (before: RAM below 4 GiB, \"System low RAM\")",
    source: "arch/x86/kernel/setup.c reserve_crashkernel_low() in 5.10.13 vs 4.19.124 (5.5–5.9 not read)",
    confidence: "inferred",
  },
  {
    id: "ranges-ram-roundup-128m",
    since: "6.0",
    summary: "ranges form: system RAM rounded up to 128 MiB before matching",
    source: "kernel/crash_core.c parse_crashkernel_mem(); \"kdump: round up the total memory size to 128M\" (mainline 6.0, inferred from linux-next logs)",
    confidence: "inferred",
  },
  {
    id: "generic-reservation",
    since: "6.7",
    summary: "x86 uses reserve_crashkernel_generic(): [0,4G) then [4G,64T); ,high: [4G,64T) then [0,4G); @base needs 16 MiB alignment; low area default only",
    source: "kernel/crash_core.c reserve_crashkernel_generic(), Baoquan He \"x86: kdump: use generic interface to simplify crashkernel reservation code\" (2023-08-29)",
    confidence: "read",
  },
  {
    id: "generic-low-threshold-inclusive",
    since: "6.9",
    summary: "low area is reserved when crash_base >= CRASH_ADDR_LOW_MAX (the 6.7 conversion tested crash_base > CRASH_ADDR_LOW_MAX)",
    source: "kernel/crash_reserve.c; follow-up patch changing '>' to '>=' (mailing-list copy; release UNVERIFIED)",
    confidence: "unverified",
  },
  {
    id: "size-ge-ram-rejected",
    since: "6.12",
    summary: "parse_crashkernel(): crash size >= system RAM (unrounded) is -EINVAL, silently",
    source: "kernel/crash_reserve.c parse_crashkernel() in 6.12.117",
    confidence: "read",
  },
  {
    id: "cma-suffix",
    since: "6.17",
    summary: "crashkernel=Y,cma: extra CMA-backed memory for the dump kernel",
    source: "kernel/crash_reserve.c (Jiri Bohac, merged via mm-nonmm-stable 2025-08-03; release inferred)",
    confidence: "inferred",
  },
  {
    id: "new-parse-messages",
    since: "6.17",
    summary: "ranges form spells \"crashkernel: Memory value expected\" for the size and \"crahskernel: Memory value expected after '@'\"",
    source: "kernel/crash_reserve.c in a >=6.17 tree (Kingxukai/linux 0291023e); introducing release not determined",
    confidence: "unverified",
  },
  {
    id: "kexec-file-5level-check",
    since: "5.3",
    summary: "kexec_file_load refuses an image without XLF_5LEVEL while the running kernel uses 5-level paging",
    source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_probe(); commit ee338b9ee2822e65a85750da6129946c14962410",
    confidence: "read",
  },
  {
    id: "kexec-file-rng-seed",
    since: "6.1",
    summary: "kexec_file boot_params carry a 32-byte SETUP_RNG_SEED setup_data",
    source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_load() in 6.1.192 (absent in 5.10.13)",
    confidence: "read",
  },
  {
    id: "kexec-file-crash-hotplug-elfhdr",
    since: "6.6",
    summary: "CONFIG_CRASH_HOTPLUG: elfcorehdr sized for 2 + NR_CPUS_DEFAULT + CRASH_MAX_MEMORY_RANGES program headers",
    source: "kernel/crash_core.c / kexec_file.c crash_load_segments() (release and Kconfig defaults UNVERIFIED)",
    confidence: "unverified",
  },
  {
    id: "kexec-file-walk-top-down",
    since: "6.8",
    summary: "top-down kexec_file segments walk System RAM highest-first (walk_system_ram_res_rev)",
    source: "commits 7acf164b259d9007264d9d8501da1023f140a3b4, b3ba234171cd0d58df0a13c262210ff8b5fd2830 (release inferred)",
    confidence: "inferred",
  },
  {
    id: "kexec-file-topdown-offbyone-fixed",
    since: "6.9",
    summary: "locate_mem_hole_top_down() uses end - memsz + 1 (before: one alignment unit too low)",
    source: "Yuntao Wang \"kexec_file: fix incorrect temp_start value in locate_mem_hole_top_down()\" (present in 6.12.117, absent in 6.1.192; release UNVERIFIED)",
    confidence: "unverified",
  },
  {
    id: "kexec-file-kernel-min-pref-address",
    since: "6.9",
    summary: "kexec_file places the kernel no lower than max(1 MiB, pref_address)",
    source: "arch/x86/kernel/kexec-bzimage64.c (2024 patch; present in 6.12.117, absent in 6.1.192; release UNVERIFIED)",
    confidence: "unverified",
  },
  {
    id: "kexec-file-cmdline-room-error",
    since: "6.12",
    summary: "cmdline_len + 30 > cmdline_size is reported with pr_err (pr_debug before)",
    source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_load() in 6.12.117",
    confidence: "read",
  },
];

export interface ParsedVersion {
  major: number;
  minor: number;
}

/** "6.1", "6.1.0-50-amd64", "Linux version 5.10.13 ..." → {major, minor}; null if none. */
export function parseKernelVersion(text: string): ParsedVersion | null {
  const m = /(\d+)\.(\d+)/.exec(text);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

function atLeast(v: ParsedVersion, since: string): boolean {
  const s = parseKernelVersion(since)!;
  return v.major > s.major || (v.major === s.major && v.minor >= s.minor);
}

export function ruleActive(id: string, v: ParsedVersion): boolean {
  const r = KERNEL_RULES.find((x) => x.id === id);
  if (!r) throw new Error(`unknown kernel rule ${id}`);
  return atLeast(v, r.since);
}

/** The version groups the simulator distinguishes (issue 5), for menus and docs. */
export const PROFILE_FAMILIES = ["4.19", "5.2", "5.3–5.19", "6.0–6.6", "6.7–6.11", "6.12–6.16", "6.17+"] as const;
export type ProfileFamily = (typeof PROFILE_FAMILIES)[number];

export type ReservationCode = "setup-4.19" | "setup-5.2" | "generic";

export interface KernelProfile {
  version: string;
  parsed: ParsedVersion;
  family: ProfileFamily;
  reservation: ReservationCode;
  /** CRASH_ALIGN: 16 MiB in every version read (arch/x86/kernel/setup.c, asm/crash_reserve.h). */
  crashAlign: number;
  /** CRASH_ADDR_LOW_MAX (x86_64). */
  lowMax: number;
  /** CRASH_ADDR_HIGH_MAX for the running paging mode. */
  highMax(pagingLevels: 4 | 5): number;
  /** Alignment a crashkernel=X@BASE must have: 1 MiB up to 6.6, CRASH_ALIGN from 6.7. */
  fixedBaseAlign: number;
  /** Lower bound of the non-fixed search (16 MiB in setup.c code, 0 in the generic code). */
  searchFloor: number;
  /** Reserved at the bottom of RAM before crashkernel runs. */
  lowReservedBytes: number;
  rangesRoundUp: number;
  sizeGeRamRejected: boolean;
  cmaSuffix: boolean;
  lowThresholdInclusive: boolean;
  newParseMessages: boolean;
  lowRamLimitMessage: boolean;
  /** kexec_file facts. */
  kexecFile: {
    fiveLevelCheck: boolean;
    walkTopDown: boolean;
    offByOneFixed: boolean;
    kernelMinPrefAddress: boolean;
    rngSeed: boolean;
    crashHotplugElfHeaders: boolean;
    cmdlineRoomIsError: boolean;
    /** Size of the kernel's purgatory (text+data+bss), observed on Debian 6.1 (lab/kexec-file). */
    purgatoryMemsz: number;
  };
}

/** MAXMEM = 1 << MAX_PHYSMEM_BITS: 46 bits 4-level, 52 bits 5-level (paging.md §1). */
export function maxmem(pagingLevels: 4 | 5): number {
  return PAGING_MODES[pagingLevels].maxmem;
}

/** Swiotlb default (IO_TLB_DEFAULT_SIZE) and the default low area: max(swiotlb + 8 MiB, 256 MiB). */
export const SWIOTLB_DEFAULT_BYTES = 64 * MiB;
export function defaultLowSize(swiotlbBytes = SWIOTLB_DEFAULT_BYTES): number {
  // commit 94fb9334182284e8e7e4bcb9125c25dc33af19d4 raised the floor to 256 MiB.
  return Math.max(swiotlbBytes + 8 * MiB, 256 * MiB);
}

export const DEFAULT_KERNEL = "6.1";

export function kernelProfile(version: string = DEFAULT_KERNEL): KernelProfile {
  const v = parseKernelVersion(version);
  if (!v) throw new RangeError(`not a kernel version: ${version}`);
  const is = (id: string): boolean => ruleActive(id, v);
  const family: ProfileFamily = is("cma-suffix")
    ? "6.17+"
    : is("size-ge-ram-rejected")
      ? "6.12–6.16"
      : is("generic-reservation")
        ? "6.7–6.11"
        : is("ranges-ram-roundup-128m")
          ? "6.0–6.6"
          : is("crash-high-max-64t")
            ? "5.3–5.19"
            : is("crash-low-max-4g")
              ? "5.2"
              : "4.19";
  const reservation: ReservationCode = is("generic-reservation") ? "generic" : is("crash-low-max-4g") ? "setup-5.2" : "setup-4.19";
  const high64t = is("crash-high-max-64t");
  return {
    version,
    parsed: v,
    family,
    reservation,
    crashAlign: CRASH_BYTES.align,
    lowMax: is("crash-low-max-4g") ? CRASH_BYTES.lowMax : CRASH_BYTES.lowMaxOld,
    highMax: (p) => (high64t ? CRASH_BYTES.highMax : maxmem(p)),
    fixedBaseAlign: reservation === "generic" ? 16 * MiB : MiB,
    searchFloor: reservation === "generic" ? 0 : 16 * MiB,
    lowReservedBytes: is("first-1m-reserved") ? MiB : 64 * 1024,
    rangesRoundUp: is("ranges-ram-roundup-128m") ? 128 * MiB : 0,
    sizeGeRamRejected: is("size-ge-ram-rejected"),
    cmaSuffix: is("cma-suffix"),
    lowThresholdInclusive: reservation !== "generic" || is("generic-low-threshold-inclusive"),
    newParseMessages: is("new-parse-messages"),
    lowRamLimitMessage: is("low-ram-limit-message"),
    kexecFile: {
      fiveLevelCheck: is("kexec-file-5level-check"),
      walkTopDown: is("kexec-file-walk-top-down"),
      offByOneFixed: is("kexec-file-topdown-offbyone-fixed"),
      kernelMinPrefAddress: is("kexec-file-kernel-min-pref-address"),
      rngSeed: is("kexec-file-rng-seed"),
      crashHotplugElfHeaders: is("kexec-file-crash-hotplug-elfhdr"),
      cmdlineRoomIsError: is("kexec-file-cmdline-room-error"),
      purgatoryMemsz: 0x5000,
    },
  };
}

/** kexec-tools behaviour by version (kexec.md §A). */
export interface KexecToolsProfile {
  version: string;
  /** ≥2.0.27: plain kexec tries kexec_file_load first and silently falls back (29fe5067ed07). */
  autoFileThenLoad: boolean;
  /** ≥2.0.30: the kernel segment is not placed below pref_address (07a6217af3cf). */
  honoursPrefAddress: boolean;
  /** Purgatory memsz observed with kexec-tools 2.0.25 (Debian) `kexec -d`. */
  purgatoryMemsz: number;
  /** PURGATORY_CMDLINE_SIZE added to the real-mode segment. */
  purgatoryCmdlineSize: number;
}

export const KEXEC_TOOLS_RULES: readonly KernelRule[] = [
  {
    id: "kexec-tools-auto-mode",
    since: "2.0.27",
    summary: "kexec -l/-p try kexec_file_load first and retry kexec_load on ENOEXEC/EINVAL/ENOSYS/ENOTSUP",
    source: "kexec-tools commit 29fe5067ed07452bcbbbe5fcd0b4e4215f598014 \"kexec: make -a the default\"",
    confidence: "read",
  },
  {
    id: "kexec-tools-pref-address",
    since: "2.0.30",
    summary: "kernel segment minimum is max(0x100000, pref_address)",
    source: "kexec-tools commit 07a6217af3cfb7b7952be22a58d4a3a365e422bb",
    confidence: "read",
  },
];

function toolsAtLeast(version: string, since: string): boolean {
  const a = version.split(".").map(Number);
  const b = since.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

export const DEFAULT_KEXEC_TOOLS = "2.0.25";

export function kexecToolsProfile(version: string = DEFAULT_KEXEC_TOOLS): KexecToolsProfile {
  if (!/^\d+(\.\d+){1,3}$/.test(version)) throw new RangeError(`not a kexec-tools version: ${version}`);
  return {
    version,
    autoFileThenLoad: toolsAtLeast(version, "2.0.27"),
    honoursPrefAddress: toolsAtLeast(version, "2.0.30"),
    purgatoryMemsz: 0x9000,
    purgatoryCmdlineSize: 64,
  };
}
