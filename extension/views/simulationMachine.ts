/**
 * The simulation panel's inputs from disk and from this machine (/proc/iomem, /proc/cpuinfo,
 * /proc/cmdline, /boot, uname -r, kexec --version). Node only, no vscode: the panel's quick
 * picks call it, and so do the tests with fixture paths.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadMemoryMap } from "../core/kexec/loadMemoryMap";
import { readTextInput } from "../core/io/byteSource";
import { isFormatError } from "../core/io/formatError";
import type { BzImage } from "../core/formats/bzimage/model";
import type { UkiInfo } from "../core/formats/bzimage/uki";
import { readTargetImage } from "../core/scenario/targetImage";
import { ukiFacts } from "../core/scenario/ukiReport";
import { memoryMapFromIomem } from "../core/kexec/iomem";
import { kexecImageFromSetupHeader } from "../core/kexec/kexecImage";
import { DEFAULT_KERNEL, DEFAULT_KEXEC_TOOLS } from "../core/kexec/kernelProfiles";
import type { SimParams, SourceRef } from "../protocol/simulation";
import type { CheckSimulation } from "../core/scenario/doctor/checks";
import {
  buildImageInfo,
  buildMapView,
  crashkernelTokens,
  decidePaging,
  defaultParams,
  kernelChoices,
  kexecToolsChoices,
  type LoadedImage,
  type LoadedMap,
} from "./simulationModel";
import type { SimulationSetup } from "./simulationSession";

export type MapLoad = { ok: true; loaded: LoadedMap } | { ok: false; problem: string };

function readText(file: string): string | null {
  try {
    return readTextInput(file);
  } catch {
    return null;
  }
}

/** A memory map file: boot log / dmesg, /proc/iomem dump, vmcore or JSON. */
export function loadMapFile(file: string): MapLoad {
  try {
    const map = loadMemoryMap(file);
    return { ok: true, loaded: { map, view: buildMapView(map, { kind: "file", path: file }, path.basename(file)) } };
  } catch (e) {
    return { ok: false, problem: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * This machine's /proc/iomem. For non-root users the kernel prints every address as zero; that
 * case (and an unreadable file) becomes a problem text that says what to do instead.
 */
export function loadMachineMap(iomemPath = "/proc/iomem", cmdlinePath = "/proc/cmdline"): MapLoad {
  const text = readText(iomemPath);
  if (text === null) return { ok: false, problem: `${iomemPath} is not readable on this machine (not Linux, or no permission). Choose a boot log, a /proc/iomem dump or a vmcore instead.` };
  try {
    const map = memoryMapFromIomem(text, iomemPath);
    const cmdline = readText(cmdlinePath);
    if (cmdline !== null) map.cmdline = cmdline.trim();
    map.kernelRelease = os.release();
    return { ok: true, loaded: { map, view: buildMapView(map, { kind: "machine", path: "" }, `this machine (${iomemPath})`) } };
  } catch (e) {
    if (isFormatError(e) && /00000000-00000000/.test(e.message)) {
      return {
        ok: false,
        problem: `${iomemPath} shows every address as 00000000-00000000: the kernel hides physical addresses from users without CAP_SYS_ADMIN. Save a copy as root (sudo cat /proc/iomem > iomem.txt) and choose that file, or choose a boot log (journalctl -k -b > boot.log).`,
      };
    }
    return { ok: false, problem: e instanceof Error ? e.message : String(e) };
  }
}

/** A target the image editor already parsed (for a UKI, img is the kernel in .linux). */
export function imageFromBzImage(img: BzImage, file: string, source: SourceRef, uki: UkiInfo | null = null): LoadedImage {
  const image = kexecImageFromSetupHeader(img.setupHeader, img.fileSize, file, img.kernelVersion ?? undefined);
  return { image, view: buildImageInfo(image, source, path.basename(file)), uki: uki ? ukiFacts(uki) : null };
}

export function loadImageFile(file: string): { ok: true; loaded: LoadedImage } | { ok: false; problem: string } {
  try {
    const { image, uki } = readTargetImage(file);
    return { ok: true, loaded: { image, view: buildImageInfo(image, { kind: "file", path: file }, path.basename(file)), uki } };
  } catch (e) {
    return { ok: false, problem: e instanceof Error ? e.message : String(e) };
  }
}

/** /boot/vmlinuz-* of this machine, newest name first. */
export function bootImages(dir = "/boot"): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => /^vmlinuz-/.test(f))
      .sort()
      .reverse()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

export interface MachineFacts {
  release: string;
  paging: { levels: 4 | 5; how: string };
  kexecTools: string | null;
}

/** `kexec --version` → "2.0.25", or null when kexec-tools is not installed. */
function kexecToolsVersion(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile("kexec", ["--version"], { timeout: 2000 }, (err, stdout) => {
      if (err) return resolve(null);
      resolve(/(\d+\.\d+(?:\.\d+){0,2})/.exec(stdout)?.[1] ?? null);
    });
  });
}

export async function machineFacts(): Promise<MachineFacts> {
  const release = os.release();
  const paging = decidePaging({
    cpuinfo: readText("/proc/cpuinfo"),
    cmdline: readText("/proc/cmdline"),
    config: readText(`/boot/config-${release}`),
    release,
  });
  return { release, paging, kexecTools: await kexecToolsVersion() };
}

/**
 * Starting point of a panel: parameters from the map (its crashkernel=, its kernel release, a
 * boot log's paging line) or, for this machine, from the machine.
 */
export function setupFor(o: {
  map: MapLoad | null;
  image: LoadedImage | null;
  facts: MachineFacts;
  focus: SimulationSetup["focus"];
  explainText?: string | null;
  params?: Partial<SimParams>;
}): SimulationSetup {
  const loaded = o.map?.ok ? o.map.loaded : null;
  const derived = mapDefaults(loaded, o.facts);
  return {
    map: loaded,
    mapProblem: o.map && !o.map.ok ? o.map.problem : null,
    image: o.image,
    params: { ...derived.params, ...(o.params ?? {}) },
    pagingHow: o.params?.paging !== undefined && o.params.paging !== derived.params.paging ? "chosen" : derived.pagingHow,
    kernelHow: derived.kernelHow,
    kernelVersions: kernelChoices([derived.params.kernel, o.facts.release]),
    kexecToolsVersions: kexecToolsChoices([o.facts.kexecTools]),
    explainText: o.explainText ?? null,
    focus: o.focus,
  };
}

/** Defaults that follow the memory map: used at start and when the user picks another map. */
export function mapDefaults(loaded: LoadedMap | null, facts: MachineFacts): { params: SimParams; pagingHow: string; kernelHow: string } {
  const map = loaded?.map;
  const machine = !loaded || loaded.view.source.kind === "machine";
  const kernel = machine ? facts.release : (map?.kernelRelease ?? DEFAULT_KERNEL);
  const kernelHow = machine ? "this machine's uname -r" : map?.kernelRelease ? `"Linux version" in ${loaded.view.label}` : `${loaded.view.label} names no kernel: default ${DEFAULT_KERNEL}`;
  let paging: 4 | 5 = facts.paging.levels;
  let pagingHow = facts.paging.how;
  if (!machine) {
    paging = map?.pagingLevels ?? 4;
    pagingHow = map?.pagingLevels ? `${paging}-level: stated by ${loaded.view.label}` : `4-level: ${loaded.view.label} does not mention 5-level paging`;
  }
  return {
    params: defaultParams({ crashkernel: crashkernelTokens(map?.cmdline), kernel, paging, kexecTools: facts.kexecTools ?? DEFAULT_KEXEC_TOOLS }),
    pagingHow,
    kernelHow,
  };
}

const IFACE_OF_MODE: Record<CheckSimulation["iface"], SimParams["iface"]> = { auto: "auto", file: "kexec_file_load", load: "kexec_load" };

/**
 * The simulation behind a kdump readiness check as the panel's starting point: the doctor chose
 * every input (its map file, image, versions, paging mode, interface, crash load, crashkernel=,
 * append line); this only loads the files again. `problems` says what could not be loaded.
 */
export function setupFromDoctor(sim: CheckSimulation): { setup: SimulationSetup; problems: string[] } {
  const problems: string[] = [];
  let map: MapLoad | null = sim.memmap !== null ? loadMapFile(sim.memmap) : null;
  if (map && !map.ok) problems.push(map.problem);
  if (map?.ok && map.loaded.map.cmdline === undefined && sim.cmdline !== null) {
    // A /proc/iomem dump has no command line: give it the machine's, as loadMachineMap() does for this one.
    const m = { ...map.loaded.map, cmdline: sim.cmdline };
    map = { ok: true, loaded: { map: m, view: buildMapView(m, map.loaded.view.source, map.loaded.view.label) } };
  }
  let image: LoadedImage | null = null;
  if (sim.image !== null) {
    const r = loadImageFile(sim.image);
    if (r.ok) image = r.loaded;
    else problems.push(r.problem);
  }
  const facts: MachineFacts = { release: sim.kernel, paging: { levels: sim.paging, how: "" }, kexecTools: sim.kexecTools };
  const params: SimParams = {
    crashkernel: sim.crashkernel,
    kernel: sim.kernel,
    paging: sim.paging,
    iface: IFACE_OF_MODE[sim.iface],
    kexecTools: sim.kexecTools,
    crash: sim.crash,
    append: sim.append,
    initrdSize: sim.initrdSize,
  };
  const base = setupFor({ map, image, facts, focus: sim.what === "crashkernel" ? "crashkernel" : "kexec", params });
  return {
    setup: { ...base, params, pagingHow: `${sim.paging}-level: the running paging mode the kdump readiness check found`, kernelHow: "the running kernel the kdump readiness check found" },
    problems,
  };
}
