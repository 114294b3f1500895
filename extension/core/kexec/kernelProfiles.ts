/**
 * Kernel-version facts the simulator uses, one row per rule, each with its first release, a public
 * source (commit, file, function) and how it was verified: "real boot" when a lab boot of Debian
 * 6.1.0-50, 6.12.117 or 7.2.13 (../shared/fixtures/lab*) shows it, else "source reading". The
 * profile for a version is derived from these rows, so views and the source lint cite the same row.
 */
import { CRASH_BYTES } from "../knowledge/crashConstants";
import { PAGING_MODES } from "../knowledge/pagingModes";
import { MiB } from "./ranges";
import { compareVersions } from "../knowledge/kernelRelease";
import { BACKPORTS, KERNEL_RULES, KEXEC_TOOLS_RULES, type Backport } from "../knowledge/kernelRules";

// The rule rows live in the knowledge room (knowledge/kernelRules.ts); this module derives profiles.
export { BACKPORTS, KERNEL_RULES, KEXEC_TOOLS_RULES, kernelRule, type Backport, type Confidence, type KernelRule, type Verification } from "../knowledge/kernelRules";


export interface ParsedVersion {
  major: number;
  minor: number;
  /** Stable patch level (0 when absent: "6.12" = 6.12.0). */
  patch: number;
  /** The text the version was read from, trimmed ("6.12.117+deb12-amd64"). */
  raw: string;
  /** Distro build after the version ("+deb12-amd64", "-50-amd64"), "" when none. */
  build: string;
}

/** "6.1", "6.1.0-50-amd64", "7.2.13+deb14-amd64", "Linux version 5.10.13 ..." → parts; null if none. */
export function parseKernelVersion(text: string): ParsedVersion | null {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?(\S*)/.exec(text);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? 0 : Number(m[3]), raw: text.trim(), build: m[4] ?? "" };
}

function atLeast(v: ParsedVersion, since: string): boolean {
  return compareVersions(`${v.major}.${v.minor}`, since) >= 0;
}

export function ruleActive(id: string, v: ParsedVersion, backports: readonly Backport[] = BACKPORTS): boolean {
  const r = KERNEL_RULES.find((x) => x.id === id);
  if (!r) throw new Error(`unknown kernel rule ${id}`);
  if (atLeast(v, r.since)) return true;
  // A distro stable kernel may carry the change earlier: X.Y.Z and the build marker decide.
  return backports.some((b) => b.rule === id && v.major === b.major && v.minor === b.minor && v.patch >= b.patch && v.build.includes(b.distro));
}


/** The version groups the simulator distinguishes (issue 5), for menus and docs. */
export const PROFILE_FAMILIES = ["4.19", "5.2", "5.3–5.19", "6.0–6.6", "6.7–6.11", "6.12–6.16", "6.17–6.19", "7.0+"] as const;
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
  /** The "crahskernel" typo in the missing-base message is fixed (6.16). */
  atTypoFixed: boolean;
  lowRamLimitMessage: boolean;
  /** kexec_crash_size includes the low area (6.5). */
  crashSizeIncludesLow: boolean;
  /** No CONFIG_X86_5LEVEL: every build can run 5-level (6.16). */
  fiveLevelUnconditional: boolean;
  /** The boot log's e820 type names ("usable" ≤6.x, "System RAM" 7.0+). */
  e820RamName: "usable" | "System RAM";
  /** kexec_file facts. */
  kexecFile: {
    fiveLevelCheck: boolean;
    walkTopDown: boolean;
    offByOneFixed: boolean;
    kernelMinPrefAddress: boolean;
    rngSeed: boolean;
    crashHotplugElfHeaders: boolean;
    cmdlineRoomIsError: boolean;
    /** Crash loads add a bottom-up backup segment for the first 640 KiB before the ELF headers (<5.5). */
    backupRegion: boolean;
    /** KHO scratch areas / CMA can be used before the System RAM walk when configured (6.16+). */
    khoAndCma: boolean;
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
  const family: ProfileFamily = is("e820-print-v7")
    ? "7.0+"
    : is("cma-suffix")
    ? "6.17–6.19"
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
    atTypoFixed: is("crahskernel-typo-fixed"),
    lowRamLimitMessage: is("low-ram-limit-message"),
    crashSizeIncludesLow: is("kexec-crash-size-includes-low"),
    fiveLevelUnconditional: is("x86-5level-unconditional"),
    e820RamName: is("e820-print-v7") ? "System RAM" : "usable",
    kexecFile: {
      fiveLevelCheck: is("kexec-file-5level-check"),
      walkTopDown: is("kexec-file-walk-top-down"),
      offByOneFixed: is("kexec-file-topdown-offbyone-fixed"),
      kernelMinPrefAddress: is("kexec-file-kernel-min-pref-address"),
      rngSeed: is("kexec-file-rng-seed"),
      crashHotplugElfHeaders: is("kexec-file-crash-hotplug-elfhdr"),
      cmdlineRoomIsError: is("kexec-file-cmdline-room-error"),
      backupRegion: !is("kexec-file-backup-region-removed"),
      khoAndCma: is("kexec-file-kho-cma"),
      purgatoryMemsz: 0x5000,
    },
  };
}

/** kexec-tools behaviour by version (horms/kexec-tools, tags v2.0.25 … v2.0.32). */
export interface KexecToolsProfile {
  version: string;
  /** ≥2.0.27: plain kexec tries kexec_file_load first and silently falls back (29fe5067ed07). */
  autoFileThenLoad: boolean;
  /** The fallback prints nothing: do_kexec_file_load() returns EFALLBACK and main() retries (kexec/kexec.c). */
  fallbackSilently: boolean;
  /** What `-s` alone prints when the kernel refuses (ENOEXEC/EINVAL/ENOSYS/ENOTSUP → EFALLBACK). */
  sOnlyMessage: string;
  /** Its exit status: EFALLBACK is -3, so 253. */
  sOnlyExitStatus: number;
  /** ≥2.0.29: never kexec_file_load under Xen (94fbe64fb22d). */
  noFileOnXen: boolean;
  /** ≥2.0.30: the kernel segment is not placed below pref_address (07a6217af3cf). */
  honoursPrefAddress: boolean;
  /** ≥2.0.25: a SETUP_RNG_SEED setup_data segment (0x30 bytes) is added bottom-up from 1 MiB (6cd3e9493e2c). */
  setupDataSegment: boolean;
  /** Purgatory memsz observed with kexec-tools 2.0.25 and 2.0.32 (Debian) `kexec -d`. */
  purgatoryMemsz: number;
  /** PURGATORY_CMDLINE_SIZE added to the real-mode segment. */
  purgatoryCmdlineSize: number;
}


function toolsAtLeast(version: string, since: string): boolean {
  return compareVersions(version, since) >= 0;
}

export const DEFAULT_KEXEC_TOOLS = "2.0.25";

export function kexecToolsProfile(version: string = DEFAULT_KEXEC_TOOLS): KexecToolsProfile {
  if (!/^\d+(\.\d+){1,3}$/.test(version)) throw new RangeError(`not a kexec-tools version: ${version}`);
  const is = (id: string): boolean => toolsAtLeast(version, KEXEC_TOOLS_RULES.find((r) => r.id === id)!.since);
  return {
    version,
    autoFileThenLoad: is("kexec-tools-auto-mode"),
    fallbackSilently: is("kexec-tools-auto-mode"),
    sOnlyMessage: "syscall kexec_file_load not available.",
    sOnlyExitStatus: 253,
    noFileOnXen: is("kexec-tools-no-file-on-xen"),
    honoursPrefAddress: is("kexec-tools-pref-address"),
    setupDataSegment: is("kexec-tools-setup-data"),
    purgatoryMemsz: 0x9000,
    purgatoryCmdlineSize: 64,
  };
}
