/**
 * arch/x86/kernel/kexec-bzimage64.c: bzImage64_probe() must keep its header checks and,
 * since ee338b9ee282 (v5.3), refuse a target without XLF_5LEVEL while the running kernel
 * uses 5-level paging. Source: ../shared/spec/kexec.md §B.1.
 */
import { compareVersions, parseKernelRelease } from "../knowledge/kernelRelease";
import { kernelRule } from "../knowledge/kernelRules";
import { type Finding, LineIndex, makeFinding } from "./findings";
import { maskText, matchBrace } from "./scan";

export interface KexecProbeOptions {
  /** Kernel release of the tree ("5.2", "6.1"); the 5-level check is expected from 5.3. Unknown = current. */
  kernelVersion?: string;
}

/** Checks 2–7 of kexec.md §B.1: what each looks for in the body, and what losing it means. */
const PROBE_CHECKS: readonly { token: RegExp; what: string }[] = [
  { token: /"HdrS"/, what: "the \"HdrS\" magic test (\"Not a bzImage\")" },
  { token: /0xAA55/i, what: "the boot_flag 0xAA55 test (\"No x86 boot sector present\")" },
  { token: /0x020C/i, what: "the protocol ≥ 2.12 test (\"Must be at least protocol version 2.12\")" },
  { token: /\bLOADED_HIGH\b/, what: "the LOADED_HIGH test (\"zImage not a bzImage\")" },
  { token: /\bXLF_KERNEL_64\b/, what: "the XLF_KERNEL_64 test (\"Not a bzImage64\")" },
  { token: /\bXLF_CAN_BE_LOADED_ABOVE_4G\b/, what: "the XLF_CAN_BE_LOADED_ABOVE_4G test" },
];

/** Does a tree of this release have the 5-level refusal (the knowledge table's row)? Unknown counts as yes. */
function hasRefusalRule(version: string | undefined): boolean {
  const r = version ? parseKernelRelease(version) : null;
  return r === null || compareVersions(`${r.major}.${r.minor}`, kernelRule("kexec-file-5level-check").since) >= 0;
}

export function analyseKexecBzimage64(text: string, opts: KexecProbeOptions = {}): Finding[] {
  const index = new LineIndex(text);
  const masked = maskText(text, { strings: true });
  const commentsOnly = maskText(text);
  const findings: Finding[] = [];

  const fn = findFunction(masked, "bzImage64_probe");
  if (!fn) return findings;
  const body = commentsOnly.slice(fn.open, fn.close);
  const nameRange = { start: fn.nameAt, end: fn.nameAt + "bzImage64_probe".length };

  for (const c of PROBE_CHECKS) {
    if (!c.token.test(body)) {
      findings.push(makeFinding(index, "kexec-probe-check-removed", "warning", `bzImage64_probe() no longer has ${c.what}; kexec_file_load would accept images the bzImage64 loader cannot boot (arch/x86/kernel/kexec-bzimage64.c bzImage64_probe()).`, nameRange));
    }
  }

  if (hasRefusalRule(opts.kernelVersion) && !hasFiveLevelRefusal(masked.slice(fn.open, fn.close))) {
    const header = /struct\s+setup_header\s*\*\s*(\w+)/.exec(masked.slice(fn.open, fn.close))?.[1] ?? "header";
    const at = insertionPoint(text, masked, fn.open, fn.close);
    const indent = "\t";
    const block =
      `${indent}if (!(${header}->xloadflags & XLF_5LEVEL) && pgtable_l5_enabled()) {\n` +
      `${indent}${indent}pr_err("bzImage cannot handle 5-level paging mode.\\n");\n` +
      `${indent}${indent}return ret;\n` +
      `${indent}}\n\n`;
    findings.push(
      makeFinding(
        index,
        "kexec-probe-5level",
        "warning",
        "bzImage64_probe() no longer refuses a target without XLF_5LEVEL while running 5-level: kexec_file_load would load a kernel whose decompressor takes a #GP when entered with LA57 on (ee338b9ee282, v5.3).",
        nameRange,
        at === undefined ? [] : [{ title: "Restore the 5-level refusal", edits: [{ range: { start: at, end: at }, newText: block }] }],
      ),
    );
  }
  return findings;
}

/** `if (... XLF_5LEVEL ... pgtable_l5_enabled() ...)` whose statement returns. */
function hasFiveLevelRefusal(body: string): boolean {
  const re = /\bif\s*\(/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const open = m.index + m[0].length - 1;
    let depth = 0;
    let close = -1;
    for (let i = open; i < body.length; i++) {
      if (body[i] === "(") depth++;
      else if (body[i] === ")" && --depth === 0) {
        close = i;
        break;
      }
    }
    if (close < 0) return false;
    const cond = body.slice(open, close + 1);
    if (!/\bXLF_5LEVEL\b/.test(cond) || !/\bpgtable_l5_enabled\b/.test(cond)) continue;
    // The guarded statement: a block or a single statement up to ';'.
    let k = close + 1;
    while (k < body.length && /\s/.test(body[k]!)) k++;
    const stmtEnd = body[k] === "{" ? matchBrace(body, k) : body.indexOf(";", k);
    if (stmtEnd > 0 && /\breturn\b/.test(body.slice(k, stmtEnd + 1))) return true;
  }
  return false;
}

/** Before the final `ret = 0;` (and the comment lines just above it), else before the last return. */
function insertionPoint(text: string, masked: string, open: number, close: number): number | undefined {
  const body = masked.slice(open, close);
  let target = body.lastIndexOf("ret = 0;");
  if (target < 0) target = body.lastIndexOf("return");
  if (target < 0) return undefined;
  let lineStart = text.lastIndexOf("\n", open + target) + 1;
  // Walk up over comment-only lines directly above (masked blank, original not).
  for (;;) {
    if (lineStart <= open + 1) break;
    const prevStart = text.lastIndexOf("\n", lineStart - 2) + 1;
    const orig = text.slice(prevStart, lineStart - 1);
    const mask = masked.slice(prevStart, lineStart - 1);
    if (orig.trim() !== "" && mask.trim() === "") lineStart = prevStart;
    else break;
  }
  return lineStart;
}

function findFunction(masked: string, name: string): { nameAt: number; open: number; close: number } | undefined {
  let i = masked.indexOf(name);
  while (i >= 0) {
    let k = i + name.length;
    while (/\s/.test(masked[k] ?? "")) k++;
    if (masked[k] === "(") {
      let depth = 0;
      for (; k < masked.length; k++) {
        if (masked[k] === "(") depth++;
        else if (masked[k] === ")" && --depth === 0) break;
      }
      k++;
      while (/\s/.test(masked[k] ?? "")) k++;
      if (masked[k] === "{") {
        const close = matchBrace(masked, k);
        if (close > 0) return { nameAt: i, open: k, close };
      }
    }
    i = masked.indexOf(name, i + name.length);
  }
  return undefined;
}
