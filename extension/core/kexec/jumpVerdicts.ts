/**
 * Will this kexec/kdump jump work? Verdicts for (running kernel and paging mode, target image and
 * its command line, the syscalls made), each with the rule and its public source. The target's
 * version comes from its banner (setup header kernel_version), the running kernel's from its
 * release or banner: the paging-switch code and the 2024–2025 transition bug are decided by
 * release, stable backports included (knowledge/pagingTransition.ts).
 */
import type { KernelProfile, KexecToolsProfile } from "./kernelProfiles";
import type { KexecImage } from "./kexecImage";
import { XLF_5LEVEL, XLF_5LEVEL_ENABLED, XLF_CAN_BE_LOADED_ABOVE_4G, XLF_KERNEL_64 } from "./kexecImage";
import type { PlacementResult } from "./placement";
import { EFALLBACK_MESSAGE, FALLBACK_SOURCE, LOCKDOWN_SOURCE, type LoaderPlan } from "./loaderChoice";
import { hex } from "./ranges";
import { FOUR_LEVEL_LIMIT } from "../knowledge/pagingModes";
import { hasChange, parseKernelRelease, type Presence } from "../knowledge/kernelRelease";
import { PAGING_TRANSITION } from "../knowledge/pagingTransition";

export type VerdictId =
  | "not-64bit"
  | "needs-above-4g"
  | "refused-5level"
  | "silent-fallback"
  | "fallback-locked-down"
  | "refused-5level-message"
  | "jump-fails-5level"
  | "target-switches-paging"
  | "transition-5to4-fault"
  | "transition-5to4-unknown"
  | "above-64t-4level-target"
  | "uki-stub-bytes-loaded"
  | "uki-stub-bytes-refused"
  | "ok";

export interface Verdict {
  id: VerdictId;
  severity: "error" | "warning" | "info";
  message: string;
  rule: string;
  source: string;
}

export interface JumpInput {
  runningPaging: 4 | 5;
  image: KexecImage;
  kernel: KernelProfile;
  tools: KexecToolsProfile;
  /** Which syscall comes first and whether kexec-tools may fall back (loaderChoice.ts). */
  plan: LoaderPlan;
  /** The syscalls made, in order (scenario/simulate.ts); the last one decides. */
  attempts: readonly PlacementResult[];
  lockdown?: boolean;
  /** The running kernel's release or banner ("6.12.117+deb12-amd64"); default: the profile's version. */
  runningRelease?: string;
  /** The target's command line (--append); `no5lvl` there keeps it 4-level. */
  targetCmdline?: string;
}

const LIMIT_4LEVEL = FOUR_LEVEL_LIMIT;

/** Can the target's decompressor switch out of 5-level paging? From XLF_5LEVEL, else its banner. */
export function targetCanSwitch(image: KexecImage): { can: Presence; why: string } {
  if (image.xloadflags & XLF_5LEVEL) return { can: "yes", why: "XLF_5LEVEL is set" };
  const r = image.kernelVersion ? parseKernelRelease(image.kernelVersion) : null;
  if (!r) return { can: "unknown", why: "the image carries no kernel version" };
  const h = hasChange(r, PAGING_TRANSITION.decompressorSwitch.fact);
  return { can: h.present, why: `its banner says ${r.major}.${r.minor}${h.present === "yes" ? " (4.17 or later)" : " (before 4.17)"}` };
}

export function jumpVerdicts(v: JumpInput): Verdict[] {
  const out: Verdict[] = [];
  const x = v.image.xloadflags;
  const final = v.attempts[v.attempts.length - 1];
  const first = v.attempts[0];
  const fileRefused = (): boolean => first?.interface === "kexec_file_load";
  if (!(x & XLF_KERNEL_64)) {
    out.push({
      id: "not-64bit",
      severity: "warning",
      message: fileRefused()
        ? "kexec_file_load refuses it: \"Not a bzImage64. XLF_KERNEL_64 is not set.\""
        : "Not a 64-bit kernel: kexec-tools uses its i386 bzImage loader (32-bit entry, kernel below 0x37FFFFFF).",
      rule: "kexec_file needs XLF_KERNEL_64; kexec-tools' bzImage64 probe needs (xloadflags & 3) == 3",
      source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_probe(); kexec-tools kexec/arch/x86_64/kexec-bzImage64.c",
    });
  } else if (!(x & XLF_CAN_BE_LOADED_ABOVE_4G)) {
    out.push({
      id: "needs-above-4g",
      severity: "warning",
      message: fileRefused()
        ? "kexec_file_load refuses it: \"XLF_CAN_BE_LOADED_ABOVE_4G is not set.\""
        : "Not relocatable above 4 GiB: kexec-tools falls back to the i386 loader (below 0x37FFFFFF).",
      rule: "both loaders require XLF_CAN_BE_LOADED_ABOVE_4G for the 64-bit path",
      source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_probe(); kexec-tools bzImage64_probe()",
    });
  }
  const is64 = (x & XLF_KERNEL_64) !== 0;
  const lacks5 = is64 && !(x & XLF_5LEVEL);
  const sw = targetCanSwitch(v.image);
  const no5lvl = /(^|\s)no5lvl(\s|$)/.test(v.targetCmdline ?? "");
  // Entered in 5-level mode, a target built for it (XLF_5LEVEL_ENABLED, from 4.17 when the bit is missing) stays 5-level.
  const stays5 = (x & XLF_5LEVEL_ENABLED) !== 0 && !no5lvl;
  const handles = stays5 ? "keeps 5-level paging (XLF_5LEVEL_ENABLED)" : "switches to 4-level paging itself";
  // Did a load go through that will be jumped into from 5-level paging?
  const loaded5 = v.runningPaging === 5 && final?.accepted === true;
  if (v.runningPaging === 5 && lacks5) {
    const refused5 = first?.interface === "kexec_file_load" && !first.accepted && v.kernel.kexecFile.fiveLevelCheck;
    if (refused5) {
      out.push({
        id: "refused-5level",
        severity: "error",
        message: "kexec_file_load refuses the image: \"kexec-bzImage64: bzImage cannot handle 5-level paging mode.\" (-ENOEXEC)",
        rule: "running kernel uses 5-level paging and the target lacks XLF_5LEVEL (every x86_64 build sets it from 5.3)",
        source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_probe(); commit ee338b9ee2822e65a85750da6129946c14962410 (v5.3)",
      });
      if (v.attempts.length > 1 && final?.accepted) {
        out.push({
          id: "silent-fallback",
          severity: sw.can === "yes" ? "warning" : "error",
          message:
            sw.can === "yes"
              ? `kexec-tools ${v.tools.version} (default auto mode) retries with kexec_load after -ENOEXEC and the load succeeds. This target (${sw.why}) ${handles}, so the refusal was overly strict${stays5 ? "" : "; the 5→4 transition check below still applies"}.`
              : `kexec-tools ${v.tools.version} (default auto mode) retries with kexec_load after -ENOEXEC, which has no 5-level check: the load succeeds and the jump faults in the target's decompressor${sw.can === "unknown" ? ` unless the target is 4.17–5.2 (${sw.why})` : ` (${sw.why})`}. Use -s to stop the fallback.`,
          rule: "kexec -l/-p without -s/-c tries kexec_file_load, then kexec_load on ENOEXEC/EINVAL/ENOSYS/ENOTSUP",
          source: FALLBACK_SOURCE,
        });
      } else if (v.attempts.length > 1 && final?.errno === "EPERM") {
        out.push({
          id: "fallback-locked-down",
          severity: "warning",
          message: "kexec-tools retries with kexec_load after -ENOEXEC, but the kernel is locked down: kexec_load fails with -EPERM, so nothing is loaded (no silent jump).",
          rule: "lockdown forbids kexec_load; kexec-tools' fallback then fails",
          source: LOCKDOWN_SOURCE,
        });
      } else if (!v.plan.fallback) {
        out.push({
          id: "refused-5level-message",
          severity: "info",
          message: `With -s, kexec-tools turns the kernel's -ENOEXEC into EFALLBACK and prints only "${EFALLBACK_MESSAGE}" (exit 253); the kernel's own message is in dmesg.${sw.can === "yes" ? ` This target (${sw.why}) could switch paging itself: kexec_load (-c) would work.` : ""}`,
          rule: "do_kexec_file_load() maps ENOEXEC to EFALLBACK; main() prints the message for EFALLBACK",
          source: FALLBACK_SOURCE,
        });
      }
    } else if (final?.accepted || final?.interface === "kexec_load") {
      if (sw.can !== "yes") {
        out.push({
          id: "jump-fails-5level",
          severity: sw.can === "no" ? "error" : "warning",
          message:
            sw.can === "no"
              ? `The load is accepted, but the target (${sw.why}) has no 5→4-level switch: its decompressor is entered with CR4.LA57 set and faults. Use a target from 5.3 on (XLF_5LEVEL), or boot the running kernel with no5lvl.`
              : `The load is accepted; the target lacks XLF_5LEVEL and ${sw.why}: a target from 4.17 to 5.2 switches to 4-level paging itself, an older one faults at entry.`,
          rule: "kexec keeps the paging mode; only a decompressor with the 4.17 trampoline can leave 5-level paging; kexec_load (and kexec_file before 5.3) do not check",
          source: `${PAGING_TRANSITION.decompressorSwitch.source}; kexec-tools never added the XLF_5LEVEL check (commit ee338b9ee282 changelog)`,
        });
      }
    }
  }
  if (loaded5 && is64 && lacks5 && sw.can === "yes") {
    out.push({
      id: "target-switches-paging",
      severity: "info",
      message: `The target lacks XLF_5LEVEL but ${sw.why}: entered in 5-level mode, its decompressor ${handles} (XLF_5LEVEL only advertises that from 5.3).`,
      rule: PAGING_TRANSITION.decompressorSwitch.summary,
      source: PAGING_TRANSITION.decompressorSwitch.source,
    });
  }
  // The 5→4 transition: the target ends up 4-level and reads the running kernel's top-level entry.
  const goes4 = is64 && !stays5 && (!lacks5 || sw.can !== "no");
  if (loaded5 && goes4) out.push(...transitionVerdicts(v, no5lvl));
  const segments = final?.accepted ? final.segments : [];
  const top = segments.reduce((m, s) => Math.max(m, s.mem + s.memsz), 0);
  if (v.runningPaging === 5 && (x & XLF_5LEVEL) && !(x & XLF_5LEVEL_ENABLED) && top > LIMIT_4LEVEL) {
    out.push({
      id: "above-64t-4level-target",
      severity: "error",
      message: `A segment ends at ${hex(top - 1)}, above 64 TiB; the target lacks XLF_5LEVEL_ENABLED, switches to 4-level paging and cannot run there.`,
      rule: "a 4-level kernel manages physical memory below MAXMEM = 2^46 (64 TiB); nothing in kexec-tools or the kernel checks XLF_5LEVEL_ENABLED",
      source: "arch/x86/include/asm/sparsemem.h MAX_PHYSMEM_BITS; commit f2d08c5d3bcf (XLF_5LEVEL_ENABLED); neither kexec-tools' locate_hole() nor kexec_file's locate_mem_hole() reads it",
    });
  }
  if (out.length === 0 || out.every((o) => o.severity === "info" && o.id === "target-switches-paging")) {
    out.push({
      id: "ok",
      severity: "info",
      message: "No paging or header rule stands in the way of this jump.",
      rule: "XLF_KERNEL_64, XLF_CAN_BE_LOADED_ABOVE_4G, XLF_5LEVEL against the running paging mode; the 5→4 transition by release",
      source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_probe(); arch/x86/boot/header.S",
    });
  }
  return out;
}

/**
 * d0ceea662d45 puts bit 58 in the kexec identity map's top-level entries; a target switching
 * 5→4 without eb2266312507 keeps it (PAGE_MASK) and loads a non-canonical CR3: triple fault.
 */
function transitionVerdicts(v: JumpInput, no5lvl: boolean): Verdict[] {
  const running = parseKernelRelease(v.runningRelease ?? v.kernel.version);
  const target = v.image.kernelVersion ? parseKernelRelease(v.image.kernelVersion) : null;
  const bit = running ? hasChange(running, PAGING_TRANSITION.noPtiShadow.fact) : { present: "unknown" as Presence, why: "the running kernel's version is not known" };
  if (bit.present === "no") return [];
  const fix = target ? hasChange(target, PAGING_TRANSITION.fiveToFourFix.fact) : { present: "unknown" as Presence, why: "the image carries no kernel version" };
  if (fix.present === "yes") return [];
  const why4 = no5lvl ? "no5lvl on its command line" : v.image.xloadflags & XLF_5LEVEL ? "no XLF_5LEVEL_ENABLED" : "no XLF_5LEVEL";
  const rule = `${PAGING_TRANSITION.noPtiShadow.summary}; a target without the fix ${PAGING_TRANSITION.fiveToFourFix.summary.replace(/^the target's /, "")}`;
  const source = `${PAGING_TRANSITION.noPtiShadow.source}; ${PAGING_TRANSITION.fiveToFourFix.source}`;
  const runningText = running ? running.raw.split(/\s/)[0] : "the running kernel";
  const targetText = target ? target.raw.split(/\s/)[0] : "the target";
  if (bit.present === "yes" && fix.present === "no") {
    return [{
      id: "transition-5to4-fault",
      severity: "error",
      message: `The jump fails without a message: ${runningText} (5-level) sets bit 58 (_PAGE_NOPTISHADOW) in the identity map (${bit.why}), and ${targetText} switches to 4-level paging (${why4}) with the old PAGE_MASK read of that entry (${fix.why}): triple fault right after "kexec_core: Starting new kernel". Use a target with the fix (6.19, 6.18.2, 6.17.13, 6.12.63, 6.6.120, 6.1.160 or later in its series), keep the target 5-level (drop no5lvl), or boot the running kernel with no5lvl.`,
      rule,
      source,
    }];
  }
  return [{
    id: "transition-5to4-unknown",
    severity: "warning",
    message: `The 5→4-level transition may fault: the running kernel ${bit.present === "yes" ? "sets" : "may set"} bit 58 in the identity map (${bit.why}); the target switches to 4-level (${why4}) and ${fix.present === "no" ? "lacks" : "may lack"} the fix (${fix.why}). Depends on your vendor's backports: check both changelogs for "x86/boot: Fix page table access in 5-level to 4-level paging transition".`,
    rule,
    source,
  }];
}
