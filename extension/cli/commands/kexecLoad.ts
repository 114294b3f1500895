import { parseArgs, UsageError } from "../args";
import { toJson, type Command, type CliIo } from "../command";
import { statInput } from "../../core/io/byteSource";
import { FormatError } from "../../core/io/formatError";
import type { Iface } from "../../core/kexec/loaderChoice";
import { hex } from "../../core/kexec/ranges";
import { simulate, type SimulateInputs } from "../../core/scenario/simulate";
import { simulationDoc } from "../../core/scenario/simulationDoc";
import { readTargetImage } from "../../core/scenario/targetImage";
import { loadMemoryMap, pagingOpt, pickProfile } from "./crashkernel";
import { chooseKernelConfig } from "../../core/scenario/kernelConfigChoice";

const VALUED = ["memmap", "image", "initrd", "initrd-size", "running-paging", "kernel", "kexec-tools", "cmdline", "cpus", "iface", "crashkernel", "config"];

function sizeOpt(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--initrd-size takes a byte count, got ${v}`);
  return n;
}

const IFACE_WORDS: Record<string, Iface> = { auto: "auto", file: "kexec_file_load", load: "kexec_load", kexec_file_load: "kexec_file_load", kexec_load: "kexec_load" };

/** `--iface auto|file|load`; kexec-load defaults to auto (kexec-tools' own default), kexec-file to the raw syscall. */
export function ifaceOpt(v: string | undefined, dflt: Iface): Iface {
  if (v === undefined) return dflt;
  const i = IFACE_WORDS[v];
  if (!i) throw new UsageError("--iface must be auto, file or load");
  return i;
}

/** The SimulateInputs a kexec-load/kexec-file command line describes. */
export function loaderInputs(argv: string[], dfltIface: Iface): { inputs: SimulateInputs; json: boolean; imagePath: string } {
  const a = parseArgs(argv, VALUED, ["crash", "json", "lockdown"]);
  const memmap = a.options.get("memmap");
  const imagePath = a.options.get("image");
  if (!memmap || !imagePath || a.positional.length) throw new UsageError("needs --memmap FILE and --image FILE");
  if (a.options.has("initrd") && a.options.has("initrd-size")) throw new UsageError("give --initrd or --initrd-size, not both");
  const map = loadMemoryMap(memmap);
  const { image, uki } = readTargetImage(imagePath);
  const config = chooseKernelConfig(a.options.get("config"), imagePath, map.kernelRelease, image.kernelVersion);
  let initrdSize: number | undefined;
  const initrd = a.options.get("initrd");
  if (initrd !== undefined) {
    try {
      initrdSize = statInput(initrd).size;
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError(initrd, 0, "file", "a readable initrd", (e as NodeJS.ErrnoException).code ?? String(e));
    }
  } else if (a.options.has("initrd-size")) initrdSize = sizeOpt(a.options.get("initrd-size")!);
  const kernel = a.options.get("kernel");
  if (kernel !== undefined) pickProfile(kernel, map);
  const tools = a.options.get("kexec-tools");
  if (tools !== undefined && !/^\d+(\.\d+){1,3}$/.test(tools)) throw new UsageError("--kexec-tools takes a version like 2.0.25");
  const cpusOpt = a.options.get("cpus");
  const cpus = cpusOpt === undefined ? undefined : Number(cpusOpt);
  if (cpus !== undefined && !(Number.isSafeInteger(cpus) && cpus > 0)) throw new UsageError("--cpus takes a positive count");
  return {
    json: a.flags.has("json"),
    imagePath,
    inputs: {
      map,
      image,
      uki,
      kernel,
      kexecTools: tools,
      runningPaging: pagingOpt(a.options.get("running-paging")),
      iface: ifaceOpt(a.options.get("iface"), dfltIface),
      crash: a.flags.has("crash"),
      crashkernel: a.options.get("crashkernel"),
      append: a.options.get("cmdline") ?? "",
      initrdSize,
      cpus,
      lockdown: a.flags.has("lockdown"),
      config,
    },
  };
}

async function runLoader(dfltIface: Iface, argv: string[], io: CliIo): Promise<number> {
  const { inputs, json, imagePath } = loaderInputs(argv, dfltIface);
  const r = simulate(inputs);
  const doc = simulationDoc(r, inputs.map);
  if (json) io.out(toJson(doc));
  else {
    const final = r.load!.final;
    const lines = [`${inputs.iface} of ${imagePath} (${inputs.crash ? "crash" : "normal"} load), running ${r.runningPaging}-level, kernel ${r.kernel.version}${final.interface === "kexec_load" || inputs.iface === "auto" ? `, kexec-tools ${r.kexecTools}` : ""}`];
    for (const at of r.load!.attempts) {
      lines.push(`${at.interface}: ${at.accepted ? "accepted" : `refused: ${at.reason}${at.errno ? ` (-${at.errno})` : ""}`}`);
    }
    if (r.load!.fallbackFrom) lines.push("kexec-tools fell back to kexec_load without a word (auto mode).");
    if (final.segments.length) {
      lines.push("", "  mem                 memsz       what");
      for (const s of final.segments) lines.push(`  ${hex(s.mem).padEnd(18)}  ${hex(s.memsz).padEnd(10)}  ${s.what}`);
    }
    lines.push("", "verdicts:", ...r.verdicts.map((v) => `  [${v.severity}] ${v.message}\n      rule: ${v.rule}\n      source: ${v.source}`));
    if (doc.notes.length) lines.push("", "notes:", ...doc.notes.map((n) => `  - ${n}`));
    io.out(lines.join("\n"));
  }
  return 0;
}

const OPTS =
  "--memmap FILE --image FILE [--initrd FILE|--initrd-size N] [--crash] [--crashkernel \"crashkernel=…\"] [--running-paging 4|5] [--kernel 6.1] [--kexec-tools 2.0.25] [--iface auto|file|load] [--lockdown] [--cmdline \"...\"] [--config FILE] [--json]";

export const kexecLoadCommand: Command = {
  name: "kexec-load",
  usage: `kexec-load ${OPTS}`,
  summary: "what kexec-tools does (auto: kexec_file_load, then kexec_load on ENOEXEC from 2.0.27), where each segment goes, plus jump verdicts",
  run: (argv, io) => runLoader("auto", argv, io),
};

export const kexecFileCommand: Command = {
  name: "kexec-file",
  usage: `kexec-file ${OPTS}`,
  summary: "whether kexec_file_load accepts the image and where the kernel places each segment (default --iface file)",
  run: (argv, io) => runLoader("kexec_file_load", argv, io),
};
