/**
 * One question, one answer: "what happens when this image is kexec'd (or this crashkernel= is
 * booted) on this memory map, with this kernel and kexec-tools?". The CLI, the simulation panel
 * and the doctor all call simulate(); none of them picks a crash region, an interface or a
 * fallback on its own.
 */
import { simulateCrashkernel, type CrashkernelSimResult } from "../kexec/crashkernelReserve";
import { jumpVerdicts, type Verdict } from "../kexec/jumpVerdicts";
import { DEFAULT_KERNEL, DEFAULT_KEXEC_TOOLS, kernelProfile, kexecToolsProfile, type KernelProfile, type KexecToolsProfile } from "../kexec/kernelProfiles";
import type { KexecImage } from "../kexec/kexecImage";
import { simulateKexecFile } from "../kexec/kexecFilePlacement";
import { simulateKexecLoad } from "../kexec/kexecToolsPlacement";
import { fallsBack, LOCKDOWN_SOURCE, planLoad, type Iface, type LoaderPlan } from "../kexec/loaderChoice";
import type { MemoryMap } from "../kexec/memoryMap";
import type { PlacementResult } from "../kexec/placement";
import type { AddrRange } from "../kexec/ranges";
import type { ConfigChoice } from "./kernelConfigChoice";
import type { UkiFacts } from "../kexec/ukiVerdicts";
import { ukiAttempts } from "./ukiLoad";

const UKI_ROW_SOURCE = "knowledge/ukiLoaders.ts: kexec-tools kexec/kexec-uki.c, commits 0c72c4426ff5 (2.0.30), 0475ec5d3246 and c3a991a169e7 (2.0.31)";

/** kexec_load after a UKI: kexec-tools hands the UKI's own bytes to its bzImage loader, never .linux. */
function ukiStubVerdict(final: PlacementResult): Verdict {
  return final.accepted
    ? {
        id: "uki-stub-bytes-loaded",
        severity: "error",
        message: "kexec_load loaded the UKI's own bytes (the systemd stub read as if it were a bzImage), not the kernel in .linux: the jump runs garbage. Load the kernel with kexec_file_load (-s) or extract .linux and .initrd first.",
        rule: "uki_image_load() in kexec_load mode passes the whole file to bzImage64_load()",
        source: "kexec-tools kexec/kexec-uki.c uki_image_load(); kexec/arch/x86_64/kexec-bzImage64.c do_bzImage64_load()",
      }
    : {
        id: "uki-stub-bytes-refused",
        severity: "error",
        message: `kexec_load got the UKI's own bytes and refused them (${final.reason}): nothing is loaded.`,
        rule: "uki_image_load() in kexec_load mode passes the whole file to bzImage64_load()",
        source: "kexec-tools kexec/kexec-uki.c uki_image_load(); kexec/arch/x86_64/kexec-bzImage64.c do_bzImage64_load()",
      };
}

export interface SimulateInputs {
  map: MemoryMap;
  /** Target image; null simulates only the crashkernel= reservation. */
  image: KexecImage | null;
  /** Running kernel version ("6.1", "6.12.117+deb12-amd64"); default: the map's release, else 6.1. */
  kernel?: string;
  /** kexec-tools version; default 2.0.25 (the lab's). */
  kexecTools?: string;
  /** Running paging mode; default: what the map says, else 4. */
  runningPaging?: 4 | 5;
  /** auto (no -s/-c), kexec_file_load (-s) or kexec_load (-c). */
  iface: Iface;
  /** kdump load (kexec -p) instead of kexec -l. */
  crash: boolean;
  /**
   * crashkernel= tokens to reserve with. Undefined: the map's own command line. "" reserves
   * nothing (the map's Crash kernel lines, if any, still serve a crash load).
   */
  crashkernel?: string;
  /** Command line for the target (--append / --command-line). */
  append?: string;
  initrdSize?: number;
  cpus?: number;
  swiotlbBytes?: number;
  /** The running kernel's .config and where it came from (build-dependent sizes); none: distro defaults. */
  config?: ConfigChoice;
  /** The target is a UKI: these are its facts, and `image` is the kernel in its .linux section. */
  uki?: UkiFacts | null;
  /** The running kernel's banner or full release when known (/proc/version, a boot log's "Linux version" line). */
  runningBanner?: string;
  /** /sys/kernel/security/lockdown is integrity or confidentiality. */
  lockdown?: boolean;
}

export type CrashRegionSource = "map" | "simulated" | "none";

export interface SimulateResult {
  kernel: { version: string; family: string };
  kexecTools: string;
  runningPaging: 4 | 5;
  /** Versions that were not understood (the defaults were simulated instead). */
  paramErrors: string[];
  /** The crashkernel= text simulated ("" when none). */
  crashkernel: string;
  /** The reservation it makes; null when no crashkernel= was given. */
  reservation: CrashkernelSimResult | null;
  /** The region a crash load goes into, and where it came from. */
  crashRegion: { ranges: AddrRange[]; source: CrashRegionSource };
  /** Null without an image. */
  load: {
    iface: Iface;
    plan: LoaderPlan;
    /** Every syscall kexec-tools (or the user) made, in order; the last one decides. */
    attempts: PlacementResult[];
    final: PlacementResult;
    /** The refused kexec_file_load that kexec-tools silently retried with kexec_load. */
    fallbackFrom: PlacementResult | null;
  } | null;
  verdicts: Verdict[];
  notes: string[];
  /** The .config file that sized build-dependent segments; null when defaults were assumed. */
  config: string | null;
}

function pick<T>(what: string, version: string, dflt: string, make: (v: string) => T, errors: string[]): T {
  try {
    return make(version);
  } catch {
    errors.push(`${what} "${version}" is not a version: simulating ${dflt}.`);
    return make(dflt);
  }
}

/** The crashkernel= tokens of a command line. */
export function crashkernelTokens(cmdline: string | null | undefined): string {
  return (cmdline ?? "").match(/(?:^|\s)(crashkernel=\S*)/g)?.map((t) => t.trim()).join(" ") ?? "";
}

export function resolveKernel(version: string | undefined, map: MemoryMap | null, errors: string[]): KernelProfile {
  const v = version?.trim() || map?.kernelRelease || DEFAULT_KERNEL;
  return pick("Kernel version", v, DEFAULT_KERNEL, kernelProfile, errors);
}

export function resolveKexecTools(version: string | undefined, errors: string[]): KexecToolsProfile {
  return pick("kexec-tools version", version?.trim() || DEFAULT_KEXEC_TOOLS, DEFAULT_KEXEC_TOOLS, kexecToolsProfile, errors);
}

/** kernel/kexec.c kexec_load_check(): a locked-down kernel refuses kexec_load after the work is done. */
function lockedDown(r: PlacementResult): PlacementResult {
  if (!r.accepted) return r;
  return { ...r, accepted: false, errno: "EPERM", reason: "kexec_load failed: Operation not permitted", log: [...r.log, `lockdown: ${LOCKDOWN_SOURCE}`] };
}

export function simulate(inputs: SimulateInputs): SimulateResult {
  const { map, image } = inputs;
  const paramErrors: string[] = [];
  const profile = resolveKernel(inputs.kernel, map, paramErrors);
  const tools = resolveKexecTools(inputs.kexecTools, paramErrors);
  const running = inputs.runningPaging ?? map.pagingLevels ?? 4;
  const notes: string[] = [...(inputs.config?.notes ?? [])];

  // The crash region: where the map says this very crashkernel= landed, else where it would land.
  const mapTokens = crashkernelTokens(map.cmdline);
  const ckText = inputs.crashkernel ?? mapTokens;
  const reservation = ckText.trim()
    ? simulateCrashkernel({ map, cmdline: ckText, profile, pagingLevels: running, swiotlbBytes: inputs.swiotlbBytes })
    : null;
  let crashRegion: SimulateResult["crashRegion"];
  if (map.crashKernel.length && (ckText === mapTokens || !reservation?.ranges.length)) {
    crashRegion = { ranges: [...map.crashKernel], source: "map" };
  } else if (reservation?.ranges.length) {
    crashRegion = { ranges: reservation.ranges.map((r) => ({ start: r.start, end: r.end })), source: "simulated" };
    if (inputs.crash && image) notes.push(`Crash kernel region simulated from ${ckText}.`);
  } else crashRegion = { ranges: [], source: "none" };

  let load: SimulateResult["load"] = null;
  let verdicts: Verdict[] = [];
  if (image) {
    const common = { map, image, initrdSize: inputs.initrdSize, crash: inputs.crash, cmdline: inputs.append ?? "", crashRanges: crashRegion.ranges, cpus: inputs.cpus };
    const config = inputs.config?.config;
    const viaLoad = (): PlacementResult => simulateKexecLoad({ ...common, tools, lockdown: inputs.lockdown });
    const plan = planLoad(inputs.iface, tools);
    const attempts: PlacementResult[] = [];
    let stubBytes = false;
    if (inputs.uki) {
      // kexec-tools takes .initrd unless --initrd is given; it never reads .cmdline.
      const initrdSize = inputs.initrdSize ?? inputs.uki.initrd?.size;
      const viaFile = (): PlacementResult => simulateKexecFile({ ...common, initrdSize, profile, runningPaging: running, config });
      const u = ukiAttempts(inputs.uki, image, tools, plan, viaFile, (inputs.append ?? "").length + 1);
      attempts.push(...u.attempts.map((a) => (a.interface === "kexec_load" && a.accepted && inputs.lockdown ? lockedDown(a) : a)));
      stubBytes = u.stubBytes;
      notes.push(`A UKI: kexec-tools ${tools.version} follows the "${u.rowId}" row (${UKI_ROW_SOURCE}).`);
    } else if (plan.first === "kexec_file_load") {
      const f = simulateKexecFile({ ...common, profile, runningPaging: running, config });
      attempts.push(f);
      if (fallsBack(plan, f)) attempts.push(viaLoad());
    } else attempts.push(viaLoad());
    const final = attempts[attempts.length - 1]!;
    load = { iface: inputs.iface, plan, attempts, final, fallbackFrom: attempts.length > 1 ? attempts[0]! : null };
    verdicts = stubBytes ? [ukiStubVerdict(final)] : jumpVerdicts({
      runningPaging: running,
      image,
      kernel: profile,
      tools,
      plan,
      attempts,
      lockdown: inputs.lockdown ?? false,
      runningRelease: inputs.runningBanner ?? profile.version,
      targetCmdline: inputs.append ?? "",
    });
  }
  return {
    kernel: { version: profile.version, family: profile.family },
    kexecTools: tools.version,
    runningPaging: running,
    paramErrors,
    crashkernel: ckText,
    reservation,
    crashRegion,
    load,
    verdicts,
    notes,
    config: inputs.config?.from ?? null,
  };
}
