import type { BzImage } from "./model";
import { imageVerdicts, type ProbeInput, type Verdict } from "../../kexec/imageVerdicts";

/** The probe facts of a parsed image, for the verdict rules and the simulator. */
export function probeInput(img: BzImage): ProbeInput {
  return {
    fileSize: img.fileSize,
    hasHdrS: img.protocol !== null,
    bootFlag: img.setupHeader["boot_flag"] ?? null,
    version: img.protocol?.word ?? 0,
    loadflags: img.loadflags.value,
    xloadflags: img.xloadflags?.value ?? null,
  };
}

export function verdictsFor(img: BzImage): Verdict[] {
  return imageVerdicts(probeInput(img));
}

/** The CLI contract's `image --json` document (../shared/design/ARCHITECTURE.md). */
export interface ImageReport {
  file: string;
  kind: BzImage["kind"];
  protocol: string | null;
  setupHeader: Record<string, number | null>;
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
  verdicts: Verdict[];
  notes: BzImage["notes"];
  vmlinux?: unknown;
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
