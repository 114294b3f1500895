/**
 * .xz and legacy .lzma decoding with liblzma itself, compiled to WASM (node-liblzma's WASM
 * build, not its native addon; build.mjs copies liblzma.wasm next to the bundles). liblzma has the x86 BCJ filter the
 * kernel's xz payload uses (scripts/xz_wrap.sh), which smaller WASM decoders lack.
 * We drive lzma_code() in 1 MiB output steps so the output cap and progress work; the package's
 * one-shot helpers grow the output without bound.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import createLZMA from "node-liblzma/wasm/liblzma.js";
import { createRequire } from "node:module";
import { WasmLzmaStream, code, end, getModule, initModule } from "node-liblzma/wasm";
import { CodecDataError, type OutputBuffer, type Tick } from "./codecErrors";

const LZMA_OK = 0;
const LZMA_STREAM_END = 1;
const LZMA_RUN = 0;
const LZMA_FINISH = 3;
const STEP = 1 << 20;
/** Dictionary memory limit: the kernel uses at most 32 MiB dictionaries for xz. */
const MEMLIMIT = 256 << 20;
const TICK_EVERY = 4 << 20;

const LZMA_ERRORS: Record<number, string> = {
  5: "LZMA_MEM_ERROR",
  6: "LZMA_MEMLIMIT_ERROR",
  7: "LZMA_FORMAT_ERROR",
  8: "LZMA_OPTIONS_ERROR (unsupported filter or option)",
  9: "LZMA_DATA_ERROR (corrupt data)",
  10: "LZMA_BUF_ERROR (truncated input)",
  11: "LZMA_PROG_ERROR",
};

interface EmModule {
  /** i64 memlimit is passed as two i32 halves (the WASM build legalises i64 arguments). */
  _lzma_stream_decoder(strm: number, memlimitLo: number, memlimitHi: number, flags: number): number;
  _lzma_auto_decoder(strm: number, memlimitLo: number, memlimitHi: number, flags: number): number;
  _malloc(n: number): number;
  _free(p: number): void;
  HEAPU8: Uint8Array;
}

/** The WASM binary: beside the bundle in dist/, else from the package (tests run from source). */
function wasmBinary(): Uint8Array {
  const beside = path.join(__dirname, "liblzma.wasm");
  if (fs.existsSync(beside)) return fs.readFileSync(beside);
  // createRequire keeps the bundler from trying to inline the binary.
  return fs.readFileSync(createRequire(__filename).resolve("node-liblzma/wasm/liblzma.wasm"));
}

function ensureInit(): Promise<unknown> {
  return initModule(async () => {
    const bin = wasmBinary();
    return createLZMA({ wasmBinary: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) });
  });
}

/** Decodes one stream (`xz -dc --single-stream` semantics) of `kind` into `out`. */
export async function decodeWithLiblzma(kind: "xz" | "lzma", input: Uint8Array, out: OutputBuffer, tick: Tick): Promise<void> {
  await ensureInit();
  const m = getModule() as unknown as EmModule;
  const stream = new WasmLzmaStream(getModule());
  const inPtr = m._malloc(Math.max(1, input.length));
  const outPtr = m._malloc(STEP);
  try {
    const init = kind === "xz" ? m._lzma_stream_decoder(stream.ptr, MEMLIMIT, 0, 0) : m._lzma_auto_decoder(stream.ptr, MEMLIMIT, 0, 0);
    if (init !== LZMA_OK) throw new CodecDataError(0, `${kind}.header`, "a decoder liblzma can start", LZMA_ERRORS[init] ?? `liblzma error ${init}`);
    m.HEAPU8.set(input, inPtr);
    stream.setInput(inPtr, input.length);
    let nextTick = TICK_EVERY;
    for (;;) {
      stream.setOutput(outPtr, STEP);
      const ret = code(stream, stream.availIn === 0 ? LZMA_FINISH : LZMA_RUN);
      const produced = STEP - stream.availOut;
      const consumed = input.length - stream.availIn;
      // HEAPU8 may be replaced when WASM memory grows: read it after lzma_code().
      if (produced > 0) out.push(m.HEAPU8.subarray(outPtr, outPtr + produced), consumed);
      if (ret === LZMA_STREAM_END) return;
      if (ret !== LZMA_OK) {
        throw new CodecDataError(consumed, `${kind}.data`, `a valid ${kind} stream`, LZMA_ERRORS[ret] ?? `liblzma error ${ret}`);
      }
      if (produced === 0 && stream.availIn === 0) {
        throw new CodecDataError(input.length, `${kind}.data`, "the end of the stream", "end of payload (truncated)");
      }
      if (consumed >= nextTick) {
        nextTick = consumed + TICK_EVERY;
        await tick(consumed);
      }
    }
  } finally {
    end(stream);
    stream.free();
    m._free(inPtr);
    m._free(outPtr);
  }
}
