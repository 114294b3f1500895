import { CRASH_BYTES } from "./crashConstants";

/**
 * x86_64 paging modes and what each means for kexec/kdump. Source: ../shared/spec/paging.md §1 (limits:
 * MAX_PHYSMEM_BITS 46 / 52), §2 (the 64 TiB cap for a 4-level target), §4 (LA57 survives the jump,
 * hence XLF_5LEVEL) and the decision table of §5.
 */
export interface PagingMode {
  levels: 4 | 5;
  /** MAXMEM = 1 << MAX_PHYSMEM_BITS: the physical memory this mode can address. */
  maxmem: number;
  maxPhysmemBits: number;
  /** One paragraph for a dump's summary card: what this mode means for a kexec/kdump target. */
  consequence: string;
  source: string;
}

export const PAGING_MODES: Readonly<Record<4 | 5, PagingMode>> = {
  4: {
    levels: 4,
    maxmem: CRASH_BYTES.highMax,
    maxPhysmemBits: 46,
    consequence:
      "4-level: this kernel used at most 64 TiB of physical memory (MAX_PHYSMEM_BITS 46). A kexec/kdump target is entered " +
      "with 4-level paging, which every x86_64 kernel handles; XLF_5LEVEL does not matter for a jump from this kernel.",
    source: "arch/x86/include/asm/sparsemem.h MAX_PHYSMEM_BITS, asm/pgtable_64_types.h MAXMEM; Documentation/arch/x86/x86_64/5level-paging.rst",
  },
  5: {
    levels: 5,
    maxmem: CRASH_BYTES.maxmem5,
    maxPhysmemBits: 52,
    consequence:
      "5-level: this kernel ran with LA57 and could use up to 4 PiB of physical memory. kexec keeps LA57 across the jump, " +
      "so kexec_file_load takes only a target with XLF_5LEVEL (every x86_64 build from 5.3); through kexec_load a target " +
      "from 4.17 switches paging itself and an older one faults. A target without XLF_5LEVEL_ENABLED switches to 4-level " +
      "and works only below 64 TiB (crashkernel is capped there since 5.3), and it needs the 2025 fix for the 5→4 switch " +
      "when this kernel sets _PAGE_NOPTISHADOW (6.13, 6.12.5, 6.6.66).",
    source: "Documentation/arch/x86/x86_64/5level-paging.rst; commits ee338b9ee282 (kexec_file refusal, v5.3), f2d08c5d3bcf (XLF_5LEVEL, v5.3), 8ff80fbe7e98 (64 TiB cap, v5.3), d0ceea662d45 and eb2266312507 (the 5→4 switch); arch/x86/boot/compressed/pgtable_64.c",
  },
};

/** Highest physical address + 1 a kernel running 4-level paging can use: where a 4-level-only target stops. */
export const FOUR_LEVEL_LIMIT = PAGING_MODES[4].maxmem;
