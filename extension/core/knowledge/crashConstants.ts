/**
 * x86 crash-kernel reservation constants by kernel version: the one place for them. The simulator's
 * kernel profiles (kexec/kernelProfiles.ts) take their numbers from here; lint rules and hovers the eras.
 * Source: ../shared/spec/crashkernel.md §2 (4.19.124, v5.2/v5.3 pull diffs, 5.10.13,
 * 6.1.192 setup.c, 6.7 asm/crash_core.h, 6.12.117 asm/crash_reserve.h).
 */
export const SZ_16M = 16n << 20n;
export const SZ_512M = 512n << 20n;
export const SZ_896M = 896n << 20n;
export const SZ_4G = 4n << 30n;
/** 2^46: MAXMEM of a 4-level kernel; the kdump cap since 8ff80fbe7e98 (v5.3). */
export const SZ_64T = 64n << 40n;
/** 2^52: MAXMEM when running 5-level. */
export const MAXMEM_5LEVEL = 1n << 52n;

/** The same constants as plain numbers for the simulator (all below 2^53). */
export const CRASH_BYTES = {
  /** CRASH_ALIGN, every version. */
  align: Number(SZ_16M),
  /** CRASH_ADDR_LOW_MAX on x86_64 before 9ca5c8e632ce (v5.2). */
  lowMaxOld: Number(SZ_896M),
  /** CRASH_ADDR_LOW_MAX on x86_64 from v5.2. */
  lowMax: Number(SZ_4G),
  /** CRASH_ADDR_HIGH_MAX from 8ff80fbe7e98 (v5.3); also MAXMEM of a 4-level kernel. */
  highMax: Number(SZ_64T),
  /** MAXMEM running 5-level (MAX_PHYSMEM_BITS 52). */
  maxmem5: Number(MAXMEM_5LEVEL),
} as const;

export interface CrashConstantEra {
  kernels: string;
  value: string;
  /** Where it is defined in that era. */
  file: string;
}

export interface CrashConstant {
  name: string;
  meaning: string;
  /** Value on x86_64, by era. */
  x86_64: CrashConstantEra[];
  x86_32?: string;
  commit?: string;
  source: string;
}

export const CRASH_CONSTANTS: readonly CrashConstant[] = [
  {
    name: "CRASH_ALIGN",
    meaning: "Alignment of every crash-kernel region (and, from 6.7, of a fixed crashkernel=X@BASE).",
    x86_64: [
      { kernels: "≤5.1", value: "16 MiB (16 << 20)", file: "arch/x86/kernel/setup.c" },
      { kernels: "5.2–6.6", value: "SZ_16M", file: "arch/x86/kernel/setup.c" },
      { kernels: "6.7–6.8", value: "SZ_16M", file: "arch/x86/include/asm/crash_core.h" },
      { kernels: "6.9+", value: "SZ_16M", file: "arch/x86/include/asm/crash_reserve.h" },
    ],
    x86_32: "SZ_16M",
    source: "arch/x86/kernel/setup.c (≤6.6), arch/x86/include/asm/crash_core.h (6.7–6.8), arch/x86/include/asm/crash_reserve.h (6.9+)",
  },
  {
    name: "CRASH_ADDR_LOW_MAX",
    meaning: "Upper bound of the low crash area (crashkernel=X tries below it first; the ,low area must fit below it for DMA/swiotlb).",
    x86_64: [
      { kernels: "≤5.1", value: "896 MiB", file: "arch/x86/kernel/setup.c" },
      { kernels: "5.2–6.6", value: "SZ_4G", file: "arch/x86/kernel/setup.c" },
      { kernels: "6.7–6.8", value: "SZ_4G", file: "arch/x86/include/asm/crash_core.h" },
      { kernels: "6.9+", value: "SZ_4G", file: "arch/x86/include/asm/crash_reserve.h" },
    ],
    x86_32: "SZ_512M",
    commit: "9ca5c8e632ce8f144ec6d00da2dc5e16b41d593c (896 MiB → 4 GiB, v5.2)",
    source: "arch/x86/kernel/setup.c (≤6.6), arch/x86/include/asm/crash_reserve.h (6.9+); commit 9ca5c8e632ce",
  },
  {
    name: "CRASH_ADDR_HIGH_MAX",
    meaning:
      "Upper bound of any crash-kernel reservation. Must stay at 64 TiB: the dump kernel may run 4-level, and a 4-level kernel cannot use memory above MAXMEM = 2^46.",
    x86_64: [
      { kernels: "≤5.2", value: "MAXMEM (64 TiB running 4-level, 4 PiB running 5-level)", file: "arch/x86/kernel/setup.c" },
      { kernels: "5.3–6.6", value: "SZ_64T", file: "arch/x86/kernel/setup.c" },
      { kernels: "6.7–6.8", value: "SZ_64T", file: "arch/x86/include/asm/crash_core.h" },
      { kernels: "6.9+", value: "SZ_64T", file: "arch/x86/include/asm/crash_reserve.h" },
    ],
    x86_32: "SZ_512M",
    commit: "8ff80fbe7e9870078b1cc3c2cdd8f3f223b333a9 (x86/kdump/64: Restrict kdump kernel reservation to <64TB, v5.3)",
    source: "commit 8ff80fbe7e98 \"x86/kdump/64: Restrict kdump kernel reservation to <64TB\"; MAXMEM in arch/x86/include/asm/pgtable_64_types.h",
  },
];

export function crashConstant(name: string): CrashConstant | undefined {
  return CRASH_CONSTANTS.find((c) => c.name === name);
}
