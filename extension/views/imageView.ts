/**
 * BzImage (core model) → ImageView (protocol data). Pure and vscode-free so the webview tests
 * build the very same messages the host sends. It only reshapes and labels what the core and
 * the knowledge table say; verdicts come from imageVerdicts, meanings from the table.
 */
import { hex } from "../core/io/formatError";
import type { BzImage } from "../core/formats/bzimage/model";
import type { VmlinuxInfo } from "../core/formats/bzimage/vmlinux";
import { HIGHLIGHTS } from "../core/formats/bzimage/vmlinux";
import { imageReport } from "../core/scenario/imageReport";
import type { ImageVerdict } from "../core/kexec/imageVerdicts";
import type { ByteSource } from "../core/io/byteSource";
import { SETUP_HEADER_FIELDS, SETUP_HEADER_START } from "../core/knowledge/setupHeaderFields";
import { XLOADFLAGS_BITS } from "../core/knowledge/xloadflags";
import { protocolText } from "../core/knowledge/protocolVersions";
import type { FieldRow, ImageView, SummaryView, UkiView, VerdictRow, VmlinuxView } from "../protocol/image";
import { KNOWN_UKI_SECTIONS, type UkiInfo } from "../core/formats/bzimage/uki";
import { ukiVerdictsFor } from "../core/scenario/ukiReport";
import type { UkiVerdict } from "../core/kexec/ukiVerdicts";


/** Architecture as the image itself states it: PE machine first, else the 64-bit entry bit. */
function architecture(img: BzImage): string {
  if (img.pe) {
    if (img.pe.machineName === "IMAGE_FILE_MACHINE_AMD64") return "x86_64";
    if (img.pe.machineName === "IMAGE_FILE_MACHINE_I386") return "i386";
    return img.pe.machineName;
  }
  if (img.xloadflags && img.xloadflags.bits.includes("XLF_KERNEL_64")) return "x86_64";
  return "x86 (32-bit entry only)";
}

/**
 * The summary card's verdict line for "running 5-level kernel kexecs this image", assembled from
 * the core's verdicts (kexec_file.l5 and kexec-tools.fallback), never recomputed here.
 */
export function verdictLine(verdicts: readonly ImageVerdict[]): { line: string; outcome: VerdictRow["outcome"] } {
  const file5 = verdicts.find((v) => v.id === "kexec_file.l5");
  const fallback = verdicts.find((v) => v.id === "kexec-tools.fallback");
  const load5 = verdicts.find((v) => v.id === "kexec_load.l5");
  if (file5?.outcome === "ok") return { line: "kexec from a 5-level kernel: OK", outcome: "ok" };
  if (fallback) return { line: `kexec from a 5-level kernel: ${fallback.summary}`, outcome: fallback.outcome };
  if (file5) {
    const tail = load5 ? `; ${load5.summary}` : "";
    return { line: `kexec from a 5-level kernel: refused by kexec_file_load (${file5.reason})${tail}`, outcome: "refused" };
  }
  return { line: "kexec from a 5-level kernel: no verdict", outcome: "info" };
}

/**
 * The summary card's line for a UKI, from the core's UKI verdicts: what `systemctl kexec` and
 * kexec-tools do with it from a 5-level kernel.
 */
export function ukiVerdictLine(verdicts: readonly UkiVerdict[]): { line: string; outcome: VerdictRow["outcome"] } {
  const sd = verdicts.find((v) => v.id === "uki.systemctl.l5");
  const kt = verdicts.find((v) => v.id === "uki.kexec-tools.l5");
  const parts = [sd, kt].filter((v): v is UkiVerdict => v !== undefined);
  if (!parts.length) return { line: "kexec of this UKI from a 5-level kernel: no verdict", outcome: "info" };
  const rank: Record<VerdictRow["outcome"], number> = { ok: 0, info: 1, risk: 2, refused: 3, fails: 4 };
  const worst = parts.reduce((a, b) => (rank[b.outcome] > rank[a.outcome] ? b : a));
  if (parts.every((v) => v.outcome === "ok")) return { line: "kexec of this UKI from a 5-level kernel: OK (systemctl kexec and kexec-tools unwrap it)", outcome: "ok" };
  return { line: `kexec of this UKI from a 5-level kernel: ${parts.map((v) => `${v.path} ${v.outcome}`).join("; ")}`, outcome: worst.outcome };
}

function headerBytes(src: ByteSource, img: BzImage, base: number): string {
  const data = src.readUpTo(base + SETUP_HEADER_START, Math.max(0, img.headerEnd - base - SETUP_HEADER_START));
  let out = "";
  for (const b of data) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Zero-padded to the field width; 8-byte fields need it since a u64 may not fit a double. */
function rawHex(src: ByteSource, offset: number, size: number): string | null {
  const b = src.readUpTo(offset, size);
  if (b.length < size) return null;
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return "0x" + v.toString(16).padStart(size * 2, "0");
}

export function buildUkiView(u: UkiInfo, verdicts: readonly UkiVerdict[] = ukiVerdictsFor(u)): UkiView {
  const extras = [".pcrsig", ".pcrpkey", ".dtb", ".dtbauto", ".ucode", ".splash", ".profile", ".hwids", ".efifw"].filter((n) => u.sections.some((s) => s.name === n));
  return {
    stub: u.stub && { name: u.stub.name, version: u.stub.version },
    sections: u.sections.map((s) => ({ name: s.name, offset: s.offset, size: s.size, virtualAddress: s.virtualAddress, virtualSize: s.virtualSize, rawSize: s.rawSize, known: KNOWN_UKI_SECTIONS.includes(s.name) })),
    linux: { offset: u.linux.offset, size: u.linux.size },
    cmdline: u.cmdline,
    cmdlineSize: u.cmdlineSize,
    osrel: u.osrel && Object.entries(u.osrel).map(([key, value]) => ({ key, value })),
    uname: u.uname,
    initrd: u.initrd && { offset: u.initrd.offset, size: u.initrd.size, compression: u.initrd.compression },
    sbat: u.sbat && u.sbat.map((e) => ({ ...e })),
    signature: { signed: u.signature.signed, signers: [...u.signature.signers], digestAlgorithm: u.signature.digestAlgorithm },
    extras,
    verdicts: verdicts.map((v) => ({ ...v })),
    notes: u.notes.map((n) => ({ severity: n.severity, offset: n.offset ?? null, field: n.field ?? null, message: n.message })),
  };
}

/**
 * For a UKI, `img` is the kernel in its .linux (offsets already in the UKI file) and `uki` the
 * UKI's own facts; the hex strip then shows the kernel's header where it sits in the UKI file.
 */
export function buildImageView(src: ByteSource, img: BzImage, canDecompress: boolean, uki: UkiInfo | null = null): ImageView {
  // The CLI's `image --json` report: the editor shows the same facts, reshaped only for display.
  const report = imageReport(img);
  const core = report.verdicts;
  const verdicts: VerdictRow[] = core.map((v) => ({ ...v }));
  const ukiVerdicts = uki ? ukiVerdictsFor(uki) : null;
  const ukiView = uki && buildUkiView(uki, ukiVerdicts ?? []);
  const vl = ukiVerdicts ? ukiVerdictLine(ukiVerdicts) : verdictLine(core);
  const base = uki ? uki.linux.offset : 0;
  const signers = report.pe?.signers ?? [];
  const summary: SummaryView = {
    kernelVersion: report.kernelVersion,
    protocol: report.protocol,
    architecture: architecture(img),
    // What firmware checks is the file itself: for a UKI, the UKI's signature, not the kernel's.
    signedBy: uki ? [...uki.signature.signers] : signers,
    codec: report.payload?.compression ?? null,
    verdictLine: vl.line,
    verdictOutcome: vl.outcome,
  };
  const fields: FieldRow[] = img.fields.map((f) => {
    const k = SETUP_HEADER_FIELDS.find((t) => t.name === f.name);
    return {
      name: f.name,
      offset: f.offset,
      size: f.size,
      since: f.since,
      sinceText: f.since ? protocolText(f.since) : "all",
      present: f.present,
      raw: f.raw,
      rawHex: f.raw === null ? null : rawHex(src, f.offset, f.size),
      meaning: k?.meaning ?? "",
      kexec: k?.kexec ?? null,
    };
  });
  const xv = img.xloadflags;
  const pe = img.pe;
  return {
    fileName: img.file,
    fileSize: uki ? uki.fileSize : img.fileSize,
    kind: img.kind,
    summary,
    fields,
    stripStart: base + SETUP_HEADER_START,
    headerEnd: img.headerEnd,
    stripHex: headerBytes(src, img, base),
    loadflags: { value: report.loadflags.value, bits: [...report.loadflags.bits] },
    xloadflags: xv && {
      value: xv.value,
      unknownBits: xv.unknownBits,
      bits: XLOADFLAGS_BITS.map((b) => ({
        bit: b.bit,
        name: b.name,
        set: (xv.value & b.mask) !== 0,
        status: b.status,
        sinceProtocol: b.sinceProtocol,
        sinceKernel: b.sinceKernel,
        meaning: b.meaning,
        setWhen: b.setWhen,
        kexec: b.kexec,
      })),
    },
    kernelInfo: report.kernelInfo && img.kernelInfo && { ...report.kernelInfo, magicOk: img.kernelInfo.magicOk },
    pe: pe && {
      machine: pe.machineName,
      format: pe.format,
      subsystem: pe.subsystemName,
      entryPoint: pe.addressOfEntryPoint,
      // bigint does not survive postMessage/JSON.
      imageBase: hex(pe.imageBase),
      sizeOfImage: pe.sizeOfImage,
      sections: pe.sections.map((s) => ({ name: s.name, virtualAddress: s.virtualAddress, virtualSize: s.virtualSize, rawOffset: s.rawOffset, rawSize: s.rawSize })),
      securityDirectory: pe.securityDirectory && { ...pe.securityDirectory },
      signed: pe.signed,
      signers,
      digestAlgorithm: pe.certificates.find((c) => c.authenticode)?.authenticode?.digestAlgorithm ?? null,
      certificates: pe.certificates.flatMap((c) => c.authenticode?.certificates ?? []).map((c) => ({
        subject: dnText(c.subject),
        issuer: dnText(c.issuer),
        serial: c.serial,
      })),
    },
    payload: report.payload && { ...report.payload },
    verdicts,
    notes: img.notes.map((n) => ({ severity: n.severity, offset: n.offset ?? null, field: n.field ?? null, message: n.message })),
    canDecompress,
    uki: ukiView,
  };
}

function dnText(dn: Record<string, string>): string {
  return Object.entries(dn).map(([k, v]) => `${k}=${v}`).join(", ");
}

export function buildVmlinuxView(info: VmlinuxInfo): VmlinuxView {
  const cfg = info.config;
  return {
    size: info.size,
    banner: info.banner,
    config: cfg
      ? HIGHLIGHTS.map((name) => {
          const v = cfg.highlights[name];
          return { name, value: v ?? null, listed: v !== undefined };
        })
      : null,
    elf: info.isElf ? [info.class, info.machineName, info.typeName].filter(Boolean).join(" ") : null,
  };
}
