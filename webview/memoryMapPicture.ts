/**
 * The memory-map picture: RAM, firmware-reserved ranges, holes, memblock reservations, Crash
 * kernel ranges and placed segments on one physical-address axis, plus a linear zoom on the
 * crash area / segments. SVG built with DOM APIs (no markup strings).
 *
 * Scale: four segments with marks at 1 MiB, 4 GiB, 64 TiB and 4 PiB; linear below 4 GiB,
 * logarithmic above, so both the first MiB and the 4 PiB of 5-level paging stay readable. Empty
 * upper segments shrink. Fast with 10,000 ranges: ranges closer than half a pixel are merged
 * into one rect, and hover resolves the exact range by binary search, not by per-range nodes.
 */
import { hex } from "./format";
import type { CrashRangeView, MapRegion, SegmentView } from "../extension/protocol/simulation";
import { size } from "./format";

const NS = "http://www.w3.org/2000/svg";
const MiB = 2 ** 20;
const GiB = 2 ** 30;
const TiB = 2 ** 40;
const PiB = 2 ** 50;
const TOP = 4 * PiB;

export const MARKS: readonly { at: number; label: string }[] = [
  { at: 0, label: "0" },
  { at: MiB, label: "1 MiB" },
  { at: 4 * GiB, label: "4 GiB" },
  { at: 64 * TiB, label: "64 TiB" },
  { at: TOP, label: "4 PiB" },
];

export interface PictureInput {
  /** System RAM, flat [start, end, …], sorted. */
  ram: readonly number[];
  firmware: readonly MapRegion[];
  reserved: readonly MapRegion[];
  crash: readonly CrashRangeView[];
  /** Crash kernel ranges shown by the input (drawn outlined when no simulated range covers them). */
  inputCrash: readonly MapRegion[];
  segments: readonly SegmentView[];
  /** A range the zoom must include (the crash area of a kdump load). */
  focus: { start: number; end: number } | null;
}

export interface Picture {
  root: SVGSVGElement;
  renderMs: number;
}

/** Physical address ↔ x within [0, 1]. */
export class AddressScale {
  private readonly w: number[];
  constructor(maxAddr: number) {
    const w = [0.1, 0.46, 0.3, 0.14];
    if (maxAddr < 64 * TiB) w[3] = 0.05;
    if (maxAddr < 4 * GiB) w[2] = 0.1;
    const sum = w.reduce((a, b) => a + b, 0);
    this.w = w.map((x) => x / sum);
  }

  /** Fraction of the width at which segment i starts. */
  private base(i: number): number {
    let b = 0;
    for (let k = 0; k < i; k++) b += this.w[k]!;
    return b;
  }

  at(a: number): number {
    const x = Math.max(0, Math.min(TOP, a));
    if (x < MiB) return (x / MiB) * this.w[0]!;
    if (x < 4 * GiB) return this.base(1) + ((x - MiB) / (4 * GiB - MiB)) * this.w[1]!;
    if (x < 64 * TiB) return this.base(2) + (Math.log2(x / (4 * GiB)) / 14) * this.w[2]!;
    return this.base(3) + (Math.log2(x / (64 * TiB)) / 6) * this.w[3]!;
  }

  /** Inverse of at(), for hover. */
  address(f: number): number {
    const t = Math.max(0, Math.min(1, f));
    for (let i = 3; i >= 0; i--) {
      const b = this.base(i);
      if (t < b && i > 0) continue;
      const u = Math.min(1, (t - b) / this.w[i]!);
      if (i === 0) return u * MiB;
      if (i === 1) return MiB + u * (4 * GiB - MiB);
      if (i === 2) return 4 * GiB * 2 ** (u * 14);
      return 64 * TiB * 2 ** (u * 6);
    }
    return 0;
  }
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

export { hex };
/** /proc/iomem form: at least 8 hex digits, no prefix. */
export const iomemHex = (n: number): string => n.toString(16).padStart(8, "0");
const span = (s: number, e: number): string => `${hex(s)}–${hex(e)} (${size(e - s + 1)})`;

interface Hit {
  start: number;
  end: number;
  label: string;
  /** Higher wins when ranges overlap (a segment inside RAM). */
  rank: number;
}

/** Sorted by start; non-overlapping within one list. */
function findIn(list: readonly Hit[], a: number): Hit | null {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = list[mid]!;
    if (a < r.start) hi = mid - 1;
    else if (a > r.end) lo = mid + 1;
    else return r;
  }
  return null;
}

/** Rects for a sorted range list, merged below half a pixel. */
function bands(parent: Element, ranges: Iterable<[number, number, string]>, x: (a: number) => number, y: number, h: number, cls: string): void {
  let cur: { x0: number; x1: number; n: number; label: string } | null = null;
  const flush = (): void => {
    if (!cur) return;
    const r = svg("rect", { x: cur.x0.toFixed(2), y, width: Math.max(1, cur.x1 - cur.x0).toFixed(2), height: h, class: cls }, parent);
    r.dataset["count"] = String(cur.n);
  };
  for (const [s, e, label] of ranges) {
    const x0 = x(s);
    const x1 = x(e + 1);
    if (cur && x0 <= cur.x1 + 0.5) {
      cur.x1 = Math.max(cur.x1, x1);
      cur.n++;
    } else {
      flush();
      cur = { x0, x1, n: 1, label };
    }
  }
  flush();
}

function* pairs(flat: readonly number[]): Iterable<[number, number, string]> {
  for (let i = 0; i + 1 < flat.length; i += 2) yield [flat[i]!, flat[i + 1]!, "System RAM"];
}
function* regions(list: readonly MapRegion[]): Iterable<[number, number, string]> {
  for (const r of [...list].sort((a, b) => a.start - b.start)) yield [r.start, r.end, r.label];
}

const LEFT = 78;
const RIGHT = 14;
const ROW_H = 22;

/**
 * Builds the picture for a given pixel width. onHover gets a line describing the range under
 * the pointer (exact addresses), or "" when the pointer leaves.
 */
export function memoryMapPicture(input: PictureInput, width: number, onHover: (text: string) => void): Picture {
  const t0 = performance.now();
  const W = Math.max(360, Math.floor(width));
  const plotW = W - LEFT - RIGHT;
  let maxAddr = 0;
  for (let i = 1; i < input.ram.length; i += 2) maxAddr = Math.max(maxAddr, input.ram[i]!);
  for (const r of input.firmware) maxAddr = Math.max(maxAddr, r.end);
  const scale = new AddressScale(maxAddr);
  const x = (a: number): number => LEFT + scale.at(a) * plotW;

  const zoom = zoomWindow(input);
  const yRam = 22;
  const yCrash = yRam + ROW_H + 6;
  const ySeg = yCrash + ROW_H + 6;
  const yAxis = ySeg + ROW_H + 4;
  const yZoom = yAxis + 40;
  const H = zoom ? yZoom + ROW_H * 2 + 34 : yAxis + 36;
  const root = svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", class: "memmap", id: "memory-map" });
  root.setAttribute("aria-label", "Physical memory map");

  // Row labels and backgrounds (a hole is what shows through).
  for (const [y, label] of [[yRam, "memory"], [yCrash, "crashkernel"], [ySeg, "segments"]] as const) {
    svg("text", { x: 4, y: y + ROW_H / 2 + 4, class: "row-label" }, root).textContent = label;
    svg("rect", { x: LEFT, y, width: plotW, height: ROW_H, class: "hole" }, root);
  }
  const mem = svg("g", { class: "layer-memory" }, root);
  bands(mem, pairs(input.ram), x, yRam, ROW_H, "ram");
  bands(mem, regions(input.firmware), x, yRam, ROW_H, "fw");
  bands(mem, regions(input.reserved), x, yRam + ROW_H / 2, ROW_H / 2, "resv");

  // Crash kernel ranges and segments: few, one element each, with exact data attributes.
  const crashG = svg("g", { class: "layer-crash" }, root);
  input.crash.forEach((r, i) => {
    const el = svg("rect", { x: x(r.start).toFixed(2), y: yCrash, width: Math.max(3, x(r.end + 1) - x(r.start)).toFixed(2), height: ROW_H, class: `crash ${r.role}`, id: `pic-crash-${i}` }, crashG);
    el.dataset["start"] = hex(r.start);
    el.dataset["end"] = hex(r.end);
    svg("title", {}, el).textContent = `Crash kernel (${r.role}) ${iomemHex(r.start)}-${iomemHex(r.end)}, ${size(r.end - r.start + 1)}`;
  });
  input.inputCrash.forEach((r, i) => {
    const el = svg("rect", { x: x(r.start).toFixed(2), y: yCrash + 1, width: Math.max(3, x(r.end + 1) - x(r.start)).toFixed(2), height: ROW_H - 2, class: "crash-input", id: `pic-input-crash-${i}` }, crashG);
    el.dataset["start"] = hex(r.start);
    el.dataset["end"] = hex(r.end);
    svg("title", {}, el).textContent = `Crash kernel in the input ${iomemHex(r.start)}-${iomemHex(r.end)}`;
  });
  const segG = svg("g", { class: "layer-segments" }, root);
  input.segments.forEach((s, i) => segmentRect(segG, s, i, x(s.mem), Math.max(3, x(s.mem + s.memsz) - x(s.mem)), ySeg, "pic-seg"));

  // Marks.
  const axis = svg("g", { class: "axis" }, root);
  let prevX = -Infinity;
  let lowered = false;
  for (const m of MARKS) {
    const mx = x(m.at);
    svg("line", { x1: mx, x2: mx, y1: yRam - 4, y2: yAxis, class: "mark" }, axis);
    // Marks closer than a label's width (64 TiB and 4 PiB on the log scale) take turns one line lower.
    lowered = mx - prevX < 56 ? !lowered : false;
    prevX = mx;
    const t = svg("text", { x: mx, y: yAxis + 14 + (lowered ? 12 : 0), class: "mark-label", "text-anchor": m.at === 0 ? "start" : m.at === TOP ? "end" : "middle" }, axis);
    t.textContent = m.label;
  }
  svg("text", { x: LEFT, y: 13, class: "scale-note" }, root).textContent = "linear to 4 GiB, logarithmic above";

  if (zoom) {
    const zx = (a: number): number => LEFT + ((a - zoom.start) / (zoom.end + 1 - zoom.start)) * plotW;
    const zg = svg("g", { class: "zoom", id: "memory-map-zoom" }, root);
    svg("text", { x: 4, y: yZoom - 8, class: "row-label" }, zg).textContent = "zoom";
    svg("text", { x: LEFT, y: yZoom - 8, class: "scale-note" }, zg).textContent = `${hex(zoom.start)} – ${hex(zoom.end)} (linear)`;
    svg("rect", { x: LEFT, y: yZoom, width: plotW, height: ROW_H, class: "hole" }, zg);
    svg("rect", { x: LEFT, y: yZoom + ROW_H + 4, width: plotW, height: ROW_H, class: "hole" }, zg);
    const clip = (a: number): number => Math.max(zoom.start, Math.min(zoom.end + 1, a));
    bands(zg, pairs(input.ram), (a) => zx(clip(a)), yZoom, ROW_H, "ram");
    for (const r of input.crash) {
      const el = svg("rect", { x: zx(clip(r.start)).toFixed(2), y: yZoom, width: Math.max(2, zx(clip(r.end + 1)) - zx(clip(r.start))).toFixed(2), height: ROW_H, class: `crash ${r.role}` }, zg);
      svg("title", {}, el).textContent = `Crash kernel ${iomemHex(r.start)}-${iomemHex(r.end)}`;
    }
    input.segments.forEach((s, i) => {
      const sx = zx(clip(s.mem));
      const sw = Math.max(2, zx(clip(s.mem + s.memsz)) - sx);
      segmentRect(zg, s, i, sx, sw, yZoom + ROW_H + 4, "zoom-seg");
      if (sw > 46) {
        const t = svg("text", { x: sx + 3, y: yZoom + ROW_H + 4 + 15, class: "seg-label" }, zg);
        t.textContent = s.what;
      }
    });
    const ticks = svg("g", { class: "axis" }, zg);
    for (const f of [0, 0.5, 1]) {
      const a = zoom.start + Math.round((zoom.end - zoom.start) * f);
      const t = svg("text", { x: LEFT + f * plotW, y: yZoom + ROW_H * 2 + 22, class: "mark-label", "text-anchor": f === 0 ? "start" : f === 1 ? "end" : "middle" }, ticks);
      t.textContent = hex(a);
    }
  }

  // Hover: exact ranges by binary search on sorted lists, most specific first.
  const lists: Hit[][] = [
    input.segments.map((s) => ({ start: s.mem, end: s.mem + s.memsz - 1, label: `segment ${s.what}`, rank: 4 })).sort((a, b) => a.start - b.start),
    input.crash.map((r) => ({ start: r.start, end: r.end, label: `Crash kernel (${r.role})`, rank: 3 })),
    [...input.reserved].sort((a, b) => a.start - b.start).map((r) => ({ start: r.start, end: r.end, label: `reserved: ${r.label}`, rank: 2 })),
    [...input.firmware].sort((a, b) => a.start - b.start).map((r) => ({ start: r.start, end: r.end, label: `firmware: ${r.label}`, rank: 1 })),
  ];
  const ramHits: Hit[] = [];
  for (const [s, e] of pairs(input.ram)) ramHits.push({ start: s, end: e, label: "System RAM", rank: 0 });
  lists.push(ramHits);
  root.addEventListener("mousemove", (ev) => {
    const box = root.getBoundingClientRect();
    const px = ev.clientX - box.left;
    const py = ev.clientY - box.top;
    if (px < LEFT || px > LEFT + plotW) return onHover("");
    let a: number;
    if (zoom && py >= yZoom - 2) a = Math.floor(zoom.start + ((px - LEFT) / plotW) * (zoom.end + 1 - zoom.start));
    else a = Math.floor(scale.address((px - LEFT) / plotW));
    const which = py < yCrash - 2 ? [2, 3, 4] : py < ySeg - 2 ? [1] : py < yAxis ? [0] : [0, 1, 2, 3, 4];
    for (const i of which) {
      const h = findIn(lists[i]!, a);
      if (h) return onHover(`${hex(a)}: ${h.label} ${span(h.start, h.end)}`);
    }
    onHover(`${hex(a)}: hole (no RAM)`);
  });
  root.addEventListener("mouseleave", () => onHover(""));

  const renderMs = performance.now() - t0;
  root.dataset["renderMs"] = renderMs.toFixed(2);
  return { root, renderMs };
}

function segmentRect(parent: Element, s: SegmentView, i: number, sx: number, sw: number, y: number, idPrefix: string): void {
  const kind = /kernel/.test(s.what) ? "kernel" : /initrd/.test(s.what) ? "initrd" : /purgatory/.test(s.what) ? "purgatory" : /boot_params|real_mode/.test(s.what) ? "params" : "other";
  const el = svg("rect", { x: sx.toFixed(2), y, width: sw.toFixed(2), height: ROW_H, class: `seg ${kind}`, id: `${idPrefix}-${i}` }, parent);
  el.dataset["what"] = s.what;
  el.dataset["start"] = hex(s.mem);
  el.dataset["end"] = hex(s.mem + s.memsz - 1);
  svg("title", {}, el).textContent = `${s.what} ${span(s.mem, s.mem + s.memsz - 1)}`;
}

/** The zoom covers the placed segments (and the crash area) when there are any, else the crash ranges. */
function zoomWindow(input: PictureInput): { start: number; end: number } | null {
  const spans: { start: number; end: number }[] = input.segments.map((s) => ({ start: s.mem, end: s.mem + s.memsz - 1 }));
  if (input.focus) spans.push(input.focus);
  if (!spans.length) for (const r of input.crash) spans.push(r);
  if (!spans.length) return null;
  let s = Math.min(...spans.map((r) => r.start));
  let e = Math.max(...spans.map((r) => r.end));
  const pad = Math.max(MiB, Math.floor((e - s) * 0.04));
  s = Math.max(0, s - pad);
  e = e + pad;
  return { start: s, end: e };
}
