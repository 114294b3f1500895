/**
 * Linear lexical helpers shared by the analysers: comment masking, preprocessor structure
 * (#if/#else nesting and #define), and a small C constant-expression evaluator.
 * Everything is one pass over the text with no backtracking regexes, so the editor can
 * re-run analysis on every keystroke of a 35 KB setup.c.
 */

/** Preprocessor directives cpp recognises; in .S files any other `#` line is a gas comment. */
const DIRECTIVES = new Set(["define", "undef", "if", "ifdef", "ifndef", "elif", "else", "endif", "include", "error", "warning", "pragma", "line"]);

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * Replaces comments (and, when `strings` is set, string/char literal contents) by spaces,
 * keeping newlines, so offsets stay valid. `asm` adds gas `#` comments (x86 .S files:
 * a `#` that does not start a preprocessor directive comments out the rest of the line).
 */
export function maskText(text: string, opts: { asm?: boolean; strings?: boolean } = {}): string {
  // Blanked ranges are collected and spliced once: a char array of a large file costs more in
  // allocation and GC than the scan itself.
  const parts: string[] = [];
  let copied = 0;
  const n = text.length;
  let i = 0;
  let lineStart = true;
  const blank = (from: number, to: number): void => {
    if (to <= from) return;
    parts.push(text.slice(copied, from), text.slice(from, to).replace(/[^\n]/g, " "));
    copied = to;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      let stop = text.indexOf("\n", i);
      if (stop < 0) stop = n;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === 35 && opts.asm) {
      let directive = false;
      if (lineStart) {
        let k = i + 1;
        while (k < n && (text[k] === " " || text[k] === "\t")) k++;
        let e = k;
        while (e < n && isIdentChar(text.charCodeAt(e))) e++;
        directive = DIRECTIVES.has(text.slice(k, e));
      }
      if (!directive) {
        let stop = text.indexOf("\n", i);
        if (stop < 0) stop = n;
        blank(i, stop);
        i = stop;
        continue;
      }
    }
    if ((c === 34 || c === 39) && !opts.asm) {
      // C string or char literal: skip to the closing quote, honouring backslash escapes.
      let k = i + 1;
      while (k < n && text.charCodeAt(k) !== c && text.charCodeAt(k) !== 10) k += text.charCodeAt(k) === 92 ? 2 : 1;
      if (opts.strings) blank(i + 1, Math.min(k, n));
      i = k + 1;
      lineStart = false;
      continue;
    }
    if (c !== 32 && c !== 9) lineStart = false;
    i++;
  }
  parts.push(text.slice(copied));
  return parts.join("");
}

export type Config = Readonly<Record<string, boolean>>;
export type Pred = (cfg: Config) => boolean;

/** One `#define NAME value` with the conditions under which it is compiled in. */
export interface Define {
  name: string;
  nameStart: number;
  /** Value text, trimmed, without comments; continuation lines joined. */
  value: string;
  valueStart: number;
  valueEnd: number;
  /** Offset of the `#` and end of the directive's last line. */
  start: number;
  end: number;
  when: Pred;
}

export interface Directive {
  kind: string;
  start: number;
  end: number;
  /** Text after the directive word (masked, continuation lines joined). */
  rest: string;
}

export interface PreprocessorView {
  defines: Define[];
  directives: Directive[];
  /** Condition under which the line holding `offset` is compiled. */
  conditionAt(offset: number): Pred;
}

const TRUE: Pred = () => true;
const FALSE: Pred = () => false;
/** Far beyond real kernel sources (a handful of levels). */
const MAX_IF_DEPTH = 64;

/**
 * Walks the masked text line by line, tracking #if nesting. Conditions that the small
 * parser cannot read (comparisons of build symbols) evaluate to false under every config.
 */
export function preprocess(masked: string): PreprocessorView {
  const defines: Define[] = [];
  const directives: Directive[] = [];
  // Each frame: condition of the enclosing context, conditions of earlier branches, current branch.
  interface Frame {
    outer: Pred;
    taken: Pred[];
    current: Pred;
    /** An #else was seen: later #elif/#else branches of this #if are dead (and cost nothing). */
    sawElse?: boolean;
  }
  const stack: Frame[] = [];
  let current: Pred = TRUE;
  const lineConds: { start: number; when: Pred }[] = [{ start: 0, when: TRUE }];
  let pos = 0;
  const n = masked.length;
  while (pos < n) {
    let eol = masked.indexOf("\n", pos);
    if (eol < 0) eol = n;
    let k = pos;
    while (k < eol && (masked[k] === " " || masked[k] === "\t")) k++;
    if (masked[k] !== "#") {
      pos = eol + 1;
      continue;
    }
    // Join backslash-continued lines.
    let end = eol;
    while (end > pos && masked.slice(pos, end).trimEnd().endsWith("\\") && end < n) {
      const next = masked.indexOf("\n", end + 1);
      end = next < 0 ? n : next;
    }
    const raw = masked.slice(k + 1, end).replace(/\\\n/g, "  ");
    const m = /^\s*([a-z]+)/.exec(raw);
    const kind = m ? m[1]! : "";
    const rest = m ? raw.slice(m[0].length) : raw;
    directives.push({ kind, start: k, end, rest });
    switch (kind) {
      case "if":
      case "ifdef":
      case "ifndef": {
        const c = kind === "if" ? parseCondition(rest) : kind === "ifdef" ? definedPred(rest.trim()) : not(definedPred(rest.trim()));
        const outer = current;
        stack.push({ outer, taken: [c], current: c });
        // Predicates nest as closures: past MAX_IF_DEPTH the branch counts as never compiled,
        // so absurd nesting can neither overflow the stack nor slow every evaluation.
        current = stack.length > MAX_IF_DEPTH ? FALSE : and(outer, c);
        break;
      }
      case "elif":
      case "else": {
        const f = stack[stack.length - 1];
        if (!f) break;
        if (f.sawElse || stack.length > MAX_IF_DEPTH) {
          f.current = FALSE;
          current = FALSE;
          break;
        }
        if (kind === "else") f.sawElse = true;
        const c = kind === "elif" ? parseCondition(rest) : TRUE;
        const prior = f.taken.slice();
        const branch: Pred = (cfg) => !prior.some((p) => p(cfg)) && c(cfg);
        f.taken.push(c);
        f.current = branch;
        current = and(f.outer, branch);
        break;
      }
      case "endif": {
        const f = stack.pop();
        current = f ? f.outer : TRUE;
        break;
      }
      case "define": {
        const dm = /^(\s+)([A-Za-z_]\w*)(\([^)]*\))?/.exec(rest);
        if (dm && !dm[3]) {
          // raw keeps the original length (continuations become two spaces), so offsets map back.
          const nameStart = k + 1 + (raw.length - rest.length) + dm[1]!.length;
          const valueRaw = masked.slice(nameStart + dm[2]!.length, end);
          const lead = valueRaw.length - valueRaw.trimStart().length;
          const valueStart = nameStart + dm[2]!.length + lead;
          const valueEnd = nameStart + dm[2]!.length + valueRaw.trimEnd().length;
          defines.push({
            name: dm[2]!,
            nameStart,
            value: masked.slice(valueStart, Math.max(valueStart, valueEnd)).replace(/\\\n/g, " ").replace(/\s+/g, " "),
            valueStart,
            valueEnd: Math.max(valueStart, valueEnd),
            start: k,
            end,
            when: current,
          });
        }
        break;
      }
      default:
        break;
    }
    if (kind === "if" || kind === "ifdef" || kind === "ifndef" || kind === "elif" || kind === "else" || kind === "endif") {
      lineConds.push({ start: end, when: current });
    }
    pos = end + 1;
  }
  return {
    defines,
    directives,
    conditionAt(offset: number): Pred {
      let lo = 0;
      let hi = lineConds.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (lineConds[mid]!.start <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lineConds[lo]!.when;
    },
  };
}

function and(a: Pred, b: Pred): Pred {
  return (cfg) => a(cfg) && b(cfg);
}
function not(a: Pred): Pred {
  return (cfg) => !a(cfg);
}
function definedPred(name: string): Pred {
  return (cfg) => cfg[name] === true;
}

/** Parses `defined(X) && !defined(Y) || IS_ENABLED(Z) || X` (no comparisons). */
/** Deepest expression nesting evaluated; kernel headers use a handful of levels. */
const MAX_NESTING = 64;

export function parseCondition(src: string): Pred {
  const toks = src.match(/[A-Za-z_]\w*|&&|\|\||[!()]|\d+|\S/g) ?? [];
  let i = 0;
  let ok = true;
  const peek = (): string | undefined => toks[i];
  // Nesting is bounded: a hostile "((((…" must not exhaust the stack.
  let nest = 0;
  const primary = (): Pred => {
    if (nest >= MAX_NESTING) {
      ok = false;
      i = toks.length;
      return () => false;
    }
    nest++;
    try {
      return primaryInner();
    } finally {
      nest--;
    }
  };
  const primaryInner = (): Pred => {
    const t = toks[i++];
    if (t === "!") {
      const p = primary();
      return not(p);
    }
    if (t === "(") {
      const p = orExpr();
      if (toks[i++] !== ")") ok = false;
      return p;
    }
    if (t === "defined" || t === "IS_ENABLED" || t === "IS_BUILTIN") {
      const paren = peek() === "(";
      if (paren) i++;
      const name = toks[i++] ?? "";
      if (paren && toks[i++] !== ")") ok = false;
      return definedPred(name);
    }
    if (t === "0") return () => false;
    if (t === "1") return TRUE;
    if (t && /^[A-Za-z_]\w*$/.test(t)) return definedPred(t);
    ok = false;
    return () => false;
  };
  const andExpr = (): Pred => {
    let p = primary();
    while (peek() === "&&") {
      i++;
      const q = primary();
      const l = p;
      p = (cfg) => l(cfg) && q(cfg);
    }
    return p;
  };
  const orExpr = (): Pred => {
    let p = andExpr();
    while (peek() === "||") {
      i++;
      const q = andExpr();
      const l = p;
      p = (cfg) => l(cfg) || q(cfg);
    }
    return p;
  };
  const p = orExpr();
  if (!ok || i !== toks.length) return () => false;
  return p;
}

/** Linux include/linux/sizes.h spellings: SZ_4G, SZ_16M, SZ_64T, SZ_512M ... */
export function sizeConstant(name: string): bigint | undefined {
  const m = /^SZ_(\d+)([KMGT]?)$/.exec(name);
  if (!m) return undefined;
  const shift = { "": 0n, K: 10n, M: 20n, G: 30n, T: 40n }[m[2] as "" | "K" | "M" | "G" | "T"];
  return BigInt(m[1]!) << shift;
}

export type Resolver = (name: string) => bigint | undefined;

export interface EvalResult {
  value: bigint | undefined;
  /** Identifiers the expression mentions, in order. */
  identifiers: string[];
}

/**
 * Evaluates a C constant expression with | & ^ << >> + - * ~ ! and parentheses over
 * integer literals (0x.., decimal, U/L suffixes) and identifiers from `resolve`.
 * value is undefined when anything is unknown or the syntax is outside that subset.
 */
export function evalCExpr(src: string, resolve: Resolver): EvalResult {
  const toks = src.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_]\w*|<<|>>|\S/g) ?? [];
  const identifiers: string[] = [];
  let i = 0;
  let bad = false;
  const prec: Record<string, number> = { "|": 1, "^": 2, "&": 3, "<<": 4, ">>": 4, "+": 5, "-": 5, "*": 6 };
  let nest = 0;
  const unary = (): bigint | undefined => {
    if (nest >= MAX_NESTING) {
      bad = true;
      i = toks.length;
      return undefined;
    }
    nest++;
    try {
      return unaryInner();
    } finally {
      nest--;
    }
  };
  const unaryInner = (): bigint | undefined => {
    const t = toks[i++];
    if (t === undefined) {
      bad = true;
      return undefined;
    }
    if (t === "(") {
      // A cast such as (unsigned long) is skipped.
      if (/^(unsigned|long|int|u64|u32|ULL|phys_addr_t)$/.test(toks[i] ?? "")) {
        while (i < toks.length && toks[i] !== ")") i++;
        i++;
        return unary();
      }
      const v = binary(0);
      if (toks[i++] !== ")") bad = true;
      return v;
    }
    if (t === "~") {
      const v = unary();
      return v === undefined ? undefined : BigInt.asUintN(64, ~v);
    }
    if (t === "-") {
      const v = unary();
      return v === undefined ? undefined : -v;
    }
    if (t === "!") {
      const v = unary();
      return v === undefined ? undefined : v === 0n ? 1n : 0n;
    }
    if (/^\d/.test(t)) return BigInt(t.replace(/[uUlL]+$/, ""));
    if (/^[A-Za-z_]/.test(t)) {
      identifiers.push(t);
      if (toks[i] === "(") {
        // Function-like macro call (e.g. memblock_end_of_DRAM()): unknown at build time.
        let depth = 0;
        do {
          if (toks[i] === "(") depth++;
          else if (toks[i] === ")") depth--;
          i++;
        } while (i < toks.length && depth > 0);
        return undefined;
      }
      return sizeConstant(t) ?? resolve(t);
    }
    bad = true;
    return undefined;
  };
  const binary = (min: number): bigint | undefined => {
    let left = unary();
    for (;;) {
      const op = toks[i];
      const p = op === undefined ? undefined : prec[op];
      if (p === undefined || p < min) break;
      i++;
      const right = binary(p + 1);
      if (left === undefined || right === undefined) {
        left = undefined;
        continue;
      }
      switch (op) {
        case "|": left = left | right; break;
        case "^": left = left ^ right; break;
        case "&": left = left & right; break;
        // C shifts past the operand width are undefined; a huge count would also exhaust BigInt.
        case "<<": left = right < 0n || right > 127n ? undefined : left << right; break;
        case ">>": left = right < 0n || right > 127n ? undefined : left >> right; break;
        case "+": left = left + right; break;
        case "-": left = left - right; break;
        case "*": left = left * right; break;
      }
    }
    return left;
  };
  const value = toks.length ? binary(0) : undefined;
  if (bad || i !== toks.length) return { value: undefined, identifiers };
  return { value, identifiers };
}

/** Finds the offset of the `}` matching the `{` at `open` in text whose comments/strings are masked. */
export function matchBrace(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    const c = masked.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return i;
  }
  return -1;
}

/** All whole-word occurrences of `word` (offsets), found with indexOf. */
export function wordOccurrences(text: string, word: string, from = 0, to = text.length): number[] {
  const out: number[] = [];
  let i = text.indexOf(word, from);
  while (i >= 0 && i < to) {
    const before = i > 0 ? text.charCodeAt(i - 1) : 32;
    const after = text.charCodeAt(i + word.length);
    if (!isIdentChar(before) && !(i + word.length < text.length && isIdentChar(after))) out.push(i);
    i = text.indexOf(word, i + word.length);
  }
  return out;
}

export { isIdentChar };
