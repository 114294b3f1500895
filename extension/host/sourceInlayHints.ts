import * as vscode from "vscode";
import type { SourceDiagnostics } from "./sourceDiagnostics";

/**
 * The computed xloadflags word per build configuration at the end of header.S's `.word` line
 * (e.g. ` = 0x7f (x86_64, X86_5LEVEL=y) · 0x5f (X86_5LEVEL=n) · 0x0c (i386)`), from the hints the
 * pure header.S analyser returns. Shares the diagnostics' analysis of the same document version.
 * Registered for HINT_SELECTOR (contributions.ts) by the activation shim, which forwards
 * onDidChangeInlayHints.
 */
export class SourceInlayHintsProvider implements vscode.InlayHintsProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeInlayHints = this.changed.event;
  // Settings or the tree's kernel release changed the analysis without an edit.
  private readonly sub: vscode.Disposable;

  constructor(private readonly lint: SourceDiagnostics) {
    this.sub = lint.onDidChangeAnalyses(() => this.changed.fire());
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }

  async provideInlayHints(doc: vscode.TextDocument, range: vscode.Range, token: vscode.CancellationToken): Promise<vscode.InlayHint[]> {
    const analysis = await this.lint.settledAnalysis(doc, token);
    if (!analysis || token.isCancellationRequested) return [];
    const out: vscode.InlayHint[] = [];
    for (const h of analysis.hints) {
      const pos = doc.positionAt(h.offset);
      if (!range.contains(pos)) continue;
      const hint = new vscode.InlayHint(pos, h.label);
      hint.tooltip = new vscode.MarkdownString().appendCodeblock(h.tooltip, "text");
      hint.paddingLeft = !h.label.startsWith(" ");
      out.push(hint);
    }
    return out;
  }
}
