/**
 * arch/x86/boot/header.S: the xloadflags word, the XLFn macros that build it, and the
 * announced boot-protocol version against the header fields the file defines.
 * Source: ../shared/spec/boot-protocol.md §4.1 (how header.S computes the word, by version), §2, §6.
 */
import { hex } from "../io/formatError";
import { XLOADFLAGS_BITS, XLF, XLF_KNOWN_MASK, decodeXloadflags, xloadflagsBit } from "../knowledge/xloadflags";
import { SETUP_HEADER_FIELDS } from "../knowledge/setupHeaderFields";
import { NEWEST_PROTOCOL, protocolText } from "../knowledge/protocolVersions";
import { type Finding, type Fix, type InlineHint, LineIndex, makeFinding } from "./findings";
import { type Config, type Define, evalCExpr, maskText, preprocess } from "./scan";

export interface BuildProfile {
  label: string;
  config: Config;
  x86_64: boolean;
  level5: boolean;
}

const COMMON = { CONFIG_RELOCATABLE: true, CONFIG_EFI: true, CONFIG_EFI_STUB: true, CONFIG_EFI_HANDOVER_PROTOCOL: true, CONFIG_KEXEC: true, CONFIG_KEXEC_CORE: true };

/** Distribution-like builds: the values of boot-protocol.md §4.1 "Typical values". */
export const BUILD_PROFILES: readonly BuildProfile[] = [
  { label: "x86_64, X86_5LEVEL=y", x86_64: true, level5: true, config: { ...COMMON, CONFIG_X86_64: true, CONFIG_EFI_MIXED: true, CONFIG_X86_5LEVEL: true } },
  { label: "x86_64, X86_5LEVEL=n", x86_64: true, level5: false, config: { ...COMMON, CONFIG_X86_64: true, CONFIG_EFI_MIXED: true } },
  { label: "i386", x86_64: false, level5: false, config: { ...COMMON, CONFIG_X86_32: true } },
];

export interface HeaderSAnalysis {
  findings: Finding[];
  hints: InlineHint[];
  /** Computed word per profile, when the xloadflags word was found. */
  xloadflags: { profile: string; value: number; bits: string[] }[];
}

interface Term {
  text: string;
  start: number;
  end: number;
}

const L5 = XLF.XLF_5LEVEL;
const L5E = XLF.XLF_5LEVEL_ENABLED;

/** xloadflags values print as at least two hex digits, as header.S writes them. */
const hex2 = (v: number): string => hex(v, 2);

/** The value the XLF56 term must have for a profile (boot-protocol.md §4.1, v5.3–v6.15 shape). */
function expected56(p: BuildProfile, has5LevelOption: boolean): string {
  if (!p.x86_64) return "0";
  return p.level5 || !has5LevelOption ? "(XLF_5LEVEL|XLF_5LEVEL_ENABLED)" : "XLF_5LEVEL";
}

export function analyseHeaderS(text: string): HeaderSAnalysis {
  const index = new LineIndex(text);
  const masked = maskText(text, { asm: true });
  const pp = preprocess(masked);
  const findings: Finding[] = [];
  const hints: InlineHint[] = [];
  const computed: HeaderSAnalysis["xloadflags"] = [];
  const seen = new Set<string>();
  const push = (f: Finding): void => {
    const key = `${f.rule}@${f.range.start}`;
    if (!seen.has(key)) {
      seen.add(key);
      findings.push(f);
    }
  };

  checkProtocol(text, masked, index, push);

  const label = findLabel(masked, "xloadflags");
  if (label < 0) return { findings, hints, xloadflags: computed };
  const word = findDirective(masked, ".word", label);
  if (!word) return { findings, hints, xloadflags: computed };
  const terms = splitTerms(masked, word.start, word.end);
  const has5LevelOption = /CONFIG_X86_5LEVEL\b/.test(masked);
  const fiveLevelAware = has5LevelOption || /\bXLF_5LEVEL/.test(masked) || (announcedVersion(masked)?.value ?? 0) >= 0x020f;
  const profiles = BUILD_PROFILES.filter((p) => has5LevelOption || p.label !== "x86_64, X86_5LEVEL=n");

  const activeDefine = (name: string, cfg: Config): Define | undefined => {
    let found: Define | undefined;
    for (const d of pp.defines) if (d.name === name && d.start < word.start && d.when(cfg)) found = d;
    return found;
  };
  const evalIn = (src: string, cfg: Config, depth = 0): number | undefined => {
    const r = evalCExpr(src, (id) => {
      const known = xloadflagsBit(id)?.mask;
      if (known !== undefined) return BigInt(known);
      if (depth > 8) return undefined;
      const d = activeDefine(id, cfg);
      if (!d) return undefined;
      const v = evalIn(d.value, cfg, depth + 1);
      return v === undefined ? undefined : BigInt(v);
    });
    return r.value === undefined ? undefined : Number(r.value & 0xffffn);
  };

  // Unknown XLF names anywhere in the word's macros (every branch, not only a profile's).
  const closure = macroClosure(terms.map((t) => t.text).join(" "), pp.defines, word.start);
  for (const d of closure) checkUnknownIdentifiers(d.value, d.valueStart, index, push);
  for (const t of terms) checkUnknownIdentifiers(t.text, t.start, index, push);

  const tooltip: string[] = [];
  for (const p of profiles) {
    const cfg = p.config;
    const termValues = terms.map((t) => evalIn(t.text, cfg));
    if (termValues.some((v) => v === undefined)) continue;
    const value = termValues.reduce<number>((m, v) => m | (v ?? 0), 0);
    const bits = decodeXloadflags(value);
    computed.push({ profile: p.label, value, bits: bits.names });
    tooltip.push(`${p.label}: ${hex2(value)} = ${bits.names.join(" | ") || "0"}`);

    if (value & ~XLF_KNOWN_MASK & 0xffff) {
      push(makeFinding(index, "xlf-unknown-bit", "warning", `xloadflags sets bit(s) ${hex2(value & ~XLF_KNOWN_MASK & 0xffff)} for ${p.label}; no mainline kernel defines them (arch/x86/include/uapi/asm/bootparam.h).`, { start: word.start, end: word.end }));
    }
    // Two terms contributing the same bit.
    for (let a = 0; a < terms.length; a++) {
      for (let b = a + 1; b < terms.length; b++) {
        const both = (termValues[a] ?? 0) & (termValues[b] ?? 0);
        if (both) {
          const names = decodeXloadflags(both).names.join(", ") || hex2(both);
          const tb = terms[b]!;
          push(makeFinding(index, "xlf-duplicate-bit", "warning", `${terms[a]!.text} and ${tb.text} both set ${names} (${p.label}); each XLFn term should own its bits.`, { start: tb.start, end: tb.end }));
        }
      }
    }

    const responsible = (bit: number): { term: Term; define?: Define } | undefined => {
      // The term that sets this bit in any profile is the 5-level term (XLF56 in 5.3+).
      for (const q of profiles) {
        for (const t of terms) {
          const v = evalIn(t.text, q.config);
          if (v !== undefined && v & bit) {
            const ident = /^[A-Za-z_]\w*$/.test(t.text) ? activeDefine(t.text, cfg) : undefined;
            return { term: t, define: ident };
          }
        }
      }
      return undefined;
    };

    if (p.x86_64 && fiveLevelAware && !(value & L5)) {
      const r = responsible(L5);
      const msg = `xloadflags lacks XLF_5LEVEL for ${p.label} (computed ${hex2(value)}): a 5-level kernel cannot kexec into this one — kexec_file_load refuses it (ee338b9ee282) and kexec_load's jump faults (f2d08c5d3bcf sets the bit on every x86_64 build since 5.3).`;
      if (r?.define) {
        const d = r.define;
        push(makeFinding(index, "xlf-5level-missing", "warning", msg, { start: d.valueStart, end: d.valueEnd }, [replaceFix(`Set ${d.name} to ${expected56(p, has5LevelOption)}`, d, expected56(p, has5LevelOption))]));
      } else {
        const unused = findUnusedFiveLevelMacro(pp.defines, closure, word.start, cfg, evalIn);
        const fixes: Fix[] = unused ? [{ title: `Add ${unused} to the xloadflags word`, edits: [{ range: { start: word.end, end: word.end }, newText: ` | ${unused}` }] }] : [];
        push(makeFinding(index, "xlf-5level-missing", "warning", msg, { start: word.start, end: word.end }, fixes));
      }
    }
    const enabledWithout = (value & L5E) !== 0 && (!p.x86_64 || !(value & L5) || (has5LevelOption && !p.level5));
    if (enabledWithout) {
      const why = !p.x86_64 ? "a 32-bit build" : !(value & L5) ? "a build without XLF_5LEVEL" : "a CONFIG_X86_5LEVEL=n build";
      const msg = `XLF_5LEVEL_ENABLED is set for ${why} (${p.label}): loaders would treat this 4-level-only kernel as able to run above 64 TiB.`;
      const r = responsible(L5E);
      if (r?.define) {
        const d = r.define;
        push(makeFinding(index, "xlf-5level-enabled-without-5level", "warning", msg, { start: d.valueStart, end: d.valueEnd }, [replaceFix(`Set ${d.name} to ${expected56(p, has5LevelOption)}`, d, expected56(p, has5LevelOption))]));
      } else {
        push(makeFinding(index, "xlf-5level-enabled-without-5level", "warning", msg, { start: word.start, end: word.end }));
      }
    }
  }

  if (computed.length) {
    const eol = lineEnd(text, word.end);
    const pos = index.position(eol);
    const label = computed.map((c, i) => `${hex2(c.value)} (${i === 0 ? c.profile : c.profile.replace(/^x86_64, /, "")})`).join(" · ");
    hints.push({ offset: eol, line: pos.line, column: pos.column, label: ` = ${label}`, tooltip: tooltip.join("\n") });
  }
  return { findings, hints, xloadflags: computed };
}

function replaceFix(title: string, d: Define, value: string): Fix {
  return { title, edits: [{ range: { start: d.valueStart, end: d.valueEnd }, newText: value }] };
}

function lineEnd(text: string, from: number): number {
  const e = text.indexOf("\n", from);
  return e < 0 ? text.length : e;
}

/** Offset of `name:` used as a label (start of the name), or -1. */
export function findLabel(masked: string, name: string): number {
  let i = masked.indexOf(name);
  while (i >= 0) {
    const before = i > 0 ? masked[i - 1]! : "\n";
    let k = i + name.length;
    while (masked[k] === " " || masked[k] === "\t") k++;
    if (/\s/.test(before) && masked[k] === ":") return i;
    i = masked.indexOf(name, i + name.length);
  }
  return -1;
}

/** The operand range of the first `directive` (e.g. `.word`) after `from`. */
function findDirective(masked: string, directive: string, from: number): { start: number; end: number } | undefined {
  let i = masked.indexOf(directive, from);
  while (i >= 0) {
    const after = masked[i + directive.length];
    if (after === " " || after === "\t") {
      let s = i + directive.length;
      while (masked[s] === " " || masked[s] === "\t") s++;
      let e = masked.indexOf("\n", s);
      if (e < 0) e = masked.length;
      while (e > s && /\s/.test(masked[e - 1]!)) e--;
      return { start: s, end: e };
    }
    i = masked.indexOf(directive, i + 1);
  }
  return undefined;
}

/** Top-level `|` terms of an operand. */
function splitTerms(masked: string, start: number, end: number): Term[] {
  const out: Term[] = [];
  let depth = 0;
  let s = start;
  const flush = (e: number): void => {
    let a = s;
    let b = e;
    while (a < b && /\s/.test(masked[a]!)) a++;
    while (b > a && /\s/.test(masked[b - 1]!)) b--;
    if (b > a) out.push({ text: masked.slice(a, b), start: a, end: b });
  };
  for (let i = start; i < end; i++) {
    const c = masked[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) {
      flush(i);
      s = i + 1;
    }
  }
  flush(end);
  return out;
}

/** Every #define (any branch) reachable from the identifiers of `src`, defined before `limit`. */
function macroClosure(src: string, defines: readonly Define[], limit: number): Define[] {
  const out: Define[] = [];
  const queue: string[] = src.match(/[A-Za-z_]\w*/g) ?? [];
  const visited = new Set<string>();
  while (queue.length) {
    const id = queue.shift()!;
    if (visited.has(id)) continue;
    visited.add(id);
    for (const d of defines) {
      if (d.name === id && d.start < limit) {
        out.push(d);
        queue.push(...(d.value.match(/[A-Za-z_]\w*/g) ?? []));
      }
    }
  }
  return out;
}

function checkUnknownIdentifiers(value: string, base: number, index: LineIndex, push: (f: Finding) => void): void {
  const re = /\bXLF_\w+/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const bit = XLOADFLAGS_BITS.find((b) => b.name === m![0]);
    if (bit?.status === "mainline") continue;
    const why = bit ? `${bit.name} (bit ${bit.bit}) was only proposed, never merged; no loader checks it` : `${m[0]} is not an xloadflags bit the boot protocol defines`;
    push(makeFinding(index, "xlf-unknown-bit", "warning", `${why} (arch/x86/include/uapi/asm/bootparam.h).`, { start: base + m.index, end: base + m.index + m[0].length }));
  }
}

/** A macro defined near the word that yields XLF_5LEVEL but is not part of it (the dropped XLF56). */
function findUnusedFiveLevelMacro(
  defines: readonly Define[],
  closure: readonly Define[],
  limit: number,
  cfg: Config,
  evalIn: (src: string, cfg: Config) => number | undefined,
): string | undefined {
  const used = new Set(closure.map((d) => d.name));
  for (const d of defines) {
    if (d.start >= limit || used.has(d.name) || !d.when(cfg)) continue;
    const v = evalIn(d.value, cfg);
    if (v !== undefined && v & L5) return d.name;
  }
  return undefined;
}

/** The `.word` after `"HdrS"`: the announced protocol version. */
function announcedVersion(masked: string): { value: number; start: number; end: number } | undefined {
  const h = masked.indexOf('"HdrS"');
  if (h < 0) return undefined;
  const w = findDirective(masked, ".word", h);
  if (!w) return undefined;
  const m = /^(0[xX][0-9a-fA-F]+|\d+)/.exec(masked.slice(w.start, w.end));
  if (!m) return undefined;
  return { value: Number(m[1]), start: w.start, end: w.start + m[1]!.length };
}

function checkProtocol(text: string, masked: string, index: LineIndex, push: (f: Finding) => void): void {
  const v = announcedVersion(masked);
  if (!v) return;
  const range = { start: v.start, end: v.end };
  if (v.value > NEWEST_PROTOCOL) {
    push(makeFinding(index, "header-protocol-version", "info", `Boot protocol ${protocolText(v.value)} is newer than the knowledge table (${protocolText(NEWEST_PROTOCOL)}); fields it adds are not checked.`, range));
  }
  let needed = 0;
  let neededBy = "";
  let neededAt = -1;
  for (const f of SETUP_HEADER_FIELDS) {
    if (f.since <= v.value) continue;
    const at = findLabel(masked, f.name);
    if (at < 0) continue;
    if (f.since > needed) {
      needed = f.since;
      neededBy = f.name;
      neededAt = at;
    }
  }
  if (needed) {
    const width = text.slice(v.start, v.end).length - 2;
    const newText = "0x" + needed.toString(16).padStart(Math.max(4, width), "0");
    const fieldLine = index.position(neededAt).line;
    push(
      makeFinding(index, "header-protocol-version", "warning", `The header announces protocol ${protocolText(v.value)} but defines ${neededBy} (line ${fieldLine}), which needs ${protocolText(needed)}: loaders will ignore it.`, range, [
        { title: `Announce protocol ${protocolText(needed)} (${newText})`, edits: [{ range, newText }] },
      ]),
    );
  }
}
