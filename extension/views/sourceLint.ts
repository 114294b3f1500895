/**
 * The pure half of the kernel-source lint adapters (no vscode import, unit-tested in
 * test/unit/sourceAdapters.test.ts): settings parsing, the cheap path gate that runs before any
 * text is read, the kernel release from the tree's Makefile, rule documentation links and the
 * debounce. sourceDiagnostics.ts, sourceCodeActions.ts and sourceInlayHints.ts use it.
 */
import { KERNEL_SOURCE_PATH_TAILS, SOURCE_RULES, type Finding, type Fix } from "../core/source";
import { normaliseSourcePath } from "./contributions";

/** `diagnostic.source` of every lint diagnostic. */
export const LINT_SOURCE = "kexec-inspector";

/** Every rule id, for the settings enum and validation. */
export const LINT_RULE_IDS: readonly string[] = SOURCE_RULES.map((r) => r.id);

// The selectors and the path gate live in contributions.ts (the activation shim uses them too).
export { LINT_SELECTOR, HINT_SELECTOR, isKernelSourcePath } from "./contributions";

export interface DisabledRules {
  disabled: Set<string>;
  /** Entries that are not rule ids (typos, rules from a newer version): reported, not fatal. */
  unknown: string[];
}

/** `kexecInspector.lint.disabledRules`: an array of rule ids; anything else counts as empty. */
export function parseDisabledRules(value: unknown): DisabledRules {
  const disabled = new Set<string>();
  const unknown: string[] = [];
  if (!Array.isArray(value)) return { disabled, unknown };
  const known = new Set(LINT_RULE_IDS);
  for (const v of value as unknown[]) {
    if (typeof v !== "string") continue;
    const id = v.trim();
    if (!id) continue;
    if (known.has(id)) disabled.add(id);
    else if (!unknown.includes(id)) unknown.push(id);
  }
  return { disabled, unknown };
}

/** The kernel tree's root directory ('/'-separated, no trailing '/') for a recognised path. */
export function kernelRootOf(path: string): string | undefined {
  const p = normaliseSourcePath(path);
  for (const t of KERNEL_SOURCE_PATH_TAILS) {
    if (p.endsWith("/" + t)) return p.slice(0, p.length - t.length - 1) || "/";
  }
  return undefined;
}

/** "6.1" from the top-level Makefile's `VERSION = 6` / `PATCHLEVEL = 1`; undefined when absent. */
export function kernelVersionFromMakefile(text: string): string | undefined {
  const head = text.slice(0, 4096);
  const v = /^VERSION\s*=\s*(\d+)\s*$/m.exec(head)?.[1];
  const p = /^PATCHLEVEL\s*=\s*(\d+)\s*$/m.exec(head)?.[1];
  return v !== undefined && p !== undefined ? `${Number(v)}.${Number(p)}` : undefined;
}

const BOOT_PROTOCOL_DOC = "https://docs.kernel.org/arch/x86/boot.html";
const KDUMP_DOC = "https://docs.kernel.org/admin-guide/kdump/kdump.html";

/**
 * Where `diagnostic.code` links: the mainline commit the rule cites (git.kernel.org/linus/<sha>
 * resolves short and full ids), else the kernel document the rule is about.
 */
export function ruleDocUrl(id: string): string | undefined {
  const rule = SOURCE_RULES.find((r) => r.id === id);
  if (!rule) return undefined;
  const sha = /\b([0-9a-f]{12,40})\b/.exec(rule.source)?.[1];
  if (sha) return `https://git.kernel.org/linus/${sha}`;
  return (rule.files as readonly string[]).some((f) => /crash/.test(f)) ? KDUMP_DOC : BOOT_PROTOCOL_DOC;
}

/** Debounce after an edit: short for real kernel files (a few ms of analysis), longer for very big buffers. */
export const LINT_DEBOUNCE_MS = 200;
/** Documents above this size are not analysed (kernel files are < 200 KiB; this is a generated or pasted blob). */
export const LINT_MAX_CHARS = 8 * 1024 * 1024;

/**
 * Wait after the last keystroke before re-analysing: the base, plus ~50 ms per MiB, and at least
 * twice what the previous analysis of this document cost, so that a slow (huge) file keeps the
 * extension host idle most of the time while you type. Capped at 2 s.
 */
export function debounceFor(length: number, lastCostMs = 0): number {
  const bySize = LINT_DEBOUNCE_MS + Math.round((length / (1024 * 1024)) * 50);
  return Math.min(2000, Math.max(bySize, Math.round(2 * lastCostMs)));
}

/** The fixes of the findings, deduplicated (two findings often share the same edit), each with the findings it resolves. */
export interface GroupedFix {
  fix: Fix;
  findings: Finding[];
}
export function groupFixes(findings: readonly Finding[]): GroupedFix[] {
  const byKey = new Map<string, GroupedFix>();
  for (const f of findings) {
    for (const fix of f.fixes) {
      const key = JSON.stringify([fix.title, fix.edits.map((e) => [e.range.start, e.range.end, e.newText])]);
      const g = byKey.get(key);
      if (g) {
        if (!g.findings.includes(f)) g.findings.push(f);
      } else byKey.set(key, { fix, findings: [f] });
    }
  }
  return [...byKey.values()];
}

/** Findings whose range touches [start, end] (a cursor inside or at either edge counts). */
export function findingsTouching(findings: readonly Finding[], start: number, end: number): Finding[] {
  return findings.filter((f) => f.range.start <= end && f.range.end >= start);
}
