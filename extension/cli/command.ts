/** What every CLI command module exports; main.ts dispatches on `name`. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  name: string;
  /** One usage line, e.g. `image FILE [--json] [--decompress]`. */
  usage: string;
  summary: string;
  /** Returns the exit status: 0 success, 1 invalid input, 2 usage. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** JSON output used by every `--json` command: one document, stable key order, bigint as string. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? "0x" + v.toString(16) : v), 2);
}
