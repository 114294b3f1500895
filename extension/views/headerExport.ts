/** "Copy header as Markdown / JSON": text made from the same ImageView the editor renders. */
import { hex } from "../core/io/hex";
import type { ImageView } from "../protocol/image";

/** Hex padded to a field's width in bytes. */
const hexBytes = (n: number, bytes: number): string => hex(n, bytes * 2);

/** File-derived text goes into a code span, so markup in it stays literal in any renderer. */
function mdCode(s: string): string {
  const flat = s.replace(/[\r\n]+/g, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

export function headerAsMarkdown(v: ImageView): string {
  const lines = [
    `## Setup header of ${mdCode(v.fileName.split(/[\\/]/).pop() ?? v.fileName)}`,
    "",
    `- Kernel version: ${v.summary.kernelVersion === null ? "(none)" : mdCode(v.summary.kernelVersion)}`,
    `- Boot protocol: ${v.summary.protocol ?? "(no HdrS)"}`,
    `- Architecture: ${v.summary.architecture}`,
    `- xloadflags: ${v.xloadflags ? `${hexBytes(v.xloadflags.value, 2)} (${v.xloadflags.bits.filter((b) => b.set).map((b) => b.name).join(" | ") || "none"})` : "(absent before protocol 2.12)"}`,
    `- ${v.summary.verdictLine}`,
    "",
    "| offset | size | field | value | decimal | since |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const f of v.fields) {
    const value = !f.present ? `(absent, since ${f.sinceText})` : (f.rawHex ?? "(past EOF)");
    const dec = f.present && f.raw !== null ? String(f.raw) : "";
    lines.push(`| ${hexBytes(f.offset, 2)} | ${f.size} | ${f.name} | ${value} | ${dec} | ${f.sinceText} |`);
  }
  return lines.join("\n") + "\n";
}

/** Same field names and null-for-absent rule as the CLI's `image --json` setupHeader. */
export function headerAsJson(v: ImageView): string {
  const setupHeader: Record<string, number | string | null> = {};
  for (const f of v.fields) {
    // Values above 2^53 keep their exact hex form.
    setupHeader[f.name] = !f.present ? null : f.raw !== null && Number.isSafeInteger(f.raw) ? f.raw : f.rawHex;
  }
  return (
    JSON.stringify(
      {
        file: v.fileName,
        protocol: v.summary.protocol,
        kernelVersion: v.summary.kernelVersion,
        setupHeader,
        loadflags: v.loadflags,
        xloadflags: v.xloadflags && { value: v.xloadflags.value, bits: v.xloadflags.bits.filter((b) => b.set).map((b) => b.name), unknownBits: v.xloadflags.unknownBits },
      },
      null,
      2,
    ) + "\n"
  );
}
