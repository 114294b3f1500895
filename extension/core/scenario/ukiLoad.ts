/**
 * kexec-tools loading a Unified Kernel Image, attempt by attempt, as knowledge/ukiLoaders.ts
 * describes it: no UKI probe before 2.0.30; 2.0.30 hands the UKI itself to kexec_file_load on
 * x86-64; from 2.0.31 kexec_file_load gets the kernel from .linux and the initrd from .initrd;
 * a refused kexec_file_load falls back to kexec_load, which gets the UKI's own bytes.
 */
import type { KexecToolsProfile } from "../kexec/kernelProfiles";
import type { KexecImage } from "../kexec/kexecImage";
import { fallsBack, type LoaderPlan } from "../kexec/loaderChoice";
import type { PlacementResult } from "../kexec/placement";
import { kexecLoadOfUkiBytes, type UkiFacts } from "../kexec/ukiVerdicts";
import { ukiLoaderRowFor } from "../knowledge/ukiLoaders";

export interface UkiAttempts {
  attempts: PlacementResult[];
  /** The row of the table that decided, for the verdict's source. */
  rowId: string;
  /** True when the last attempt is kexec_load of the UKI's own bytes (never the kernel in .linux). */
  stubBytes: boolean;
}

const refused = (iface: PlacementResult["interface"], reason: string, errno: PlacementResult["errno"], log: string[] = []): PlacementResult => ({
  interface: iface,
  loader: null,
  accepted: false,
  reason,
  errno,
  segments: [],
  log,
});

export function ukiAttempts(uki: UkiFacts, image: KexecImage, tools: KexecToolsProfile, plan: LoaderPlan, viaFile: () => PlacementResult, cmdlineLen: number): UkiAttempts {
  const row = ukiLoaderRowFor("kexec-tools", tools.version);
  const viaLoadOfBytes = (): PlacementResult => {
    const b = kexecLoadOfUkiBytes(uki, cmdlineLen);
    return b.refused
      ? refused("kexec_load", b.why, null, [`kexec_load of the UKI's own bytes: ${b.why}`])
      : { interface: "kexec_load", loader: "bzImage64 (on the UKI's stub bytes)", accepted: true, reason: "", errno: null, segments: [], log: [b.why] };
  };
  if (row.id === "kexec-tools.none") {
    return { attempts: [refused(plan.first, `Cannot determine the file type of ${image.name}`, null)], rowId: row.id, stubBytes: false };
  }
  const attempts: PlacementResult[] = [];
  if (plan.first === "kexec_file_load") {
    // 2.0.30 on x86-64 passes the UKI itself: bzImage64_probe() finds no HdrS at 0x202.
    const f = row.id === "kexec-tools.2.0.30" ? refused("kexec_file_load", "kexec-bzImage64: Not a bzImage", "ENOEXEC") : viaFile();
    attempts.push(f);
    if (fallsBack(plan, f)) attempts.push(viaLoadOfBytes());
  } else attempts.push(viaLoadOfBytes());
  const last = attempts[attempts.length - 1]!;
  return { attempts, rowId: row.id, stubBytes: last.interface === "kexec_load" };
}
