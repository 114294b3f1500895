/**
 * The `image --json` document for a UKI: the plain image report of the kernel in `.linux`
 * (setupHeader, xloadflags, kernelVersion, payload, verdicts exactly as for that kernel on its own;
 * payload.offset and kernelInfo.offset are offsets in the UKI file) plus a `uki` block with the
 * UKI's own facts and the per-loader verdicts. A plain image's report has no `uki` key.
 */
import { imageReport, kexecImageOf, type ImageReport } from "./imageReport";
import type { InitrdCompression, SbatEntry, UkiInfo } from "../formats/bzimage/uki";
import { ukiVerdicts, type UkiFacts, type UkiVerdict, type UkiVerdictOptions } from "../kexec/ukiVerdicts";

const EFI_APPLICATION = 10;

export interface UkiReport {
  sections: { name: string; offset: number; size: number }[];
  /** The kernel's place in the file (.linux). */
  linux: { offset: number; size: number };
  /** From .sdmagic; null when the stub does not say. */
  stub: { name: string; version: string } | null;
  cmdline: string | null;
  osrel: Record<string, string> | null;
  uname: string | null;
  initrd: { offset: number; size: number; compression: InitrdCompression } | null;
  sbat: SbatEntry[] | null;
  /** The UKI's own Authenticode signature (the kernel's is in `pe`). */
  signature: { signed: boolean; signers: string[] };
  verdicts: UkiVerdict[];
  notes: UkiInfo["notes"];
}

/** The facts about a parsed UKI that the loader rules read. */
export function ukiFacts(u: UkiInfo): UkiFacts {
  return {
    fileSize: u.fileSize,
    efiApplication: u.pe.subsystem === EFI_APPLICATION,
    hasOsrel: u.sections.some((s) => s.name === ".osrel"),
    linux: { offset: u.linux.offset, virtualSize: u.linux.virtualSize, rawSize: u.linux.rawSize },
    initrd: u.initrd && { size: u.initrd.size },
    cmdline: u.cmdline,
    stubHeader: u.stubHeader,
    kernelSigned: u.kernel.pe?.signed ?? false,
  };
}

export function ukiVerdictsFor(u: UkiInfo, opts?: UkiVerdictOptions): UkiVerdict[] {
  return ukiVerdicts(ukiFacts(u), kexecImageOf(u.kernel), opts);
}

export function ukiReportBlock(u: UkiInfo): UkiReport {
  return {
    sections: u.sections.map((s) => ({ name: s.name, offset: s.offset, size: s.size })),
    linux: { offset: u.linux.offset, size: u.linux.size },
    stub: u.stub && { name: u.stub.name, version: u.stub.version },
    cmdline: u.cmdline,
    osrel: u.osrel,
    uname: u.uname,
    initrd: u.initrd && { offset: u.initrd.offset, size: u.initrd.size, compression: u.initrd.compression },
    sbat: u.sbat,
    signature: { signed: u.signature.signed, signers: u.signature.signers },
    verdicts: ukiVerdictsFor(u),
    notes: u.notes,
  };
}

export function ukiImageReport(u: UkiInfo): ImageReport {
  return { ...imageReport(u.kernel), file: u.file, uki: ukiReportBlock(u) };
}
