/**
 * The xloadflags bits (setup_header offset 0x236, protocol 2.12+): the one table that the image
 * editor, hovers, diagnostics, verdicts and CLI all read.
 * Sources: arch/x86/include/uapi/asm/bootparam.h, arch/x86/boot/header.S,
 * ../shared/spec/boot-protocol.md §4 and kexec.md.
 */
export interface XloadflagsBit {
  bit: number;
  mask: number;
  name: string;
  /** Protocol version that introduced the bit ("2.12"). */
  sinceProtocol: string;
  /** First mainline kernel that set it. */
  sinceKernel: string;
  /** Commit that introduced it, when known. */
  commit?: string;
  /** Whether the bit is defined in mainline bootparam.h or only proposed. */
  status: "mainline" | "proposed";
  /** One line, like the spec. */
  meaning: string;
  /** When header.S sets it (Kconfig condition). */
  setWhen: string;
  /** What it means for kexec_load / kexec_file_load / kdump. */
  kexec: string;
  source: string;
}

const BIT_ROWS = [
  {
    bit: 0,
    mask: 0x0001,
    name: "XLF_KERNEL_64",
    sinceProtocol: "2.12",
    sinceKernel: "3.8",
    status: "mainline",
    meaning: "The kernel has the legacy 64-bit entry point at protected-mode start + 0x200.",
    setWhen: "CONFIG_X86_64",
    kexec:
      "Required by kexec_file_load (\"Not a bzImage64. XLF_KERNEL_64 is not set.\") and, with bit 1, by kexec-tools' bzImage64 loader; without it kexec-tools uses the 32-bit bzImage path.",
    source: "arch/x86/include/uapi/asm/bootparam.h; arch/x86/kernel/kexec-bzimage64.c bzImage64_probe()",
  },
  {
    bit: 1,
    mask: 0x0002,
    name: "XLF_CAN_BE_LOADED_ABOVE_4G",
    sinceProtocol: "2.12",
    sinceKernel: "3.8",
    status: "mainline",
    meaning: "Kernel, boot_params, command line and ramdisk may all be placed above 4 GiB.",
    setWhen: "CONFIG_RELOCATABLE && CONFIG_X86_64",
    kexec:
      "Required by kexec_file_load (\"XLF_CAN_BE_LOADED_ABOVE_4G is not set.\") and by kexec-tools' bzImage64 probe ((xloadflags & 3) == 3); a non-relocatable 64-bit kernel falls back to the i386 path below 0x37FFFFFF.",
    source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_probe(); kexec-tools kexec/arch/x86_64/kexec-bzImage64.c",
  },
  {
    bit: 2,
    mask: 0x0004,
    name: "XLF_EFI_HANDOVER_32",
    sinceProtocol: "2.13",
    sinceKernel: "3.14",
    status: "mainline",
    meaning: "A 32-bit EFI handover entry exists at handover_offset.",
    setWhen: "EFI handover protocol && (CONFIG_EFI_MIXED || !CONFIG_X86_64)",
    kexec: "Not used by kexec; firmware/boot-loader entry only.",
    source: "arch/x86/boot/header.S (XLF23)",
  },
  {
    bit: 3,
    mask: 0x0008,
    name: "XLF_EFI_HANDOVER_64",
    sinceProtocol: "2.13",
    sinceKernel: "3.14",
    status: "mainline",
    meaning: "A 64-bit EFI handover entry exists at handover_offset + 0x200.",
    setWhen: "EFI handover protocol && CONFIG_X86_64",
    kexec: "Not used by kexec; firmware/boot-loader entry only.",
    source: "arch/x86/boot/header.S (XLF23)",
  },
  {
    bit: 4,
    mask: 0x0010,
    name: "XLF_EFI_KEXEC",
    sinceProtocol: "2.13",
    sinceKernel: "3.14",
    status: "mainline",
    meaning: "The kernel accepts EFI runtime services handed over by kexec (EFI setup_data from the previous kernel).",
    setWhen: "CONFIG_X86_64 && CONFIG_EFI && CONFIG_KEXEC_CORE (CONFIG_KEXEC in older trees)",
    kexec: "kexec-tools passes the EFI runtime map only when set; without it the new kernel boots with EFI runtime services disabled.",
    source: "arch/x86/boot/header.S (XLF4); kexec-tools kexec-bzImage64.c",
  },
  {
    bit: 5,
    mask: 0x0020,
    name: "XLF_5LEVEL",
    sinceProtocol: "2.13",
    sinceKernel: "5.3",
    commit: "f2d08c5d3bcf3f7ef788af122b57a919efa1e9d0",
    status: "mainline",
    meaning: "The decompressor can be entered with 5-level paging (CR4.LA57) on and switches modes itself.",
    setWhen: "every CONFIG_X86_64 build from 5.3",
    kexec:
      "Running in 5-level mode, kexec_file_load refuses a target without it (\"bzImage cannot handle 5-level paging mode.\", ee338b9ee282, 5.3). kexec-tools' kexec_load never checks it, and kexec-tools >= 2.0.27 silently falls back to kexec_load when kexec_file_load refuses.",
    source: "arch/x86/include/uapi/asm/bootparam.h; commit f2d08c5d3bcf (Baoquan He, v5.3)",
  },
  {
    bit: 6,
    mask: 0x0040,
    name: "XLF_5LEVEL_ENABLED",
    sinceProtocol: "2.13",
    sinceKernel: "5.3",
    commit: "f2d08c5d3bcf3f7ef788af122b57a919efa1e9d0",
    status: "mainline",
    meaning: "Built with 5-level paging support: the kernel can run in 5-level mode and address memory above 64 TiB.",
    setWhen: "CONFIG_X86_64 && CONFIG_X86_5LEVEL (5.3–6.15); every CONFIG_X86_64 build from 6.16 (7212b58d6d71)",
    kexec:
      "Clear means a 4-level-only kernel: it cannot run if placed above 64 TiB. No kernel or kexec-tools code checks this bit, so kexec_load (top-down) and kexec_file_load from 6.8 (descending RAM walk) can place it there.",
    source: "arch/x86/include/uapi/asm/bootparam.h; commit f2d08c5d3bcf (Baoquan He, v5.3)",
  },
  {
    bit: 7,
    mask: 0x0080,
    name: "XLF_MEM_ENCRYPTION",
    sinceProtocol: "—",
    sinceKernel: "not merged",
    status: "proposed",
    meaning: "Proposed on a mailing list for memory-encryption-aware loaders; not defined in any mainline bootparam.h read.",
    setWhen: "never by a mainline header.S",
    kexec: "No loader checks it; a set bit 7 in a real image is unexpected and reported as informational.",
    source: "not in any mainline arch/x86/include/uapi/asm/bootparam.h (XLF_* bits 0–6 only); a mailing-list proposal",
  },
] as const satisfies readonly XloadflagsBit[];

/** The bit names, as a type: XLF.XLF_5LEVEL is checked by the compiler. */
export type XlfName = (typeof BIT_ROWS)[number]["name"];
export const XLOADFLAGS_BITS: readonly (XloadflagsBit & { name: XlfName })[] = BIT_ROWS;

export const XLF = Object.fromEntries(XLOADFLAGS_BITS.map((b) => [b.name, b.mask])) as Record<XlfName, number>;

/** Mask of bits defined in mainline (bits 0–6). */
export const XLF_KNOWN_MASK = XLOADFLAGS_BITS.filter((b) => b.status === "mainline").reduce((m, b) => m | b.mask, 0);

export function xloadflagsBit(name: string): XloadflagsBit | undefined {
  return XLOADFLAGS_BITS.find((b) => b.name === name);
}

/** Decodes a word into the names of its set bits (table order) and the bits no mainline kernel defines. */
export function decodeXloadflags(value: number): { names: string[]; unknownBits: number } {
  const names = XLOADFLAGS_BITS.filter((b) => (value & b.mask) !== 0).map((b) => b.name);
  return { names, unknownBits: value & ~XLF_KNOWN_MASK & 0xffff };
}
