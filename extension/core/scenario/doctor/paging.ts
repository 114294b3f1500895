/**
 * Which paging mode does the running kernel use? CR4.LA57 is not visible to user space, but the
 * kernel tells through /proc/cpuinfo: early_identify_cpu() clears the CPUID "la57" flag whenever
 * pgtable_l5_enabled() is false (CONFIG_X86_5LEVEL=n, no5lvl, a CPU without LA57), so the flag
 * is shown only while the kernel runs 5-level. Kernels that replaced that clearing by the
 * synthetic X86_FEATURE_5LEVEL_PAGING (Kirill Shutemov / Ard Biesheuvel's 2025 series) name
 * that flag "la57", set from CR4.LA57: the meaning is the same. Kernels older than the
 * boot-time 5-level switch (≈4.17, release UNVERIFIED) showed the CPU's capability instead.
 */
import { parseKernelVersion } from "../../kexec/kernelProfiles";

export interface PagingEvidence {
  /** /proc/cpuinfo text (null when not readable). */
  cpuinfo: string | null;
  /** /proc/cmdline. */
  cmdline: string | null;
  /** /boot/config-$(uname -r) text, or null when absent. */
  config: string | null;
  /** The running kernel's release or version, when known ("6.1.0-50-amd64"). */
  release?: string | null;
  /** A boot log of the running kernel, when available (some kernels print the 5-level decision). */
  bootLogSays5?: boolean;
}

export interface PagingDecision {
  levels: 4 | 5;
  /** One sentence: what decided it. */
  how: string;
  /** "observed": the kernel's own report (cpuinfo flag); "inferred": from build/cmdline; "assumed": no evidence. */
  confidence: "observed" | "inferred" | "assumed";
  source: string;
}

const CLEAR_SRC =
  "arch/x86/kernel/cpu/common.c early_identify_cpu(): if (!pgtable_l5_enabled()) setup_clear_cpu_cap(X86_FEATURE_LA57); Documentation/arch/x86/cpuinfo.rst";

function hasFlag(cpuinfo: string, flag: string): boolean | null {
  const lines = cpuinfo.split("\n").filter((l) => /^flags\s*:/.test(l));
  if (lines.length === 0) return null;
  return lines.some((l) => new RegExp(`(^|\\s)${flag}(\\s|$)`).test(l.replace(/^flags\s*:/, " ")));
}

function before417(release: string | null | undefined): boolean {
  const v = release ? parseKernelVersion(release) : null;
  return v !== null && (v.major < 4 || (v.major === 4 && v.minor < 17));
}

export function decidePaging(e: PagingEvidence): PagingDecision {
  const no5lvl = e.cmdline !== null && /(^|\s)no5lvl(\s|$)/.test(e.cmdline);
  const cfgNo = e.config !== null && /^# CONFIG_X86_5LEVEL is not set/m.test(e.config);
  const cfgYes = e.config !== null && /^CONFIG_X86_5LEVEL=y/m.test(e.config);
  const flag = e.cpuinfo === null ? null : hasFlag(e.cpuinfo, "la57");
  if (flag !== null && !before417(e.release)) {
    if (flag) {
      return {
        levels: 5,
        how: "5-level: /proc/cpuinfo shows the la57 flag, which the kernel keeps only while it runs 5-level paging",
        confidence: "observed",
        source: CLEAR_SRC,
      };
    }
    const why = no5lvl ? " (no5lvl is on the command line)" : cfgNo ? " (the kernel is built without CONFIG_X86_5LEVEL)" : "";
    return {
      levels: 4,
      how: `4-level: /proc/cpuinfo has no la57 flag${why}; the kernel clears it unless it runs 5-level paging, so the CPU may still support LA57`,
      confidence: "observed",
      source: CLEAR_SRC,
    };
  }
  if (flag !== null) {
    // Kernel before the boot-time switch: la57 shows CPU capability.
    if (!flag) return { levels: 4, how: "4-level: the CPU has no la57 flag in /proc/cpuinfo", confidence: "observed", source: "/proc/cpuinfo flags" };
    if (no5lvl) return { levels: 4, how: "4-level: la57 in /proc/cpuinfo, but no5lvl is on the command line", confidence: "inferred", source: "/proc/cmdline" };
    if (cfgYes) return { levels: 5, how: "5-level: la57 in /proc/cpuinfo and CONFIG_X86_5LEVEL=y on a kernel older than the boot-time switch", confidence: "inferred", source: "boot config" };
    return { levels: 4, how: "4-level: la57 in /proc/cpuinfo, but this kernel predates 5-level support by default (CONFIG_X86_5LEVEL not confirmed)", confidence: "inferred", source: "boot config" };
  }
  // No cpuinfo: only build and command line.
  if (e.bootLogSays5) return { levels: 5, how: "5-level: the boot log reports 5-level paging (/proc/cpuinfo not available)", confidence: "inferred", source: "boot log" };
  if (no5lvl) return { levels: 4, how: "4-level: no5lvl is on the command line (/proc/cpuinfo not available)", confidence: "inferred", source: "/proc/cmdline" };
  if (cfgNo) return { levels: 4, how: "4-level: the kernel is built without CONFIG_X86_5LEVEL (/proc/cpuinfo not available)", confidence: "inferred", source: "boot config" };
  return {
    levels: 4,
    how: `assumed 4-level: /proc/cpuinfo is not available${cfgYes ? " (the kernel could run 5-level: CONFIG_X86_5LEVEL=y)" : ""}, and most CPUs lack LA57`,
    confidence: "assumed",
    source: "no evidence",
  };
}
