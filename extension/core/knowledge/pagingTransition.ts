/**
 * Kernel changes that decide whether a jump between paging modes works, by release. Every row
 * names its public source and how it was verified: "real boot" (a QEMU boot in the lab
 * fixtures reproduced it) or "source reading".
 */
import type { VersionedFact } from "./kernelRelease";

export type Verification = "real boot" | "source reading";

export interface TransitionRule {
  id: string;
  summary: string;
  fact: VersionedFact;
  source: string;
  verified: Verification;
  /** What the verification covered, when it was a boot. */
  note?: string;
}

export const PAGING_TRANSITION = {
  /** The decompressor's trampoline switches 4↔5-level paging itself (paging_prepare(), configure_5level_paging()). */
  decompressorSwitch: {
    id: "decompressor-paging-switch",
    summary: "the decompressor switches between 4- and 5-level paging when entered in the other mode (the 5→4 copy of the first top-level entry)",
    fact: { mainline: "4.17", stable: [] },
    source: "arch/x86/boot/compressed/pgtable_64.c; commits e9d0e6330eb8 \"x86/boot/compressed/64: Prepare new top-level page table for trampoline\", 0a1756bd2897 \"x86/boot/compressed/64: Use page table in trampoline memory\", 194a9749c73d \"x86/boot/compressed/64: Handle 5-level paging boot if kernel is above 4G\" (4.17 merge window)",
    verified: "source reading",
  },
  /** header.S sets XLF_5LEVEL on every x86_64 build; XLF_5LEVEL_ENABLED only with CONFIG_X86_5LEVEL. */
  xlf5Level: {
    id: "xlf-5level-header",
    summary: "header.S sets XLF_5LEVEL for every x86_64 build (the switch code is always there) and XLF_5LEVEL_ENABLED only with CONFIG_X86_5LEVEL=y",
    fact: { mainline: "5.3", stable: [] },
    source: "arch/x86/boot/header.S; commit f2d08c5d3bcf \"x86/boot: Add xloadflags bits to check for 5-level paging support\"",
    verified: "source reading",
  },
  /** CONFIG_X86_5LEVEL removed: XLF_5LEVEL_ENABLED on every x86_64 build. */
  fiveLevelUnconditional: {
    id: "5level-unconditional",
    summary: "5-level paging support is unconditional (CONFIG_X86_5LEVEL removed): both XLF_5LEVEL bits on every x86_64 build",
    fact: { mainline: "6.16", stable: [] },
    source: "commit 7212b58d6d71 \"x86/mm/64: Make 5-level paging support unconditional\"",
    verified: "source reading",
  },
  /** The running kernel marks the kexec identity map's top-level entries with bit 58. */
  noPtiShadow: {
    id: "noptishadow-in-ident-map",
    summary: "kernel_ident_mapping_init() sets _PAGE_NOPTISHADOW (bit 58) in the top-level entries of the kexec identity map",
    fact: { mainline: "6.13", stable: ["6.12.5", "6.6.66"], knownWithout: ["6.1.120"], unknownSeries: ["6.1", "5.15", "5.10", "5.4"] },
    source: "arch/x86/mm/ident_map.c; commit d0ceea662d45 \"x86/mm: Add _PAGE_NOPTISHADOW bit to avoid updating userspace page tables\" (v6.13-rc2; stable 6.12.5, 6.6.66)",
    verified: "real boot",
    note: "lab-transition: Debian 6.12.117 running 5-level wrote 0x0400000004d75063 into the first top-level entry",
  },
  /** The target's decompressor masks that entry with PTE_PFN_MASK instead of PAGE_MASK. */
  fiveToFourFix: {
    id: "5to4-transition-fix",
    summary: "the target's 5→4-level switch masks the top-level entry with PTE_PFN_MASK (before: PAGE_MASK kept bit 58 and read a non-canonical address)",
    fact: { mainline: "6.19", stable: ["6.18.2", "6.17.13", "6.12.63", "6.6.120", "6.1.160"], unknownSeries: ["5.15", "5.10"] },
    source:
      "arch/x86/boot/compressed/pgtable_64.c configure_5level_paging(), drivers/firmware/efi/libstub/x86-5lvl.c; commits eb2266312507 \"x86/boot: Fix page table access in 5-level to 4-level paging transition\" and 84361123413e \"efi/libstub: Fix page table access in 5-level to 4-level paging transition\" (stable 6.18.2, 6.17.13, 6.12.63, 6.6.120, 6.1.160)",
    verified: "real boot",
    note: "lab-transition: a 6.12.117 target with the fix booted from 5-level Debian 6.12.117; the same target with it reverted triple-faulted",
  },
} as const satisfies Record<string, TransitionRule>;
