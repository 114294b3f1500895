/**
 * A kernel .config (as /boot/config-<release> holds it) and the values the kexec/kdump
 * simulators take from it. Some sizes the kernel computes depend on the build, not the version:
 * with CONFIG_CRASH_HOTPLUG the elfcorehdr segment of a kexec_file crash load is sized for
 * CONFIG_NR_CPUS_DEFAULT CPUs and CONFIG_CRASH_MAX_MEMORY_RANGES ranges
 * (arch/x86/kernel/crash.c crash_load_segments(), commit ea53ad9cf73b "x86/crash: add x86 crash
 * hotplug support", 6.6). When no .config is at hand the simulator assumes a distro build and says so.
 */
import { FormatError } from "../io/formatError";

export interface KernelConfig {
  file: string;
  /** CONFIG_FOO → "y", "m", "8192", "\"string\""; "n" for "# CONFIG_FOO is not set". */
  values: Map<string, string>;
}

const SET = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const UNSET = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;

/** Reads a .config; a file with no CONFIG_ line at all, or a malformed assignment, is a FormatError. */
export function kernelConfigFromText(text: string, file: string): KernelConfig {
  const values = new Map<string, string>();
  let offset = 0;
  let no = 0;
  for (const raw of text.split("\n")) {
    no++;
    const lineOffset = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, "").trim();
    if (line === "") continue;
    let m = SET.exec(line);
    if (m) {
      values.set(m[1]!, m[2]!);
      continue;
    }
    if ((m = UNSET.exec(line))) {
      values.set(m[1]!, "n");
      continue;
    }
    if (line.startsWith("#")) continue;
    throw new FormatError(file, lineOffset, `line ${no}`, "a kernel .config line: CONFIG_NAME=value, \"# CONFIG_NAME is not set\" or a comment", JSON.stringify(line.slice(0, 80)));
  }
  if (values.size === 0) throw new FormatError(file, 0, "CONFIG_*", "a kernel .config (CONFIG_NAME=value lines)");
  return { file, values };
}

export function configBool(c: KernelConfig | undefined, name: string): boolean | undefined {
  const v = c?.values.get(name);
  if (v === undefined) return undefined;
  return v === "y" || v === "m";
}

export function configInt(c: KernelConfig | undefined, name: string): number | undefined {
  const v = c?.values.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** What sizes the elfcorehdr of a kexec_file crash load, and where each value came from. */
export interface CrashHeaderSizing {
  crashHotplug: boolean;
  memoryHotplug: boolean;
  nrCpusDefault: number;
  maxMemoryRanges: number;
  /** "<file>" when read from a .config, else "assumed (…)" with the default used. */
  from: string;
  notes: string[];
}

/**
 * Defaults when no .config is given: the values of the distro kernels read (Debian 6.12.117 and
 * 7.2.13 configs: CONFIG_CRASH_HOTPLUG=y, CONFIG_MEMORY_HOTPLUG=y, CONFIG_NR_CPUS_DEFAULT=8192 via
 * MAXSMP, CONFIG_CRASH_MAX_MEMORY_RANGES=8192, the Kconfig default). A non-MAXSMP build has
 * NR_CPUS_DEFAULT 64 (arch/x86/Kconfig).
 */
export const DISTRO_CRASH_SIZING = { crashHotplug: true, memoryHotplug: true, nrCpusDefault: 8192, maxMemoryRanges: 8192 } as const;

export function crashHeaderSizing(c: KernelConfig | undefined): CrashHeaderSizing {
  const notes: string[] = [];
  if (!c) {
    notes.push(
      `No kernel .config given: assumed a distro build (CONFIG_CRASH_HOTPLUG=y, CONFIG_MEMORY_HOTPLUG=y, CONFIG_NR_CPUS_DEFAULT=${DISTRO_CRASH_SIZING.nrCpusDefault}, CONFIG_CRASH_MAX_MEMORY_RANGES=${DISTRO_CRASH_SIZING.maxMemoryRanges}); pass --config /boot/config-<release> for the real values.`,
    );
    return { ...DISTRO_CRASH_SIZING, from: "assumed (distro defaults)", notes };
  }
  const hp = configBool(c, "CONFIG_CRASH_HOTPLUG") ?? false;
  const mh = configBool(c, "CONFIG_MEMORY_HOTPLUG") ?? false;
  let cpus = configInt(c, "CONFIG_NR_CPUS_DEFAULT");
  if (cpus === undefined) {
    cpus = configBool(c, "CONFIG_MAXSMP") ? 8192 : 64;
    if (hp) notes.push(`${c.file} has no CONFIG_NR_CPUS_DEFAULT: ${cpus} assumed (arch/x86/Kconfig default${cpus === 8192 ? " with MAXSMP" : ""}).`);
  }
  let ranges = configInt(c, "CONFIG_CRASH_MAX_MEMORY_RANGES");
  if (ranges === undefined) {
    ranges = 8192;
    if (hp && mh) notes.push(`${c.file} has no CONFIG_CRASH_MAX_MEMORY_RANGES: 8192 assumed (Kconfig default).`);
  }
  return { crashHotplug: hp, memoryHotplug: mh, nrCpusDefault: cpus, maxMemoryRanges: ranges, from: c.file, notes };
}
