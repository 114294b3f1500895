/**
 * The machine check: "is kdump ready on this machine, or on the machine in this report?" One
 * function over a root; the CLI, the VS Code report and the tests render what it returns.
 */
import { hex, rangeSize } from "../../kexec/ranges";
import { runChecks, type Check, type CheckStatus } from "./checks";
import { gatherFacts, type GatherOptions, type MachineFacts } from "./facts";
import type { Layout } from "./layouts";

export interface DoctorReport {
  root: string;
  layout: Layout;
  kernel: { release: string | null; version: string | null; banner: string | null; how: string };
  paging: { levels: 4 | 5; how: string; confidence: "observed" | "inferred" | "assumed" };
  reservation: { ranges: { start: string; end: string; size: number }[]; size: number | null; from: string | null };
  kexecTools: { version: string | null; how: string };
  kdump: { tool: string; kernel: string | null; initrd: string | null; initrdSize: number | null; append: string | null; kexecArgs: string[]; files: string[] } | null;
  /** Kernel rules applied (the running kernel's version family). */
  rules: { kernel: string; family: string; kexecTools: string; mode: string };
  checks: Check[];
  summary: Record<CheckStatus, number>;
  /** What the input does not hold. */
  lacking: string[];
  /** Fact → the file or report section it came from. */
  sources: Record<string, string>;
}

export async function runDoctor(root: string, opts: GatherOptions = {}): Promise<DoctorReport> {
  const facts = await gatherFacts(root, opts);
  return reportFromFacts(facts);
}

export function reportFromFacts(f: MachineFacts): DoctorReport {
  const { plan, checks } = runChecks(f);
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0 };
  for (const c of checks) summary[c.status]++;
  return {
    root: f.root,
    layout: f.layout,
    kernel: { ...f.kernel },
    paging: { levels: f.paging.levels, how: f.paging.how, confidence: f.paging.confidence },
    reservation: {
      ranges: plan.ranges.map((r) => ({ start: hex(r.start), end: hex(r.end), size: rangeSize(r) })),
      size: plan.reservedSize,
      from: f.crashSize !== null ? (f.from["crashSize"] ?? null) : plan.ranges.length ? (f.iomem?.map ? f.iomem.from : (f.bootLog?.from ?? null)) : null,
    },
    kexecTools: { ...f.kexecTools },
    kdump: f.kdump
      ? { tool: f.kdump.tool, kernel: f.capture.kernelPath, initrd: f.capture.initrdPath, initrdSize: f.capture.initrdSize, append: f.kdump.append, kexecArgs: f.kdump.kexecArgs, files: f.kdump.files }
      : null,
    rules: { kernel: plan.profile.version, family: plan.profile.family, kexecTools: plan.tools.version, mode: plan.mode },
    checks,
    summary,
    lacking: f.lacking,
    sources: { ...f.from },
  };
}

/** Exit status of the CLI contract: 3 when a check fails. */
export function doctorExitCode(r: DoctorReport): 0 | 3 {
  return r.summary.fail > 0 ? 3 : 0;
}

const MARK: Record<CheckStatus, string> = { pass: "PASS", warn: "WARN", fail: "FAIL" };

export function doctorText(r: DoctorReport): string {
  const L: string[] = [];
  L.push(`kdump readiness — ${r.root === "/" ? "this machine" : `${r.root} (${r.layout})`}`);
  L.push(`kernel:  ${r.kernel.release ?? "unknown"}${r.kernel.version ? ` (upstream ${r.kernel.version})` : ""}`);
  L.push(`paging:  ${r.paging.levels}-level — ${r.paging.how}`);
  L.push(`reserved: ${r.reservation.size === null ? "unknown" : r.reservation.size === 0 ? "none" : `${Math.round((r.reservation.size / 1048576) * 10) / 10} MiB (${r.reservation.size} bytes)`}${r.reservation.ranges.length ? ` (${r.reservation.ranges.map((x) => `${x.start}-${x.end}`).join(", ")})` : ""}`);
  L.push(`kexec-tools: ${r.kexecTools.version ?? "unknown"} (${r.kexecTools.how}); rules: kernel ${r.rules.kernel} [${r.rules.family}], mode ${r.rules.mode}`);
  L.push("");
  for (const c of r.checks) {
    L.push(`[${MARK[c.status]}] ${c.title}`);
    if (c.detail) L.push(`       ${c.detail}`);
    if (c.fix) L.push(`       fix: ${c.fix}`);
    L.push(`       source: ${c.source}`);
  }
  if (r.lacking.length) {
    L.push("", "not in the input:", ...r.lacking.map((x) => `  - ${x}`));
  }
  L.push("", `${r.summary.pass} passed, ${r.summary.warn} warnings, ${r.summary.fail} failed`);
  return L.join("\n");
}

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const code = (s: string): string => "`" + s.replace(/`/g, "'") + "`";

/** The report as Markdown, for a ticket or a chat: summary, facts, the checklist, what the input lacks. */
export function doctorMarkdown(r: DoctorReport): string {
  const L: string[] = [];
  L.push(`# kdump readiness — ${r.root === "/" ? "this machine" : `${code(r.root)} (${r.layout})`}`, "");
  L.push(`**${r.summary.fail ? "Not ready" : r.summary.warn ? "Check the warnings" : "Ready"}**: ${r.summary.pass} passed, ${r.summary.warn} warnings, ${r.summary.fail} failed.`, "");
  L.push(`- Kernel: ${r.kernel.release ? code(r.kernel.release) : "unknown"}${r.kernel.version ? ` (upstream ${r.kernel.version})` : ""}`);
  L.push(`- Paging: ${r.paging.levels}-level — ${r.paging.how}`);
  L.push(`- Reserved: ${r.reservation.size === null ? "unknown" : r.reservation.size === 0 ? "none" : `${Math.round((r.reservation.size / 1048576) * 10) / 10} MiB`}${r.reservation.ranges.length ? ` at ${r.reservation.ranges.map((x) => code(`${x.start}-${x.end}`)).join(", ")}` : ""}`);
  L.push(`- kexec-tools: ${r.kexecTools.version ?? "unknown"} (${r.kexecTools.how})`);
  if (r.kdump) L.push(`- kdump service: ${r.kdump.tool}, capture kernel ${code(r.kdump.kernel ?? "?")}${r.kdump.initrd ? `, initrd ${code(r.kdump.initrd)}` : ""}`);
  L.push("", "| | Check | Detail | Fix | Source |", "| --- | --- | --- | --- | --- |");
  for (const c of r.checks) L.push(`| ${c.status.toUpperCase()} | ${cell(c.title)} | ${cell(c.detail)} | ${cell(c.fix)} | ${cell(c.source)} |`);
  if (r.lacking.length) L.push("", "Not in the input:", "", ...r.lacking.map((x) => `- ${x}`));
  L.push("", "_Checked by Kexec Inspector (`kexec-inspector doctor`)._", "");
  return L.join("\n");
}
