/**
 * The simulation panel's logic, free of vscode and of the file system: memory map and image →
 * protocol views, one simulation run on the real core, failure explanations, the paging-mode
 * decision and the Markdown report. Nothing here computes a kernel fact: it calls the core
 * (crashkernelReserve, kexecToolsPlacement, kexecFilePlacement, jumpVerdicts, explainFailure)
 * and reshapes what it says.
 */
import { performance } from "node:perf_hooks";
import { explainFailure, FALLBACK_TRAP } from "../core/kexec/explainFailure";
import { DEFAULT_KERNEL, DEFAULT_KEXEC_TOOLS } from "../core/kexec/kernelProfiles";
import type { KexecImage } from "../core/kexec/kexecImage";
import type { UkiFacts } from "../core/kexec/ukiVerdicts";
import { chooseKernelConfig, type ConfigChoice } from "../core/scenario/kernelConfigChoice";
import type { MemoryMap } from "../core/kexec/memoryMap";
import { isRamType } from "../core/kexec/memoryMap";
import type { PlacementResult } from "../core/kexec/placement";
import { crashkernelTokens, simulate, type SimulateInputs } from "../core/scenario/simulate";
import type { AddrRange } from "../core/kexec/ranges";
import { hex, hexPad, MiB } from "../core/kexec/ranges";
import type {
  ExplanationView,
  ImageInfoView,
  InputsView,
  MapView,
  PlacementView,
  SimParams,
  SimResultView,
  SourceRef,
} from "../protocol/simulation";

/** Versions offered in the kernel selector: one per profile family, plus the input's own. */
export const KERNEL_CHOICES = ["4.19", "5.2", "5.10", "6.1", "6.6", "6.8", "6.12", "6.17", "7.2"] as const;
export const KEXEC_TOOLS_CHOICES = ["2.0.25", "2.0.27", "2.0.30", "2.0.32"] as const;

export interface LoadedMap {
  map: MemoryMap;
  view: MapView;
}

export interface LoadedImage {
  image: KexecImage;
  view: ImageInfoView;
  /** The target is a UKI and `image` the kernel in its .linux. */
  uki?: UkiFacts | null;
}

/** What the panel knows about its target besides the kernel itself. */
export interface TargetExtras {
  uki?: UkiFacts | null;
  /** The image file: its directory may hold config-<release>, as /boot does. */
  imagePath?: string;
}

const configCache = new Map<string, ConfigChoice>();
/** The .config the CLI would pick for these inputs (kernelConfigChoice.ts), read once per key. */
function configFor(imagePath: string, runningRelease: string | undefined, imageRelease: string | undefined): ConfigChoice {
  const key = JSON.stringify([imagePath, runningRelease, imageRelease]);
  let c = configCache.get(key);
  if (!c) {
    try {
      c = chooseKernelConfig(undefined, imagePath, runningRelease, imageRelease);
    } catch (e) {
      c = { from: null, notes: [`Kernel .config beside ${imagePath} not read: ${e instanceof Error ? e.message : String(e)}`] };
    }
    if (configCache.size > 64) configCache.clear();
    configCache.set(key, c);
  }
  return c;
}

export function buildMapView(map: MemoryMap, source: SourceRef, label: string): MapView {
  const ram: number[] = [];
  for (const r of map.systemRam) ram.push(r.start, r.end);
  return {
    label,
    kind: map.kind,
    source,
    ram,
    firmware: map.firmware.filter((e) => !isRamType(e.type)).map((e) => ({ start: e.start, end: e.end, label: e.type })),
    reserved: map.reserved.map((r) => ({ start: r.start, end: r.end, label: r.estimated ? `${r.what} (estimated)` : r.what })),
    crashKernel: map.crashKernel.map((r) => ({ start: r.start, end: r.end, label: "Crash kernel" })),
    notes: [...map.notes],
    cmdline: map.cmdline ?? null,
    kernelRelease: map.kernelRelease ?? null,
  };
}

export function buildImageInfo(image: KexecImage, source: SourceRef, label: string): ImageInfoView {
  return { label, source, kernelVersion: image.kernelVersion ?? null, xloadflags: image.xloadflags, initSize: image.initSize, prefAddress: image.prefAddress };
}

/** The crashkernel= tokens of a command line, as the field's starting value. */
export { crashkernelTokens };

export function defaultParams(over: Partial<SimParams> = {}): SimParams {
  return { crashkernel: "", kernel: DEFAULT_KERNEL, paging: 4, iface: "auto", kexecTools: DEFAULT_KEXEC_TOOLS, crash: false, append: "", initrdSize: null, ...over };
}

export function kernelChoices(extra: readonly (string | null | undefined)[]): string[] {
  const out: string[] = [];
  for (const v of [...extra, ...KERNEL_CHOICES]) if (v && !out.includes(v)) out.push(v);
  return out;
}

export function kexecToolsChoices(extra: readonly (string | null | undefined)[]): string[] {
  const out: string[] = [];
  for (const v of [...extra, ...KEXEC_TOOLS_CHOICES]) if (v && !out.includes(v)) out.push(v);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paging mode: decided in the core (the doctor uses it too); re-exported for the panel.

export { decidePaging, type PagingEvidence } from "../core/scenario/doctor/paging";

// ---------------------------------------------------------------------------------------------
// One run.

/** The scenario inputs the panel's fields describe (the CLI builds the same from its flags). */
export function panelInputs(map: MemoryMap, image: KexecImage | null, params: SimParams, extras: TargetExtras = {}): SimulateInputs {
  return {
    map,
    image,
    uki: extras.uki ?? null,
    config: image && extras.imagePath ? configFor(extras.imagePath, map.kernelRelease, image.kernelVersion) : undefined,
    kernel: params.kernel,
    kexecTools: params.kexecTools,
    runningPaging: params.paging,
    iface: params.iface,
    crash: params.crash,
    crashkernel: params.crashkernel,
    append: params.append,
    initrdSize: params.initrdSize ?? undefined,
  };
}

function placementView(r: PlacementResult, fallbackFrom: string | null, notes: string[]): PlacementView {
  return {
    interface: r.interface,
    loader: r.loader,
    accepted: r.accepted,
    reason: r.reason,
    segments: r.segments.map((s) => ({ what: s.what, mem: s.mem, memsz: s.memsz })),
    log: [...r.log],
    crashRegion: r.crashRegion ? { start: r.crashRegion.start, end: r.crashRegion.end } : null,
    fallbackFrom,
    notes,
  };
}

export function iomemText(r: AddrRange): string {
  return `${hexPad(r.start, 8)}-${hexPad(r.end, 8)}`;
}

/** One panel run: simulate() decides, this only reshapes its answer for the webview. */
export function runSimulation(map: MemoryMap, image: KexecImage | null, params: SimParams, extras: TargetExtras = {}): SimResultView {
  const t0 = performance.now();
  const r = simulate(panelInputs(map, image, params, extras));
  const ck = r.reservation;
  return {
    elapsedMs: performance.now() - t0,
    kernel: r.kernel,
    kexecTools: r.kexecTools,
    crash: {
      ranges: (ck?.ranges ?? []).map((x) => ({ start: x.start, end: x.end, role: x.role, iomem: iomemText(x) })),
      messages: ck?.messages ?? [],
      errors: ck?.errors ?? [],
      notes: ck?.notes ?? [],
      systemRam: ck?.systemRam ?? 0,
      reserved: ck?.request.reserve ?? false,
      why: ck?.request.why ?? "no crashkernel= given",
    },
    placement: r.load ? placementView(r.load.final, r.load.fallbackFrom?.reason ?? null, [...r.notes, ...(r.load.final.notes ?? [])]) : null,
    verdicts: r.verdicts.map((v) => ({ ...v })),
    paramErrors: r.paramErrors,
  };
}

export function explanationViews(text: string): ExplanationView[] {
  return explainFailure(text).map((e) => ({
    ...e,
    simulate: e.simulate && { focus: e.simulate.focus, paging: e.simulate.paging ?? null, iface: e.simulate.iface ?? null, crash: e.simulate.crash ?? null, kexecTools: e.simulate.kexecTools ?? null },
  }));
}

// ---------------------------------------------------------------------------------------------
// Report.

const code = (s: string): string => "`" + s.replace(/`/g, "'") + "`";
/** One table cell: pipes and newlines would break the row. */
const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const mib = (n: number): string => `${Math.round((n / MiB) * 10) / 10} MiB`;

export function markdownReport(inputs: InputsView, result: SimResultView, params: SimParams, explanations: readonly ExplanationView[]): string {
  const L: string[] = [];
  L.push("# Kexec Inspector simulation report", "");
  L.push(`- Memory map: ${inputs.map ? `${code(inputs.map.label)} (${inputs.map.kind})` : "none"}`);
  L.push(`- Target image: ${inputs.image ? code(inputs.image.label) + (inputs.image.kernelVersion ? ` (${code(inputs.image.kernelVersion)})` : "") : "none"}`);
  L.push(`- Kernel profile: ${result.kernel.version} [${result.kernel.family}]`);
  L.push(`- Running paging mode: ${params.paging}-level${params.paging === inputs.params.paging ? ` — ${inputs.pagingHow}` : " — chosen"}`);
  L.push(`- Interface: ${params.iface}${params.iface !== "kexec_file_load" ? `, kexec-tools ${result.kexecTools}` : ""}; ${params.crash ? "kdump load (kexec -p)" : "normal load (kexec -l)"}`);
  L.push(`- crashkernel=: ${params.crashkernel ? code(params.crashkernel) : "(empty)"}`);
  for (const e of result.paramErrors) L.push(`- **${e}**`);
  L.push("", "## crashkernel reservation", "");
  if (result.crash.ranges.length) {
    L.push("/proc/iomem would show:", "", "```");
    for (const r of result.crash.ranges) L.push(`  ${r.iomem} : Crash kernel`);
    L.push("```", "");
  } else L.push(`No Crash kernel range${result.crash.why ? `: ${result.crash.why}` : ""}.`, "");
  for (const e of result.crash.errors) L.push(`- Error at column ${e.column}: ${code(e.message)}`);
  if (result.crash.messages.length) {
    L.push("Kernel log:", "", "```", ...result.crash.messages, "```", "");
  }
  for (const n of result.crash.notes) L.push(`- ${n}`);
  if (result.placement) {
    const p = result.placement;
    L.push("", `## ${p.interface}${p.loader ? ` (${p.loader})` : ""}`, "");
    if (p.fallbackFrom) L.push(`kexec_file_load refused the image (${code(p.fallbackFrom)}); kexec-tools fell back to kexec_load.`, "");
    L.push(p.accepted ? "Accepted." : `Refused: ${code(p.reason)}`, "");
    if (p.segments.length) {
      L.push("| Segment | Start | End | Size |", "| --- | --- | --- | --- |");
      for (const s of p.segments) L.push(`| ${cell(s.what)} | ${hex(s.mem)} | ${hex(s.mem + s.memsz - 1)} | ${mib(s.memsz)} |`);
      L.push("");
    }
  }
  if (result.verdicts.length) {
    L.push("", "## Verdicts", "");
    for (const v of result.verdicts) L.push(`- **${v.severity}**: ${v.message}`, `  - rule: ${v.rule}`, `  - source: ${v.source}`);
    if (result.verdicts.some((v) => v.id === "silent-fallback")) L.push("", `> ${FALLBACK_TRAP}`);
  }
  if (explanations.length) {
    L.push("", "## Failure explained", "");
    for (const e of explanations) {
      L.push(`### ${e.title}`, "", `Line ${e.line}: ${code(e.matched)}`, "", `**Likely cause.** ${e.cause}`, "", "**Check:**", ...e.check.map((c) => `- ${c}`), "", "**Fix:**", ...e.fix.map((f) => `- ${f}`), "", `Rule: ${e.rule}  `, `Source: ${e.source}`, "");
    }
  }
  L.push("", `_Simulated in ${result.elapsedMs.toFixed(2)} ms by Kexec Inspector._`, "");
  return L.join("\n");
}
