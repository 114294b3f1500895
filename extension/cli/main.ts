import { UsageError } from "./args";
import type { CliIo } from "./command";
import { commands } from "./commands/index";
import { FormatError } from "../core/io/formatError";

const io: CliIo = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : t + "\n"),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
};

function usage(): string {
  return [
    "usage: kexec-inspector <command> [options]",
    "",
    ...commands.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    "",
    "Exit status: 0 success, 1 invalid input (stderr names file, offset, field), 2 usage, 3 the doctor found a failing check.",
  ].join("\n");
}

/** Runs one CLI invocation; exported so tests and the bench can call it in-process. */
export async function runCli(argv: string[], cliIo: CliIo = io): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    (name ? cliIo.out : cliIo.err)(usage());
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    cliIo.err(`unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await cmd.run(rest, cliIo);
  } catch (e) {
    if (e instanceof UsageError) {
      cliIo.err(`${e.message}\nusage: kexec-inspector ${cmd.usage}`);
      return 2;
    }
    if (e instanceof FormatError) {
      cliIo.err(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      io.err(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exitCode = 70;
    },
  );
}
