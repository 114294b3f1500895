import type { BinaryStruct } from "./binaryStructs";

/**
 * kernel_info (boot protocol 2.15): read-only data in the uncompressed part of a bzImage, at
 * setup_header.kernel_info_offset from the start of the protected-mode code. Source:
 * arch/x86/boot/compressed/kernel_info.S (the fixed part: header, size, size_total,
 * setup_type_max; then kernel_info_var_len_data) and Documentation/arch/x86/boot.rst "The
 * kernel_info" / "Details of the kernel_info Fields". Only the mainline fixed part is here; a field
 * proposed later (the Secure Launch series' MLE header offset at 0x10) joins the table when a
 * mainline release has it. `size` in the image says how long its fixed part really is.
 */
export const KERNEL_INFO = {
  name: "kernel_info",
  size: 16,
  endian: "little",
  source: "arch/x86/boot/compressed/kernel_info.S; Documentation/arch/x86/boot.rst (The kernel_info)",
  fields: [
    { name: "header", offset: 0x00, size: 4, type: "u32", meaning: 'Magic "LToP" (0x506F544C), "Linux top (structure)".' },
    { name: "size", offset: 0x04, size: 4, type: "u32", meaning: "Size of the fixed part, header included (kernel_info_var_len_data - kernel_info)." },
    { name: "size_total", offset: 0x08, size: 4, type: "u32", meaning: "Size including the variable-length data (kernel_info_end - kernel_info)." },
    { name: "setup_type_max", offset: 0x0c, size: 4, type: "u32", meaning: "Largest accepted setup_data / setup_indirect type (SETUP_TYPE_MAX)." },
  ],
} as const satisfies BinaryStruct;

/** kernel_info.header: "LToP" little-endian. */
export const LTOP_MAGIC = 0x506f544c;
