// Stand-in extension for the e2e harness self-check: renders the selector contract of test/e2e/README.md
// with the fixture values, so a red step in a self-check run is a harness bug, not a missing feature.
const vscode = require("vscode");
function html(body) { return `<!DOCTYPE html><html><body>${body}</body></html>`; }
class Ed { constructor(kind){this.kind=kind;} openCustomDocument(uri){return {uri, dispose(){}};}
  resolveCustomEditor(doc, panel){ panel.webview.options={enableScripts:false};
    panel.webview.html = this.kind==="image" ? html(`<div id="summary-protocol">2.15</div><div id="summary-kernel-version">6.1.0-50-amd64 (stub)</div><div id="xlf-bit-5" data-set="true">XLF_5LEVEL</div>`)
      : html(`<div id="summary-osrelease">6.1.0-50-amd64</div><div id="summary-paging">4-level</div>`); } }
exports.activate = (ctx) => {
  ctx.subscriptions.push(vscode.window.registerCustomEditorProvider("kexecInspector.image", new Ed("image")));
  ctx.subscriptions.push(vscode.window.registerCustomEditorProvider("kexecInspector.vmcore", new Ed("vmcore")));
  ctx.subscriptions.push(vscode.commands.registerCommand("kexecInspector.simulateCrashkernel", async () => {
    const cmd = await vscode.window.showInputBox({ prompt: "crashkernel=", value: "crashkernel=256M" });
    if (cmd === undefined) return;
    const p = vscode.window.createWebviewPanel("kexecInspector.sim", "crashkernel", vscode.ViewColumn.Active, {});
    p.webview.html = html(`<div id="crash-range-0">0x00000000af000000-0x00000000beffffff Crash kernel</div>`);
  }));
  const sel = [{ language: "c" }, { language: "kexec-asm" }];
  ctx.subscriptions.push(vscode.languages.registerHoverProvider(sel, { provideHover(doc, pos) {
    const r = doc.getWordRangeAtPosition(pos); if (!r || doc.getText(r) !== "XLF_5LEVEL") return;
    return new vscode.Hover(new vscode.MarkdownString("**XLF_5LEVEL — xloadflags bit 5 (0x0020)**"), r); } }));
  const dc = vscode.languages.createDiagnosticCollection("kexec-inspector"); ctx.subscriptions.push(dc);
  const lint = (doc) => { if (!doc.fileName.endsWith("header.S")) return; const i = doc.getText().indexOf("XLF_5LEVEL_ENABLED\n");
    if (i >= 0) dc.set(doc.uri, [new vscode.Diagnostic(new vscode.Range(doc.positionAt(i), doc.positionAt(i+18)), "XLF_5LEVEL_ENABLED is set for a build without XLF_5LEVEL", vscode.DiagnosticSeverity.Warning)]); };
  vscode.workspace.textDocuments.forEach(lint); ctx.subscriptions.push(vscode.workspace.onDidOpenTextDocument(lint));
};
exports.deactivate = () => {};
