import { spawnSync } from "node:child_process";
import { parseArgs, UsageError } from "../args";
import type { Command } from "../command";
import { openFile } from "../../core/io/byteSource";
import { openVmcore } from "../../core/formats/vmcore/vmcore";
import { formatMakedumpfile } from "../../core/formats/vmcore/printk";

/**
 * The makedumpfile --dump-dmesg layouts we reproduce: 1.7.2 (no caller column) and 1.7.5+, which
 * prints the caller id ("[      T1] ", makedumpfile commit 48bb1e0, first in 1.7.5) when the dump
 * exports printk_info.caller_id.
 */
export type DmesgFormat = "1.7.2" | "1.7.5";
export const DMESG_FORMATS: readonly DmesgFormat[] = ["1.7.2", "1.7.5"];

function atLeast(v: string, want: string): boolean {
  const a = v.split(".").map(Number);
  const b = want.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

/** The layout a given makedumpfile version prints; null (none installed) → 1.7.2. */
export function dmesgFormatFor(makedumpfileVersion: string | null): DmesgFormat {
  return makedumpfileVersion !== null && atLeast(makedumpfileVersion, "1.7.5") ? "1.7.5" : "1.7.2";
}

/**
 * This machine's makedumpfile version: `makedumpfile -v` (1.7.2 has no --version) then
 * `--version`; KEXEC_INSPECTOR_MAKEDUMPFILE names another binary. Null when none answers (2 s cap).
 */
export function machineMakedumpfileVersion(): string | null {
  const bin = process.env.KEXEC_INSPECTOR_MAKEDUMPFILE || "makedumpfile";
  for (const flag of ["-v", "--version"]) {
    const r = spawnSync(bin, [flag], { encoding: "utf8", timeout: 2000, stdio: ["ignore", "pipe", "pipe"] });
    if (r.error) return null;
    const m = /version (\d+\.\d+\.\d+)/.exec(`${r.stdout ?? ""}\n${r.stderr ?? ""}`);
    if (m) return m[1]!;
  }
  return null;
}

export const dmesgCommand: Command = {
  name: "dmesg",
  usage: "dmesg FILE [--format 1.7.2|1.7.5|auto] [--caller]",
  summary: "Print the kernel log from a vmcore as makedumpfile --dump-dmesg does (1.7.2 unless this machine's makedumpfile is ≥ 1.7.5)",
  async run(argv, io) {
    const a = parseArgs(argv, ["format"], ["caller"]);
    if (a.positional.length !== 1) throw new UsageError("expected exactly one FILE");
    const asked = a.options.get("format") ?? (a.flags.has("caller") ? "1.7.5" : "auto");
    if (asked !== "auto" && !DMESG_FORMATS.includes(asked as DmesgFormat)) throw new UsageError(`--format takes ${DMESG_FORMATS.join(", ")} or auto, got ${asked}`);
    if (a.flags.has("caller") && asked === "1.7.2") throw new UsageError("--caller is the 1.7.5 format; it contradicts --format 1.7.2");
    let format: DmesgFormat;
    if (asked === "auto") {
      const v = machineMakedumpfileVersion();
      format = dmesgFormatFor(v);
      if (format !== "1.7.2") io.err(`note: makedumpfile ${v} on this machine prints caller ids; following it (--format 1.7.2 for the 1.7.2 layout)`);
    } else format = asked as DmesgFormat;
    const src = openFile(a.positional[0]!);
    try {
      const v = openVmcore(src);
      const log = v.readKernelLog();
      const text = formatMakedumpfile(log, { caller: format === "1.7.5" });
      if (text.length) io.out(text);
      for (const w of log.warnings) io.err(`warning: ${w}`);
      return 0;
    } finally {
      src.close();
    }
  },
};
