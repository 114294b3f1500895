/**
 * The one error type for bad input. Every parser throws it so that the CLI, the editors and
 * the fuzz harness can report the file, the offset and what was expected without guessing.
 */
export class FormatError extends Error {
  override readonly name = "FormatError";
  constructor(
    /** Path or display name of the input. */
    readonly file: string,
    /** Byte offset in the input where the problem was found. */
    readonly offset: number,
    /** The structure field being read (e.g. `setup_header.version`). */
    readonly field: string,
    /** What the parser expected there. */
    readonly expected: string,
    /** What it found instead, if it is worth showing. */
    readonly found?: string,
  ) {
    super(
      `${file}: offset 0x${offset.toString(16)}: ${field}: expected ${expected}` +
        (found === undefined ? "" : `, found ${found}`),
    );
  }
}

export function isFormatError(e: unknown): e is FormatError {
  return e instanceof FormatError;
}

export { hex } from "./hex";
