/**
 * x86 boot protocol versions (setup_header.version), from Documentation/arch/x86/boot.rst
 * and arch/x86/boot/header.S. Source of every row: ../shared/spec/boot-protocol.md §6.
 */
export interface ProtocolVersion {
  /** The 16-bit word as stored at 0x206, e.g. 0x020f. */
  word: number;
  /** As the kernel docs write it: "2.15". */
  text: string;
  /** First kernel release that announced it. */
  kernel: string;
  added: string;
}

export const PROTOCOL_VERSIONS: readonly ProtocolVersion[] = [
  { word: 0x0200, text: "2.00", kernel: "1.3.73", added: "bzImage and initrd, formal loader interface" },
  { word: 0x0201, text: "2.01", kernel: "1.3.76", added: "heap overrun warning (heap_end_ptr)" },
  { word: 0x0202, text: "2.02", kernel: "2.4.0-test3-pre3", added: "cmd_line_ptr; setup no longer must sit at 0x90000" },
  { word: 0x0203, text: "2.03", kernel: "2.4.18-pre1", added: "initrd_addr_max" },
  { word: 0x0204, text: "2.04", kernel: "2.6.14", added: "syssize widened to 4 bytes" },
  { word: 0x0205, text: "2.05", kernel: "2.6.20", added: "relocatable_kernel, kernel_alignment" },
  { word: 0x0206, text: "2.06", kernel: "2.6.22", added: "cmdline_size" },
  { word: 0x0207, text: "2.07", kernel: "2.6.24", added: "hardware_subarch(_data), KEEP_SEGMENTS" },
  { word: 0x0208, text: "2.08", kernel: "2.6.26", added: "payload_offset/payload_length, CRC32" },
  { word: 0x0209, text: "2.09", kernel: "2.6.26", added: "setup_data" },
  { word: 0x020a, text: "2.10", kernel: "2.6.31", added: "min_alignment, pref_address, init_size, extended loader IDs" },
  { word: 0x020b, text: "2.11", kernel: "3.6", added: "handover_offset" },
  { word: 0x020c, text: "2.12", kernel: "3.8", added: "xloadflags, ext_* fields for loading above 4 GiB" },
  { word: 0x020d, text: "2.13", kernel: "3.14", added: "EFI handover 32/64 flags" },
  { word: 0x020e, text: "2.14", kernel: "(burnt)", added: "set by ae7e1238e68f and undone by 384184044981; treat as 2.13" },
  { word: 0x020f, text: "2.15", kernel: "5.5", added: "kernel_info_offset / kernel_info" },
];

/** The newest protocol this knowledge table describes. */
export const NEWEST_PROTOCOL = 0x020f;

/** "2.15" from 0x020f: the minor is the low byte rendered in decimal (boot.rst style). */
export function protocolText(word: number): string {
  return `${word >> 8}.${(word & 0xff).toString().padStart(2, "0")}`;
}

/** Parses "2.15" → 0x020f; returns null for anything else. */
export function parseProtocolText(text: string): number | null {
  const m = /^(\d+)\.(\d{2})$/.exec(text);
  if (!m) return null;
  return (Number(m[1]) << 8) | Number(m[2]);
}
