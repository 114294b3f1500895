/**
 * Decides whether a file is one of the kernel sources the analysers understand. Both the
 * path (its tail) and the content must agree, so an unrelated `setup.c` is left alone.
 */
export type KernelFileKind =
  | "header.S"
  | "bootparam.h"
  | "setup.c"
  | "crash_reserve.h"
  | "crash_core.h"
  | "crash_core.c"
  | "crash_reserve.c"
  | "kexec-bzimage64.c";

interface Recogniser {
  kind: KernelFileKind;
  /** Path tail, '/'-separated. */
  tail: string;
  content: RegExp;
}

const RECOGNISERS: readonly Recogniser[] = [
  { kind: "header.S", tail: "arch/x86/boot/header.S", content: /HdrS|\bxloadflags\b/ },
  { kind: "bootparam.h", tail: "arch/x86/include/uapi/asm/bootparam.h", content: /\bXLF_\w+|struct setup_header\b/ },
  { kind: "setup.c", tail: "arch/x86/kernel/setup.c", content: /\bsetup_arch\b|\bCRASH_\w+|crashkernel/ },
  // 6.9+: constants in asm/crash_reserve.h, code in kernel/crash_reserve.c.
  { kind: "crash_reserve.h", tail: "arch/x86/include/asm/crash_reserve.h", content: /\bCRASH_\w+/ },
  // 6.7–6.8: the same constants lived in asm/crash_core.h.
  { kind: "crash_core.h", tail: "arch/x86/include/asm/crash_core.h", content: /\bCRASH_\w+/ },
  { kind: "crash_reserve.c", tail: "kernel/crash_reserve.c", content: /crashkernel|\bCRASH_\w+/ },
  { kind: "crash_core.c", tail: "kernel/crash_core.c", content: /crashkernel|\bCRASH_\w+|vmcoreinfo/ },
  { kind: "kexec-bzimage64.c", tail: "arch/x86/kernel/kexec-bzimage64.c", content: /\bbzImage64_probe\b|kexec_bzImage64_ops/ },
];

/** Normalises Windows separators so editor URIs and CLI paths compare alike. */
function normalise(path: string): string {
  return "/" + path.replace(/\\/g, "/").replace(/^\/+/, "");
}

/** The kind of kernel file, or null when path or content does not match. Content check reads at most 64 KiB. */
export function recogniseKernelFile(path: string, text: string): KernelFileKind | null {
  const p = normalise(path);
  const head = text.length > 65536 ? text.slice(0, 65536) : text;
  for (const r of RECOGNISERS) {
    if (p.endsWith("/" + r.tail) && r.content.test(head)) return r.kind;
  }
  return null;
}

/** Which language ids carry kernel sources, for the editor adapters' document selectors. */
export const KERNEL_SOURCE_PATH_TAILS: readonly string[] = RECOGNISERS.map((r) => r.tail);
