import { parseArgs, UsageError } from "../args";
import type { Command } from "../command";
import { openFile } from "../../core/io/byteSource";
import { openVmcore } from "../../core/formats/vmcore/vmcore";
import { formatMakedumpfile } from "../../core/formats/vmcore/printk";

export const dmesgCommand: Command = {
  name: "dmesg",
  usage: "dmesg FILE [--caller]",
  summary: "Print the kernel log from a vmcore, byte-identical to makedumpfile --dump-dmesg 1.7.2",
  async run(argv, io) {
    // --caller adds the [T123]/[C1] column that makedumpfile >= 1.7.5 prints.
    const a = parseArgs(argv, [], ["caller"]);
    if (a.positional.length !== 1) throw new UsageError("expected exactly one FILE");
    const src = openFile(a.positional[0]!);
    try {
      const v = openVmcore(src);
      const log = v.readKernelLog();
      const text = formatMakedumpfile(log, { caller: a.flags.has("caller") });
      if (text.length) io.out(text);
      for (const w of log.warnings) io.err(`warning: ${w}`);
      return 0;
    } finally {
      src.close();
    }
  },
};
