// The CommonJS build by path: its "exports" map hides the typings from bundler resolution.
import type { SetupHeaderValues } from "../../knowledge/setupHeaderFields";
import { Parser } from "binary-parser/dist/binary_parser.js";
import type { ByteSource } from "../../io/byteSource";
import { SETUP_HEADER_FIELDS, SETUP_HEADER_START, SETUP_HEADER_END } from "../../knowledge/setupHeaderFields";

/**
 * binary-parser for struct setup_header, generated from the knowledge table so the parser
 * and every view agree on names, offsets and sizes.
 */
function buildParser(): Parser {
  let p = new Parser().endianness("little");
  let at = SETUP_HEADER_START;
  for (const f of SETUP_HEADER_FIELDS) {
    if (f.offset !== at) throw new Error(`knowledge table gap before ${f.name}`);
    switch (f.size) {
      case 1:
        p = p.uint8(f.name);
        break;
      case 2:
        p = p.uint16(f.name);
        break;
      case 4:
        p = p.uint32(f.name);
        break;
      case 8:
        p = p.uint64(f.name);
        break;
    }
    at += f.size;
  }
  if (at !== SETUP_HEADER_END) throw new Error("knowledge table does not end at 0x26c");
  return p;
}

// Compiled on first use (binary-parser generates code), not when the extension activates.
let parser: Parser | undefined;

/**
 * Raw setup-header values by field name. The header is read from 0x1F1 to 0x26C; bytes past
 * EOF read as absent (null) rather than zero.
 */
export function readSetupHeaderRaw(src: ByteSource): SetupHeaderValues {
  const want = SETUP_HEADER_END - SETUP_HEADER_START;
  const got = src.readUpTo(SETUP_HEADER_START, want);
  const buf = new Uint8Array(want);
  buf.set(got);
  parser ??= buildParser();
  const parsed = parser.parse(buf) as Record<string, number | bigint>;
  const out = {} as SetupHeaderValues;
  for (const f of SETUP_HEADER_FIELDS) {
    const inFile = f.offset - SETUP_HEADER_START + f.size <= got.length;
    const v = parsed[f.name]!;
    // u64 fields (hardware_subarch_data, setup_data, pref_address) fit below 2^53 in practice;
    // a larger value is kept approximately rather than failing the whole header.
    out[f.name] = inFile ? (typeof v === "bigint" ? Number(v) : v) : null;
  }
  return out;
}
