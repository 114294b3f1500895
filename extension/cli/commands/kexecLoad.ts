import * as fs from "node:fs";
import { parseArgs, UsageError } from "../args";
import { toJson, type Command, type CliIo } from "../command";
import { openFile } from "../../core/io/byteSource";
import { FormatError } from "../../core/io/formatError";
import { parseBzImage } from "../../core/formats/bzimage/bzImage";
import { simulateCrashkernel } from "../../core/kexec/crashkernelReserve";
import { jumpVerdicts } from "../../core/kexec/jumpVerdicts";
import { DEFAULT_KEXEC_TOOLS, kexecToolsProfile } from "../../core/kexec/kernelProfiles";
import { kexecImageFromSetupHeader, type KexecImage } from "../../core/kexec/kexecImage";
import { simulateKexecFile } from "../../core/kexec/kexecFilePlacement";
import { simulateKexecLoad } from "../../core/kexec/kexecToolsPlacement";
import type { PlacementResult } from "../../core/kexec/placement";
import type { AddrRange } from "../../core/kexec/ranges";
import { hex } from "../../core/kexec/ranges";
import { loadMemoryMap, pagingOpt, pickProfile } from "./crashkernel";
import { chooseKernelConfig } from "./kernelConfigOption";

const VALUED = ["memmap", "image", "initrd", "initrd-size", "running-paging", "kernel", "kexec-tools", "cmdline", "cpus", "config"];

function readImage(path: string): KexecImage {
  const src = openFile(path);
  try {
    const img = parseBzImage(src);
    return kexecImageFromSetupHeader(img.setupHeader, img.fileSize, path, img.kernelVersion ?? undefined);
  } finally {
    src.close();
  }
}

function sizeOpt(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--initrd-size takes a byte count, got ${v}`);
  return n;
}

async function runLoader(iface: "kexec_load" | "kexec_file_load", argv: string[], io: CliIo): Promise<number> {
  const a = parseArgs(argv, VALUED, ["crash", "json"]);
  const memmap = a.options.get("memmap");
  const imagePath = a.options.get("image");
  if (!memmap || !imagePath || a.positional.length) throw new UsageError("needs --memmap FILE and --image FILE");
  if (a.options.has("initrd") && a.options.has("initrd-size")) throw new UsageError("give --initrd or --initrd-size, not both");
  const map = loadMemoryMap(memmap);
  const image = readImage(imagePath);
  const cfg = chooseKernelConfig(a.options.get("config"), imagePath, map.kernelRelease, image.kernelVersion);
  let initrdSize: number | undefined;
  const initrd = a.options.get("initrd");
  if (initrd !== undefined) {
    try {
      initrdSize = fs.statSync(initrd).size;
    } catch (e) {
      throw new FormatError(initrd, 0, "file", "a readable initrd", (e as NodeJS.ErrnoException).code ?? String(e));
    }
  } else if (a.options.has("initrd-size")) initrdSize = sizeOpt(a.options.get("initrd-size")!);
  const profile = pickProfile(a.options.get("kernel"), map);
  let tools;
  try {
    tools = kexecToolsProfile(a.options.get("kexec-tools") ?? DEFAULT_KEXEC_TOOLS);
  } catch {
    throw new UsageError("--kexec-tools takes a version like 2.0.25");
  }
  const running = pagingOpt(a.options.get("running-paging")) ?? map.pagingLevels ?? 4;
  const crash = a.flags.has("crash");
  const cmdline = a.options.get("cmdline") ?? "";
  const cpusOpt = a.options.get("cpus");
  const cpus = cpusOpt === undefined ? undefined : Number(cpusOpt);
  const notes: string[] = [];
  let crashRanges: AddrRange[] | undefined;
  if (crash && map.crashKernel.length === 0 && map.cmdline) {
    // No Crash kernel lines in the input: simulate crashkernel= of the running kernel.
    const ck = simulateCrashkernel({ map, cmdline: map.cmdline, profile, pagingLevels: running });
    crashRanges = ck.ranges;
    notes.push(`Crash kernel region simulated from ${map.cmdline.match(/crashkernel=\S+/g)?.join(" ") ?? "the command line"}.`);
  }
  const r: PlacementResult =
    iface === "kexec_load"
      ? simulateKexecLoad({ map, image, initrdSize, crash, cmdline, tools, crashRanges, cpus })
      : simulateKexecFile({ map, image, initrdSize, crash, cmdline, profile, runningPaging: running, crashRanges, cpus, config: cfg.config });
  const verdicts = jumpVerdicts({ runningPaging: running, image, iface, kernel: profile, tools, segments: r.accepted ? r.segments : undefined });
  const doc = {
    accepted: r.accepted,
    reason: r.reason,
    interface: r.interface,
    loader: r.loader,
    segments: r.segments.map((s) => ({ what: s.what, mem: hex(s.mem), memsz: s.memsz, bufsz: s.bufsz })),
    crashRegion: r.crashRegion ? { start: hex(r.crashRegion.start), end: hex(r.crashRegion.end) } : null,
    verdicts,
    log: r.log,
    notes: [...notes, ...cfg.notes, ...(r.notes ?? []), ...map.notes],
    config: cfg.from,
    ...(r.dumpKernel ? { dumpKernel: { ram: r.dumpKernel.ram.map((x) => ({ start: hex(x.start), end: hex(x.end) })), elfLoads: r.dumpKernel.elfLoads.map((x) => ({ start: hex(x.start), end: hex(x.end) })) } } : {}),
    kernel: { version: profile.version, family: profile.family },
    kexecTools: tools.version,
    runningPaging: running,
  };
  if (a.flags.has("json")) io.out(toJson(doc));
  else {
    const lines = [`${iface} of ${imagePath} (${crash ? "crash" : "normal"} load), running ${running}-level, kernel ${profile.version}${iface === "kexec_load" ? `, kexec-tools ${tools.version}` : ""}`];
    lines.push(r.accepted ? "accepted" : `refused: ${r.reason}`);
    if (r.segments.length) {
      lines.push("", "  mem                 memsz       what");
      for (const s of r.segments) lines.push(`  ${hex(s.mem).padEnd(18)}  ${hex(s.memsz).padEnd(10)}  ${s.what}`);
    }
    lines.push("", "verdicts:", ...verdicts.map((v) => `  [${v.severity}] ${v.message}\n      rule: ${v.rule}\n      source: ${v.source}`));
    if (doc.notes.length) lines.push("", "notes:", ...doc.notes.map((n) => `  - ${n}`));
    io.out(lines.join("\n"));
  }
  return 0;
}

const OPTS = "--memmap FILE --image FILE [--initrd FILE|--initrd-size N] [--crash] [--running-paging 4|5] [--kernel 6.1] [--kexec-tools 2.0.25] [--cmdline \"...\"] [--config FILE] [--json]";

export const kexecLoadCommand: Command = {
  name: "kexec-load",
  usage: `kexec-load ${OPTS}`,
  summary: "where kexec-tools' kexec_load puts each segment, plus jump verdicts",
  run: (argv, io) => runLoader("kexec_load", argv, io),
};

export const kexecFileCommand: Command = {
  name: "kexec-file",
  usage: `kexec-file ${OPTS}`,
  summary: "whether kexec_file_load accepts the image and where the kernel places each segment",
  run: (argv, io) => runLoader("kexec_file_load", argv, io),
};
