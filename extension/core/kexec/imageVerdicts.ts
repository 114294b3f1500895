import { XLF } from "../knowledge/xloadflags";
import { hasChange, parseKernelRelease } from "../knowledge/kernelRelease";
import { PAGING_TRANSITION } from "../knowledge/pagingTransition";
import { targetCanSwitch } from "./jumpVerdicts";
import { FALLBACK_SOURCE } from "./loaderChoice";
import { kernelProfile, kexecToolsProfile } from "./kernelProfiles";
import type { KexecImage } from "./kexecImage";
import { kexecFileProbe } from "./kexecFilePlacement";
import { probe32, probe64 } from "./kexecToolsPlacement";

/**
 * Static loadability verdicts for one target image: which kexec paths accept it and from which
 * paging mode, for a current running kernel and kexec-tools. The probes are the simulator's own
 * (kexecFilePlacement.ts, kexecToolsPlacement.ts); placement-dependent verdicts for a real map
 * come from jumpVerdicts.ts. Rules: ../shared/spec/kexec.md §A.2, §A.6, §B.1.
 */
export type Outcome = "ok" | "refused" | "fails" | "risk" | "info";

export interface ImageVerdict {
  /** Stable id for tests and filters, e.g. "kexec_file.l5". */
  id: string;
  path: "kexec_file_load" | "kexec_load" | "kexec-tools auto" | "placement";
  running: "4-level" | "5-level" | "any";
  outcome: Outcome;
  /** One line for a summary card. */
  summary: string;
  /** Why, with the check or message involved. */
  reason: string;
  /** The kernel or kexec-tools rule, e.g. `bzImage64_probe(): xloadflags & XLF_5LEVEL`. */
  rule: string;
  /** Where the rule lives (file, commit). */
  source: string;
}

export interface ImageVerdictOptions {
  /** Running kernel whose kexec_file_load probe applies (default: a current kernel). */
  runningKernel?: string;
  /** kexec-tools version for the auto-mode fallback (default: a current one). */
  kexecTools?: string;
}

/** Current releases: the static verdicts describe what a user meets today (kexec-tools auto mode). */
export const IMAGE_VERDICT_DEFAULTS = { runningKernel: "6.12", kexecTools: "2.0.32" } as const;

const KFILE_SRC = "arch/x86/kernel/kexec-bzimage64.c bzImage64_probe()";
const KTOOLS_SRC = "kexec-tools kexec/arch/x86_64/kexec-bzImage64.c bzImage64_probe()";

/** Every static verdict for an image, for both running paging modes. */
export function imageVerdicts(img: KexecImage, opts: ImageVerdictOptions = {}): ImageVerdict[] {
  const profile = kernelProfile(opts.runningKernel ?? IMAGE_VERDICT_DEFAULTS.runningKernel);
  const tools = kexecToolsProfile(opts.kexecTools ?? IMAGE_VERDICT_DEFAULTS.kexecTools);
  const out: ImageVerdict[] = [];
  const x = img.xloadflags;
  const fileRefusal = (running: 4 | 5): string | null => kexecFileProbe(img, profile, running);
  for (const running of [4, 5] as const) {
    const r = `${running}-level` as const;
    const refused = fileRefusal(running);
    out.push({
      id: `kexec_file.l${running}`,
      path: "kexec_file_load",
      running: r,
      outcome: refused ? "refused" : "ok",
      summary: refused ? `kexec_file_load from a ${r} kernel: refused` : `kexec_file_load from a ${r} kernel: accepted`,
      reason: refused ?? "every bzImage64_probe() check passes",
      rule: "bzImage64_probe()",
      source: KFILE_SRC,
    });
  }

  const loader = probe64(img) ? "bzImage64" : probe32(img) ? "bzImage (i386)" : null;
  out.push({
    id: "kexec_load.loader",
    path: "kexec_load",
    running: "any",
    outcome: loader ? "ok" : "refused",
    summary: loader ? `kexec_load (kexec-tools): loaded by the ${loader} loader` : "kexec_load (kexec-tools): no loader accepts it",
    reason:
      loader === "bzImage64"
        ? "protocol >= 2.12, LOADED_HIGH, and (xloadflags & 3) == 3"
        : loader
          ? "bzImage64 probe fails (needs protocol >= 2.12 and XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G); the i386 path loads it below 0x37FFFFFF with the 32-bit entry"
          : "not a bzImage (no HdrS, bad boot flag or LOADED_HIGH clear)",
    rule: "(xloadflags & 3) == 3",
    source: KTOOLS_SRC,
  });

  if (loader) {
    // XLF_5LEVEL, or a 4.17–5.2 banner: the decompressor leaves 5-level paging itself.
    const sw = targetCanSwitch(img);
    const l5ok = sw.can === "yes";
    out.push({
      id: "kexec_load.l5",
      path: "kexec_load",
      running: "5-level",
      outcome: l5ok ? "ok" : sw.can === "no" ? "fails" : "risk",
      summary: l5ok
        ? `kexec_load from a 5-level kernel: OK (${sw.why})`
        : sw.can === "no"
          ? "kexec_load from a 5-level kernel: loads, then faults at entry"
          : "kexec_load from a 5-level kernel: works only if the target is 4.17–5.2",
      reason: l5ok
        ? "the decompressor switches out of 5-level paging (the 4.17 trampoline; XLF_5LEVEL advertises it from 5.3)"
        : `kexec-tools never checks XLF_5LEVEL; ${sw.why}: a decompressor before 4.17 is entered with LA57 on and takes a #GP`,
      rule: "no XLF_5LEVEL check in kexec-tools (the planned check never landed); the decompressor switch exists from 4.17",
      source: `${PAGING_TRANSITION.decompressorSwitch.source}; commit ee338b9ee282 changelog`,
    });
    if (fileRefusal(5) && !fileRefusal(4) && tools.autoFileThenLoad) {
      out.push({
        id: "kexec-tools.fallback",
        path: "kexec-tools auto",
        running: "5-level",
        outcome: l5ok ? "risk" : "fails",
        summary: "refused by kexec_file_load — and kexec-tools would fall back to kexec_load",
        reason: l5ok
          ? `kexec-tools ${tools.version} tries kexec_file_load first and on ENOEXEC silently retries with kexec_load; this target (${sw.why}) ${x & XLF.XLF_5LEVEL_ENABLED ? "keeps 5-level paging" : "switches to 4-level itself"}, so the load and the jump work, past the refusal.`
          : `kexec-tools ${tools.version} tries kexec_file_load first and on ENOEXEC silently retries with kexec_load, which has no 5-level check: the load succeeds and the new kernel faults at entry. Use \`kexec -s\` to keep the refusal.`,
        rule: "kexec-tools auto mode (-a default since v2.0.27)",
        source: FALLBACK_SOURCE,
      });
    }
  }

  // The 5→4 transition: a target that ends up 4-level reads the running kernel's top-level entry.
  const goes4 = (x & XLF.XLF_KERNEL_64) !== 0 && !(x & XLF.XLF_5LEVEL_ENABLED);
  if (goes4) {
    const r = img.kernelVersion ? parseKernelRelease(img.kernelVersion) : null;
    const fix = r ? hasChange(r, PAGING_TRANSITION.fiveToFourFix.fact) : { present: "unknown" as const, why: "the image carries no kernel version" };
    out.push({
      id: "transition.5to4",
      path: "kexec_load",
      running: "5-level",
      outcome: fix.present === "yes" ? "ok" : fix.present === "no" ? "fails" : "risk",
      summary:
        fix.present === "yes"
          ? "5→4-level switch after kexec: has the PTE_PFN_MASK fix"
          : fix.present === "no"
            ? "5→4-level switch after kexec: triple-faults when the running kernel sets _PAGE_NOPTISHADOW"
            : "5→4-level switch after kexec: the fix depends on backports",
      reason: `This target runs 4-level (no XLF_5LEVEL_ENABLED) and switches when entered in 5-level mode; ${fix.why}. Running kernels from 6.13 (6.12.5, 6.6.66) set bit 58 in the identity map's top-level entries.`,
      rule: `${PAGING_TRANSITION.noPtiShadow.summary}; ${PAGING_TRANSITION.fiveToFourFix.summary}`,
      source: `${PAGING_TRANSITION.noPtiShadow.source}; ${PAGING_TRANSITION.fiveToFourFix.source}`,
    });
  }

  if (x & XLF.XLF_KERNEL_64) {
    const l5en = (x & XLF.XLF_5LEVEL_ENABLED) !== 0;
    out.push({
      id: "placement.above64t",
      path: "placement",
      running: "any",
      outcome: l5en ? "ok" : "risk",
      summary: l5en ? "can run if placed above 64 TiB (XLF_5LEVEL_ENABLED)" : "cannot run if placed above 64 TiB (4-level only)",
      reason: l5en
        ? "built with 5-level paging support"
        : "XLF_5LEVEL_ENABLED is clear; kexec_load places segments top-down and kexec_file_load walks RAM from the top since 6.8, and neither checks this bit",
      rule: "xloadflags & XLF_5LEVEL_ENABLED (never consulted by a loader)",
      source: "arch/x86/boot/header.S, commit f2d08c5d3bcf (XLF_5LEVEL_ENABLED); kexec-tools kexec/kexec.c locate_hole(), kernel/kexec_file.c locate_mem_hole_top_down()",
    });
  }
  return out;
}
