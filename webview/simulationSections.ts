/** Result sections of the simulation panel: plain DOM from protocol data, no kernel facts computed here. */
import type { ExplanationView, PlacementView, SimResultView, SimVerdictView } from "../extension/protocol/simulation";
import { append, button, el, tag } from "./components";
import { size } from "./format";
import { hex, iomemHex } from "./memoryMapPicture";
import { T } from "./simulationStrings";

const SEVERITY_CLASS: Record<SimVerdictView["severity"], string> = { error: "bad", warning: "warn", info: "info" };

/** The Crash kernel ranges as /proc/iomem would list them; ids crash-range-N for the e2e suite. */
export function crashSection(c: SimResultView["crash"]): HTMLElement {
  const box = el("div", { attrs: { id: "crash-result" } });
  if (c.ranges.length) {
    const list = el("ul", { className: "ranges mono", attrs: { id: "crash-ranges" } });
    c.ranges.forEach((r, i) => {
      list.appendChild(
        el(
          "li",
          { attrs: { id: `crash-range-${i}` }, data: { start: hex(r.start), end: hex(r.end), role: r.role } },
          `${r.iomem} : Crash kernel`,
          el("span", { className: "muted", text: `  ${size(r.end - r.start + 1)}, ${r.role}` }),
        ),
      );
    });
    box.appendChild(list);
  } else box.appendChild(el("p", { className: "muted", attrs: { id: "no-crash" }, text: T.noCrash(c.why) }));
  if (c.messages.length) {
    box.appendChild(el("h3", { text: T.dmesg }));
    box.appendChild(el("pre", { className: "log mono", attrs: { id: "crash-dmesg" }, text: c.messages.join("\n") }));
  }
  if (c.notes.length) {
    box.appendChild(el("h3", { text: T.notes }));
    box.appendChild(el("ul", { className: "plain-notes" }, ...c.notes.map((n) => el("li", { className: "muted", text: n }))));
  }
  return box;
}

export function placementSection(p: PlacementView | null, verdicts: readonly SimVerdictView[]): HTMLElement {
  const box = el("div", { attrs: { id: "placement-result" } });
  if (!p) {
    box.appendChild(el("p", { className: "muted", text: T.noPlacement }));
    return box;
  }
  const trap = p.fallbackFrom !== null || verdicts.some((v) => v.id === "silent-fallback");
  if (trap) {
    box.appendChild(
      el(
        "div",
        { className: "callout bad", attrs: { id: "fallback-trap", role: "alert" } },
        el("strong", { text: T.trapTitle }),
        el("p", { text: p.fallbackFrom ? T.fellBack(p.fallbackFrom) : verdicts.find((v) => v.id === "silent-fallback")?.message ?? "" }),
      ),
    );
  }
  box.appendChild(
    el(
      "p",
      { className: "verdict-line", attrs: { id: "placement-outcome" } },
      tag(p.accepted ? T.accepted : T.refused, p.accepted ? "outcome ok" : "outcome bad"),
      el("span", { text: `${p.interface}${p.loader ? ` · ${p.loader}` : ""}${p.accepted ? "" : `: ${p.reason}`}` }),
    ),
  );
  if (p.segments.length) {
    const rows = p.segments.map((s, i) =>
      el(
        "tr",
        { attrs: { id: `segment-${i}` }, data: { what: s.what } },
        el("td", { text: s.what }),
        el("td", { className: "mono", text: hex(s.mem) }),
        el("td", { className: "mono", text: hex(s.mem + s.memsz - 1) }),
        el("td", { className: "num", text: size(s.memsz) }),
      ),
    );
    box.appendChild(
      el(
        "table",
        { className: "segments compact" },
        el("thead", {}, el("tr", {}, el("th", { text: T.colSegment }), el("th", { text: T.colStart }), el("th", { text: T.colEnd }), el("th", { text: T.colSize }))),
        el("tbody", {}, ...rows),
      ),
    );
  }
  if (p.notes.length) box.appendChild(el("ul", { className: "plain-notes", attrs: { id: "placement-notes" } }, ...p.notes.map((n) => el("li", { className: "muted", text: n }))));
  if (p.log.length) box.appendChild(el("pre", { className: "log mono", text: p.log.join("\n") }));
  return box;
}

export function verdictSection(verdicts: readonly SimVerdictView[]): HTMLElement {
  const list = el("ul", { className: "verdicts", attrs: { id: "sim-verdicts" } });
  for (const v of verdicts) {
    list.appendChild(
      el(
        "li",
        { className: `verdict ${SEVERITY_CLASS[v.severity]}`, data: { verdict: v.id } },
        tag(v.severity, `outcome ${SEVERITY_CLASS[v.severity]}`),
        el("span", { className: "verdict-summary", text: v.message }),
        el("div", { className: "verdict-reason" }, el("span", { className: "label", text: `${T.rule}: ` }), v.rule, el("br"), el("span", { className: "label", text: `${T.source}: ` }), v.source),
      ),
    );
  }
  return list;
}

export function explanationCards(items: readonly ExplanationView[], apply: (e: ExplanationView) => void): HTMLElement {
  const box = el("div", { attrs: { id: "explanations" } });
  if (!items.length) {
    box.appendChild(el("p", { className: "muted", attrs: { id: "explain-none" }, text: T.explainNone }));
    return box;
  }
  for (const e of items) {
    const card = el(
      "div",
      { className: "card explanation", attrs: { id: `explain-${e.id}` }, data: { pattern: e.id } },
      el("h3", { text: e.title }),
      el("p", { className: "mono matched" }, el("span", { className: "muted", text: `${T.line(e.line)}: ` }), e.matched),
      el("p", {}, el("strong", { text: `${T.cause}. ` }), el("span", { className: "cause", text: e.cause })),
      el("strong", { text: T.check }),
      el("ul", {}, ...e.check.map((c) => el("li", { text: c }))),
      el("strong", { text: T.fix }),
      el("ul", {}, ...e.fix.map((f) => el("li", { text: f }))),
      el("div", { className: "verdict-reason" }, el("span", { className: "label", text: `${T.rule}: ` }), e.rule, el("br"), el("span", { className: "label", text: `${T.source}: ` }), e.source),
    );
    if (e.simulate) append(card, el("div", { className: "toolbar" }, button(T.showInSim, () => apply(e), { id: `explain-apply-${e.id}` })));
    box.appendChild(card);
  }
  return box;
}

export { iomemHex };
