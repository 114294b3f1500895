/**
 * arch/x86/include/uapi/asm/bootparam.h: the XLF_* and loadflags bit values against the
 * knowledge table, overlaps between them, and names the table does not know as mainline
 * (XLF_MEM_ENCRYPTION was only proposed). Source: boot-protocol.md §3, §4.
 */
import { XLOADFLAGS_BITS } from "../knowledge/xloadflags";
import { LOADFLAGS_BITS } from "../knowledge/loadflags";
import { type Finding, LineIndex, makeFinding } from "./findings";
import { type Define, evalCExpr, maskText, preprocess } from "./scan";

interface KnownBit {
  name: string;
  bit: number;
  mask: number;
  mainline: boolean;
  family: "xloadflags" | "loadflags";
}

const KNOWN: readonly KnownBit[] = [
  ...XLOADFLAGS_BITS.map((b) => ({ name: b.name, bit: b.bit, mask: b.mask, mainline: b.status === "mainline", family: "xloadflags" as const })),
  ...LOADFLAGS_BITS.map((b) => ({ name: b.name, bit: b.bit, mask: b.mask, mainline: true, family: "loadflags" as const })),
];

export function analyseBootparamH(text: string): Finding[] {
  const index = new LineIndex(text);
  const pp = preprocess(maskText(text));
  const findings: Finding[] = [];
  const byName = new Map<string, Define>();
  for (const d of pp.defines) byName.set(d.name, d);
  const resolve = (id: string, depth = 0): bigint | undefined => {
    const d = byName.get(id);
    if (!d || depth > 8) return undefined;
    return evalCExpr(d.value, (n) => resolve(n, depth + 1)).value;
  };

  // Defined bits per family, in file order, for the overlap check.
  const taken: { family: string; name: string; mask: bigint; define: Define }[] = [];
  for (const d of pp.defines) {
    const known = KNOWN.find((k) => k.name === d.name);
    const isXlf = d.name.startsWith("XLF_");
    if (!known && !isXlf) continue;
    const family = known?.family ?? "xloadflags";
    const value = evalCExpr(d.value, (n) => resolve(n)).value;
    if (value === undefined) continue;
    const range = { start: d.valueStart, end: d.valueEnd };
    const wrongValue = known !== undefined && value !== BigInt(known.mask);
    const fix = known ? [{ title: `Restore ${known.name} = (1<<${known.bit})`, edits: [{ range, newText: `(1<<${known.bit})` }] }] : [];

    const clash = taken.find((t) => t.family === family && (t.mask & value) !== 0n);
    if (clash) {
      findings.push(
        makeFinding(index, "bootparam-bit-overlap", "warning", `${d.name} (0x${value.toString(16)}) shares a bit with ${clash.name} (line ${index.position(clash.define.start).line}): a loader could not tell them apart.`, range, wrongValue ? fix : []),
      );
    } else if (wrongValue) {
      findings.push(makeFinding(index, "bootparam-bit-value", "warning", `${d.name} is 0x${value.toString(16)} here but bit ${known.bit} (0x${known.mask.toString(16)}) in the boot protocol; images and loaders built from this header would disagree.`, range, fix));
    }
    if (!known || !known.mainline) {
      const msg = known
        ? `${d.name} (bit ${known.bit}) was only proposed for memory-encryption-aware loaders; no mainline kernel sets it and no loader checks it.`
        : `${d.name} is not an xloadflags bit the knowledge table knows (mainline bits 0–6); no loader checks it.`;
      findings.push(makeFinding(index, "bootparam-bit-unknown", "info", msg, { start: d.nameStart, end: d.nameStart + d.name.length }));
    }
    taken.push({ family, name: d.name, mask: value, define: d });
  }
  return findings;
}
