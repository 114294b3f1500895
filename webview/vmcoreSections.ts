/**
 * The sections of the vmcore editor, each a function from protocol data to DOM. They render what
 * the host sent; no kernel fact is derived here. File-derived strings only ever become text.
 */
import type { CpuView, RangeRow, RegisterRow, VmcoreView } from "../extension/protocolVmcore";
import { el, keyValues, tag, textField } from "./components";
import { hex, size } from "./format";
import { V } from "./vmcoreStrings";

export function summaryCard(v: VmcoreView): HTMLElement {
  const s = v.summary;
  const na = (x: string | null): string => x ?? V.notRecorded;
  const paging = el(
    "span",
    {},
    el("strong", { text: V.levels(s.pagingLevels) }),
    " ",
    el("span", { className: "muted", text: `(${V.decidedBy(s.pagingSource)})` }),
  );
  return el(
    "div",
    { className: "card summary" },
    keyValues([
      [V.format, s.container === "flattened" ? `${s.format}, ${V.flattened}` : s.format, "summary-format"],
      [V.compression, s.compression, "summary-compression"],
      [V.dumpLevel, s.dumpLevel === null ? V.notRecorded : String(s.dumpLevel), "summary-dump-level"],
      [V.osrelease, na(s.osrelease), "summary-osrelease"],
      [V.crashTime, na(s.crashTimeText), "summary-crash-time"],
      [V.paging, paging, "summary-paging"],
      [V.physBase, s.physBase === null ? V.notRecorded : s.physBaseSigned ? `${s.physBase} (${s.physBaseSigned})` : s.physBase, "summary-phys-base"],
      [V.kaslr, na(s.kaslrOffset), "summary-kaslr"],
      [V.cpus, String(s.cpuCount), "summary-cpus"],
      [V.crashedCpu, s.crashedCpuText, "summary-crashed-cpu"],
    ]),
    el("p", { className: `paging-line l${s.pagingLevels}`, attrs: { id: "paging-consequence" } }, el("span", { className: "dot", attrs: { "aria-hidden": "true" } }), el("span", { text: s.pagingConsequence })),
    v.warnings.length ? el("ul", { className: "warnings", attrs: { id: "warnings" } }, ...v.warnings.map((w) => el("li", {}, tag("warning", "warning"), " ", w))) : null,
    el("p", { className: "small-print", attrs: { id: "bytes-read" }, title: `${v.bytesRead.toLocaleString()} bytes`, text: V.bytesRead(size(v.bytesRead), size(v.fileSize)) }),
  );
}

/**
 * A bar of the guest physical address space: one segment per range, gaps are holes. Holes much
 * larger than the memory in the dump (e.g. RAM below 4 GiB and a few pages near it) are drawn
 * shortened and marked, or the ranges would shrink to slivers.
 */
function rangeBar(ranges: readonly RangeRow[]): HTMLElement {
  const end = ranges.length ? ranges[ranges.length - 1]!.end : 0;
  const covered = ranges.reduce((n, r) => n + (r.end - r.start), 0);
  const cap = Math.max(1, covered * 0.06);
  const shorten = end > 2 * covered;
  // Display coordinate of every range start/end after shortening the holes.
  const pieces: { start: number; len: number; range: RangeRow | null; cut: boolean; realLen: number }[] = [];
  let at = 0;
  let prev = 0;
  for (const r of ranges) {
    if (r.start > prev) {
      const hole = r.start - prev;
      const len = shorten ? Math.min(hole, cap) : hole;
      pieces.push({ start: at, len, range: null, cut: len < hole, realLen: hole });
      at += len;
    }
    pieces.push({ start: at, len: r.end - r.start, range: r, cut: false, realLen: r.end - r.start });
    at += r.end - r.start;
    prev = r.end;
  }
  const total = at || 1;
  const bar = el("div", { className: "range-bar", attrs: { id: "range-bar", role: "img", "aria-label": V.addressSpace(hex(end)) } });
  let cuts = 0;
  for (const p of pieces) {
    if (!p.range && !p.cut) continue;
    const seg = p.range
      ? el("div", { className: `range-seg ${p.range.state}`, title: `${hex(p.range.start)}–${hex(p.range.end - 1)} ${V.stateText[p.range.state] ?? p.range.state} (${size(p.realLen)})` })
      : el("div", { className: "range-cut", title: V.holeCut(size(p.realLen)) });
    if (!p.range) cuts++;
    // CSSOM writes are allowed under our CSP (no 'unsafe-inline' needed).
    seg.style.left = `${(p.start / total) * 100}%`;
    seg.style.width = `${(p.len / total) * 100}%`;
    bar.appendChild(seg);
  }
  const axis = el("div", { className: "range-axis muted mono" }, el("span", { text: "0x0" }), el("span", { text: hex(end) }));
  const legend = el(
    "div",
    { className: "range-legend" },
    ...(["dumped", "not-dumped", "excluded"] as const)
      .filter((s) => ranges.some((r) => r.state === s))
      .map((s) => el("span", { className: "legend-item" }, el("span", { className: `swatch ${s}`, attrs: { "aria-hidden": "true" } }), V.stateText[s] ?? s)),
    el("span", { className: "legend-item" }, el("span", { className: "swatch hole", attrs: { "aria-hidden": "true" } }), V.hole),
    cuts ? el("span", { className: "legend-item" }, el("span", { className: "swatch cut", attrs: { "aria-hidden": "true" } }), V.holeShortened) : null,
  );
  return el("div", { className: "range-picture" }, bar, axis, legend);
}

export function rangesSection(v: VmcoreView): HTMLElement[] {
  const tbody = el("tbody");
  v.ranges.forEach((r, i) =>
    tbody.appendChild(
      el(
        "tr",
        { className: `range ${r.state}`, attrs: { id: `range-${i}` }, data: { state: r.state } },
        el("td", { className: "mono", text: hex(r.start) }),
        el("td", { className: "mono", text: hex(r.end) }),
        el("td", { className: "num", text: size(r.end - r.start), title: `${(r.end - r.start).toLocaleString()} bytes` }),
        el("td", {}, el("span", { className: `swatch ${r.state}`, attrs: { "aria-hidden": "true" } }), " ", V.stateText[r.state] ?? r.state),
      ),
    ),
  );
  const head = el("thead", {}, el("tr", {}, ...[V.rangeStart, V.rangeEnd, V.rangeSize, V.rangeState].map((h) => el("th", { text: h }))));
  return [
    el("p", { className: "muted", text: V.addressSpace(hex(v.ranges.length ? v.ranges[v.ranges.length - 1]!.end : 0)) }),
    rangeBar(v.ranges),
    el("div", { className: "table-scroll" }, el("table", { className: "ranges compact", attrs: { id: "ranges" } }, head, tbody)),
    v.rangesOmitted ? el("p", { className: "muted", text: V.rangesOmitted(v.rangesOmitted) }) : null,
  ].filter((x): x is HTMLElement => x !== null);
}

export function vmcoreinfoSection(v: VmcoreView, filter: string, onFilter: (q: string) => void): HTMLElement[] {
  if (!v.vmcoreinfo.length) return [el("p", { className: "muted", text: V.noVmcoreinfo })];
  const count = el("span", { className: "muted", attrs: { id: "vmcoreinfo-count" } });
  const tbody = el("tbody");
  const rows = v.vmcoreinfo.map((e) => {
    const tr = el("tr", { data: { key: e.key } }, el("td", { className: "mono key", text: e.key }), el("td", { className: "mono value", text: e.value }));
    tbody.appendChild(tr);
    return { tr, hay: `${e.key}=${e.value}`.toLowerCase() };
  });
  const apply = (q: string): void => {
    const lq = q.trim().toLowerCase();
    let shown = 0;
    for (const r of rows) {
      const hit = !lq || r.hay.includes(lq);
      r.tr.hidden = !hit;
      if (hit) shown++;
    }
    count.textContent = V.shown(shown, rows.length);
  };
  const field = textField({ id: "vmcoreinfo-filter", placeholder: V.filterKeys, label: V.filterKeys, value: filter }, (q) => {
    apply(q);
    onFilter(q);
  });
  apply(filter);
  const head = el("thead", {}, el("tr", {}, el("th", { text: V.key }), el("th", { text: V.value })));
  return [el("div", { className: "toolbar" }, field, count), el("div", { className: "table-scroll tall" }, el("table", { className: "vmcoreinfo", attrs: { id: "vmcoreinfo-table" } }, head, tbody))];
}

function regGrid(regs: readonly RegisterRow[], id: string): HTMLElement {
  return el("div", { className: "reg-grid mono", attrs: { id } }, ...regs.map((r) => el("div", { className: "reg", data: { reg: r.name } }, el("span", { className: "reg-name", text: r.name }), el("span", { className: "reg-value", text: r.value }))));
}

function cpuCard(c: CpuView): HTMLElement {
  return el(
    "div",
    { className: "cpu", attrs: { id: `cpu-${c.index}` } },
    el("h3", { text: V.cpuTitle(c.index) }),
    el("p", { className: "muted" }, `${V.pid} ${c.pid}: ${c.pidMeaning}`, c.la57 === null ? "" : ` · ${V.la57} ${c.la57 ? "1" : "0"}`),
    regGrid(c.registers, `cpu-${c.index}-regs`),
    c.control.length ? el("h3", { className: "sub", text: V.control }) : null,
    c.control.length ? regGrid(c.control, `cpu-${c.index}-control`) : null,
  );
}

export function cpuSection(v: VmcoreView): HTMLElement[] {
  if (!v.cpus.length) return [el("p", { className: "muted", text: V.noCpus })];
  return v.cpus.map(cpuCard);
}
