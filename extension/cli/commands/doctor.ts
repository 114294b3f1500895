import * as fs from "node:fs";
import { parseArgs, UsageError } from "../args";
import { toJson, type Command } from "../command";
import { doctorExitCode, doctorText, liveKexecVersion, runDoctor } from "../../core/scenario/doctor/index";

export const doctorCommand: Command = {
  name: "doctor",
  usage: "doctor [--root DIR] [--boot-log FILE] [--json]",
  summary: "is kdump ready on this machine, or on the one in an extracted sosreport / supportconfig / copy (DIR)? exit 3 when a check fails",
  async run(argv, io) {
    const a = parseArgs(argv, ["root", "boot-log"], ["json"]);
    if (a.positional.length) throw new UsageError("doctor takes no positional arguments (use --root DIR)");
    const root = a.options.get("root") ?? "/";
    let st: fs.Stats;
    try {
      st = fs.statSync(root);
    } catch {
      throw new UsageError(`--root ${root}: no such directory`);
    }
    if (!st.isDirectory()) throw new UsageError(`--root ${root}: not a directory (extract the sosreport/supportconfig archive first)`);
    const live = a.options.get("root") === undefined || fs.realpathSync(root) === "/";
    const bootLog = a.options.get("boot-log");
    const report = await runDoctor(root, { ...(live ? { kexecVersion: () => liveKexecVersion() } : {}), ...(bootLog !== undefined ? { bootLog } : {}) });
    io.out(a.flags.has("json") ? toJson(report) : doctorText(report));
    return doctorExitCode(report);
  },
};
