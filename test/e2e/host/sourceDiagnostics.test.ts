/**
 * Kernel-source lint in the real extension host (issue 7): diagnostics on a recognised header.S, the
 * quick fix through vscode.executeCodeActionProvider + workspace.applyEdit, re-lint as you type, the
 * xloadflags inlay hint, kexecInspector.lint.disabledRules, and the kernel release read from the tree's
 * Makefile. The sources are fragments written here (not kernel source), in a fresh temp tree whose
 * paths end like the kernel's (…/arch/x86/boot/header.S), since the analysers check path and content.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { HEADER_S_FRAGMENT, HEADER_S_MISTAKE_LINE } from "../../support/headerSFragment";

const SOURCE = "kexec-inspector";

const HEADER_S = HEADER_S_FRAGMENT;
const MISTAKE_LINE = HEADER_S_MISTAKE_LINE;

/** kexec-bzimage64.c-shaped: no 5-level refusal, and the LOADED_HIGH check dropped (a finding in every release). */
const PROBE_C = [
  "static int bzImage64_probe(const char *buf, unsigned long len)",
  "{",
  "\tint ret = -ENOEXEC;",
  "\tstruct setup_header *hdr = (void *)(buf + 0x1f1);",
  "\tif (len < 1024) return ret;",
  '\tif (memcmp(&hdr->header, "HdrS", 4)) return ret;',
  "\tif (hdr->boot_flag != 0xAA55) return ret;",
  "\tif (hdr->version < 0x020C) return ret;",
  "\tif (!(hdr->xloadflags & XLF_KERNEL_64)) return ret;",
  "\tif (!(hdr->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G)) return ret;",
  "\tret = 0;",
  "\treturn ret;",
  "}",
  "const struct kexec_file_ops kexec_bzImage64_ops = { .probe = bzImage64_probe };",
  "",
].join("\n");

const note = (s: string): void => {
  (globalThis as { kexecE2eNotes?: string[] }).kexecE2eNotes?.push(s);
  console.log(`[kexec-e2e host] ${s}`);
};

/** Polls `get` until it returns a value; `what` is a function so the timeout message shows the last state. */
async function waitFor<T>(what: string | (() => string), get: () => T | undefined | Promise<T | undefined>, ms = 15000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function ruleOf(d: vscode.Diagnostic): string | undefined {
  return typeof d.code === "object" ? String(d.code.value) : d.code === undefined ? undefined : String(d.code);
}
function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}
function rules(uri: vscode.Uri): string[] {
  return ours(uri).map((d) => ruleOf(d) ?? "?").sort();
}
const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Writes `files` (tree-relative) under a fresh temp directory; returns its root. */
function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "kexec-lint-"));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

async function open(file: string): Promise<vscode.TextEditor> {
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
}

describe("kernel-source lint (diagnostics, quick fix, inlay hint)", () => {
  const roots: string[] = [];
  let header: vscode.Uri;

  before(async () => {
    const ext = vscode.extensions.all.find((e) => (e.packageJSON as { name?: string }).name === "kexec-inspector");
    assert.ok(ext, "kexec-inspector is not loaded");
    await ext.activate();
    const root = tree({ "linux/arch/x86/boot/header.S": HEADER_S });
    roots.push(root);
    header = vscode.Uri.file(path.join(root, "linux/arch/x86/boot/header.S"));
  });

  after(async () => {
    await vscode.workspace.getConfiguration("kexecInspector.lint").update("disabledRules", undefined, vscode.ConfigurationTarget.Global);
    // Save what the tests edited (temp files, removed below) so closing prompts for nothing.
    for (const d of vscode.workspace.textDocuments) if (d.isDirty && roots.some((r) => d.uri.fsPath.startsWith(r))) await d.save();
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  it("reports both xloadflags rules on the XLF56 line, with source, severity and a linked code", async () => {
    const t0 = performance.now();
    const editor = await open(header.fsPath);
    note(`header.S fragment opened as language "${editor.document.languageId}"`);
    const want = ["xlf-5level-enabled-without-5level", "xlf-5level-missing"];
    await waitFor(() => `diagnostics ${want.join(", ")} on header.S (have: ${rules(header).join(", ") || "none"})`, () => (same(rules(header), want) ? true : undefined));
    note(`header.S: diagnostics ${performance.now() - t0 < 1 ? "<1" : (performance.now() - t0).toFixed(0)} ms after open`);
    for (const d of ours(header)) {
      assert.equal(d.range.start.line, MISTAKE_LINE, `${ruleOf(d)} on line ${d.range.start.line + 1}, want ${MISTAKE_LINE + 1}`);
      assert.equal(editor.document.getText(d.range), "XLF_5LEVEL_ENABLED");
      assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
      assert.ok(typeof d.code === "object" && d.code.target.scheme === "https", `code of ${ruleOf(d)} has no link`);
    }
    assert.ok(ours(header).some((d) => /XLF_5LEVEL/.test(d.message)));
  });

  it("shows the computed xloadflags word as an inlay hint after the .word line", async () => {
    const doc = await vscode.workspace.openTextDocument(header);
    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    const hints = await waitFor("an xloadflags inlay hint", async () => {
      const h = (await vscode.commands.executeCommand<vscode.InlayHint[]>("vscode.executeInlayHintProvider", header, whole)) ?? [];
      return h.length ? h : undefined;
    });
    const label = hints.map((h) => (typeof h.label === "string" ? h.label : h.label.map((p) => p.value).join(""))).join(" ");
    assert.match(label, /0x61 \(x86_64, X86_5LEVEL=y\)/);
    assert.match(label, /0x41 \(X86_5LEVEL=n\)/);
    const wordLine = HEADER_S.split("\n").findIndex((l) => l.includes(".word XLF0"));
    assert.ok(hints.some((h) => h.position.line === wordLine), `hint not on line ${wordLine + 1}`);
    note(`inlay hint: ${label.trim()}`);
  });

  it("applies the quick fix (executeCodeActionProvider + applyEdit) and both diagnostics go away", async () => {
    const diag = ours(header)[0];
    assert.ok(diag, "no diagnostic to fix");
    const actions = (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>("vscode.executeCodeActionProvider", header, diag.range, vscode.CodeActionKind.QuickFix.value)) ?? [];
    const fix = actions.find((a): a is vscode.CodeAction => "edit" in a && a.edit !== undefined && a.title === "Set XLF56 to XLF_5LEVEL");
    assert.ok(fix, `no "Set XLF56 to XLF_5LEVEL" quick fix among: ${actions.map((a) => a.title).join(" | ")}`);
    assert.ok(fix.edit);
    assert.ok(await vscode.workspace.applyEdit(fix.edit), "applyEdit refused the fix");
    const doc = await vscode.workspace.openTextDocument(header);
    assert.equal(doc.lineAt(MISTAKE_LINE).text, "#define XLF56 XLF_5LEVEL");
    const t0 = performance.now();
    await waitFor(() => `no diagnostics after the fix (have: ${rules(header).join(", ")})`, () => (ours(header).length === 0 ? true : undefined));
    note(`quick fix applied; diagnostics cleared ${(performance.now() - t0).toFixed(0)} ms after the edit (debounce + analysis)`);
  });

  it("re-lints as you type: putting the mistake back brings the diagnostics back", async () => {
    const editor = await open(header.fsPath);
    const line = editor.document.lineAt(MISTAKE_LINE);
    const t0 = performance.now();
    assert.ok(await editor.edit((b) => b.insert(line.range.end, "_ENABLED")));
    await waitFor("diagnostics after typing", () => (ours(header).length === 2 ? true : undefined));
    note(`typing: diagnostics back ${(performance.now() - t0).toFixed(0)} ms after the keystroke`);
  });

  it("kexecInspector.lint.disabledRules turns a rule off, and back on", async () => {
    const cfg = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration("kexecInspector.lint");
    await cfg().update("disabledRules", ["xlf-5level-missing"], vscode.ConfigurationTarget.Global);
    await waitFor(() => `only xlf-5level-enabled-without-5level (have: ${rules(header).join(", ")})`, () => (same(rules(header), ["xlf-5level-enabled-without-5level"]) ? true : undefined));
    await cfg().update("disabledRules", undefined, vscode.ConfigurationTarget.Global);
    await waitFor("both rules again", () => (rules(header).length === 2 ? true : undefined));
  });

  it("leaves a header.S outside arch/x86/boot alone (path and content must both match)", async () => {
    const root = tree({ "misc/header.S": HEADER_S });
    roots.push(root);
    const uri = vscode.Uri.file(path.join(root, "misc/header.S"));
    await open(uri.fsPath);
    // Give the (non-)lint a moment, then check: nothing from us, while the real one still has its two.
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(rules(uri), []);
    assert.equal(rules(header).length, 2);
  });

  it("reads the kernel release from the tree's Makefile (kexec-probe-5level only from 5.3)", async () => {
    const mk = (v: number, p: number): string => `VERSION = ${v}\nPATCHLEVEL = ${p}\nSUBLEVEL = 0\n`;
    const old = tree({ "Makefile": mk(5, 2), "arch/x86/kernel/kexec-bzimage64.c": PROBE_C });
    const cur = tree({ "Makefile": mk(6, 1), "arch/x86/kernel/kexec-bzimage64.c": PROBE_C });
    roots.push(old, cur);
    const oldUri = vscode.Uri.file(path.join(old, "arch/x86/kernel/kexec-bzimage64.c"));
    const curUri = vscode.Uri.file(path.join(cur, "arch/x86/kernel/kexec-bzimage64.c"));
    await open(curUri.fsPath);
    await open(oldUri.fsPath);
    await waitFor(() => `5.2 tree: only kexec-probe-check-removed (have: ${rules(oldUri).join(", ")})`, () => (same(rules(oldUri), ["kexec-probe-check-removed"]) ? true : undefined));
    await waitFor(() => `6.1 tree: both probe rules (have: ${rules(curUri).join(", ")})`, () => (same(rules(curUri), ["kexec-probe-5level", "kexec-probe-check-removed"]) ? true : undefined));
  });
});
