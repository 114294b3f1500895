/**
 * Small JSON memory map, for hand-written or synthetic inputs:
 * { "e820": [["0x0","0x9fbff","usable"], …] | [{start,end,type}], "ram": [{start,end}],
 *   "reserved": [{start,end,what}], "crashKernel": [{start,end}], "cmdline": "…",
 *   "kernel": "6.1", "paging": 4|5 }
 * Numbers may be JSON numbers or "0x…" strings. The lab *.json files are accepted as they are.
 */
import { FormatError } from "../io/formatError";
import type { E820Entry, MemoryMap, ReservedRange } from "./memoryMap";
import { isRamType, systemRamFromE820 } from "./memoryMap";
import type { AddrRange } from "./ranges";
import { mergeRanges } from "./ranges";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function addr(v: Json | undefined, file: string, field: string): number {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === "string" && /^(0x[0-9a-fA-F]+|\d+)$/.test(v.trim())) {
    const n = Number(v.trim());
    if (Number.isSafeInteger(n)) return n;
  }
  throw new FormatError(file, 0, field, "an address (number or \"0x…\" string below 2^53)", JSON.stringify(v));
}

function range(v: Json | undefined, file: string, field: string): AddrRange & { extra?: string } {
  if (Array.isArray(v)) {
    const r = { start: addr(v[0], file, `${field}[0]`), end: addr(v[1], file, `${field}[1]`), extra: typeof v[2] === "string" ? v[2] : undefined };
    if (r.end < r.start) throw new FormatError(file, 0, field, "end ≥ start");
    return r;
  }
  if (v && typeof v === "object") {
    const o = v as { [k: string]: Json };
    const start = addr(o.start, file, `${field}.start`);
    const end = o.end !== undefined ? addr(o.end, file, `${field}.end`) : start + addr(o.size, file, `${field}.size`) - 1;
    if (end < start) throw new FormatError(file, 0, field, "end ≥ start");
    const extra = typeof o.type === "string" ? o.type : typeof o.what === "string" ? o.what : typeof o.name === "string" ? o.name : undefined;
    return { start, end, extra };
  }
  throw new FormatError(file, 0, field, "[start, end, type] or {start, end}", JSON.stringify(v));
}

function list(o: { [k: string]: Json }, key: string): Json[] {
  const v = o[key];
  return Array.isArray(v) ? v : [];
}

export function memoryMapFromJson(text: string, file: string): MemoryMap {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (e) {
    throw new FormatError(file, 0, "JSON", "valid JSON", e instanceof Error ? e.message : String(e));
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new FormatError(file, 0, "JSON", "an object");
  const firmware: E820Entry[] = list(doc, "e820").map((e, i) => {
    const r = range(e, file, `e820[${i}]`);
    return { start: r.start, end: r.end, type: r.extra ?? "usable" };
  });
  const ramList = list(doc, "ram").map((e, i) => range(e, file, `ram[${i}]`));
  if (firmware.length === 0 && ramList.length === 0) throw new FormatError(file, 0, "e820 / ram", "a non-empty \"e820\" or \"ram\" list");
  const reserved: ReservedRange[] = list(doc, "reserved").map((e, i) => {
    const r = range(e, file, `reserved[${i}]`);
    return { start: r.start, end: r.end, what: r.extra ?? "reserved", source: `reserved[${i}]` };
  });
  const systemRam = ramList.length > 0 ? mergeRanges(ramList) : systemRamFromE820(firmware);
  if (systemRam.length === 0) {
    // Never answer from an empty map: name the entry whose type was not RAM.
    const i = firmware.findIndex((e) => !isRamType(e.type));
    throw new FormatError(
      file,
      0,
      ramList.length > 0 ? "ram" : `e820[${Math.max(0, i)}].type`,
      "at least one RAM range: an e820 entry of type \"usable\" / \"System RAM\" / \"RAM\", or a non-empty \"ram\" list",
      ramList.length > 0 ? "ranges that vanish after trimming page 0 and 640 KiB–1 MiB" : JSON.stringify(firmware[Math.max(0, i)]?.type),
    );
  }
  const crashKey = Array.isArray(doc.crashKernel) ? "crashKernel" : "crashkernel";
  const crash = list(doc, crashKey).map((e, i) => range(e, file, `${crashKey}[${i}]`));
  const paging = doc.paging === 5 ? 5 : doc.paging === 4 ? 4 : undefined;
  return {
    kind: "json",
    file,
    firmware,
    systemRam,
    reserved,
    crashKernel: crash.map((r) => ({ start: r.start, end: r.end })).sort((a, b) => a.start - b.start),
    cmdline: typeof doc.cmdline === "string" ? doc.cmdline : undefined,
    kernelRelease: typeof doc.kernel === "string" ? doc.kernel : undefined,
    pagingLevels: paging,
    notes: reserved.length === 0 ? ["No \"reserved\" list: nothing besides the first MiB is treated as reserved."] : [],
  };
}
