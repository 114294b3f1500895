import type { BinaryStruct } from "./binaryStructs";

/**
 * ELF64 structures an x86_64 vmcore is made of (vmcore-formats.md §1.1–1.3). Source:
 * include/uapi/linux/elf.h (struct elf64_hdr, elf64_phdr, elf64_shdr, elf64_note; the e_ident
 * indexes EI_MAG0..EI_PAD), the same layout as glibc's <elf.h>.
 */
const SOURCE = "include/uapi/linux/elf.h";

export const ELF64_EHDR = {
  name: "Elf64_Ehdr",
  size: 64,
  endian: "little",
  source: `${SOURCE}: struct elf64_hdr`,
  fields: [
    { name: "e_ident[EI_MAG0..3]", offset: 0, size: 4, type: "bytes", meaning: 'ELFMAG, "\\177ELF".' },
    { name: "e_ident[EI_CLASS]", offset: 4, size: 1, type: "u8", meaning: "2 = ELFCLASS64 (1 = 32-bit: refused)." },
    { name: "e_ident[EI_DATA]", offset: 5, size: 1, type: "u8", meaning: "1 = ELFDATA2LSB (2 = big-endian: refused)." },
    { name: "e_ident[EI_VERSION]", offset: 6, size: 1, type: "u8", meaning: "1 = EV_CURRENT." },
    { name: "e_ident[EI_OSABI]", offset: 7, size: 1, type: "u8", meaning: "0 normally; ignored." },
    { name: "e_ident[EI_PAD]", offset: 8, size: 8, type: "bytes", meaning: "Padding to EI_NIDENT (16)." },
    { name: "e_type", offset: 16, size: 2, type: "u16", meaning: "4 = ET_CORE for a vmcore." },
    { name: "e_machine", offset: 18, size: 2, type: "u16", meaning: "62 = EM_X86_64 (3 = EM_386: refused even in ELFCLASS64)." },
    { name: "e_version", offset: 20, size: 4, type: "u32", meaning: "1 = EV_CURRENT." },
    { name: "e_entry", offset: 24, size: 8, type: "u64", meaning: "Entry point; 0 in a core file." },
    { name: "e_phoff", offset: 32, size: 8, type: "u64", meaning: "File offset of the program header table (64 in practice)." },
    { name: "e_shoff", offset: 40, size: 8, type: "u64", meaning: "File offset of the section header table; non-zero only in the PN_XNUM case." },
    { name: "e_flags", offset: 48, size: 4, type: "u32", meaning: "Processor flags; 0 on x86_64." },
    { name: "e_ehsize", offset: 52, size: 2, type: "u16", meaning: "Size of this header (64)." },
    { name: "e_phentsize", offset: 54, size: 2, type: "u16", meaning: "Size of one program header (56)." },
    { name: "e_phnum", offset: 56, size: 2, type: "u16", meaning: "Number of program headers; 0xFFFF (PN_XNUM): the count is in section header 0's sh_info." },
    { name: "e_shentsize", offset: 58, size: 2, type: "u16", meaning: "Size of one section header (64) when sections are present." },
    { name: "e_shnum", offset: 60, size: 2, type: "u16", meaning: "Number of section headers (1 in the PN_XNUM case)." },
    { name: "e_shstrndx", offset: 62, size: 2, type: "u16", meaning: "Section name string table index." },
  ],
} as const satisfies BinaryStruct;

export const ELF64_PHDR = {
  name: "Elf64_Phdr",
  size: 56,
  endian: "little",
  source: `${SOURCE}: struct elf64_phdr`,
  fields: [
    { name: "p_type", offset: 0, size: 4, type: "u32", meaning: "1 = PT_LOAD, 4 = PT_NOTE." },
    { name: "p_flags", offset: 4, size: 4, type: "u32", meaning: "PF_R / PF_W / PF_X." },
    { name: "p_offset", offset: 8, size: 8, type: "u64", meaning: "File offset of the segment's bytes (QEMU: -1 for a filtered mapping)." },
    { name: "p_vaddr", offset: 16, size: 8, type: "u64", meaning: "A kernel virtual address mapping p_paddr, or a producer's convention (§1.6); never used for physical reads." },
    { name: "p_paddr", offset: 24, size: 8, type: "u64", meaning: "Physical start of the range: the address space the viewer reads." },
    { name: "p_filesz", offset: 32, size: 8, type: "u64", meaning: "Bytes present in the file." },
    { name: "p_memsz", offset: 40, size: 8, type: "u64", meaning: "Length of the range; past p_filesz it reads as zero (not dumped)." },
    { name: "p_align", offset: 48, size: 8, type: "u64", meaning: "Alignment." },
  ],
} as const satisfies BinaryStruct;

export const ELF64_SHDR = {
  name: "Elf64_Shdr",
  size: 64,
  endian: "little",
  source: `${SOURCE}: struct elf64_shdr`,
  fields: [
    { name: "sh_name", offset: 0, size: 4, type: "u32", meaning: "Section name (string table index)." },
    { name: "sh_type", offset: 4, size: 4, type: "u32", meaning: "Section type." },
    { name: "sh_flags", offset: 8, size: 8, type: "u64", meaning: "Section flags." },
    { name: "sh_addr", offset: 16, size: 8, type: "u64", meaning: "Virtual address at execution." },
    { name: "sh_offset", offset: 24, size: 8, type: "u64", meaning: "File offset." },
    { name: "sh_size", offset: 32, size: 8, type: "u64", meaning: "Size in bytes." },
    { name: "sh_link", offset: 40, size: 4, type: "u32", meaning: "Index of another section." },
    { name: "sh_info", offset: 44, size: 4, type: "u32", meaning: "Additional information; in section 0 of a PN_XNUM core, the real program header count." },
    { name: "sh_addralign", offset: 48, size: 8, type: "u64", meaning: "Alignment." },
    { name: "sh_entsize", offset: 56, size: 8, type: "u64", meaning: "Entry size when the section holds a table." },
  ],
} as const satisfies BinaryStruct;

/** The note header; name and descriptor follow, each padded to 4 bytes even in ELF64 (§1.3). */
export const ELF64_NHDR = {
  name: "Elf64_Nhdr",
  size: 12,
  endian: "little",
  source: `${SOURCE}: struct elf64_note`,
  fields: [
    { name: "n_namesz", offset: 0, size: 4, type: "u32", meaning: "Name length including its NUL (0 ends a kernel note list)." },
    { name: "n_descsz", offset: 4, size: 4, type: "u32", meaning: "Descriptor length." },
    { name: "n_type", offset: 8, size: 4, type: "u32", meaning: "1 = NT_PRSTATUS; 0 for VMCOREINFO, QEMU and ERASEINFO (compare the name too)." },
  ],
} as const satisfies BinaryStruct;

export const ELF_STRUCTS = [ELF64_EHDR, ELF64_PHDR, ELF64_SHDR, ELF64_NHDR] as const;

/** Values the vmcore reader checks (elf.h). */
export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const ET_CORE = 4;
export const EM_386 = 3;
export const EM_X86_64 = 62;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
/** e_phnum escape: the real count is in section header 0's sh_info. */
export const PN_XNUM = 0xffff;
