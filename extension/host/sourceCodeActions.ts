import * as vscode from "vscode";
import { LINT_SOURCE, findingsTouching, groupFixes } from "../views/sourceLint";
import type { SourceDiagnostics } from "./sourceDiagnostics";

/**
 * Quick fixes for the kernel-source lint: the mechanical fixes the analysers attach to their
 * findings (extension/core/source), as WorkspaceEdits. A fix shared by several findings (one
 * edit that resolves two warnings) is offered once and clears all of them. Registered for
 * LINT_SELECTOR (contributions.ts), with the QuickFix kind, by the activation shim.
 */
export class SourceCodeActionProvider implements vscode.CodeActionProvider {
  constructor(private readonly lint: SourceDiagnostics) {}

  async provideCodeActions(
    doc: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.CodeAction[]> {
    if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
    const analysis = await this.lint.settledAnalysis(doc, token);
    if (!analysis?.kind || token.isCancellationRequested) return [];
    const touching = findingsTouching(analysis.findings, doc.offsetAt(range.start), doc.offsetAt(range.end));
    const ours = context.diagnostics.filter((d) => d.source === LINT_SOURCE);
    const groups = groupFixes(touching);
    return groups.map(({ fix, findings }) => {
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      const edit = new vscode.WorkspaceEdit();
      for (const e of fix.edits) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.range.start), doc.positionAt(e.range.end)), e.newText);
      action.edit = edit;
      action.diagnostics = ours.filter((d) =>
        findings.some((f) => diagnosticRule(d) === f.rule && doc.offsetAt(d.range.start) === f.range.start && doc.offsetAt(d.range.end) === f.range.end),
      );
      action.isPreferred = groups.length === 1;
      return action;
    });
  }
}

function diagnosticRule(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (typeof c === "string") return c;
  if (typeof c === "object") return String(c.value);
  return undefined;
}
