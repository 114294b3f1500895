/**
 * Will this kexec/kdump jump work? Verdicts for (running paging mode, target image, interface,
 * kexec-tools version), each with the rule and its source (paging.md §5, kexec.md §A.6/§B).
 */
import type { KernelProfile, KexecToolsProfile } from "./kernelProfiles";
import type { KexecImage } from "./kexecImage";
import { XLF_5LEVEL, XLF_5LEVEL_ENABLED, XLF_CAN_BE_LOADED_ABOVE_4G, XLF_KERNEL_64 } from "./kexecImage";
import type { PlacementResult } from "./placement";
import { EFALLBACK_MESSAGE, FALLBACK_SOURCE, LOCKDOWN_SOURCE, type LoaderPlan } from "./loaderChoice";
import { hex } from "./ranges";
import { FOUR_LEVEL_LIMIT } from "../knowledge/pagingModes";

export type VerdictId =
  | "not-64bit"
  | "needs-above-4g"
  | "refused-5level"
  | "silent-fallback"
  | "fallback-locked-down"
  | "refused-5level-message"
  | "jump-fails-5level"
  | "above-64t-4level-target"
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
}

const LIMIT_4LEVEL = FOUR_LEVEL_LIMIT;

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
  const lacks5 = (x & XLF_KERNEL_64) !== 0 && !(x & XLF_5LEVEL);
  if (v.runningPaging === 5 && lacks5) {
    const refused5 = first?.interface === "kexec_file_load" && !first.accepted && v.kernel.kexecFile.fiveLevelCheck;
    if (refused5) {
      out.push({
        id: "refused-5level",
        severity: "error",
        message: "kexec_file_load refuses the image: \"kexec-bzImage64: bzImage cannot handle 5-level paging mode.\" (-ENOEXEC)",
        rule: "running kernel uses 5-level paging and the target lacks XLF_5LEVEL",
        source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_probe(); commit ee338b9ee2822e65a85750da6129946c14962410 (v5.3)",
      });
      if (v.attempts.length > 1 && final?.accepted) {
        out.push({
          id: "silent-fallback",
          severity: "error",
          message: `kexec-tools ${v.tools.version} (default auto mode) retries with kexec_load after -ENOEXEC, which has no 5-level check: the load succeeds and the jump faults in the target's decompressor. Use -s to stop the fallback.`,
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
      } else if (!v.plan.fallback && v.tools.version) {
        out.push({
          id: "refused-5level-message",
          severity: "info",
          message: `With -s, kexec-tools turns the kernel's -ENOEXEC into EFALLBACK and prints only "${EFALLBACK_MESSAGE}" (exit 253); the kernel's own message is in dmesg.`,
          rule: "do_kexec_file_load() maps ENOEXEC to EFALLBACK; main() prints the message for EFALLBACK",
          source: FALLBACK_SOURCE,
        });
      }
    } else if (final?.accepted || final?.interface === "kexec_load") {
      out.push({
        id: "jump-fails-5level",
        severity: "error",
        message: "The load is accepted, but the target's decompressor is entered with CR4.LA57 set and cannot handle it (#GP): the jump fails.",
        rule: "kexec keeps the paging mode; a target without XLF_5LEVEL cannot be entered from 5-level paging; kexec_load (and kexec_file before 5.3) do not check",
        source: "kexec-tools never added the planned XLF_5LEVEL check; commit ee338b9ee282 changelog",
      });
    }
  }
  const segments = final?.accepted ? final.segments : [];
  const top = segments.reduce((m, s) => Math.max(m, s.mem + s.memsz), 0);
  if (v.runningPaging === 5 && (x & XLF_5LEVEL) && !(x & XLF_5LEVEL_ENABLED) && top > LIMIT_4LEVEL) {
    out.push({
      id: "above-64t-4level-target",
      severity: "error",
      message: `A segment ends at ${hex(top - 1)}, above 64 TiB; the target lacks XLF_5LEVEL_ENABLED, switches to 4-level paging and cannot run there.`,
      rule: "a 4-level kernel manages physical memory below MAXMEM = 2^46 (64 TiB); nothing in kexec-tools or the kernel checks XLF_5LEVEL_ENABLED",
      source: "paging.md §2; boot-protocol.md §4 (commit f2d08c5d3bcf3f7ef788af122b57a919efa1e9d0); kexec.md §A.5/§B.5",
    });
  }
  if (out.length === 0) {
    out.push({
      id: "ok",
      severity: "info",
      message: "No paging or header rule stands in the way of this jump.",
      rule: "paging.md §5 decision table",
      source: "paging.md §5",
    });
  }
  return out;
}
