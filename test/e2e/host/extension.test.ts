/**
 * Runs inside the real extension host (see index.ts): activation, custom editors, hovers, diagnostics
 * and commands through the public vscode API. The workspace is the e2e one (scripts/e2e/workspace.mjs).
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";

interface Manifest {
  publisher: string;
  name: string;
  contributes?: {
    commands?: { command: string; title: string }[];
    customEditors?: { viewType: string; selector?: { filenamePattern?: string }[] }[];
  };
}

const pkg = (): Manifest => {
  const ext = vscode.extensions.all.find((e) => (e.packageJSON as Manifest).name === "kexec-inspector");
  assert.ok(ext, "kexec-inspector is not among the loaded extensions");
  return ext.packageJSON as Manifest;
};
const extId = (): string => `${pkg().publisher}.${pkg().name}`;
const note = (s: string): void => {
  (globalThis as { kexecE2eNotes?: string[] }).kexecE2eNotes?.push(s);
  console.log(`[kexec-e2e host] ${s}`);
};

function wsFile(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "no workspace folder open");
  return vscode.Uri.joinPath(folder.uri, rel);
}

/**
 * The contributed custom editor whose filenamePattern matches `fileName` (a small glob: * and ?).
 * Catch-all patterns ("*", "**\/*": "Reopen With…" editors) do not count: the file must be claimed by name.
 */
function viewTypeFor(fileName: string): string | undefined {
  const glob = (g: string): RegExp =>
    new RegExp("^" + g.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*\*\//g, "(?:.*/)?").replace(/\*/g, "[^/]*").replace(/\?/g, ".") + "$", "i");
  for (const ed of pkg().contributes?.customEditors ?? []) {
    for (const s of ed.selector ?? []) {
      if (s.filenamePattern && !/^(\*\*\/)?\*$/.test(s.filenamePattern) && (glob(s.filenamePattern).test(fileName) || glob(s.filenamePattern).test("/ws/" + fileName))) return ed.viewType;
    }
  }
  return undefined;
}

async function waitFor<T>(what: string, get: () => T | undefined | Promise<T | undefined>, ms = 15000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === "string" ? c : "value" in c ? c.value : ""))
    .join("\n");
}

async function hoverOn(rel: string, word: string): Promise<string> {
  const doc = await vscode.workspace.openTextDocument(wsFile(rel));
  await vscode.window.showTextDocument(doc);
  const at = doc.getText().search(new RegExp(`\\b${word}\\b`));
  assert.ok(at >= 0, `${word} not in ${rel}`);
  const pos = doc.positionAt(at + 2);
  // The first request can race the extension's activation by language: retry for a few seconds.
  return waitFor(`a hover on ${word} in ${rel} (language ${doc.languageId})`, async () => {
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", doc.uri, pos)) ?? [];
    const text = hoverText(hovers);
    return /xloadflags/i.test(text) ? text : undefined;
  }, 10000);
}

async function openWithAndCheck(rel: string): Promise<void> {
  const name = rel.split("/").pop() ?? rel;
  const viewType = viewTypeFor(name);
  assert.ok(viewType, `no contributes.customEditors selector matches ${name}`);
  await vscode.commands.executeCommand("vscode.openWith", wsFile(rel), viewType);
  const input = await waitFor(`the ${viewType} tab`, () => {
    const i = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    return i instanceof vscode.TabInputCustom && i.viewType === viewType ? i : undefined;
  });
  assert.equal(input.uri.fsPath, wsFile(rel).fsPath);
  note(`${name} opens in ${viewType}`);
  await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
}

describe("Kexec Inspector in the extension host", () => {
  it("is installed and activates", async () => {
    const ext = vscode.extensions.getExtension(extId());
    assert.ok(ext, `extension ${extId()} not found`);
    const wasActive = ext.isActive;
    const t0 = performance.now();
    await ext.activate();
    const ms = performance.now() - t0;
    assert.ok(ext.isActive);
    note(wasActive ? "extension was already active (activated by an event)" : `activate() took ${ms.toFixed(1)} ms in the extension host (includes require of dist/extension.js)`);
  });

  it("registers every contributed command", async () => {
    const contributed = (pkg().contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0, "package.json contributes no commands");
    await vscode.extensions.getExtension(extId())?.activate();
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !all.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(", ")}`);
    note(`${contributed.length} contributed commands registered`);
  });

  it("vscode.openWith opens the fixture vmlinuz in our custom editor (TabInputCustom)", async () => {
    await openWithAndCheck("vmlinuz-6.1.0-50-amd64");
  });

  it("vscode.openWith opens the fixture vmcore in our custom editor (TabInputCustom)", async () => {
    await openWithAndCheck("vmcore-l4-kdump-zlib-d31");
  });

  it("hovers XLF_5LEVEL in a C file with our text", async () => {
    const text = await hoverOn("samples/probe-5level.c", "XLF_5LEVEL");
    assert.match(text, /XLF_5LEVEL/);
    assert.match(text, /bit 5/);
  });

  it("hovers XLF_5LEVEL in header.S with our text", async () => {
    const text = await hoverOn("linux/arch/x86/boot/header.S", "XLF_5LEVEL");
    assert.match(text, /XLF_5LEVEL/);
  });

  it("reports the header.S xloadflags mistake as a diagnostic", async () => {
    const uri = wsFile("linux/arch/x86/boot/header.S");
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diags = await waitFor("diagnostics on header.S", () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => /XLF_5LEVEL/.test(x.message));
      return d.length ? d : undefined;
    });
    note(`header.S: ${diags.length} diagnostic(s), first: ${diags[0]?.message.slice(0, 100)}`);
  });
});
