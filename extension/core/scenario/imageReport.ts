import type { SetupHeaderValues } from "../knowledge/setupHeaderFields";
import type { BzImage } from "../formats/bzimage/model";
import { imageVerdicts, type ImageVerdict, type ImageVerdictOptions } from "../kexec/imageVerdicts";
import { kexecImageFromSetupHeader, type KexecImage } from "../kexec/kexecImage";
import type { UkiReport } from "./ukiReport";

/** The loaders' view of a parsed image, for the verdict rules and the simulator. */
export function kexecImageOf(img: BzImage): KexecImage {
  return kexecImageFromSetupHeader(img.setupHeader, img.fileSize, img.file, img.kernelVersion ?? undefined);
}

export function verdictsFor(img: BzImage, opts?: ImageVerdictOptions): ImageVerdict[] {
  return imageVerdicts(kexecImageOf(img), opts);
}

/** The CLI contract's `image --json` document (../shared/design/ARCHITECTURE.md). */
export interface ImageReport {
  file: string;
  kind: BzImage["kind"];
  protocol: string | null;
  setupHeader: SetupHeaderValues;
  kernelVersion: string | null;
  loadflags: { value: number; bits: string[] };
  xloadflags: { value: number; bits: string[]; unknownBits: number } | null;
  kernelInfo: { offset: number; header: string; size: number; sizeTotal: number; setupTypeMax: number } | null;
  pe: {
    machine: string;
    format: string;
    subsystem: string;
    signed: boolean;
    /** Subject CN of each signer's certificate. */
    signers: string[];
    certificates: { subject: Record<string, string>; issuer: Record<string, string>; serial: string }[];
    sections: { name: string; virtualAddress: number; virtualSize: number; rawOffset: number; rawSize: number; characteristics: number }[];
  } | null;
  payload: { compression: string; offset: number; length: number; uncompressedSize: number | null } | null;
  verdicts: ImageVerdict[];
  notes: BzImage["notes"];
  vmlinux?: unknown;
  /** Only for a Unified Kernel Image (ukiReport.ts); a plain image has no `uki` key. */
  uki?: UkiReport;
}

export function imageReport(img: BzImage): ImageReport {
  const pe = img.pe;
  return {
    file: img.file,
    kind: img.kind,
    protocol: img.protocol?.text ?? null,
    setupHeader: img.setupHeader,
    kernelVersion: img.kernelVersion,
    loadflags: { value: img.loadflags.value, bits: img.loadflags.bits },
    xloadflags: img.xloadflags,
    kernelInfo: img.kernelInfo && {
      offset: img.kernelInfo.fileOffset,
      header: img.kernelInfo.header,
      size: img.kernelInfo.size,
      sizeTotal: img.kernelInfo.sizeTotal,
      setupTypeMax: img.kernelInfo.setupTypeMax,
    },
    pe: pe && {
      machine: pe.machineName,
      format: pe.format,
      subsystem: pe.subsystemName,
      signed: pe.signed,
      signers: pe.certificates.flatMap((c) => c.authenticode?.signers ?? []),
      certificates: pe.certificates.flatMap((c) => c.authenticode?.certificates ?? []).map((c) => ({ subject: { ...c.subject }, issuer: { ...c.issuer }, serial: c.serial })),
      sections: pe.sections.map((s) => ({ name: s.name, virtualAddress: s.virtualAddress, virtualSize: s.virtualSize, rawOffset: s.rawOffset, rawSize: s.rawSize, characteristics: s.characteristics })),
    },
    payload: img.payload && {
      compression: img.payload.compression,
      offset: img.payload.offset,
      length: img.payload.length,
      uncompressedSize: img.payload.appendedSize ?? null,
    },
    verdicts: verdictsFor(img),
    notes: img.notes,
  };
}
