/**
 * A kexec target read from a file, as every front end needs it: a bzImage/vmlinuz, or a UKI
 * (the kernel in .linux plus the UKI's facts). The CLI loaders and the simulation panel both
 * read targets here, so a UKI means the same thing in each.
 */
import { openFile } from "../io/byteSource";
import { parseKernelImage } from "../formats/bzimage/uki";
import type { KexecImage } from "../kexec/kexecImage";
import type { UkiFacts } from "../kexec/ukiVerdicts";
import { kexecImageOf } from "./imageReport";
import { ukiFacts } from "./ukiReport";

export interface TargetImage {
  /** The kernel that would run (for a UKI, the one in .linux). */
  image: KexecImage;
  uki: UkiFacts | null;
}

export function readTargetImage(path: string): TargetImage {
  const src = openFile(path);
  try {
    const { img, uki } = parseKernelImage(src);
    const image = { ...kexecImageOf(img), name: path };
    return { image, uki: uki ? ukiFacts(uki) : null };
  } finally {
    src.close();
  }
}
