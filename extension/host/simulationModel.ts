/**
 * The simulation panel's logic, free of vscode and of the file system: memory map and image →
 * protocol views, one simulation run on the real core, failure explanations, the paging-mode
 * decision and the Markdown report. Nothing here computes a kernel fact: it calls the core
 * (crashkernelReserve, kexecToolsPlacement, kexecFilePlacement, jumpVerdicts, explainFailure)
 * and reshapes what it says.
 */
import { performance } from "node:perf_hooks";
import { simulateCrashkernel } from "../core/kexec/crashkernelReserve";
import { explainFailure, FALLBACK_TRAP } from "../core/kexec/explainFailure";
import { jumpVerdicts } from "../core/kexec/jumpVerdicts";
import { DEFAULT_KERNEL, DEFAULT_KEXEC_TOOLS, kernelProfile, kexecToolsProfile, type KernelProfile, type KexecToolsProfile } from "../core/kexec/kernelProfiles";
import type { KexecImage } from "../core/kexec/kexecImage";
import { simulateKexecFile } from "../core/kexec/kexecFilePlacement";
import { simulateKexecLoad } from "../core/kexec/kexecToolsPlacement";
import type { MemoryMap } from "../core/kexec/memoryMap";
import { isRamType } from "../core/kexec/memoryMap";
import type { PlacementResult } from "../core/kexec/placement";
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
} from "../protocolSimulation";

/** Versions offered in the kernel selector: one per profile family, plus the input's own. */
export const KERNEL_CHOICES = ["4.19", "5.2", "5.10", "6.1", "6.6", "6.8", "6.12", "6.17"] as const;
export const KEXEC_TOOLS_CHOICES = ["2.0.25", "2.0.27", "2.0.30", "2.0.32"] as const;

export interface LoadedMap {
  map: MemoryMap;
  view: MapView;
}

export interface LoadedImage {
  image: KexecImage;
  view: ImageInfoView;
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
export function crashkernelTokens(cmdline: string | null | undefined): string {
  return (cmdline ?? "").match(/(?:^|\s)(crashkernel=\S*)/g)?.map((t) => t.trim()).join(" ") ?? "";
}

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

function profileOr(version: string, errors: string[]): KernelProfile {
  try {
    return kernelProfile(version.trim() || DEFAULT_KERNEL);
  } catch {
    errors.push(`Kernel version "${version}" is not a version like 6.1: simulating ${DEFAULT_KERNEL}.`);
    return kernelProfile(DEFAULT_KERNEL);
  }
}

function toolsOr(version: string, errors: string[]): KexecToolsProfile {
  try {
    return kexecToolsProfile(version.trim() || DEFAULT_KEXEC_TOOLS);
  } catch {
    errors.push(`kexec-tools version "${version}" is not a version like 2.0.25: simulating ${DEFAULT_KEXEC_TOOLS}.`);
    return kexecToolsProfile(DEFAULT_KEXEC_TOOLS);
  }
}

/** kexec-tools' auto mode retries kexec_load on ENOEXEC/EINVAL/ENOSYS/ENOTSUP (kexec.md intro). */
function fallsBack(r: PlacementResult): boolean {
  if (r.accepted) return false;
  // A probe refusal (no loader) is -ENOEXEC; the command-line checks are -EINVAL.
  return r.loader === null || /command line too long|exceeds cmdline size/i.test(r.reason);
}

function placementView(r: PlacementResult, fallbackFrom: string | null): PlacementView {
  return {
    interface: r.interface,
    loader: r.loader,
    accepted: r.accepted,
    reason: r.reason,
    segments: r.segments.map((s) => ({ what: s.what, mem: s.mem, memsz: s.memsz })),
    log: [...r.log],
    crashRegion: r.crashRegion ? { start: r.crashRegion.start, end: r.crashRegion.end } : null,
    fallbackFrom,
  };
}

export function iomemText(r: AddrRange): string {
  return `${hexPad(r.start, 8)}-${hexPad(r.end, 8)}`;
}

export function runSimulation(map: MemoryMap, image: KexecImage | null, params: SimParams): SimResultView {
  const t0 = performance.now();
  const paramErrors: string[] = [];
  const profile = profileOr(params.kernel, paramErrors);
  const tools = toolsOr(params.kexecTools, paramErrors);
  const ck = simulateCrashkernel({ map, cmdline: params.crashkernel, profile, pagingLevels: params.paging });
  let placement: PlacementView | null = null;
  let verdicts: SimResultView["verdicts"] = [];
  if (image) {
    // The crash load uses the area the crashkernel= field reserves, else the one the input shows.
    const crashRanges = ck.ranges.length ? ck.ranges : map.crashKernel;
    const initrdSize = params.initrdSize ?? undefined;
    const viaLoad = (): PlacementResult => simulateKexecLoad({ map, image, initrdSize, crash: params.crash, cmdline: params.append, tools, crashRanges });
    const viaFile = (): PlacementResult =>
      simulateKexecFile({ map, image, initrdSize, crash: params.crash, cmdline: params.append, profile, runningPaging: params.paging, crashRanges });
    let first: "kexec_load" | "kexec_file_load";
    if (params.iface === "kexec_load" || (params.iface === "auto" && !tools.autoFileThenLoad)) {
      first = "kexec_load";
      placement = placementView(viaLoad(), null);
    } else {
      first = "kexec_file_load";
      const f = viaFile();
      placement = params.iface === "auto" && fallsBack(f) ? placementView(viaLoad(), f.reason) : placementView(f, null);
    }
    const segs = placement.accepted ? placement.segments : undefined;
    verdicts = jumpVerdicts({ runningPaging: params.paging, image, iface: first, kernel: profile, tools: { ...tools, autoFileThenLoad: params.iface === "auto" && tools.autoFileThenLoad }, segments: segs }).map((v) => ({ ...v }));
  }
  return {
    elapsedMs: performance.now() - t0,
    kernel: { version: profile.version, family: profile.family },
    kexecTools: tools.version,
    crash: {
      ranges: ck.ranges.map((r) => ({ start: r.start, end: r.end, role: r.role, iomem: iomemText(r) })),
      messages: ck.messages,
      errors: ck.errors,
      notes: ck.notes,
      systemRam: ck.systemRam,
      reserved: ck.request.reserve,
      why: ck.request.why,
    },
    placement,
    verdicts,
    paramErrors,
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
