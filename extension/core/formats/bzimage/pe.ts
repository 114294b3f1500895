/**
 * PE/COFF view of an EFI-stub bzImage (the kernel's own PE header, arch/x86/boot/header.S).
 * Layout per the Microsoft PE/COFF specification ("PE Format"): DOS header with e_lfanew at
 * 0x3C, "PE\0\0", 20-byte COFF header, optional header (PE32 0x10B / PE32+ 0x20B), section
 * table, and the certificate table named by data directory 4, whose "RVA" is a file offset.
 * Reads are lazy: headers, section table and certificate table only.
 */
import type { ByteSource } from "../../io/byteSource";
import { FormatError, hex } from "../../io/formatError";
import { latin1, u16, u32, u64 } from "../../io/binary";
import { parseAuthenticode, type AuthenticodeInfo } from "./authenticode";

export interface PeSection {
  name: string;
  virtualSize: number;
  virtualAddress: number;
  rawSize: number;
  rawOffset: number;
  characteristics: number;
}

export interface PeDataDirectory {
  index: number;
  name: string;
  /** An RVA, except for "security" where it is a file offset (PE/COFF "The Attribute Certificate Table"). */
  rvaOrOffset: number;
  size: number;
}

/** One WIN_CERTIFICATE entry (PE/COFF "The Attribute Certificate Table"). */
export interface WinCertificate {
  offset: number;
  dwLength: number;
  wRevision: number;
  wCertificateType: number;
  /** WIN_CERT_TYPE_PKCS_SIGNED_DATA (2) entries, parsed. */
  authenticode?: AuthenticodeInfo;
}

export interface PeInfo {
  eLfanew: number;
  machine: number;
  machineName: string;
  numberOfSections: number;
  timestamp: number;
  sizeOfOptionalHeader: number;
  characteristics: number;
  optionalMagic: number;
  format: "PE32" | "PE32+";
  addressOfEntryPoint: number;
  sizeOfCode: number;
  imageBase: bigint;
  sectionAlignment: number;
  fileAlignment: number;
  majorImageVersion: number;
  minorImageVersion: number;
  sizeOfImage: number;
  sizeOfHeaders: number;
  /** File offset of the CheckSum field (excluded from the Authenticode hash). */
  checksumOffset: number;
  checksum: number;
  subsystem: number;
  subsystemName: string;
  dllCharacteristics: number;
  numberOfRvaAndSizes: number;
  /** File offset of the data directory array. */
  dataDirectoriesOffset: number;
  dataDirectories: PeDataDirectory[];
  sections: PeSection[];
  /** Data directory 4; null when absent or empty. */
  securityDirectory: { offset: number; size: number } | null;
  certificates: WinCertificate[];
  certificateTableEndsAtEof: boolean;
  /** True when a PKCS#7 certificate parsed as Authenticode SignedData. */
  signed: boolean;
}

const MACHINES: Record<number, string> = {
  0x014c: "IMAGE_FILE_MACHINE_I386",
  0x8664: "IMAGE_FILE_MACHINE_AMD64",
  0xaa64: "IMAGE_FILE_MACHINE_ARM64",
  0x01c2: "IMAGE_FILE_MACHINE_THUMB",
  0x01c4: "IMAGE_FILE_MACHINE_ARMNT",
  0x0200: "IMAGE_FILE_MACHINE_IA64",
  0x5064: "IMAGE_FILE_MACHINE_RISCV64",
  0x6264: "IMAGE_FILE_MACHINE_LOONGARCH64",
  0x0ebc: "IMAGE_FILE_MACHINE_EBC",
};

const SUBSYSTEMS: Record<number, string> = {
  1: "NATIVE",
  2: "WINDOWS_GUI",
  3: "WINDOWS_CUI",
  10: "EFI_APPLICATION",
  11: "EFI_BOOT_SERVICE_DRIVER",
  12: "EFI_RUNTIME_DRIVER",
  13: "EFI_ROM",
};

export const DATA_DIRECTORY_NAMES = [
  "export", "import", "resource", "exception", "security", "basereloc", "debug", "architecture",
  "globalptr", "tls", "load_config", "bound_import", "iat", "delay_import", "clr_runtime", "reserved",
] as const;

export const SECURITY_DIRECTORY = 4;
/** PE/COFF: "the Windows loader limits the number of sections to 96". */
const MAX_SECTIONS = 96;
/** Bounds memory for a lying security directory; real signatures are a few KiB. */
const MAX_CERT_TABLE = 1 << 20;
const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 2;

/** Parses the PE header of `src`; null when the file does not start with "MZ". */
export function parsePe(src: ByteSource): PeInfo | null {
  if (src.size < 2) return null;
  const mz = src.read(0, 2, "dos_header.e_magic");
  if (mz[0] !== 0x4d || mz[1] !== 0x5a) return null;

  const eLfanew = u32(src, 0x3c, "dos_header.e_lfanew");
  if (eLfanew + 24 > src.size) {
    throw new FormatError(src.name, 0x3c, "dos_header.e_lfanew", "an offset of a PE header inside the file", hex(eLfanew));
  }
  const sig = src.read(eLfanew, 4, "pe_signature");
  if (sig[0] !== 0x50 || sig[1] !== 0x45 || sig[2] !== 0 || sig[3] !== 0) {
    throw new FormatError(src.name, eLfanew, "pe_signature", '"PE\\0\\0"', latin1(sig));
  }
  const coff = eLfanew + 4;
  const machine = u16(src, coff, "coff.Machine");
  const numberOfSections = u16(src, coff + 2, "coff.NumberOfSections");
  const timestamp = u32(src, coff + 4, "coff.TimeDateStamp");
  const sizeOfOptionalHeader = u16(src, coff + 16, "coff.SizeOfOptionalHeader");
  const characteristics = u16(src, coff + 18, "coff.Characteristics");

  const opt = coff + 20;
  const optionalMagic = u16(src, opt, "optional.Magic");
  if (optionalMagic !== 0x10b && optionalMagic !== 0x20b) {
    throw new FormatError(src.name, opt, "optional.Magic", "0x10b (PE32) or 0x20b (PE32+)", hex(optionalMagic));
  }
  const plus = optionalMagic === 0x20b;
  // Fixed part: 96 bytes (PE32) or 112 bytes (PE32+) before the data directories.
  const fixed = plus ? 112 : 96;
  if (sizeOfOptionalHeader < fixed) {
    throw new FormatError(src.name, coff + 16, "coff.SizeOfOptionalHeader", `at least ${fixed}`, String(sizeOfOptionalHeader));
  }
  const numberOfRvaAndSizes = u32(src, opt + fixed - 4, "optional.NumberOfRvaAndSizes");
  const ndirs = Math.min(numberOfRvaAndSizes, 16, Math.floor((sizeOfOptionalHeader - fixed) / 8));
  const dirOff = opt + fixed;
  const dataDirectories: PeDataDirectory[] = [];
  for (let i = 0; i < ndirs; i++) {
    const name = DATA_DIRECTORY_NAMES[i]!;
    dataDirectories.push({
      index: i,
      name,
      rvaOrOffset: u32(src, dirOff + i * 8, `optional.DataDirectory[${name}].VirtualAddress`),
      size: u32(src, dirOff + i * 8 + 4, `optional.DataDirectory[${name}].Size`),
    });
  }

  if (numberOfSections > MAX_SECTIONS) {
    throw new FormatError(src.name, coff + 2, "coff.NumberOfSections", `at most ${MAX_SECTIONS}`, String(numberOfSections));
  }
  const secTable = opt + sizeOfOptionalHeader;
  if (secTable + numberOfSections * 40 > src.size) {
    throw new FormatError(src.name, secTable, "section_table", `${numberOfSections} x 40 bytes inside the file`, `end of file at ${hex(src.size)}`);
  }
  const sections: PeSection[] = [];
  for (let i = 0; i < numberOfSections; i++) {
    const s = secTable + i * 40;
    const raw = src.read(s, 8, `section[${i}].Name`);
    let end = raw.indexOf(0);
    if (end < 0) end = 8;
    sections.push({
      name: latin1(raw.subarray(0, end)),
      virtualSize: u32(src, s + 8, `section[${i}].VirtualSize`),
      virtualAddress: u32(src, s + 12, `section[${i}].VirtualAddress`),
      rawSize: u32(src, s + 16, `section[${i}].SizeOfRawData`),
      rawOffset: u32(src, s + 20, `section[${i}].PointerToRawData`),
      characteristics: u32(src, s + 36, `section[${i}].Characteristics`),
    });
  }

  const sec = dataDirectories[SECURITY_DIRECTORY];
  const securityDirectory = sec && sec.size > 0 ? { offset: sec.rvaOrOffset, size: sec.size } : null;
  const certificates = securityDirectory ? readCertificateTable(src, securityDirectory.offset, securityDirectory.size, dirOff + SECURITY_DIRECTORY * 8) : [];

  return {
    eLfanew,
    machine,
    machineName: MACHINES[machine] ?? "unknown",
    numberOfSections,
    timestamp,
    sizeOfOptionalHeader,
    characteristics,
    optionalMagic,
    format: plus ? "PE32+" : "PE32",
    addressOfEntryPoint: u32(src, opt + 16, "optional.AddressOfEntryPoint"),
    sizeOfCode: u32(src, opt + 4, "optional.SizeOfCode"),
    imageBase: plus ? u64(src, opt + 24, "optional.ImageBase") : BigInt(u32(src, opt + 28, "optional.ImageBase")),
    sectionAlignment: u32(src, opt + 32, "optional.SectionAlignment"),
    fileAlignment: u32(src, opt + 36, "optional.FileAlignment"),
    majorImageVersion: u16(src, opt + 44, "optional.MajorImageVersion"),
    minorImageVersion: u16(src, opt + 46, "optional.MinorImageVersion"),
    sizeOfImage: u32(src, opt + 56, "optional.SizeOfImage"),
    sizeOfHeaders: u32(src, opt + 60, "optional.SizeOfHeaders"),
    checksumOffset: opt + 64,
    checksum: u32(src, opt + 64, "optional.CheckSum"),
    subsystem: u16(src, opt + 68, "optional.Subsystem"),
    subsystemName: SUBSYSTEMS[u16(src, opt + 68, "optional.Subsystem")] ?? "unknown",
    dllCharacteristics: u16(src, opt + 70, "optional.DllCharacteristics"),
    numberOfRvaAndSizes,
    dataDirectoriesOffset: dirOff,
    dataDirectories,
    sections,
    securityDirectory,
    certificates,
    certificateTableEndsAtEof: securityDirectory !== null && securityDirectory.offset + securityDirectory.size === src.size,
    signed: certificates.some((c) => c.authenticode !== undefined),
  };
}

/** Walks WIN_CERTIFICATE entries; each is 8-byte aligned (PE/COFF "The Attribute Certificate Table"). */
function readCertificateTable(src: ByteSource, offset: number, size: number, dirEntryOffset: number): WinCertificate[] {
  const field = "optional.DataDirectory[security]";
  if (offset + size > src.size || offset < 8) {
    throw new FormatError(src.name, dirEntryOffset, field, "a certificate table inside the file", `${hex(offset)}+${hex(size)}, end of file at ${hex(src.size)}`);
  }
  if (size > MAX_CERT_TABLE) {
    throw new FormatError(src.name, dirEntryOffset, field, `a certificate table of at most ${MAX_CERT_TABLE} bytes`, hex(size));
  }
  const out: WinCertificate[] = [];
  const end = offset + size;
  let p = offset;
  while (p + 8 <= end) {
    const dwLength = u32(src, p, "WIN_CERTIFICATE.dwLength");
    if (dwLength < 8 || p + dwLength > end) {
      throw new FormatError(src.name, p, "WIN_CERTIFICATE.dwLength", `8..${end - p} (inside the certificate table)`, String(dwLength));
    }
    const cert: WinCertificate = {
      offset: p,
      dwLength,
      wRevision: u16(src, p + 4, "WIN_CERTIFICATE.wRevision"),
      wCertificateType: u16(src, p + 6, "WIN_CERTIFICATE.wCertificateType"),
    };
    if (cert.wCertificateType === WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
      cert.authenticode = parseAuthenticode(src, p + 8, dwLength - 8);
    }
    out.push(cert);
    p += (dwLength + 7) & ~7;
  }
  return out;
}
