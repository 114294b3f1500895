import { loadMemoryMap } from "../../core/kexec/loadMemoryMap";
import { parseArgs, UsageError } from "../args";
import { toJson, type Command } from "../command";
import { simulateCrashkernel, iomemLines } from "../../core/kexec/crashkernelReserve";
import { DEFAULT_KERNEL, kernelProfile, type KernelProfile } from "../../core/kexec/kernelProfiles";
import type { MemoryMap } from "../../core/kexec/memoryMap";
import { hex } from "../../core/kexec/ranges";

export { loadMemoryMap };

export function pickProfile(opt: string | undefined, map: MemoryMap): KernelProfile {
  const v = opt ?? map.kernelRelease ?? DEFAULT_KERNEL;
  try {
    return kernelProfile(v);
  } catch {
    throw new UsageError(`--kernel: not a kernel version: ${v}`);
  }
}

export function pagingOpt(v: string | undefined): 4 | 5 | undefined {
  if (v === undefined) return undefined;
  if (v === "4" || v === "5") return Number(v) as 4 | 5;
  throw new UsageError("--running-paging must be 4 or 5");
}

export const crashkernelCommand: Command = {
  name: "crashkernel",
  usage: "crashkernel --memmap FILE [--cmdline \"...\"] [--kernel 6.1] [--running-paging 4|5] [--swiotlb BYTES] [--json]",
  summary: "where crashkernel= reserves memory (/proc/iomem lines and dmesg) for a kernel version",
  async run(argv, io) {
    const a = parseArgs(argv, ["memmap", "cmdline", "kernel", "running-paging", "paging", "swiotlb"], ["json"]);
    const file = a.options.get("memmap");
    if (!file || a.positional.length) throw new UsageError("crashkernel needs --memmap FILE and no positional arguments");
    const map = loadMemoryMap(file);
    const cmdline = a.options.get("cmdline") ?? map.cmdline;
    if (cmdline === undefined) throw new UsageError(`${file} has no command line: pass --cmdline "crashkernel=…"`);
    const profile = pickProfile(a.options.get("kernel"), map);
    const sw = a.options.get("swiotlb");
    const swiotlbBytes = sw === undefined ? undefined : Number(sw);
    if (swiotlbBytes !== undefined && !Number.isSafeInteger(swiotlbBytes)) throw new UsageError("--swiotlb takes a byte count");
    const r = simulateCrashkernel({ map, cmdline, profile, pagingLevels: pagingOpt(a.options.get("running-paging") ?? a.options.get("paging")), swiotlbBytes });
    const doc = {
      ranges: r.ranges.map((x) => ({ start: hex(x.start), end: hex(x.end), name: x.name, role: x.role })),
      messages: r.messages,
      errors: r.errors,
      notes: r.notes,
      cma: r.cma.map((x) => ({ start: hex(x.start), end: hex(x.end) })),
      kexecCrashSize: r.kexecCrashSize,
      kernel: { version: profile.version, family: profile.family },
      systemRam: r.systemRam,
      memmap: { kind: map.kind, file: map.file },
    };
    if (a.flags.has("json")) io.out(toJson(doc));
    else {
      const lines = [`${file} (${map.kind}), kernel ${profile.version} [${profile.family}], System RAM ${Math.floor(r.systemRam / 1048576)} MiB`];
      lines.push(`cmdline: ${cmdline}`, "", "/proc/iomem:");
      lines.push(...(r.ranges.length ? iomemLines(r.ranges) : ["  (no Crash kernel)"]));
      if (r.cma.length) lines.push("", "crashkernel CMA (not in /proc/iomem, not in kexec_crash_size):", ...r.cma.map((c) => `  ${hex(c.start)}-${hex(c.end)}`));
      lines.push("", "dmesg:", ...r.messages.map((m) => `  ${m}`));
      if (r.notes.length) lines.push("", "notes:", ...r.notes.map((n) => `  - ${n}`));
      io.out(lines.join("\n"));
    }
    for (const e of r.errors) io.err(`error: cmdline column ${e.column}: ${e.message}`);
    return r.errors.length ? 1 : 0;
  },
};
