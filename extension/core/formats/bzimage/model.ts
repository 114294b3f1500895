/**
 * The parsed bzImage: plain data, no methods, so it can cross to a webview as JSON.
 * Filled by parseBzImage (bzImage.ts); PE and payload parts come from pe.ts / payload.ts.
 */
import type { SetupHeaderName, SetupHeaderValues } from "../../knowledge/setupHeaderFields";
import type { PeInfo } from "./pe";
import type { PayloadInfo } from "./payload";

export interface Note {
  severity: "error" | "warning" | "info";
  /** File offset the note is about, when there is one. */
  offset?: number;
  field?: string;
  message: string;
}

export interface FieldValue {
  name: SetupHeaderName;
  offset: number;
  size: number;
  /** Protocol word that introduced the field (0 = every image). */
  since: number;
  /** Announced by this image's protocol version and inside the header (0x202 + byte[0x201]). */
  present: boolean;
  /** Raw value as stored, also for absent fields (it is whatever bytes sit there); null past EOF. */
  raw: number | null;
}

export interface KernelInfo {
  fileOffset: number;
  header: string;
  magicOk: boolean;
  size: number;
  sizeTotal: number;
  setupTypeMax: number;
}

export interface BzImage {
  file: string;
  fileSize: number;
  /** "bzImage" with a setup header; "zImage" when LOADED_HIGH is clear; "old" without HdrS. */
  kind: "bzImage" | "zImage" | "old";
  protocol: { word: number; text: string } | null;
  /** struct setup_header field name → value, null when this protocol does not define it. */
  setupHeader: SetupHeaderValues;
  fields: FieldValue[];
  /** Exclusive end of the header from the jump at 0x200 (0x202 + byte[0x201]). */
  headerEnd: number;
  /** setup_sects with the 0 → 4 rule applied. */
  setupSects: number;
  /** File offset of the protected-mode code: (setup_sects + 1) * 512. */
  protectedModeOffset: number;
  kernelVersion: string | null;
  /** Parsed leading "major.minor[.patch]" of kernelVersion, for version gating. */
  kernelRelease: { major: number; minor: number; patch: number } | null;
  loadflags: { value: number; bits: string[]; unknownBits: number };
  xloadflags: { value: number; bits: string[]; unknownBits: number } | null;
  kernelInfo: KernelInfo | null;
  pe: PeInfo | null;
  payload: PayloadInfo | null;
  notes: Note[];
}
