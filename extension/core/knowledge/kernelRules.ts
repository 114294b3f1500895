/**
 * Kernel- and kexec-tools-version rules, one row each, with the first release, a public source
 * (commit, file, function) and how it was verified: "real boot" when a lab boot of Debian
 * 6.1.0-50, 6.12.117 or 7.2.13 (../shared/fixtures/lab*) shows it, else "source reading".
 * kexec/kernelProfiles.ts derives the simulator's profiles from these rows; hovers, lint rules,
 * verdicts and the README table cite the same rows.
 */
export type Confidence = "read" | "inferred" | "unverified";
export type Verification = "real boot" | "source reading";

export interface KernelRule {
  id: string;
  /** First mainline release with the behaviour ("5.3"); "0.0" = every version modelled. */
  since: string;
  summary: string;
  /** Public source shown to users: commit id and title, file, function. */
  source: string;
  /** How the release was established: read in a tree/commit ("read"), or from dates and neighbours ("inferred"). */
  confidence: Confidence;
  /** "real boot" (a lab boot shows the behaviour) or "source reading". */
  verified: Verification;
  /** Which boot or reading, for the README table and reports. */
  evidence: string;
}

const LAB61 = "lab (Debian 6.1.0-50)";
const LAB612 = "lab-6.12 (Debian 6.12.117)";
const LAB72 = "lab-7.2 (Debian 7.2.13)";

/** Every versioned rule the simulator applies. */
export const KERNEL_RULES: readonly KernelRule[] = [
  {
    id: "crash-low-max-4g",
    since: "5.2",
    summary: "CRASH_ADDR_LOW_MAX = 4 GiB (was 896 MiB); plain crashkernel=X tries below 4 GiB, then falls back high",
    source: "commits 9ca5c8e632ce \"x86/kdump: Have crashkernel=X reserve under 4G by default\", b9ac3849af41 \"x86/kdump: Fall back to reserve high crashkernel memory\"; arch/x86/kernel/setup.c reserve_crashkernel()",
    confidence: "read",
    verified: "real boot",
    evidence: `${LAB61} crashkernel/pc-4G-256M: 256M below 4 GiB; the 5.2 release from the "x86/kdump changes for v5.2" pull`,
  },
  {
    id: "crash-high-max-64t",
    since: "5.3",
    summary: "CRASH_ADDR_HIGH_MAX = SZ_64T (was MAXMEM: 64 TiB 4-level, 4 PiB 5-level)",
    source: "commit 8ff80fbe7e98 \"x86/kdump/64: Restrict kdump kernel reservation to <64TB\"; arch/x86/kernel/setup.c",
    confidence: "read",
    verified: "source reading",
    evidence: "x86-boot-for-linus pull merged for v5.3 (2019-07-09)",
  },
  {
    id: "first-1m-reserved",
    since: "5.13",
    summary: "the whole first 1 MiB is memblock-reserved before the crash reservation (earlier: first 64 KiB)",
    source: "commit f1d4d47c5851 \"x86/setup: Always reserve the first 1M of RAM\"; arch/x86/kernel/setup.c setup_arch()",
    confidence: "inferred",
    verified: "source reading",
    evidence: "present in 6.1.192 setup.c; first release from the commit date (June 2021)",
  },
  {
    id: "low-ram-limit-message",
    since: "5.10",
    summary: "low step parses ,low against min(RAM, 4G) and prints \"low RAM limit\" (before: RAM below 4 GiB, \"System low RAM\")",
    source: "arch/x86/kernel/setup.c reserve_crashkernel_low() in 5.10.13 vs 4.19.124",
    confidence: "inferred",
    verified: "real boot",
    evidence: `${LAB61} crashkernel/pc-8G-384M-high prints "low RAM limit: 4096MB"; 5.5–5.9 not read`,
  },
  {
    id: "ranges-ram-roundup-128m",
    since: "6.0",
    summary: "ranges form: system RAM rounded up to 128 MiB before matching",
    source: "\"kdump: round up the total memory size to 128M for crashkernel reservation\"; kernel/crash_core.c parse_crashkernel_mem()",
    confidence: "inferred",
    verified: "real boot",
    evidence: `${LAB61} crashkernel/pc-4G-range (4095 MiB matches 4G-64G); release from linux-next/mm logs (mid-2022)`,
  },
  {
    id: "kexec-crash-size-includes-low",
    since: "6.5",
    summary: "/sys/kernel/kexec_crash_size counts crashk_low_res too (before: the main area only)",
    source: "commit 16c6006af4d4 \"kexec: enable kexec_crash_size to support two crash kernel regions\"; kernel/kexec_core.c crash_get_memory_size()",
    confidence: "inferred",
    verified: "real boot",
    evidence: `${LAB61} pc-8G-384M-high: main only; ${LAB612} and ${LAB72} pc-4G-384M-high: main + low; release from the series date (May 2023, mm-stable)`,
  },
  {
    id: "generic-reservation",
    since: "6.7",
    summary: "x86 uses reserve_crashkernel_generic(): [0,4G) then [4G,64T); ,high: [4G,64T) then [0,4G); @base needs 16 MiB alignment; low area default only",
    source: "commit 9c08a2a139fe \"x86: kdump: use generic interface to simplify crashkernel reservation code\"; kernel/crash_core.c reserve_crashkernel_generic()",
    confidence: "read",
    verified: "real boot",
    evidence: `${LAB612} and ${LAB72} crashkernel boots ("crashkernel reserved: …" messages)`,
  },
  {
    id: "generic-low-threshold-inclusive",
    since: "6.7",
    summary: "low area is reserved when crash_base >= CRASH_ADDR_LOW_MAX (the generic conversion first tested crash_base > CRASH_ADDR_LOW_MAX)",
    source: "commit 1dd11e977360 \"crash_core: fix the check for whether crashkernel is from high memory\"; kernel/crash_core.c reserve_crashkernel_generic()",
    confidence: "read",
    verified: "source reading",
    evidence: "merged for 6.7-rc6 (mm-hotfixes), so every 6.7 release has '>='",
  },
  {
    id: "new-parse-messages",
    since: "6.9",
    summary: "ranges form prints \"crashkernel: Memory value expected\" for a missing size and \"crahskernel: Memory value expected after '@'\" (typo) for a missing base (before: no prefix)",
    source: "kernel/crash_reserve.c parse_crashkernel_mem() (file split out of crash_core.c in 6.9); Colin Ian King's 2024-04-19 typo patch was against it",
    confidence: "inferred",
    verified: "source reading",
    evidence: "present in 6.12.117 (Debian source); absent in 6.1.192",
  },
  {
    id: "crahskernel-typo-fixed",
    since: "6.16",
    summary: "\"crashkernel: Memory value expected after '@'\" (the \"crahskernel\" typo fixed)",
    source: "commit \"crash: fix spelling mistake \\\"crahskernel\\\" -> \\\"crashkernel\\\"\" (Colin Ian King, posted 2025-04-18, acked by Baoquan He); kernel/crash_reserve.c parse_crashkernel_mem()",
    confidence: "inferred",
    verified: "source reading",
    evidence: "in mm-nonmm with the 6.16 merge-window batch; the ≥6.16 Kingxukai/linux tree has the fixed text",
  },
  {
    id: "size-ge-ram-rejected",
    since: "6.12",
    summary: "parse_crashkernel(): crash size >= system RAM (unrounded) is -EINVAL, silently",
    source: "commit \"crash: fix crash memory reserve exceed system memory bug\" (Jinjie Ruan, 2024); kernel/crash_reserve.c parse_crashkernel()",
    confidence: "inferred",
    verified: "real boot",
    evidence: `${LAB612} crashkernel/pc-1G-2G: no message, no reservation (6.1 printed "No suitable area found.")`,
  },
  {
    id: "x86-5level-unconditional",
    since: "6.16",
    summary: "every x86_64 kernel has 5-level paging support: CONFIG_X86_5LEVEL is gone and header.S always sets XLF_5LEVEL and XLF_5LEVEL_ENABLED",
    source: "commit 7212b58d6d71 \"x86/mm/64: Make 5-level paging support unconditional\"; arch/x86/Kconfig, arch/x86/boot/header.S",
    confidence: "read",
    verified: "real boot",
    evidence: `${LAB72}: config-7.2.13+deb14-amd64 has no CONFIG_X86_5LEVEL, xloadflags 0x7f, trap-2.0.32 target ran 5-level`,
  },
  {
    id: "cma-suffix",
    since: "6.17",
    summary: "crashkernel=Y,cma: CMA area(s) for the dump kernel, bottom-up from 4 GiB, pageblock aligned; not in /proc/iomem or kexec_crash_size",
    source: "commits 35c18f2933c5 \"Add a new optional \\\",cma\\\" suffix to the crashkernel= command line option\", ab475510e042 \"kdump: implement reserve_crashkernel_cma\", bf8be1c36108 \"x86: implement crashkernel cma reservation\" (Jiri Bohac); kernel/crash_reserve.c reserve_crashkernel_cma(), mm/cma.c cma_alloc_mem()",
    confidence: "inferred",
    verified: "real boot",
    evidence: `${LAB72} crashkernel/pc-8G-256M-1G-cma: "cma: Reserved 1024 MiB at 0x0000000100000000"; release from the mm-nonmm-stable merge (2025-08)`,
  },
  {
    id: "kexec-file-5level-check",
    since: "5.3",
    summary: "kexec_file_load refuses an image without XLF_5LEVEL while the running kernel uses 5-level paging",
    source: "commit ee338b9ee282 \"x86/kexec/64: Prevent kexec from 5-level paging to a 4-level only kernel\"; arch/x86/kernel/kexec-bzimage64.c bzImage64_probe()",
    confidence: "read",
    verified: "real boot",
    evidence: `${LAB61} and ${LAB612} l5-refusal, ${LAB72} trap-2.0.32`,
  },
  {
    id: "kexec-file-backup-region-removed",
    since: "5.5",
    summary: "kexec_file crash loads no longer add a backup segment for the first 640 KiB (before: bottom-up backup, then elfcorehdr after it)",
    source: "commit 7c321eb2b843 \"x86/kdump: Remove the backup region handling\"; arch/x86/kernel/crash.c crash_load_segments()",
    confidence: "read",
    verified: "source reading",
    evidence: "crash.c with determine_backup_region() (4.x/5.4) against its removal diff",
  },
  {
    id: "kexec-file-rng-seed",
    since: "6.0",
    summary: "kexec_file boot_params carry a 32-byte SETUP_RNG_SEED setup_data",
    source: "commit 68b8e9713c8e \"x86/setup: Use rng seeds from setup_data\" (tip x86_kdump_for_v6.0_rc1 pull); arch/x86/kernel/kexec-bzimage64.c setup_rng_seed()",
    confidence: "read",
    verified: "real boot",
    evidence: `${LAB61} kexec-file: boot_params bufsz 0x10f0 matches; absent in 5.10.13`,
  },
  {
    id: "kexec-file-crash-hotplug-elfhdr",
    since: "6.6",
    summary: "CONFIG_CRASH_HOTPLUG: the elfcorehdr segment is sized for 2 + CONFIG_NR_CPUS_DEFAULT (+ CONFIG_CRASH_MAX_MEMORY_RANGES with MEMORY_HOTPLUG) program headers",
    source: "commit ea53ad9cf73b \"x86/crash: add x86 crash hotplug support\"; arch/x86/kernel/crash.c crash_load_segments()",
    confidence: "inferred",
    verified: "real boot",
    evidence: `${LAB612} and ${LAB72} kexec-file file_p_dbg: elfcorehdr memsz 0xe1000 (2 + 8192 + 8192 headers); release from the v28 series date (2023-08)`,
  },
  {
    id: "kexec-file-walk-top-down",
    since: "6.8",
    summary: "top-down kexec_file segments walk System RAM highest-first (walk_system_ram_res_rev)",
    source: "commits 7acf164b259d \"resource: add walk_system_ram_res_rev()\", b3ba234171cd \"kexec_file: load kernel at top of system RAM if required\"; kernel/kexec_file.c kexec_walk_resources()",
    confidence: "inferred",
    verified: "real boot",
    evidence: `${LAB612} and ${LAB72} file_l_dbg: segments at the top of the RAM above 4 GiB (6.1 put them low)`,
  },
  {
    id: "kexec-file-topdown-offbyone-fixed",
    since: "6.8",
    summary: "locate_mem_hole_top_down() uses end - memsz + 1 (before: one alignment unit too low)",
    source: "commit 18d565ea95fe \"kexec_file: fix incorrect temp_start value in locate_mem_hole_top_down()\"; kernel/kexec_file.c locate_mem_hole_top_down()",
    confidence: "read",
    verified: "real boot",
    evidence: `${LAB612} file_p_dbg purgatory at the very top of crashk_res; a 2025 regression report bisected to it says "since the 6.8 series; 6.7 works"`,
  },
  {
    id: "kexec-file-kernel-min-pref-address",
    since: "6.9",
    summary: "kexec_file places the kernel no lower than max(1 MiB, pref_address)",
    source: "commit 43b1d3e68ee7 \"kexec: Allocate kernel above bzImage's pref_address\" (Chris Koch); arch/x86/kernel/kexec-bzimage64.c bzImage64_load()",
    confidence: "inferred",
    verified: "source reading",
    evidence: "tip x86/boot commit of 2024-02-22, so the 6.9 merge window; present in 6.12.117, absent in 6.1.192",
  },
  {
    id: "kexec-file-cmdline-room-error",
    since: "6.12",
    summary: "cmdline_len + 30 > cmdline_size is reported with pr_err (pr_debug before)",
    source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_load() in 6.12.117",
    confidence: "read",
    verified: "source reading",
    evidence: "6.12.117 against 6.1.192 source",
  },
  {
    id: "kexec-file-kho-cma",
    since: "6.16",
    summary: "kexec_file_load may place segments by Kexec HandOver scratch areas (CONFIG_KEXEC_HANDOVER, kho=on) or take them from a CMA area before walking System RAM",
    source: "kernel/kexec_file.c kexec_locate_mem_hole(): kho_locate_mem_hole() (Kexec HandOver), then kexec_alloc_contig() (\"kexec: enable CMA based contiguous allocation\", Alexander Graf; skipped for crash loads and with KEXEC_FILE_NO_CMA); read at torvalds/linux 00c010e130e5",
    confidence: "inferred",
    verified: "source reading",
    evidence: "config-7.2.13+deb14-amd64: CONFIG_KEXEC_HANDOVER not set, CONFIG_CMA_SIZE_MBYTES=0, so neither applies to the lab-7.2 boots",
  },
  {
    id: "e820-print-v7",
    since: "7.0",
    summary: "boot log prints e820 types as \"System RAM\" / \"device reserved\" after two spaces and adds \"[gap …]\" lines",
    source: "commits fa06d58805c8, c87f94477740, 4a7a13e04c05, 4d8e5a682be4 (Ingo Molnar, tip x86/boot, merged with x86-boot-2026-02-09); arch/x86/kernel/e820.c e820__print_table()",
    confidence: "read",
    verified: "real boot",
    evidence: `${LAB72} boot logs`,
  },
];

/** Rules that depend on a distro backport: Debian stable kernels carry later fixes (X.Y.Z + build). */
export interface Backport {
  rule: string;
  /** Distro build marker in the release string ("deb12"). */
  distro: string;
  major: number;
  minor: number;
  /** First patch level with the backport. */
  patch: number;
  source: string;
}

/** None recorded yet: no rule the simulator applies is known to be backported to an older stable series. */
export const BACKPORTS: readonly Backport[] = [];

/** kexec-tools behaviour by release, read in horms/kexec-tools with `git tag --contains`. */
export const KEXEC_TOOLS_RULES: readonly KernelRule[] = [
  {
    id: "kexec-tools-s-refusal-message",
    since: "2.0.8",
    summary: "kexec -s prints only \"syscall kexec_file_load not available.\" (exit 253) when the kernel refuses the image with ENOEXEC, EINVAL, ENOSYS or ENOTSUP",
    source: "kexec-tools commit 046d175 \"kexec: Provide an option to use new kexec system call\"; kexec/kexec.c main(), do_kexec_file_load() (EFALLBACK = -3)",
    confidence: "read",
    verified: "real boot",
    evidence: "lab l5-refusal (2.0.25) and lab-7.2 trap-2.0.32 (2.0.32): rc 253, stderr only that line",
  },
  {
    id: "kexec-tools-setup-data",
    since: "2.0.25",
    summary: "bzImage64 loads add a 0x30-byte SETUP_RNG_SEED setup_data segment, bottom-up from 1 MiB (crash loads: at the start of the Crash kernel area)",
    source: "kexec-tools commit 6cd3e9493e2c \"i386: pass rng seed via setup_data\" (2022-07-11, first tag v2.0.25-rc1); kexec/arch/i386/x86-linux-setup.c",
    confidence: "read",
    verified: "real boot",
    evidence: "lab kexec-load (2.0.25) and lab-7.2 trap-2.0.32 (2.0.32): segment 0x30 bytes at 0x100000",
  },
  {
    id: "kexec-tools-auto-mode",
    since: "2.0.27",
    summary: "kexec -l/-p try kexec_file_load first and retry kexec_load on ENOEXEC/EINVAL/ENOSYS/ENOTSUP, printing nothing",
    source: "kexec-tools commit 29fe5067ed07 \"kexec: make -a the default\"; kexec/kexec.c main()",
    confidence: "read",
    verified: "real boot",
    evidence: "lab-7.2 trap-2.0.32: auto_l/auto_p of an image without XLF_5LEVEL load through kexec_load after the kernel's refusal",
  },
  {
    id: "kexec-tools-no-file-on-xen",
    since: "2.0.29",
    summary: "under Xen kexec-tools never uses kexec_file_load",
    source: "kexec-tools commit 94fbe64fb22d \"kexec: don't use kexec_file_load on XEN\"; kexec/kexec.c main()",
    confidence: "read",
    verified: "source reading",
    evidence: "first tag v2.0.29-rc1",
  },
  {
    id: "kexec-tools-pref-address",
    since: "2.0.30",
    summary: "kernel segment minimum is max(0x100000, pref_address)",
    source: "kexec-tools commit 07a6217af3cf \"kexec: x86: Include pref_address when looking for a memory hole\"; kexec/arch/x86_64/kexec-bzImage64.c",
    confidence: "read",
    verified: "source reading",
    evidence: "first tag v2.0.30-rc1; with pref_address 16 MiB below the lab placements it does not move them",
  },
];

export function kernelRule(id: string): KernelRule {
  const r = KERNEL_RULES.find((x) => x.id === id);
  if (!r) throw new Error(`unknown kernel rule ${id}`);
  return r;
}
