/** Every rule id the source analysers emit, with its default severity and its source. */
import type { Severity } from "./findings";
import type { KernelFileKind } from "./recognise";

export interface RuleInfo {
  id: string;
  severity: Severity;
  files: KernelFileKind[];
  summary: string;
  source: string;
}

export const SOURCE_RULES = [
  {
    id: "xlf-unknown-bit",
    severity: "warning",
    files: ["header.S"],
    summary: "The xloadflags word uses an XLF name or bit the knowledge table does not define (bits 7+ are unassigned; XLF_MEM_ENCRYPTION was only proposed).",
    source: "arch/x86/include/uapi/asm/bootparam.h; arch/x86/boot/header.S",
  },
  {
    id: "xlf-duplicate-bit",
    severity: "warning",
    files: ["header.S"],
    summary: "Two terms of the xloadflags word set the same bit.",
    source: "arch/x86/boot/header.S (the XLF0 … XLF56 macros, each owning its bits)",
  },
  {
    id: "xlf-5level-missing",
    severity: "warning",
    files: ["header.S"],
    summary: "An x86_64 build does not advertise XLF_5LEVEL: a 5-level kernel cannot kexec into it.",
    source: "commit f2d08c5d3bcf (v5.3) sets it on every x86_64 build; ee338b9ee282 makes kexec_file refuse images without it",
  },
  {
    id: "xlf-5level-enabled-without-5level",
    severity: "warning",
    files: ["header.S"],
    summary: "XLF_5LEVEL_ENABLED is set for a build without 5-level support (CONFIG_X86_5LEVEL=n, 32-bit, or without XLF_5LEVEL).",
    source: "arch/x86/boot/header.S XLF56; commit 7212b58d6d71 (6.16) made it unconditional only with CONFIG_X86_5LEVEL gone",
  },
  {
    id: "header-protocol-version",
    severity: "warning",
    files: ["header.S"],
    summary: "The announced boot-protocol version is older than a field the header defines (e.g. kernel_info_offset needs 2.15), or newer than any known.",
    source: "Documentation/arch/x86/boot.rst (protocol history)",
  },
  {
    id: "bootparam-bit-value",
    severity: "warning",
    files: ["bootparam.h"],
    summary: "An XLF_* or loadflags bit is defined with a value other than the boot protocol's.",
    source: "Documentation/arch/x86/boot.rst (loadflags, xloadflags); arch/x86/include/uapi/asm/bootparam.h",
  },
  {
    id: "bootparam-bit-overlap",
    severity: "warning",
    files: ["bootparam.h"],
    summary: "Two XLF_* (or loadflags) names share a bit.",
    source: "arch/x86/include/uapi/asm/bootparam.h (XLF_* bits)",
  },
  {
    id: "bootparam-bit-unknown",
    severity: "info",
    files: ["bootparam.h"],
    summary: "An XLF_* name the knowledge table does not list as mainline (e.g. the proposed XLF_MEM_ENCRYPTION, bit 7): no loader checks it.",
    source: "arch/x86/include/uapi/asm/bootparam.h (mainline defines XLF_* bits 0–6 only)",
  },
  {
    id: "crash-high-max-above-64t",
    severity: "warning",
    files: ["setup.c", "crash_reserve.h", "crash_core.h", "crash_core.c", "crash_reserve.c"],
    summary: "CRASH_ADDR_HIGH_MAX (or a crash reservation bound) above 64 TiB on x86_64: a 4-level dump kernel placed there cannot boot.",
    source: "commit 8ff80fbe7e98 (v5.3) capped it at SZ_64T; arch/x86/include/asm/crash_reserve.h; MAXMEM in arch/x86/include/asm/pgtable_64_types.h",
  },
  {
    id: "crash-align",
    severity: "warning",
    files: ["setup.c", "crash_reserve.h", "crash_core.h"],
    summary: "CRASH_ALIGN on x86 is not 16 MiB (every kernel since the reservation code exists uses 16 MiB).",
    source: "arch/x86/kernel/setup.c (≤6.6), arch/x86/include/asm/crash_reserve.h (6.9+)",
  },
  {
    id: "crash-low-max",
    severity: "warning",
    files: ["setup.c", "crash_reserve.h", "crash_core.h"],
    summary: "CRASH_ADDR_LOW_MAX on x86_64 is not 4 GiB (896 MiB before 5.2), or the low limit exceeds the high limit.",
    source: "commit 9ca5c8e632ce (v5.2); arch/x86/include/asm/crash_reserve.h",
  },
  {
    id: "kexec-probe-5level",
    severity: "warning",
    files: ["kexec-bzimage64.c"],
    summary: "bzImage64_probe no longer refuses a target without XLF_5LEVEL while the running kernel uses 5-level paging.",
    source: "commit ee338b9ee2822e65a85750da6129946c14962410 (v5.3); arch/x86/kernel/kexec-bzimage64.c bzImage64_probe()",
  },
  {
    id: "kexec-probe-check-removed",
    severity: "warning",
    files: ["kexec-bzimage64.c"],
    summary: "bzImage64_probe lost one of its header checks (HdrS, boot flag, protocol ≥ 2.12, LOADED_HIGH, XLF_KERNEL_64, XLF_CAN_BE_LOADED_ABOVE_4G).",
    source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_probe()",
  },
] as const satisfies readonly RuleInfo[];

export type SourceRuleId = (typeof SOURCE_RULES)[number]["id"];

export function ruleInfo(id: string): RuleInfo | undefined {
  return SOURCE_RULES.find((r) => r.id === id);
}
