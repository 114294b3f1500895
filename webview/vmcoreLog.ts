/**
 * The kernel log as a virtualised list: every line lives in an array, only the rows inside the
 * viewport (plus a few) exist in the DOM. Fixed row height, so line i sits at i * ROW_HEIGHT.
 * Lines are file-derived text: they go into text nodes, matches into <mark> elements, never HTML.
 */
import { el } from "./components";

/** Must match `.log-row { height }` in vmcoreEditor.css. */
export const ROW_HEIGHT = 18;
const OVERSCAN = 12;
/** Used while the list is hidden (collapsed section): enough rows for a first screen. */
const FALLBACK_HEIGHT = 600;

export interface LogList {
  root: HTMLElement;
  viewport: HTMLElement;
  /** Adds lines [first, first + lines.length); chunks arrive in order. */
  append(first: number, lines: readonly string[], levels: readonly number[]): void;
  reset(): void;
  count(): number;
  /** Sets the query (case-insensitive substring); returns the number of matching lines. */
  search(query: string): number;
  /** Moves to the next (1) or previous (-1) match and scrolls it into view; 1-based position, 0 if none. */
  step(dir: 1 | -1): { position: number; total: number };
  jumpToEnd(): void;
  scrollTo(top: number): void;
  /** Re-renders the visible rows (after the viewport became visible or changed size). */
  refresh(): void;
}

export function logList(onScroll: (top: number, atEnd: boolean) => void): LogList {
  const lines: string[] = [];
  const lower: string[] = [];
  const levels: number[] = [];
  let query = "";
  let matches: number[] = [];
  let current = -1;

  const rows = el("div", { className: "log-rows mono" });
  const spacer = el("div", { className: "log-spacer" }, rows);
  const viewport = el("div", { className: "log-viewport", attrs: { id: "log-viewport", tabindex: "0", role: "log", "aria-label": "Kernel log" } }, spacer);

  const rowFor = (i: number): HTMLElement => {
    const lv = levels[i] ?? -1;
    const row = el("div", { className: lv >= 0 ? `log-row level-${lv}` : "log-row", data: { line: String(i) } });
    if (matches.length && i === matches[current]) row.classList.add("current");
    const text = lines[i] ?? "";
    if (!query) {
      row.textContent = text;
      return row;
    }
    const lo = lower[i] ?? "";
    let at = 0;
    for (let hit = lo.indexOf(query); hit >= 0; hit = lo.indexOf(query, hit + query.length)) {
      if (hit > at) row.appendChild(document.createTextNode(text.slice(at, hit)));
      row.appendChild(el("mark", { text: text.slice(hit, hit + query.length) }));
      at = hit + query.length;
    }
    if (at < text.length) row.appendChild(document.createTextNode(text.slice(at)));
    return row;
  };

  let scheduled = false;
  const render = (): void => {
    scheduled = false;
    const height = viewport.clientHeight || FALLBACK_HEIGHT;
    const top = viewport.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(lines.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    // CSSOM writes are allowed under our CSP (no 'unsafe-inline' needed).
    rows.style.top = `${first * ROW_HEIGHT}px`;
    const out: HTMLElement[] = [];
    for (let i = first; i < last; i++) out.push(rowFor(i));
    rows.replaceChildren(...out);
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(render);
  };
  viewport.addEventListener("scroll", () => {
    schedule();
    onScroll(viewport.scrollTop, viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - ROW_HEIGHT);
  });

  const centre = (i: number): void => {
    viewport.scrollTop = Math.max(0, i * ROW_HEIGHT - (viewport.clientHeight || FALLBACK_HEIGHT) / 2 + ROW_HEIGHT / 2);
    render();
  };

  return {
    root: viewport,
    viewport,
    append(first, more, lv) {
      // Chunks arrive in order; a gap or overlap means a stale stream, which the caller filters.
      if (first !== lines.length) return;
      for (let k = 0; k < more.length; k++) {
        const t = more[k]!;
        lines.push(t);
        lower.push(t.toLowerCase());
        levels.push(lv[k] ?? -1);
        if (query && lower[lower.length - 1]!.includes(query)) matches.push(lines.length - 1);
      }
      spacer.style.height = `${lines.length * ROW_HEIGHT}px`;
      schedule();
    },
    reset() {
      lines.length = lower.length = levels.length = 0;
      matches = [];
      current = -1;
      spacer.style.height = "0px";
      viewport.scrollTop = 0;
      rows.replaceChildren();
    },
    count: () => lines.length,
    search(q) {
      query = q.toLowerCase();
      matches = [];
      current = -1;
      if (query) for (let i = 0; i < lower.length; i++) if (lower[i]!.includes(query)) matches.push(i);
      render();
      return matches.length;
    },
    step(dir) {
      if (!matches.length) return { position: 0, total: 0 };
      current = current < 0 ? (dir === 1 ? 0 : matches.length - 1) : (current + dir + matches.length) % matches.length;
      centre(matches[current]!);
      return { position: current + 1, total: matches.length };
    },
    jumpToEnd() {
      viewport.scrollTop = viewport.scrollHeight;
      render();
    },
    scrollTo(top) {
      viewport.scrollTop = top;
      render();
    },
    refresh: render,
  };
}
