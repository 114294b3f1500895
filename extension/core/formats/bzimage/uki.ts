/**
 * Unified Kernel Images (UAPI group "Unified Kernel Image (UKI)" spec): a PE/EFI stub (systemd-stub
 * in practice) with the kernel in a `.linux` section and its companions in `.initrd`, `.cmdline`,
 * `.osrel`, `.uname`, `.sbat`, `.sdmagic`, `.pcrsig`/`.pcrpkey`, `.dtb`, `.ucode`, `.splash`, ….
 * The section table comes from the PE reader (pe.ts); the kernel in `.linux` is parsed by the
 * bzImage reader through a window on the same file (no copy), and every offset of the result is
 * re-based to the UKI file so views and the hex strip line up with the file's bytes.
 */
import { WindowByteSource, type ByteSource } from "../../io/byteSource";
import { FormatError, hex } from "../../io/formatError";
import { parseBzImage } from "./bzImage";
import type { BzImage, Note } from "./model";
import { parsePe, type PeInfo, type PeSection } from "./pe";
import { readSetupHeaderRaw } from "./setupHeader";

/** The section that makes a PE a UKI (UKI spec: the only required one). */
export const UKI_LINUX_SECTION = ".linux";
/** Text sections are read up to this many bytes; the rest is reported as a size and a note. */
export const MAX_UKI_TEXT = 64 * 1024;
/** SBAT entries kept (a real stub has 2–4). */
const MAX_SBAT_ENTRIES = 64;
/** os-release keys kept (a real .osrel has 5–30). */
export const MAX_OSREL_KEYS = 256;

export interface UkiSection {
  name: string;
  /** File offset of the section's raw data (PointerToRawData). */
  offset: number;
  /** Bytes of content: VirtualSize when it is set and not larger than SizeOfRawData, else SizeOfRawData. */
  size: number;
  virtualSize: number;
  rawSize: number;
  virtualAddress: number;
  /** File offset of the section's 40-byte header in the section table. */
  headerOffset: number;
}

export interface SbatEntry {
  component: string;
  generation: string;
  vendor: string;
  vendorPackage: string;
  vendorVersion: string;
  url: string;
}

export type InitrdCompression = "gzip" | "zstd" | "xz" | "lz4" | "lzma" | "bzip2" | "lzo" | "cpio" | "unknown";

export interface UkiInfo {
  file: string;
  fileSize: number;
  /** The UKI's own PE header (the stub's), with its signature. */
  pe: PeInfo;
  sections: UkiSection[];
  linux: UkiSection;
  /** From `.sdmagic` ("#### LoaderInfo: systemd-stub 252.39-1~deb12u2 ####"); null without it. */
  stub: { name: string; version: string; magic: string } | null;
  cmdline: string | null;
  /** Full size of `.cmdline` (the text may be cut at MAX_UKI_TEXT). */
  cmdlineSize: number | null;
  osrel: Record<string, string> | null;
  uname: string | null;
  initrd: { offset: number; size: number; compression: InitrdCompression; magicHex: string } | null;
  sbat: SbatEntry[] | null;
  /** Sections systemd-stub measures or uses beyond the above, by name, when present. */
  has: { pcrsig: boolean; pcrpkey: boolean; dtb: boolean; ucode: boolean; splash: boolean; profile: boolean };
  signature: { signed: boolean; signers: string[]; digestAlgorithm: string | null };
  /** The kernel in `.linux`, parsed as a bzImage; every offset relative to the UKI file. */
  kernel: BzImage;
  /**
   * What a bzImage loader handed the UKI's own bytes reads at 0x1F1 and 0x238 (kexec-tools'
   * kexec_load path does exactly that, see knowledge/ukiLoaders.ts); null past EOF.
   */
  stubHeader: { setupSects: number | null; cmdlineSize: number | null };
  /** The UKI's own notes (the kernel's are in kernel.notes). */
  notes: Note[];
}

/** True when the PE's section table has `.linux` (UKI spec). */
export function isUkiPe(pe: PeInfo | null): pe is PeInfo {
  return pe !== null && pe.sections.some((s) => s.name === UKI_LINUX_SECTION);
}

/** Parses the PE header of `src` and tells whether it is a UKI; a non-PE or broken PE is not. */
export function looksLikeUki(src: ByteSource): boolean {
  try {
    return isUkiPe(parsePe(src));
  } catch {
    return false;
  }
}

function sectionTableOffset(pe: PeInfo): number {
  return pe.eLfanew + 24 + pe.sizeOfOptionalHeader;
}

function ukiSections(pe: PeInfo): UkiSection[] {
  const table = sectionTableOffset(pe);
  return pe.sections.map((s: PeSection, i) => ({
    name: s.name,
    offset: s.rawOffset,
    size: s.virtualSize > 0 && s.virtualSize <= s.rawSize ? s.virtualSize : s.rawSize,
    virtualSize: s.virtualSize,
    rawSize: s.rawSize,
    virtualAddress: s.virtualAddress,
    headerOffset: table + i * 40,
  }));
}

/** Raw-data ranges may not overlap: each loader cuts `.linux` and `.initrd` by offset and size. */
function checkLayout(src: ByteSource, sections: UkiSection[]): void {
  for (const s of sections) {
    if (s.rawSize === 0) continue;
    if (s.offset + s.rawSize > src.size) {
      throw new FormatError(src.name, s.headerOffset + 16, `section[${s.name}].SizeOfRawData`, `raw data inside the file (PointerToRawData ${hex(s.offset)} + SizeOfRawData ${hex(s.rawSize)} ≤ ${hex(src.size)})`, `end at ${hex(s.offset + s.rawSize)}`);
    }
  }
  const withData = sections.filter((s) => s.rawSize > 0).sort((a, b) => a.offset - b.offset || a.headerOffset - b.headerOffset);
  for (let i = 1; i < withData.length; i++) {
    const prev = withData[i - 1]!;
    const cur = withData[i]!;
    if (cur.offset < prev.offset + prev.rawSize) {
      throw new FormatError(src.name, cur.headerOffset + 20, `section[${cur.name}].PointerToRawData`, `raw data that does not overlap section ${prev.name} (${hex(prev.offset)}..${hex(prev.offset + prev.rawSize)})`, hex(cur.offset));
    }
  }
}

function decodeText(b: Uint8Array): string {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0 || b[end - 1] === 0x0a)) end--;
  return new TextDecoder("utf-8", { fatal: false }).decode(b.subarray(0, end));
}

/** Section text, at most MAX_UKI_TEXT bytes; a longer section leaves a note. */
function sectionText(src: ByteSource, s: UkiSection | undefined, notes: Note[]): string | null {
  if (!s) return null;
  const n = Math.min(s.size, MAX_UKI_TEXT);
  if (s.size > MAX_UKI_TEXT) {
    notes.push({ severity: "warning", offset: s.offset, field: s.name, message: `${s.name} is ${s.size} bytes; only the first ${MAX_UKI_TEXT} are shown` });
  }
  return decodeText(src.read(s.offset, n, `section[${s.name}]`));
}

/** os-release(5): KEY=value lines, values optionally quoted with shell-like escapes. */
export function parseOsRelease(text: string): Record<string, string> {
  // No prototype: keys come from the file ("__proto__=x" must stay a plain key).
  const out = Object.create(null) as Record<string, string>;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!.trim();
    if (v.length >= 2 && v[0] === '"' && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(["\\$`])/g, "$1");
    else if (v.length >= 2 && v[0] === "'" && v.endsWith("'")) v = v.slice(1, -1);
    if (!(m[1]! in out) && Object.keys(out).length >= MAX_OSREL_KEYS) break;
    out[m[1]!] = v;
  }
  return out;
}

/** SBAT CSV (shim's SBAT.md): component,generation,vendor,package,version,url per line. */
export function parseSbat(text: string): SbatEntry[] {
  const out: SbatEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const f = line.split(",");
    out.push({ component: f[0] ?? "", generation: f[1] ?? "", vendor: f[2] ?? "", vendorPackage: f[3] ?? "", vendorVersion: f[4] ?? "", url: f.slice(5).join(",") });
    if (out.length >= MAX_SBAT_ENTRIES) break;
  }
  return out;
}

const INITRD_MAGICS: { compression: InitrdCompression; bytes: number[] }[] = [
  { compression: "cpio", bytes: [0x30, 0x37, 0x30, 0x37, 0x30, 0x31] }, // "070701" newc
  { compression: "cpio", bytes: [0x30, 0x37, 0x30, 0x37, 0x30, 0x32] }, // "070702" crc
  { compression: "cpio", bytes: [0x30, 0x37, 0x30, 0x37, 0x30, 0x37] }, // "070707" odc
  { compression: "xz", bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { compression: "lzo", bytes: [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a] },
  { compression: "zstd", bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { compression: "lz4", bytes: [0x02, 0x21, 0x4c, 0x18] },
  { compression: "lz4", bytes: [0x04, 0x22, 0x4d, 0x18] },
  { compression: "bzip2", bytes: [0x42, 0x5a, 0x68] },
  { compression: "gzip", bytes: [0x1f, 0x8b] },
  { compression: "gzip", bytes: [0x1f, 0x9e] },
  { compression: "lzma", bytes: [0x5d, 0x00, 0x00] },
];

/** Compression of an initramfs by its first bytes (init/initramfs.c accepts each of these). */
export function sniffInitrd(head: Uint8Array): InitrdCompression {
  return INITRD_MAGICS.find((m) => head.length >= m.bytes.length && m.bytes.every((b, i) => head[i] === b))?.compression ?? "unknown";
}

/** Rewrites a FormatError from inside `.linux` so it names the UKI file and a UKI file offset. */
function rebaseError(e: FormatError, src: ByteSource, base: number): FormatError {
  return new FormatError(src.name, base + e.offset, `.linux ${e.field}`, `${e.expected} (kernel in .linux at ${hex(base)})`, e.found);
}

/** The embedded kernel's model with every file offset moved by `base` (the .linux section's offset). */
function rebaseKernel(k: BzImage, file: string, base: number): BzImage {
  return {
    ...k,
    file,
    fields: k.fields.map((f) => ({ ...f, offset: f.offset + base })),
    headerEnd: k.headerEnd + base,
    protectedModeOffset: k.protectedModeOffset + base,
    kernelInfo: k.kernelInfo && { ...k.kernelInfo, fileOffset: k.kernelInfo.fileOffset + base },
    payload: k.payload && { ...k.payload, offset: k.payload.offset + base },
    notes: k.notes.map((n) => (n.offset === undefined ? n : { ...n, offset: n.offset + base })),
  };
}

/**
 * Parses a UKI: its own PE facts, then the kernel in `.linux` through a window (no copy).
 * Throws FormatError when the PE has no `.linux`, when a section's raw data lies past EOF or
 * overlaps another, when `.linux` holds another UKI, or when `.linux` has no usable setup header.
 */
export function parseUki(src: ByteSource, pe: PeInfo | null = parsePe(src)): UkiInfo {
  if (!pe) throw new FormatError(src.name, 0, "dos_header.e_magic", '"MZ" (a UKI is a PE image)');
  const sections = ukiSections(pe);
  const linux = sections.find((s) => s.name === UKI_LINUX_SECTION);
  if (!linux) throw new FormatError(src.name, sectionTableOffset(pe), "section_table", "a .linux section (UKI spec)", sections.map((s) => s.name).join(" ") || "no sections");
  checkLayout(src, sections);
  const notes: Note[] = [];
  const by = (name: string): UkiSection | undefined => sections.find((s) => s.name === name);
  for (const name of new Set(sections.map((s) => s.name))) {
    if (sections.filter((s) => s.name === name).length > 1 && name.startsWith(".") && KNOWN_UKI_SECTIONS.includes(name)) {
      notes.push({ severity: "warning", field: name, message: `${name} appears more than once; loaders take the first` });
    }
  }
  if (linux.virtualSize > linux.rawSize) {
    notes.push({ severity: "warning", offset: linux.headerOffset + 8, field: ".linux VirtualSize", message: `.linux VirtualSize ${hex(linux.virtualSize)} is larger than SizeOfRawData ${hex(linux.rawSize)}; the kernel is taken as SizeOfRawData bytes` });
  }

  const window = new WindowByteSource(src, linux.offset, linux.size, `${src.name}:.linux`);
  // A UKI in .linux: neither kexec-tools (uki_image_probe skips itself) nor systemd unwraps twice.
  let innerPe: PeInfo | null;
  try {
    innerPe = parsePe(window);
  } catch {
    innerPe = null; // parseBzImage reports a broken inner PE as a note
  }
  if (isUkiPe(innerPe)) {
    throw new FormatError(src.name, linux.offset, ".linux", "a bzImage kernel (this .linux holds another UKI; no loader unwraps twice)", `a PE with sections ${innerPe.sections.map((s) => s.name).join(" ")}`);
  }
  let kernel: BzImage;
  try {
    kernel = rebaseKernel(parseBzImage(window), src.name, linux.offset);
  } catch (e) {
    if (e instanceof FormatError) throw rebaseError(e, src, linux.offset);
    throw e;
  }

  const sdmagic = sectionText(src, by(".sdmagic"), notes);
  const stubMatch = sdmagic ? /LoaderInfo:\s*(\S+)\s+(\S+)/.exec(sdmagic) : null;
  const cmdSec = by(".cmdline");
  const cmdline = sectionText(src, cmdSec, notes);
  const cmdlineSize = kernel.setupHeader["cmdline_size"];
  if (cmdSec && cmdlineSize !== null && cmdlineSize !== undefined && decodedLength(cmdline ?? "", cmdSec.size) > cmdlineSize) {
    notes.push({ severity: "warning", offset: cmdSec.offset, field: ".cmdline", message: `.cmdline is ${cmdSec.size} bytes, longer than the ${cmdlineSize} bytes the embedded kernel accepts (setup_header.cmdline_size)` });
  }
  const osrelText = sectionText(src, by(".osrel"), notes);
  const sbatText = sectionText(src, by(".sbat"), notes);
  const initrdSec = by(".initrd");
  const initrdHead = initrdSec ? src.read(initrdSec.offset, Math.min(16, initrdSec.size), "section[.initrd]") : null;

  const signers = pe.certificates.flatMap((c) => c.authenticode?.signers ?? []);
  return {
    file: src.name,
    fileSize: src.size,
    pe,
    sections,
    linux,
    stub: stubMatch ? { name: stubMatch[1]!, version: stubMatch[2]!, magic: sdmagic! } : null,
    cmdline,
    cmdlineSize: cmdSec ? cmdSec.size : null,
    osrel: osrelText === null ? null : parseOsRelease(osrelText),
    uname: sectionText(src, by(".uname"), notes),
    initrd:
      initrdSec && initrdHead
        ? { offset: initrdSec.offset, size: initrdSec.size, compression: sniffInitrd(initrdHead), magicHex: Buffer.from(initrdHead.subarray(0, 6)).toString("hex") }
        : null,
    sbat: sbatText === null ? null : parseSbat(sbatText),
    has: {
      pcrsig: !!by(".pcrsig"),
      pcrpkey: !!by(".pcrpkey"),
      dtb: !!by(".dtb") || !!by(".dtbauto"),
      ucode: !!by(".ucode"),
      splash: !!by(".splash"),
      profile: !!by(".profile"),
    },
    signature: { signed: pe.signed, signers, digestAlgorithm: pe.certificates.find((c) => c.authenticode)?.authenticode?.digestAlgorithm ?? null },
    kernel,
    stubHeader: stubHeader(src),
    notes,
  };
}

/** The UKI's own bytes read as a setup header, through the one table-driven header reader. */
function stubHeader(src: ByteSource): UkiInfo["stubHeader"] {
  const raw = readSetupHeaderRaw(src);
  return { setupSects: raw["setup_sects"] ?? null, cmdlineSize: raw["cmdline_size"] ?? null };
}

/** Length the kernel would count: the full section when it was cut for display. */
function decodedLength(text: string, sectionSize: number): number {
  return sectionSize > MAX_UKI_TEXT ? sectionSize : Buffer.byteLength(text, "utf8");
}

/** Section names the UKI spec and systemd-stub give a meaning to. */
export const KNOWN_UKI_SECTIONS = [".linux", ".osrel", ".cmdline", ".initrd", ".ucode", ".splash", ".dtb", ".dtbauto", ".hwids", ".uname", ".sbat", ".pcrsig", ".pcrpkey", ".profile", ".efifw", ".sdmagic"];

/**
 * A bzImage/vmlinuz or a UKI: a PE whose sections include `.linux` is parsed as a UKI (the kernel
 * inside it as `img`), anything else as a bzImage. A broken PE header is left to parseBzImage,
 * which reports it as a note.
 */
export function parseKernelImage(src: ByteSource): { img: BzImage; uki: UkiInfo | null } {
  let pe: PeInfo | null = null;
  try {
    pe = parsePe(src);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
  }
  if (isUkiPe(pe)) {
    const uki = parseUki(src, pe);
    return { img: uki.kernel, uki };
  }
  return { img: parseBzImage(src), uki: null };
}
