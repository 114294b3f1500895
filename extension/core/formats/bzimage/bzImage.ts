import type { SetupHeaderValues } from "../../knowledge/setupHeaderFields";
import type { ByteSource } from "../../io/byteSource";
import { FormatError, hex } from "../../io/formatError";
import { cString, u8, u16, u32 } from "../../io/binary";
import { BOOT_FLAG, HDRS_MAGIC, SETUP_HEADER_FIELDS, setupHeaderOffset } from "../../knowledge/setupHeaderFields";
import { fieldOffset, qualifiedName, type FieldName } from "../../knowledge/binaryStructs";
import { KERNEL_INFO, LTOP_MAGIC } from "../../knowledge/kernelInfo";
import { protocolText } from "../../knowledge/protocolVersions";
import { decodeXloadflags } from "../../knowledge/xloadflags";
import { decodeLoadflags } from "../../knowledge/loadflags";
import type { BzImage, FieldValue, KernelInfo, Note } from "./model";
import { readSetupHeaderRaw } from "./setupHeader";
import { parsePe } from "./pe";
import { detectPayload } from "./payload";

/** Both kexec loaders refuse anything shorter (boot sector + one setup sector). */
const MIN_IMAGE = 1024;

/** Turns a secondary-structure failure into a note so the rest of the image still shows. */
function noteFrom(e: unknown): Note {
  if (e instanceof FormatError) return { severity: "error", offset: e.offset, field: e.field, message: e.message };
  throw e;
}

/**
 * Parses a bzImage/vmlinuz/lkrn: setup header gated by protocol version, kernel version string,
 * kernel_info, the PE/EFI side and the payload location. Reads only the header, PE and
 * certificate ranges; the payload is decompressed separately on demand.
 * Throws FormatError when there is no usable setup header at all.
 */
export function parseBzImage(src: ByteSource): BzImage {
  const notes: Note[] = [];
  if (src.size < MIN_IMAGE) {
    throw new FormatError(src.name, 0, "file size", `at least ${MIN_IMAGE} bytes (boot sector + one setup sector)`, `${src.size} bytes`);
  }
  const raw = readSetupHeaderRaw(src);
  const isPe = u16(src, 0, "MZ signature") === 0x5a4d;
  const hasHdrS = raw["header"] === HDRS_MAGIC;
  if (isPe && !hasHdrS) {
    throw new FormatError(src.name, setupHeaderOffset("header"), "setup_header.header", '"HdrS" (this PE has no Linux setup header and no .linux section: neither an EFI-stub kernel nor a UKI)', hex(raw["header"] ?? 0, 8));
  }
  if (raw["boot_flag"] !== BOOT_FLAG) {
    throw new FormatError(src.name, setupHeaderOffset("boot_flag"), "setup_header.boot_flag", "0xaa55", hex(raw["boot_flag"] ?? 0, 4));
  }
  const version = hasHdrS ? (raw.version ?? 0) : 0;
  // The jump is 0xEB disp8; disp8 also fixes where the header ends (right after the jump + disp8).
  const jumpAt = setupHeaderOffset("jump");
  const jumpByte = u8(src, jumpAt, "setup_header.jump");
  const headerEnd = jumpAt + 2 + u8(src, jumpAt + 1, "setup_header.jump displacement");
  if (hasHdrS && jumpByte !== 0xeb) {
    notes.push({ severity: "warning", offset: jumpAt, field: "jump", message: `jump at 0x200 is ${hex(jumpByte, 2)}, expected a short jump 0xeb; header length taken from byte 0x201 anyway` });
  }

  const fields: FieldValue[] = [];
  const setupHeader = {} as SetupHeaderValues;
  for (const f of SETUP_HEADER_FIELDS) {
    const announced = f.since === 0 || (hasHdrS && version >= f.since);
    const inside = f.since === 0 || f.offset + f.size <= headerEnd;
    const present = announced && inside && raw[f.name] !== null;
    if (announced && !inside) {
      notes.push({ severity: "warning", offset: f.offset, field: f.name, message: `protocol ${protocolText(version)} defines ${f.name} but the header ends at ${hex(headerEnd)} (jump at 0x200)` });
    }
    fields.push({ name: f.name, offset: f.offset, size: f.size, since: f.since, present, raw: raw[f.name] ?? null });
    setupHeader[f.name] = present ? raw[f.name] : null;
  }

  // setup_sects (since 0) is always present; 0 means 4 (boot.rst).
  const sects = setupHeader.setup_sects ?? 0;
  const setupSects = sects === 0 ? 4 : sects;
  const protectedModeOffset = (setupSects + 1) * 512;
  if (protectedModeOffset >= src.size) {
    throw new FormatError(src.name, setupHeaderOffset("setup_sects"), "setup_header.setup_sects", `a setup of (setup_sects + 1) * 512 bytes that ends inside the file (${src.size} bytes)`, `${sects} → ${hex(protectedModeOffset)}`);
  }

  const lf = setupHeader["loadflags"];
  const loadflags = lf === null || lf === undefined ? { value: 0, bits: [], unknownBits: 0 } : { value: lf, ...renameBits(decodeLoadflags(lf)) };
  const xlf = setupHeader["xloadflags"];
  const xloadflags = xlf === null || xlf === undefined ? null : { value: xlf, ...renameBits(decodeXloadflags(xlf)) };
  if (xloadflags && xloadflags.unknownBits) {
    notes.push({ severity: "info", offset: setupHeaderOffset("xloadflags"), field: "xloadflags", message: `xloadflags has bits no mainline kernel defines: ${hex(xloadflags.unknownBits, 4)}` });
  }

  let kernelVersion: string | null = null;
  const kv = setupHeader["kernel_version"];
  if (kv) {
    const at = kv + 0x200;
    if (kv >= 0x200 * setupSects || at >= src.size) {
      notes.push({ severity: "warning", offset: setupHeaderOffset("kernel_version"), field: "kernel_version", message: `kernel_version pointer ${hex(kv)} (file offset ${hex(at)}) is outside the ${setupSects}-sector setup; ignored` });
    } else {
      kernelVersion = cString(src, at, 512);
    }
  }
  const m = kernelVersion ? /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(kernelVersion) : null;
  const kernelRelease = m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) } : null;

  let kernelInfo: KernelInfo | null = null;
  const kio = setupHeader["kernel_info_offset"];
  if (kio) {
    try {
      kernelInfo = readKernelInfo(src, protectedModeOffset + kio);
      if (!kernelInfo.magicOk) notes.push({ severity: "warning", offset: kernelInfo.fileOffset, field: "kernel_info.header", message: `kernel_info at ${hex(kernelInfo.fileOffset)} has header "${kernelInfo.header}", expected "LToP"` });
    } catch (e) {
      notes.push(noteFrom(e));
    }
  }

  let pe = null;
  try {
    pe = parsePe(src);
  } catch (e) {
    notes.push(noteFrom(e));
  }

  let payload = null;
  const po = setupHeader["payload_offset"];
  const pl = setupHeader["payload_length"];
  if (po !== null && po !== undefined && pl !== null && pl !== undefined) {
    try {
      payload = detectPayload(src, protectedModeOffset + po, pl);
    } catch (e) {
      notes.push(noteFrom(e));
    }
  }

  const kind = !hasHdrS ? "old" : loadflags.bits.includes("LOADED_HIGH") ? "bzImage" : "zImage";
  return {
    file: src.name,
    fileSize: src.size,
    kind,
    protocol: hasHdrS ? { word: version, text: protocolText(version) } : null,
    setupHeader,
    fields,
    headerEnd,
    setupSects,
    protectedModeOffset,
    kernelVersion,
    kernelRelease,
    loadflags,
    xloadflags,
    kernelInfo,
    pe,
    payload,
    notes,
  };
}

function renameBits(d: { names: string[]; unknownBits: number }): { bits: string[]; unknownBits: number } {
  return { bits: d.names, unknownBits: d.unknownBits };
}

/** One kernel_info field, read on its own so a cut file names the field it ends in. */
function kernelInfoU32(src: ByteSource, at: number, name: FieldName<typeof KERNEL_INFO>): number {
  return u32(src, at + fieldOffset(KERNEL_INFO, name), qualifiedName(KERNEL_INFO, name));
}

function readKernelInfo(src: ByteSource, at: number): KernelInfo {
  const magic = kernelInfoU32(src, at, "header");
  const header = String.fromCharCode(magic & 0xff, (magic >> 8) & 0xff, (magic >>> 16) & 0xff, magic >>> 24);
  return {
    fileOffset: at,
    header,
    magicOk: magic === LTOP_MAGIC,
    size: kernelInfoU32(src, at, "size"),
    sizeTotal: kernelInfoU32(src, at, "size_total"),
    setupTypeMax: kernelInfoU32(src, at, "setup_type_max"),
  };
}
