import * as vscode from "vscode";
import { hoverAt, type HoverLanguage } from "../core/source/hover";
import { settings } from "./settings";

/** Text around the hover, line-aligned: hoverAt looks at the word, its line and the line above. */
const WINDOW = 4096;

function languageHint(doc: vscode.TextDocument): HoverLanguage {
  if (/\.[sS]$/.test(doc.fileName)) return "asm";
  if (/\.h$/.test(doc.fileName)) return "header";
  return doc.languageId === "c" || doc.languageId === "cpp" ? "c" : "plaintext";
}

/**
 * XLF_* names, xloadflags, setup-header fields and numeric xloadflags words: a thin adapter
 * over the pure hoverAt() (extension/core/source/hover.ts), which reads the knowledge table.
 * Registered for HOVER_SELECTOR (contributions.ts) by the activation shim.
 */
export class XloadflagsHoverProvider implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    if (!settings.hoversEnabled()) return undefined;
    const firstLine = Math.max(0, pos.line - 2);
    const start = new vscode.Position(firstLine, 0);
    const end = doc.lineAt(Math.min(doc.lineCount - 1, pos.line + 1)).range.end;
    let text = doc.getText(new vscode.Range(start, end));
    let base = doc.offsetAt(start);
    if (text.length > WINDOW * 2) {
      // A minified or generated line: keep a window around the cursor only.
      const at = doc.offsetAt(pos) - base;
      const from = Math.max(0, at - WINDOW);
      text = text.slice(from, at + WINDOW);
      base += from;
    }
    const info = hoverAt(text, doc.offsetAt(pos) - base, languageHint(doc));
    if (!info) return undefined;
    const md = new vscode.MarkdownString(info.markdown);
    // Knowledge-table text only; no command links, no HTML.
    md.isTrusted = false;
    md.supportHtml = false;
    return new vscode.Hover(md, new vscode.Range(doc.positionAt(base + info.range.start), doc.positionAt(base + info.range.end)));
  }
}
