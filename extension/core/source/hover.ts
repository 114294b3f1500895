/**
 * One hover implementation for C, asm (.S) and headers: XLF_* and loadflags names,
 * `xloadflags`, CRASH_* constants, setup-header field names, and numeric xloadflags words,
 * all rendered from the knowledge table. Text in, markdown-ready data out.
 */
import { hex } from "../io/hex";
import { XLF, XLOADFLAGS_BITS, decodeXloadflags, xloadflagsBit } from "../knowledge/xloadflags";
import { LOADFLAGS_BITS } from "../knowledge/loadflags";
import { SETUP_HEADER_FIELDS, setupHeaderField } from "../knowledge/setupHeaderFields";
import { protocolText } from "../knowledge/protocolVersions";
import { crashConstant } from "../knowledge/crashConstants";
import type { SourceRange } from "./findings";
import { isIdentChar } from "./scan";

export type HoverLanguage = "c" | "asm" | "header" | "plaintext" | string;

export interface HoverInfo {
  /** The word or number hovered. */
  range: SourceRange;
  kind: "xloadflags-bit" | "loadflags-bit" | "xloadflags" | "setup-header-field" | "crash-constant" | "xloadflags-value";
  title: string;
  /** Markdown lines (join with "\n"). */
  lines: string[];
  markdown: string;
}

/** Field names too common to hover without a label (`name:`) or member access (`->name`, `.name`). */
const AMBIGUOUS_FIELDS = new Set(["header", "version", "jump", "setup_data", "syssize", "ram_size", "vid_mode", "root_dev"]);


/** Markdown joins adjacent plain lines into one paragraph: end each with a hard break instead. */
function toMarkdown(title: string, lines: string[]): string {
  const plain = (l: string | undefined): boolean => !!l && !/^(\||- |\s*$)/.test(l);
  return [`**${title}**`, "", ...lines.map((l, i) => (plain(l) && plain(lines[i + 1]) ? l + "  " : l))].join("\n");
}

function done(range: SourceRange, kind: HoverInfo["kind"], title: string, lines: string[]): HoverInfo {
  return { range, kind, title, lines, markdown: toMarkdown(title, lines) };
}

/** Hover data for the word or number at `offset`, or null. `languageHint` only tunes heuristics. */
export function hoverAt(text: string, offset: number, languageHint: HoverLanguage = "c"): HoverInfo | null {
  if (offset < 0 || offset > text.length) return null;
  let s = offset;
  let e = offset;
  while (s > 0 && isIdentChar(text.charCodeAt(s - 1))) s--;
  while (e < text.length && isIdentChar(text.charCodeAt(e))) e++;
  if (s === e) return null;
  const word = text.slice(s, e);
  const range = { start: s, end: e };

  if (/^\d/.test(word)) return numberHover(text, word, range, languageHint);

  const xb = xloadflagsBit(word);
  if (xb) {
    return done(range, "xloadflags-bit", `${xb.name} — xloadflags bit ${xb.bit} (${hex(xb.mask, 4)})`, [
      xb.meaning,
      "",
      `*Since:* protocol ${xb.sinceProtocol}, kernel ${xb.sinceKernel}${xb.commit ? ` (commit ${xb.commit.slice(0, 12)})` : ""}${xb.status === "proposed" ? " — **proposed, not in mainline**" : ""}`,
      `*Set by header.S when:* ${xb.setWhen}`,
      `*kexec:* ${xb.kexec}`,
      `*Source:* ${xb.source}`,
    ]);
  }
  const lb = LOADFLAGS_BITS.find((b) => b.name === word);
  if (lb) {
    return done(range, "loadflags-bit", `${lb.name} — loadflags bit ${lb.bit} (${hex(lb.mask, 2)})`, [lb.meaning, "", `*Direction:* ${lb.direction}`, "*Source:* Documentation/arch/x86/boot.rst \"loadflags\"; arch/x86/include/uapi/asm/bootparam.h"]);
  }
  const cc = crashConstant(word);
  if (cc) {
    return done(range, "crash-constant", `${cc.name}`, [
      cc.meaning,
      "",
      "| kernels | x86_64 value | defined in |",
      "| --- | --- | --- |",
      ...cc.x86_64.map((r) => `| ${r.kernels} | ${r.value} | ${r.file} |`),
      "",
      ...(cc.x86_32 ? [`*x86_32:* ${cc.x86_32}`] : []),
      ...(cc.commit ? [`*Commit:* ${cc.commit}`] : []),
      `*Source:* ${cc.source}`,
    ]);
  }
  const field = setupHeaderField(word);
  if (field) {
    if (AMBIGUOUS_FIELDS.has(word) && !fieldContext(text, s, e)) return null;
    const lines = [
      field.meaning,
      "",
      `*Offset:* ${hex(field.offset)}, ${field.size} byte${field.size > 1 ? "s" : ""} · *since protocol* ${field.since ? protocolText(field.since) : "all"} · *written by* ${field.writer}`,
      ...(field.kexec ? [`*kexec:* ${field.kexec}`] : []),
    ];
    if (word === "xloadflags") {
      lines.push("", "| bit | mask | name | since |", "| --- | --- | --- | --- |", ...XLOADFLAGS_BITS.map((b) => `| ${b.bit} | ${hex(b.mask, 4)} | ${b.name} | ${b.sinceKernel} |`));
    }
    return done(range, word === "xloadflags" ? "xloadflags" : "setup-header-field", `${field.name} — setup_header ${hex(field.offset)}`, lines);
  }
  return null;
}

/** `name:` label, or `->name` / `.name` member access. */
function fieldContext(text: string, s: number, e: number): boolean {
  let k = e;
  while (text[k] === " " || text[k] === "\t") k++;
  if (text[k] === ":" && text[k + 1] !== ":") return true;
  return text[s - 1] === "." || (text[s - 1] === ">" && text[s - 2] === "-");
}

/** A numeric value is an xloadflags word when its line (or the label line above) says so. */
function numberHover(text: string, word: string, range: SourceRange, _lang: HoverLanguage): HoverInfo | null {
  const m = /^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*$/.exec(word);
  if (!m) return null;
  const lineStart = text.lastIndexOf("\n", range.start - 1) + 1;
  const before = text.slice(lineStart, range.start);
  let context = /xloadflags/i.test(before);
  if (!context && /^\s*\.(word|short|value|2byte)\s*$/.test(before)) {
    // `xloadflags:` on the previous non-blank line, as header.S lays it out.
    const prevEnd = lineStart - 1;
    const prevStart = prevEnd > 0 ? text.lastIndexOf("\n", prevEnd - 1) + 1 : 0;
    context = /\bxloadflags\s*:/.test(text.slice(prevStart, Math.max(prevStart, prevEnd)));
  }
  if (!context) return null;
  const value = Number(m[1]);
  if (!Number.isSafeInteger(value) || value > 0xffff) return null;
  const d = decodeXloadflags(value);
  const lines = XLOADFLAGS_BITS.filter((b) => value & b.mask).map((b) => `- \`${b.name}\` (bit ${b.bit}) — ${b.meaning}`);
  if (!lines.length) lines.push("No bits set.");
  if (d.unknownBits) lines.push(`- unknown bits ${hex(d.unknownBits, 4)} — no mainline kernel defines them`);
  if (value & XLF.XLF_KERNEL_64 && !(value & XLF.XLF_5LEVEL)) lines.push("", "*kexec:* no XLF_5LEVEL — a kernel running 5-level cannot kexec_file_load this image (ee338b9ee282).");
  return done(range, "xloadflags-value", `xloadflags ${hex(value, 4)} = ${d.names.join(" | ") || "0"}`, lines);
}

/** Every name hoverAt() knows, for adapters that want a cheap pre-filter. */
export const HOVER_NAMES: ReadonlySet<string> = new Set([
  ...XLOADFLAGS_BITS.map((b) => b.name),
  ...LOADFLAGS_BITS.map((b) => b.name),
  ...SETUP_HEADER_FIELDS.map((f) => f.name),
  "CRASH_ALIGN",
  "CRASH_ADDR_LOW_MAX",
  "CRASH_ADDR_HIGH_MAX",
]);
