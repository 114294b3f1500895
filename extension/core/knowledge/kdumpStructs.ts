import type { BinaryStruct } from "./binaryStructs";

/**
 * makedumpfile's on-disk structures (vmcore-formats.md §2, §3). Source: makedumpfile
 * diskdump_mod.h (struct disk_dump_header, kdump_sub_header, page_desc) and makedumpfile.h
 * (struct makedumpfile_header, makedumpfile_data_header), github.com/makedumpfile/makedumpfile
 * at b7587f1e8f45. The x86_64 offsets below were checked by compiling diskdump_mod.h with gcc
 * (offsetof / sizeof), the i386 header with gcc -m32.
 */
const DISKDUMP_MOD_H = "makedumpfile diskdump_mod.h";
const MAKEDUMPFILE_H = "makedumpfile makedumpfile.h";

/** Block 0 of a kdump-compressed file, x86_64 (LP64) layout: 464 bytes (§2.1). */
export const DISK_DUMP_HEADER = {
  name: "disk_dump_header",
  size: 464,
  endian: "little",
  source: `${DISKDUMP_MOD_H}: struct disk_dump_header (the zero-length tasks[] at 464 holds nothing)`,
  fields: [
    { name: "signature", offset: 0, size: 8, type: "bytes", meaning: 'KDUMP_SIGNATURE "KDUMP   " (three spaces, no NUL).' },
    { name: "header_version", offset: 8, size: 4, type: "i32", meaning: "1..6; makedumpfile and QEMU write 6. Sub-header fields newer than it are absent." },
    { name: "utsname.sysname", offset: 12, size: 65, type: "bytes", meaning: "struct new_utsname of the dumped kernel, NUL-padded." },
    { name: "utsname.nodename", offset: 77, size: 65, type: "bytes", meaning: "Host name." },
    { name: "utsname.release", offset: 142, size: 65, type: "bytes", meaning: "Kernel release (empty in QEMU dumps: use VMCOREINFO OSRELEASE)." },
    { name: "utsname.version", offset: 207, size: 65, type: "bytes", meaning: "Kernel build version string." },
    { name: "utsname.machine", offset: 272, size: 65, type: "bytes", meaning: '"x86_64" (QEMU: the QEMU target, even for a 32-bit guest).' },
    { name: "utsname.domainname", offset: 337, size: 65, type: "bytes", meaning: "NIS domain name." },
    { name: "(padding)", offset: 402, size: 6, type: "bytes", meaning: "Alignment of struct timeval (8 on LP64)." },
    { name: "timestamp.tv_sec", offset: 408, size: 8, type: "i64", meaning: "Crash time, seconds (QEMU: 0)." },
    { name: "timestamp.tv_usec", offset: 416, size: 8, type: "i64", meaning: "Crash time, microseconds." },
    { name: "status", offset: 424, size: 4, type: "u32", meaning: "DUMP_DH_* flags: compression used, COMPRESSED_INCOMPLETE, EXCLUDED_VMEMMAP (§2.5)." },
    { name: "block_size", offset: 428, size: 4, type: "i32", meaning: "The dumped kernel's page size (4096)." },
    { name: "sub_hdr_size", offset: 432, size: 4, type: "i32", meaning: "Blocks of kdump_sub_header plus the copied ELF notes." },
    { name: "bitmap_blocks", offset: 436, size: 4, type: "u32", meaning: "Blocks of both bitmaps together." },
    { name: "max_mapnr", offset: 440, size: 4, type: "u32", meaning: "Highest pfn + 1, truncated to 32 bits; obsolete from header_version 6 (max_mapnr_64)." },
    { name: "total_ram_blocks", offset: 444, size: 4, type: "u32", meaning: "Unused (0)." },
    { name: "device_blocks", offset: 448, size: 4, type: "u32", meaning: "Unused (0)." },
    { name: "written_blocks", offset: 452, size: 4, type: "u32", meaning: "Unused (0)." },
    { name: "current_cpu", offset: 456, size: 4, type: "u32", meaning: "Not set by makedumpfile: not the panic CPU." },
    { name: "nr_cpus", offset: 460, size: 4, type: "i32", meaning: "Number of CPUs (NT_PRSTATUS notes for makedumpfile)." },
  ],
} as const satisfies BinaryStruct;

/**
 * The same declaration compiled for i386 (4-byte long and timeval): what a 32-bit producer
 * writes (§5). Read only to name the refusal ("32-bit kdump-compressed dump not supported").
 */
export const DISK_DUMP_HEADER_I386 = {
  name: "disk_dump_header (i386)",
  size: 452,
  endian: "little",
  source: `${DISKDUMP_MOD_H}: struct disk_dump_header, i386 ABI (gcc -m32)`,
  fields: [
    { name: "signature", offset: 0, size: 8, type: "bytes", meaning: '"KDUMP   ".' },
    { name: "header_version", offset: 8, size: 4, type: "i32", meaning: "Header version." },
    { name: "utsname", offset: 12, size: 390, type: "bytes", meaning: "struct new_utsname, 6 × 65 bytes." },
    { name: "(padding)", offset: 402, size: 2, type: "bytes", meaning: "Alignment of struct timeval (4 on i386)." },
    { name: "timestamp.tv_sec", offset: 404, size: 4, type: "i32", meaning: "Crash time, seconds." },
    { name: "timestamp.tv_usec", offset: 408, size: 4, type: "i32", meaning: "Crash time, microseconds." },
    { name: "status", offset: 412, size: 4, type: "u32", meaning: "DUMP_DH_* flags." },
    { name: "block_size", offset: 416, size: 4, type: "i32", meaning: "Page size: 4096 here means a 32-bit dump." },
    { name: "sub_hdr_size", offset: 420, size: 4, type: "i32", meaning: "Blocks of sub header and notes." },
    { name: "bitmap_blocks", offset: 424, size: 4, type: "u32", meaning: "Blocks of both bitmaps." },
    { name: "max_mapnr", offset: 428, size: 4, type: "u32", meaning: "Highest pfn + 1." },
    { name: "total_ram_blocks", offset: 432, size: 4, type: "u32", meaning: "Unused." },
    { name: "device_blocks", offset: 436, size: 4, type: "u32", meaning: "Unused." },
    { name: "written_blocks", offset: 440, size: 4, type: "u32", meaning: "Unused." },
    { name: "current_cpu", offset: 444, size: 4, type: "u32", meaning: "Unused." },
    { name: "nr_cpus", offset: 448, size: 4, type: "i32", meaning: "Number of CPUs." },
  ],
} as const satisfies BinaryStruct;

/**
 * At offset block_size, x86_64 layout: 104 bytes (§2.2). `since` is the first header_version
 * with the field (the comments in diskdump_mod.h); a reader ignores fields newer than the
 * file's version. phys_base has been there from the start.
 */
export const KDUMP_SUB_HEADER = {
  name: "kdump_sub_header",
  size: 104,
  endian: "little",
  source: `${DISKDUMP_MOD_H}: struct kdump_sub_header`,
  fields: [
    { name: "phys_base", offset: 0, size: 8, type: "u64", since: 1, meaning: "phys_base as makedumpfile computed it; prefer VMCOREINFO NUMBER(phys_base) (QEMU fills it wrongly, §2.7)." },
    { name: "dump_level", offset: 8, size: 4, type: "i32", since: 1, meaning: "makedumpfile -d value (QEMU: 1).", source: "makedumpfile fd43c21 (v1.1.3-05, 2007)" },
    { name: "split", offset: 12, size: 4, type: "i32", since: 2, meaning: "1: one part of a --split set.", source: "makedumpfile d8c76a0 (v1.3.3-09, 2009)" },
    { name: "start_pfn", offset: 16, size: 8, type: "u64", since: 2, meaning: "Split range start, 32-bit truncated; obsolete (start_pfn_64).", source: "makedumpfile d8c76a0" },
    { name: "end_pfn", offset: 24, size: 8, type: "u64", since: 2, meaning: "Split range end; obsolete (end_pfn_64).", source: "makedumpfile d8c76a0" },
    { name: "offset_vmcoreinfo", offset: 32, size: 8, type: "i64", since: 3, meaning: "Absolute file offset of the VMCOREINFO text (0: absent).", source: "makedumpfile 2ace803 (v1.3.5-04, 2009)" },
    { name: "size_vmcoreinfo", offset: 40, size: 8, type: "u64", since: 3, meaning: "Its length.", source: "makedumpfile 2ace803" },
    { name: "offset_note", offset: 48, size: 8, type: "i64", since: 4, meaning: "Absolute offset of the copied PT_NOTE contents (block_size + 104 in practice).", source: "makedumpfile 1fb344e (2010)" },
    { name: "size_note", offset: 56, size: 8, type: "u64", since: 4, meaning: "Their length.", source: "makedumpfile 1fb344e" },
    { name: "offset_eraseinfo", offset: 64, size: 8, type: "i64", since: 5, meaning: "Absolute offset of the erase info text (filtered dumps).", source: "makedumpfile 745bb42 (2011)" },
    { name: "size_eraseinfo", offset: 72, size: 8, type: "u64", since: 5, meaning: "Its length.", source: "makedumpfile 745bb42" },
    { name: "start_pfn_64", offset: 80, size: 8, type: "u64", since: 6, meaning: "Split range start.", source: "makedumpfile 8e12417 (2013, over 44-bit addressing)" },
    { name: "end_pfn_64", offset: 88, size: 8, type: "u64", since: 6, meaning: "Split range end (exclusive).", source: "makedumpfile 8e12417" },
    { name: "max_mapnr_64", offset: 96, size: 8, type: "u64", since: 6, meaning: "Highest pfn + 1: authoritative from header_version 6.", source: "makedumpfile 8e12417" },
  ],
} as const satisfies BinaryStruct;

/** One per dumpable page, from (1 + sub_hdr_size + bitmap_blocks) * block_size (§2.4). */
export const PAGE_DESC = {
  name: "page_desc",
  size: 24,
  endian: "little",
  source: `${DISKDUMP_MOD_H}: struct page_desc (page_desc_t)`,
  fields: [
    { name: "offset", offset: 0, size: 8, type: "i64", meaning: "Absolute file offset of the page data (0: incomplete dump)." },
    { name: "size", offset: 8, size: 4, type: "u32", meaning: "Bytes of (possibly compressed) data, at most block_size." },
    { name: "flags", offset: 12, size: 4, type: "u32", meaning: "DUMP_DH_COMPRESSED_ZLIB / LZO / SNAPPY / ZSTD, 0 for a raw page." },
    { name: "page_flags", offset: 16, size: 8, type: "u64", meaning: "Always 0." },
  ],
} as const satisfies BinaryStruct;

/** Start of a flattened stream (makedumpfile -F); the block is MAX_SIZE_MDF_HEADER bytes, the rest zero (§3). */
export const MAKEDUMPFILE_HEADER = {
  name: "makedumpfile_header",
  size: 32,
  endian: "big",
  source: `${MAKEDUMPFILE_H}: struct makedumpfile_header (big-endian on every host)`,
  fields: [
    { name: "signature", offset: 0, size: 16, type: "bytes", meaning: 'MAKEDUMPFILE_SIGNATURE "makedumpfile", NUL-padded to SIG_LEN_MDF (16).' },
    { name: "type", offset: 16, size: 8, type: "i64", meaning: "TYPE_FLAT_HEADER = 1." },
    { name: "version", offset: 24, size: 8, type: "i64", meaning: "VERSION_FLAT_HEADER = 1." },
  ],
} as const satisfies BinaryStruct;

/** Each record of a flattened stream; its buf_size data bytes follow (§3). */
export const MAKEDUMPFILE_DATA_HEADER = {
  name: "makedumpfile_data_header",
  size: 16,
  endian: "big",
  source: `${MAKEDUMPFILE_H}: struct makedumpfile_data_header`,
  fields: [
    { name: "offset", offset: 0, size: 8, type: "i64", meaning: "Where the data belongs in the rearranged file; -1 with buf_size -1 ends the stream (END_FLAG_FLAT_HEADER)." },
    { name: "buf_size", offset: 8, size: 8, type: "i64", meaning: "Number of data bytes that follow." },
  ],
} as const satisfies BinaryStruct;

export const KDUMP_STRUCTS = [DISK_DUMP_HEADER, DISK_DUMP_HEADER_I386, KDUMP_SUB_HEADER, PAGE_DESC, MAKEDUMPFILE_HEADER, MAKEDUMPFILE_DATA_HEADER] as const;

export const KDUMP_SIGNATURE = "KDUMP   ";
export const MAKEDUMPFILE_SIGNATURE = "makedumpfile";
/** The flattened header block: records start here. */
export const MAX_SIZE_MDF_HEADER = 4096;
export const TYPE_FLAT_HEADER = 1n;
export const VERSION_FLAT_HEADER = 1n;
export const END_FLAG_FLAT_HEADER = -1n;
