/**
 * What every source analyser returns: findings with optional mechanical fixes (text edits)
 * and inline hints. Offsets are UTF-16 indexes into the analysed text, so an editor adapter
 * maps them with document.positionAt(); line/column are 1-based for the CLI.
 */
export type Severity = "error" | "warning" | "info";

export interface SourceRange {
  /** Inclusive start offset. */
  start: number;
  /** Exclusive end offset. */
  end: number;
}

export interface TextEdit {
  range: SourceRange;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  range: SourceRange;
  /** 1-based line of range.start. */
  line: number;
  /** 1-based column (UTF-16 units) of range.start. */
  column: number;
  /** Mechanical fixes; empty when the right change needs a human. */
  fixes: Fix[];
}

/** An inline hint (editor inlay), e.g. the computed xloadflags word after the `.word` line. */
export interface InlineHint {
  offset: number;
  line: number;
  column: number;
  label: string;
  tooltip: string;
}

/** Maps offsets to 1-based line/column with one linear pass and binary search. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  get lineCount(): number {
    return this.starts.length;
  }
  /** 0-based line index of an offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  lineStart(line0: number): number {
    return this.starts[line0] ?? 0;
  }
  position(offset: number): { line: number; column: number } {
    const l = this.lineOf(offset);
    return { line: l + 1, column: offset - this.starts[l]! + 1 };
  }
}

/** Applies non-overlapping edits (any order) and returns the new text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.range.start - a.range.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.range.start) + e.newText + out.slice(e.range.end);
  return out;
}

/** Builds a finding with its 1-based position. */
export function makeFinding(
  index: LineIndex,
  rule: string,
  severity: Severity,
  message: string,
  range: SourceRange,
  fixes: Fix[] = [],
): Finding {
  const p = index.position(range.start);
  return { rule, severity, message, range, line: p.line, column: p.column, fixes };
}
