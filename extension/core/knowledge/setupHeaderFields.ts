import { KERNEL_INFO, LTOP_MAGIC } from "./kernelInfo";

/**
 * Every field of struct setup_header (arch/x86/include/uapi/asm/bootparam.h), at its file
 * offset, with the protocol version that introduced it. The one table behind the parser,
 * the image editor, hovers, diagnostics and the CLI. Source: boot.rst, ../shared/spec/boot-protocol.md §2.
 */
export interface SetupHeaderField {
  name: string;
  /** File offset (= boot_params offset). */
  offset: number;
  size: 1 | 2 | 4 | 8;
  /** Protocol word that introduced it; 0 for the fields every image has (pre-2.00 boot sector). */
  since: number;
  /** Who writes it: the kernel image, the boot loader, or both (read/modify). */
  writer: "kernel" | "loader" | "kernel/loader";
  meaning: string;
  /** What kexec_load (kexec-tools) and kexec_file_load do with it, when they do anything. */
  kexec?: string;
}

const FIELD_ROWS = [
  { name: "setup_sects", offset: 0x1f1, size: 1, since: 0, writer: "kernel", meaning: "Real-mode setup size in 512-byte sectors, boot sector excluded. 0 means 4.", kexec: "Both loaders copy the protected-mode part from (setup_sects + 1) * 512." },
  { name: "root_flags", offset: 0x1f2, size: 2, since: 0, writer: "kernel/loader", meaning: "Non-zero: mount root read-only." },
  { name: "syssize", offset: 0x1f4, size: 4, since: 0, writer: "kernel", meaning: "Protected-mode code size in 16-byte paragraphs (only the low 16 bits before 2.04)." },
  { name: "ram_size", offset: 0x1f8, size: 2, since: 0, writer: "kernel", meaning: "Obsolete (bootsect.S only)." },
  { name: "vid_mode", offset: 0x1fa, size: 2, since: 0, writer: "kernel/loader", meaning: "Video mode request." },
  { name: "root_dev", offset: 0x1fc, size: 2, since: 0, writer: "kernel/loader", meaning: "Default root device number." },
  { name: "boot_flag", offset: 0x1fe, size: 2, since: 0, writer: "kernel", meaning: "Must be 0xAA55.", kexec: "Checked by both loaders (\"No x86 boot sector present\")." },
  { name: "jump", offset: 0x200, size: 2, since: 0x0200, writer: "kernel", meaning: "Short jump (0xEB disp8); disp8 also fixes the header length: it ends at 0x202 + byte[0x201].", kexec: "Loaders copy 0x202 + byte[0x201] - 0x1F1 header bytes (kexec-tools caps it at 0x7F)." },
  { name: "header", offset: 0x202, size: 4, since: 0x0200, writer: "kernel", meaning: "Magic \"HdrS\" (0x53726448).", kexec: "Both loaders require it (\"Not a bzImage\")." },
  { name: "version", offset: 0x206, size: 2, since: 0x0200, writer: "kernel", meaning: "Boot protocol version, 0xMMmm.", kexec: "kexec_file_load and kexec-tools' bzImage64 need at least 2.12." },
  { name: "realmode_swtch", offset: 0x208, size: 4, since: 0x0200, writer: "loader", meaning: "Real-mode switch hook for the boot loader." },
  { name: "start_sys_seg", offset: 0x20c, size: 2, since: 0x0200, writer: "kernel", meaning: "Obsolete load-low segment (0x1000)." },
  { name: "kernel_version", offset: 0x20e, size: 2, since: 0x0200, writer: "kernel", meaning: "Pointer to the version string, minus 0x200 (file offset = value + 0x200)." },
  { name: "type_of_loader", offset: 0x210, size: 1, since: 0x0200, writer: "loader", meaning: "Boot loader ID (high nibble) and version (low nibble).", kexec: "kexec writes 0xD0." },
  { name: "loadflags", offset: 0x211, size: 1, since: 0x0200, writer: "kernel/loader", meaning: "Boot protocol option flags (LOADED_HIGH, KASLR_FLAG, QUIET_FLAG, KEEP_SEGMENTS, CAN_USE_HEAP).", kexec: "LOADED_HIGH required (\"zImage not a bzImage\"); kexec writes 0 into the new boot_params." },
  { name: "setup_move_size", offset: 0x212, size: 2, since: 0x0200, writer: "loader", meaning: "Move to high memory size (only protocols 2.00–2.01)." },
  { name: "code32_start", offset: 0x214, size: 4, since: 0x0200, writer: "kernel/loader", meaning: "32-bit entry / load address of the protected-mode code (default 0x100000)." },
  { name: "ramdisk_image", offset: 0x218, size: 4, since: 0x0200, writer: "loader", meaning: "initrd physical address, low 32 bits." },
  { name: "ramdisk_size", offset: 0x21c, size: 4, since: 0x0200, writer: "loader", meaning: "initrd size, low 32 bits." },
  { name: "bootsect_kludge", offset: 0x220, size: 4, since: 0x0200, writer: "kernel", meaning: "Obsolete." },
  { name: "heap_end_ptr", offset: 0x224, size: 2, since: 0x0201, writer: "loader", meaning: "End of setup stack/heap minus 0x200 (valid with CAN_USE_HEAP)." },
  { name: "ext_loader_ver", offset: 0x226, size: 1, since: 0x0202, writer: "loader", meaning: "Extended boot loader version." },
  { name: "ext_loader_type", offset: 0x227, size: 1, since: 0x0202, writer: "loader", meaning: "Extended boot loader ID." },
  { name: "cmd_line_ptr", offset: 0x228, size: 4, since: 0x0202, writer: "loader", meaning: "Command line physical address, low 32 bits." },
  { name: "initrd_addr_max", offset: 0x22c, size: 4, since: 0x0203, writer: "kernel", meaning: "Highest address the initrd may occupy (0x37FFFFFF when absent).", kexec: "kexec-tools' i386 path clamps to it; 64-bit loaders with XLF_CAN_BE_LOADED_ABOVE_4G ignore it." },
  { name: "kernel_alignment", offset: 0x230, size: 4, since: 0x0205, writer: "kernel/loader", meaning: "Physical alignment required (2.05–2.09) or preferred (2.10+) for a relocatable kernel.", kexec: "Both loaders align the kernel segment to it." },
  { name: "relocatable_kernel", offset: 0x234, size: 1, since: 0x0205, writer: "kernel", meaning: "1 when the protected-mode kernel is relocatable (CONFIG_RELOCATABLE)." },
  { name: "min_alignment", offset: 0x235, size: 1, since: 0x020a, writer: "kernel", meaning: "log2 of the minimum acceptable alignment." },
  { name: "xloadflags", offset: 0x236, size: 2, since: 0x020c, writer: "kernel", meaning: "Extended boot protocol flags: 64-bit entry, loadable above 4 GiB, EFI handover, EFI kexec, 5-level paging.", kexec: "kexec_file_load needs bits 0 and 1, and bit 5 when running 5-level; kexec-tools checks only (xloadflags & 3) == 3." },
  { name: "cmdline_size", offset: 0x238, size: 4, since: 0x0206, writer: "kernel", meaning: "Maximum command-line length without the terminating NUL (255 before 2.06).", kexec: "kexec_file_load needs room for the command line plus 30 bytes of elfcorehdr=." },
  { name: "hardware_subarch", offset: 0x23c, size: 4, since: 0x0207, writer: "loader", meaning: "Hardware subarchitecture (0 = normal PC)." },
  { name: "hardware_subarch_data", offset: 0x240, size: 8, since: 0x0207, writer: "loader", meaning: "Subarchitecture-specific data pointer." },
  { name: "payload_offset", offset: 0x248, size: 4, since: 0x0208, writer: "kernel", meaning: "Offset of the compressed kernel payload from the start of the protected-mode code." },
  { name: "payload_length", offset: 0x24c, size: 4, since: 0x0208, writer: "kernel", meaning: "Length of the compressed payload." },
  { name: "setup_data", offset: 0x250, size: 8, since: 0x0209, writer: "loader", meaning: "64-bit physical pointer to a linked list of struct setup_data." },
  { name: "pref_address", offset: 0x258, size: 8, since: 0x020a, writer: "kernel", meaning: "Preferred load address (LOAD_PHYSICAL_ADDR).", kexec: "kexec-tools >= 2.0.30 and kexec_file_load in 6.12+ do not place the kernel below it." },
  { name: "init_size", offset: 0x260, size: 4, since: 0x020a, writer: "kernel", meaning: "Linear memory the kernel needs from its start before it can inspect the memory map.", kexec: "Both loaders use PAGE_ALIGN(init_size) as the kernel segment's memsz." },
  { name: "handover_offset", offset: 0x264, size: 4, since: 0x020b, writer: "kernel", meaning: "Offset of the EFI handover entry (64-bit entry at +0x200)." },
  { name: "kernel_info_offset", offset: 0x268, size: 4, since: 0x020f, writer: "kernel", meaning: "Offset of kernel_info from the start of the protected-mode code." },
] as const satisfies readonly SetupHeaderField[];

/** struct setup_header field names, as a type. */
export type SetupHeaderName = (typeof FIELD_ROWS)[number]["name"];
export const SETUP_HEADER_FIELDS: readonly (SetupHeaderField & { name: SetupHeaderName })[] = FIELD_ROWS;

/** Every field's value; null where the image's protocol predates the field. */
export type SetupHeaderValues = Record<SetupHeaderName, number | null>;

/** End of the newest setup header this table knows (exclusive): 0x26C. */
export const SETUP_HEADER_END = 0x26c;
export const SETUP_HEADER_START = 0x1f1;

/** File offset of a field, for parsers and messages (never a literal). */
export function setupHeaderOffset(name: SetupHeaderName): number {
  return SETUP_HEADER_FIELDS.find((f) => f.name === name)!.offset;
}

export function setupHeaderField(name: string): SetupHeaderField | undefined {
  return SETUP_HEADER_FIELDS.find((f) => f.name === name);
}

/** The field covering a file offset, for hex-strip hovers. */
export function fieldAtOffset(offset: number): SetupHeaderField | undefined {
  return SETUP_HEADER_FIELDS.find((f) => offset >= f.offset && offset < f.offset + f.size);
}

/** kernel_info (protocol 2.15): fixed part, from its table in kernelInfo.ts (one place for its offsets). */
export const KERNEL_INFO_FIELDS = KERNEL_INFO.fields;
export { LTOP_MAGIC };

export const HDRS_MAGIC = 0x53726448;
export const BOOT_FLAG = 0xaa55;

/** X86_SUBARCH_* (bootparam.h enum x86_hardware_subarch). */
export const HARDWARE_SUBARCHES = ["X86_SUBARCH_PC", "X86_SUBARCH_LGUEST", "X86_SUBARCH_XEN", "X86_SUBARCH_INTEL_MID", "X86_SUBARCH_CE4100"] as const;
