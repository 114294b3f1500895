/**
 * The JSON form of a simulate() result: what `kexec-load`/`kexec-file --json` print and what the
 * simulation panel's "Copy as JSON" and its tests see. Addresses are "0x…" strings (they pass
 * 2^53 on 5-level maps only as strings), sizes are numbers.
 */
import type { CrashkernelSimResult } from "../kexec/crashkernelReserve";
import type { Verdict } from "../kexec/jumpVerdicts";
import type { MemoryMap } from "../kexec/memoryMap";
import type { PlacementResult } from "../kexec/placement";
import { hex } from "../kexec/ranges";
import type { SimulateResult } from "./simulate";

export interface CrashkernelDoc {
  cmdline: string;
  ranges: { start: string; end: string; name: string; role: string }[];
  messages: string[];
  errors: { message: string; column: number }[];
  notes: string[];
  cma: { start: string; end: string }[];
  systemRam: number;
}

export function crashkernelDoc(cmdline: string, r: CrashkernelSimResult): CrashkernelDoc {
  return {
    cmdline,
    ranges: r.ranges.map((x) => ({ start: hex(x.start), end: hex(x.end), name: x.name, role: x.role })),
    messages: [...r.messages],
    errors: r.errors.map((e) => ({ ...e })),
    notes: [...r.notes],
    cma: r.cma.map((x) => ({ start: hex(x.start), end: hex(x.end) })),
    systemRam: r.systemRam,
  };
}

export interface AttemptDoc {
  interface: PlacementResult["interface"];
  loader: string | null;
  accepted: boolean;
  reason: string;
  errno: string | null;
}

export interface SimulationDoc {
  accepted: boolean | null;
  reason: string;
  /** The syscall that decided (the last attempt); null without an image. */
  interface: PlacementResult["interface"] | null;
  loader: string | null;
  errno: string | null;
  segments: { what: string; mem: string; memsz: number; bufsz?: number }[];
  crashRegion: { start: string; end: string } | null;
  verdicts: Verdict[];
  log: string[];
  notes: string[];
  kernel: { version: string; family: string };
  kexecTools: string;
  runningPaging: 4 | 5;
  /** As asked: auto (kexec-tools default), kexec_file_load (-s), kexec_load (-c). */
  iface: string | null;
  attempts: AttemptDoc[];
  /** The refused kexec_file_load that kexec-tools silently retried with kexec_load. */
  fallbackFrom: AttemptDoc | null;
  crashRegionSource: SimulateResult["crashRegion"]["source"];
  /** The .config that sized build-dependent segments; null: distro defaults were assumed (see notes). */
  config: string | null;
  /** What the capture kernel is told (kexec_file crash loads): its RAM and the ELF headers' loads. */
  dumpKernel?: { ram: { start: string; end: string }[]; elfLoads: { start: string; end: string }[] };
  reservation: CrashkernelDoc | null;
  paramErrors: string[];
}

const hexRange = (x: { start: number; end: number }): { start: string; end: string } => ({ start: hex(x.start), end: hex(x.end) });
const attemptDoc = (a: PlacementResult): AttemptDoc => ({ interface: a.interface, loader: a.loader, accepted: a.accepted, reason: a.reason, errno: a.errno });

export function simulationDoc(r: SimulateResult, map: MemoryMap): SimulationDoc {
  const f = r.load?.final ?? null;
  return {
    accepted: f ? f.accepted : null,
    reason: f?.reason ?? "",
    interface: f?.interface ?? null,
    loader: f?.loader ?? null,
    errno: f?.errno ?? null,
    segments: (f?.segments ?? []).map((s) => ({ what: s.what, mem: hex(s.mem), memsz: s.memsz, ...(s.bufsz === undefined ? {} : { bufsz: s.bufsz }) })),
    crashRegion: f?.crashRegion ? { start: hex(f.crashRegion.start), end: hex(f.crashRegion.end) } : null,
    verdicts: r.verdicts.map((v) => ({ ...v })),
    log: [...(f?.log ?? [])],
    notes: [...r.notes, ...(f?.notes ?? []), ...map.notes],
    kernel: { ...r.kernel },
    kexecTools: r.kexecTools,
    runningPaging: r.runningPaging,
    iface: r.load?.iface ?? null,
    attempts: (r.load?.attempts ?? []).map(attemptDoc),
    fallbackFrom: r.load?.fallbackFrom ? attemptDoc(r.load.fallbackFrom) : null,
    crashRegionSource: r.crashRegion.source,
    config: r.config,
    ...(f?.dumpKernel ? { dumpKernel: { ram: f.dumpKernel.ram.map(hexRange), elfLoads: f.dumpKernel.elfLoads.map(hexRange) } } : {}),
    reservation: r.reservation ? crashkernelDoc(r.crashkernel, r.reservation) : null,
    paramErrors: [...r.paramErrors],
  };
}
