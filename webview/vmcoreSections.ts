/**
 * The sections of the vmcore editor, each a function from protocol data to DOM. They render what
 * the host sent; no kernel fact is derived here. File-derived strings only ever become text.
 */
import type { BeyondFourLevelView, CpuView, RangeRow, RegisterRow, VmcoreView } from "../extension/protocol/vmcore";
import { append, button, clear, el, keyValues, progressBar, progressRing, tag, textField } from "./components";
import { AddressScale, MARKS } from "./memoryMapPicture";
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
      ...(s.recordIndex === null ? [] : [[V.recordIndex, s.recordIndex, "summary-record-index"] as [string, string, string]]),
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
 * A bar of the guest physical address space on the simulation picture's scale (linear to 4 GiB,
 * logarithmic above, with its 1 MiB, 4 GiB, 64 TiB and 4 PiB marks), so a 512 MiB guest and a
 * 4 PiB address space read on the same axis. One segment per range; gaps are holes; the end of
 * the dump's address space is marked.
 */
function rangeBar(ranges: readonly RangeRow[], addressSpaceEnd: number): HTMLElement {
  const scale = new AddressScale(addressSpaceEnd);
  const bar = el("div", { className: "range-bar", attrs: { id: "range-bar", role: "img", "aria-label": V.addressSpace(hex(addressSpaceEnd)) } });
  const pct = (a: number): string => `${(scale.at(a) * 100).toFixed(4)}%`;
  for (const r of ranges) {
    const seg = el("div", { className: `range-seg ${r.state}`, title: `${hex(r.start)}–${hex(r.end - 1)} ${V.stateText[r.state] ?? r.state} (${size(r.end - r.start)})` });
    // CSSOM writes are allowed under our CSP (no 'unsafe-inline' needed).
    seg.style.left = pct(r.start);
    seg.style.width = `${Math.max(0, (scale.at(r.end) - scale.at(r.start)) * 100).toFixed(4)}%`;
    bar.appendChild(seg);
  }
  const beyond = el("div", { className: "range-beyond", title: V.beyondEnd(hex(addressSpaceEnd)) });
  beyond.style.left = pct(addressSpaceEnd);
  beyond.style.right = "0";
  bar.appendChild(beyond);
  const axis = el("div", { className: "range-marks muted mono", attrs: { id: "range-marks" } });
  let prev = -Infinity;
  let lowered = false;
  for (const m of MARKS) {
    const mark = el("span", { className: "range-mark", data: { at: String(m.at) }, text: m.label });
    mark.style.left = pct(m.at);
    // Close marks (64 TiB and 4 PiB on the log scale) take turns one line lower.
    const f = scale.at(m.at);
    lowered = f - prev < 0.08 ? !lowered : false;
    prev = f;
    if (lowered) mark.classList.add("lowered");
    axis.appendChild(mark);
  }
  const legend = el(
    "div",
    { className: "range-legend" },
    ...(["dumped", "not-dumped", "excluded"] as const)
      .filter((s) => ranges.some((r) => r.state === s))
      .map((s) => el("span", { className: "legend-item" }, el("span", { className: `swatch ${s}`, attrs: { "aria-hidden": "true" } }), V.stateText[s] ?? s)),
    el("span", { className: "legend-item" }, el("span", { className: "swatch hole", attrs: { "aria-hidden": "true" } }), V.hole),
    el("span", { className: "legend-item" }, el("span", { className: "swatch beyond", attrs: { "aria-hidden": "true" } }), V.beyondEnd(hex(addressSpaceEnd))),
  );
  return el("div", { className: "range-picture" }, bar, axis, legend);
}

function beyondCard(b: BeyondFourLevelView): HTMLElement {
  const counts =
    b.dumped === null ? null : el("p", { className: "muted", text: V.beyondBytes(size(b.dumped), size(b.excluded ?? 0), size(b.hole ?? 0)) });
  return el(
    "div",
    { className: `beyond-4level ${b.state}`, attrs: { id: "beyond-4level" }, data: { state: b.state } },
    el("p", {}, el("strong", { text: V.beyondTitle(size(b.limit), V.beyondState[b.state] ?? b.state) }), " ", el("span", { className: "muted", text: `(${b.basis})` })),
    el("p", { text: b.implication }),
    counts,
  );
}

export interface RangesPanel {
  nodes: HTMLElement[];
  progress(scanned: number, end: number): void;
  done(ranges: RangeRow[], omitted: number, beyond: BeyondFourLevelView | null): void;
  failed(cancelled: boolean, reason: string): void;
}

/**
 * The ranges section. A dump whose ranges were not all computed at open (a kdump file of a big
 * machine: its bitmaps follow the address space) shows what is known, a progress bar and a
 * cancel button while the host scans; `start` asks for the scan.
 */
export function rangesPanel(v: VmcoreView, start: () => void, cancel: () => void): RangesPanel {
  const body = el("div", { attrs: { id: "ranges-body" } });
  const bar = progressBar();
  const scanText = el("span", { text: V.scanning });
  const busy = el("div", { className: "busy", attrs: { id: "ranges-progress", hidden: "" } }, progressRing(), scanText, bar.root, button(V.cancel, cancel, { id: "ranges-cancel" }));
  const again = button(V.scanRanges, start, { id: "ranges-scan" });
  const note = el("p", { className: "muted", attrs: { id: "ranges-note" } });
  const tools = el("div", { className: "toolbar", attrs: { hidden: "" } }, again);
  const draw = (ranges: readonly RangeRow[], omitted: number, complete: boolean, beyond: BeyondFourLevelView | null): void => {
    clear(body);
    const tbody = el("tbody");
    ranges.forEach((r, i) =>
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
    append(
      body,
      el("p", { className: "muted", text: V.addressSpace(hex(v.addressSpaceEnd)) }),
      beyond ? beyondCard(beyond) : null,
      rangeBar(ranges, v.addressSpaceEnd),
      el("div", { className: "table-scroll" }, el("table", { className: "ranges compact", attrs: { id: "ranges" }, data: { complete: String(complete) } }, head, tbody)),
      omitted ? el("p", { className: "muted", text: V.rangesOmitted(omitted) }) : null,
    );
  };
  draw(v.ranges, v.rangesOmitted, v.rangesComplete, v.beyondFourLevel);
  if (!v.rangesComplete) {
    note.textContent = V.rangesPartial;
    tools.hidden = false;
  }
  return {
    nodes: [busy, note, tools, body],
    progress(scanned, end) {
      busy.hidden = false;
      tools.hidden = true;
      note.textContent = "";
      scanText.textContent = V.scanned(size(scanned), size(end));
      bar.set(end ? scanned / end : 0);
    },
    done(ranges, omitted, beyond) {
      busy.hidden = true;
      tools.hidden = true;
      note.textContent = "";
      draw(ranges, omitted, true, beyond);
    },
    failed(cancelled, reason) {
      busy.hidden = true;
      tools.hidden = false;
      note.className = cancelled ? "muted" : "bad";
      note.textContent = cancelled ? V.scanCancelled : V.scanFailed(reason);
    },
  };
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
