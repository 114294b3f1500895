/**
 * The one module that knows about @vscode/webview-ui-toolkit (archived upstream): every view
 * builds its controls through these helpers, so replacing the toolkit means editing this file.
 * Also the DOM builder: text only ever goes in through textContent, never through innerHTML.
 */

type Child = Node | string | null | undefined | false;

export interface ElOptions {
  className?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
  data?: Record<string, string>;
}

/** Creates an element; strings become text nodes, so markup in them stays inert. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, o: ElOptions = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (o.className) e.className = o.className;
  if (o.text !== undefined) e.textContent = o.text;
  if (o.title !== undefined) e.title = o.title;
  for (const [k, v] of Object.entries(o.attrs ?? {})) e.setAttribute(k, v);
  for (const [k, v] of Object.entries(o.data ?? {})) e.dataset[k] = v;
  append(e, ...children);
  return e;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  }
}

export function clear(e: Element): void {
  while (e.firstChild) e.removeChild(e.firstChild);
}

export type ButtonAppearance = "primary" | "secondary" | "icon";

export function button(label: string, onClick: () => void, o: { appearance?: ButtonAppearance; id?: string; title?: string; disabled?: boolean } = {}): HTMLElement {
  const b = document.createElement("vscode-button");
  b.setAttribute("appearance", o.appearance ?? "secondary");
  if (o.id) b.id = o.id;
  if (o.title) b.title = o.title;
  if (o.disabled) b.setAttribute("disabled", "");
  b.textContent = label;
  b.addEventListener("click", () => {
    if (!b.hasAttribute("disabled")) onClick();
  });
  return b;
}

export function setDisabled(b: HTMLElement, disabled: boolean): void {
  if (disabled) b.setAttribute("disabled", "");
  else b.removeAttribute("disabled");
}

/**
 * A small label chip (set/clear, severity, outcome). Plain span, not <vscode-tag>/<vscode-badge>:
 * their template writes a style attribute, which our CSP (no 'unsafe-inline') blocks.
 */
export function tag(text: string, className?: string): HTMLElement {
  return el("span", { className: className ? `chip ${className}` : "chip", text });
}

export function progressRing(): HTMLElement {
  return document.createElement("vscode-progress-ring");
}

export function divider(): HTMLElement {
  return document.createElement("vscode-divider");
}

export function link(text: string, onClick: () => void): HTMLElement {
  const a = document.createElement("vscode-link");
  a.textContent = text;
  a.setAttribute("href", "#");
  a.addEventListener("click", (ev) => {
    ev.preventDefault();
    onClick();
  });
  return a;
}

/** A determinate progress bar (the toolkit only has an indeterminate ring). */
export function progressBar(): { root: HTMLElement; set(fraction: number): void } {
  const fill = el("div", { className: "progress-fill" });
  const root = el("div", { className: "progress-bar", attrs: { role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0" } }, fill);
  return {
    root,
    set(fraction: number) {
      const pct = Math.max(0, Math.min(100, Math.round(fraction * 100)));
      // CSSOM writes are allowed under our CSP (no 'unsafe-inline' needed).
      fill.style.width = `${pct}%`;
      root.setAttribute("aria-valuenow", String(pct));
    },
  };
}

/** A collapsible section whose open state is reported for getState/setState. */
export function section(id: string, title: string, open: boolean, onToggle: (id: string, open: boolean) => void, ...children: Child[]): HTMLDetailsElement {
  const d = el("details", { className: "section", attrs: { id: `section-${id}` } }, el("summary", {}, el("h2", { text: title })), ...children);
  d.open = open;
  d.addEventListener("toggle", () => onToggle(id, d.open));
  return d;
}

/** Label/value rows for cards. */
export function keyValues(rows: [string, Child, string?][]): HTMLElement {
  const dl = el("dl", { className: "kv" });
  for (const [k, v, id] of rows) {
    dl.appendChild(el("dt", { text: k }));
    dl.appendChild(el("dd", id ? { attrs: { id } } : {}, v));
  }
  return dl;
}

/**
 * A single-line text input (<vscode-text-field>). `onInput` gets the value on every keystroke,
 * `onEnter` on Enter (Shift+Enter passes shift = true).
 */
export function textField(
  o: { id?: string; placeholder?: string; label?: string; value?: string },
  onInput: (value: string) => void,
  onEnter?: (shift: boolean) => void,
): HTMLElement & { value: string } {
  const f = document.createElement("vscode-text-field") as HTMLElement & { value: string };
  if (o.id) f.id = o.id;
  if (o.placeholder) f.setAttribute("placeholder", o.placeholder);
  if (o.label) f.setAttribute("aria-label", o.label);
  if (o.value) f.setAttribute("value", o.value);
  f.addEventListener("input", () => onInput(f.value ?? ""));
  if (onEnter) {
    f.addEventListener("keydown", (ev: KeyboardEvent) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        onEnter(ev.shiftKey);
      }
    });
  }
  return f;
}

/**
 * Form controls for the simulation panel. Native elements styled with the theme variables
 * (webview/simulationPanel.css): the crashkernel= field needs a monospace font so an error
 * column can be pointed at, and the toolkit's dropdown positions its listbox with inline styles,
 * which our CSP blocks.
 */
export function textInput(id: string, value: string, onInput: (v: string) => void, o: { placeholder?: string; mono?: boolean; label?: string } = {}): HTMLInputElement {
  const i = el("input", { className: o.mono ? "input mono" : "input", attrs: { id, type: "text", spellcheck: "false", autocomplete: "off" } });
  i.value = value;
  if (o.placeholder) i.placeholder = o.placeholder;
  if (o.label) i.setAttribute("aria-label", o.label);
  i.addEventListener("input", () => onInput(i.value));
  return i;
}

export function select(id: string, options: readonly { value: string; label: string }[], value: string, onChange: (v: string) => void, label?: string): HTMLSelectElement {
  const s = el("select", { className: "select", attrs: { id } });
  for (const o of options) {
    const opt = el("option", { text: o.label });
    opt.value = o.value;
    s.appendChild(opt);
  }
  s.value = value;
  if (label) s.setAttribute("aria-label", label);
  s.addEventListener("change", () => onChange(s.value));
  return s;
}

export function checkbox(id: string, label: string, checked: boolean, onChange: (v: boolean) => void): HTMLLabelElement {
  const c = el("input", { attrs: { id, type: "checkbox" } });
  c.checked = checked;
  c.addEventListener("change", () => onChange(c.checked));
  return el("label", { className: "check", attrs: { for: id } }, c, label);
}

export function textArea(id: string, value: string, onInput: (v: string) => void, placeholder: string): HTMLTextAreaElement {
  const t = el("textarea", { className: "input mono", attrs: { id, rows: "6", spellcheck: "false" } });
  t.value = value;
  t.placeholder = placeholder;
  t.setAttribute("aria-label", placeholder);
  t.addEventListener("input", () => onInput(t.value));
  return t;
}
