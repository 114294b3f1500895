/**
 * `lint FILE… [--json] [--disable RULE,…] [--kernel X.Y]`: runs the kernel-source analysers.
 * Exit 0 when it ran (findings or not), 1 when a file cannot be read, 2 usage.
 */
import { readTextInput } from "../../core/io/byteSource";
import { UsageError, parseArgs } from "../args";
import { type Command, toJson } from "../command";
import { analyseSource } from "../../core/source/analyse";
import { SOURCE_RULES } from "../../core/source/rules";

export interface LintRecord {
  file: string;
  line: number;
  column: number;
  rule: string;
  severity: string;
  message: string;
}

export const lintCommand: Command = {
  name: "lint",
  usage: "lint FILE… [--json] [--disable RULE,…] [--kernel X.Y]",
  summary: "check kernel sources (header.S, bootparam.h, setup.c, crash_reserve.*, kexec-bzimage64.c) for kexec/5-level pitfalls",
  async run(argv, io) {
    const args = parseArgs(argv, ["disable", "kernel"], ["json"]);
    if (!args.positional.length) throw new UsageError("lint needs at least one FILE");
    const disabled = new Set((args.options.get("disable") ?? "").split(",").map((s) => s.trim()).filter(Boolean));
    const known = new Set<string>(SOURCE_RULES.map((r) => r.id));
    for (const id of disabled) if (!known.has(id)) throw new UsageError(`unknown rule '${id}' (known: ${[...known].join(", ")})`);
    const kernel = args.options.get("kernel");
    if (kernel !== undefined && !/^\d+\.\d+/.test(kernel)) throw new UsageError(`--kernel wants a release such as 6.1, not '${kernel}'`);

    const records: LintRecord[] = [];
    let status = 0;
    for (const file of args.positional) {
      let text: string;
      try {
        text = readTextInput(file);
      } catch (e) {
        io.err(`error: ${e instanceof Error ? e.message : String(e)}`);
        status = 1;
        continue;
      }
      const r = analyseSource(file, text, { disabled, kernelVersion: kernel });
      for (const f of r.findings) records.push({ file, line: f.line, column: f.column, rule: f.rule, severity: f.severity, message: f.message });
    }
    if (args.flags.has("json")) io.out(toJson(records));
    else if (records.length) io.out(records.map((r) => `${r.file}:${r.line}:${r.column}: ${r.severity} [${r.rule}] ${r.message}`).join("\n"));
    return status;
  },
};
