/**
 * Which syscall kexec-tools makes, and when it retries with the other one. The one home of the
 * auto-mode fallback rule: the scenario, the image verdicts and the jump verdicts all ask here.
 */
import type { KexecToolsProfile } from "./kernelProfiles";
import type { Errno } from "./placement";

/** `kexec -s` = kexec_file_load only, `kexec -c` = kexec_load only, neither = auto. */
export type Iface = "auto" | "kexec_file_load" | "kexec_load";
export type Syscall = "kexec_file_load" | "kexec_load";

export const IFACES: readonly Iface[] = ["auto", "kexec_file_load", "kexec_load"];

export interface LoaderPlan {
  first: Syscall;
  /** kexec-tools retries with kexec_load when kexec_file_load fails with a fallback errno. */
  fallback: boolean;
}

/**
 * kexec/kexec.c main(): without -s/-c, 2.0.27+ sets do_kexec_file_syscall = do_kexec_fallback = 1
 * (commit 29fe5067ed07 "kexec: make -a the default"); older releases default to kexec_load.
 */
export function planLoad(iface: Iface, tools: KexecToolsProfile): LoaderPlan {
  if (iface === "kexec_load") return { first: "kexec_load", fallback: false };
  if (iface === "kexec_file_load") return { first: "kexec_file_load", fallback: false };
  return tools.autoFileThenLoad ? { first: "kexec_file_load", fallback: true } : { first: "kexec_load", fallback: false };
}

/** kexec/kexec.c do_kexec_file_load(): these errnos return EFALLBACK; every other one is final. */
export const FALLBACK_ERRNOS: readonly Errno[] = ["ENOSYS", "EINVAL", "ENOEXEC", "ENOTSUP"];

export const FALLBACK_SOURCE = "kexec-tools commit 29fe5067ed07 \"kexec: make -a the default\" (v2.0.27); kexec/kexec.c do_kexec_file_load() and main()";

/** True when a refused kexec_file_load makes kexec-tools retry with kexec_load. */
export function fallsBack(plan: LoaderPlan, fileResult: { accepted: boolean; errno: Errno | null }): boolean {
  return plan.first === "kexec_file_load" && plan.fallback && !fileResult.accepted && fileResult.errno !== null && FALLBACK_ERRNOS.includes(fileResult.errno);
}

/**
 * What kexec-tools prints when kexec_file_load returned a fallback errno and no fallback is
 * allowed (`kexec -s`): main() prints this for EFALLBACK whatever the errno was.
 */
export const EFALLBACK_MESSAGE = "syscall kexec_file_load not available.";

/**
 * kernel/kexec.c kexec_load_check(): security_locked_down(LOCKDOWN_KEXEC) fails kexec_load with
 * -EPERM (commit 7d31f4602f8d "kexec_load: Disable at runtime if the kernel is locked down", v5.4).
 */
export const LOCKDOWN_SOURCE = "kernel/kexec.c kexec_load_check(); commit 7d31f4602f8d \"kexec_load: Disable at runtime if the kernel is locked down\" (v5.4)";
