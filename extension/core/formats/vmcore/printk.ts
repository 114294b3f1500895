import { FormatError } from "../../io/formatError";
import { latin1, view } from "../../io/binary";
import type { Vmcoreinfo } from "./vmcoreinfo";

/** Kernel virtual memory as the log reader needs it (KernelTranslator satisfies it). */
export interface VirtualMemory {
  read(va: bigint, length: number, field?: string): Uint8Array;
}

export interface LogRecord {
  seq: bigint;
  tsNsec: bigint;
  /** Log level 0..7 (bits 5–7 of the byte after text_len + 1; layout inference, printk.md §2.1). */
  level: number;
  facility: number;
  /** printk_info.caller_id / printk_log.caller_id when exported. */
  callerId?: number;
  text: Uint8Array;
  subsystem?: string;
  device?: string;
}

export type KernelLogKind = "lockless" | "printk_log" | "log" | "text";

export interface KernelLog {
  kind: KernelLogKind;
  records: LogRecord[];
  /** Pre-3.5 plain text ring: the raw bytes in order. */
  rawText?: Uint8Array;
  /** lockless: printk_ringbuffer.fail counter. */
  failed?: bigint;
  warnings: string[];
}

export type ProgressFn = (done: number, total: number) => void;

const DESC_ID_MASK = (1n << 62n) - 1n;
const DESC_COMMITTED = 1n;
const DESC_FINALIZED = 2n;
/** Bounds on ring sizes taken from dump fields (CONFIG_LOG_BUF_SHIFT tops out at 25). */
const MAX_COUNT_BITS = 26;
const MAX_SIZE_BITS = 30;

function missing(file: string, info: Vmcoreinfo, keys: string[]): void {
  const absent = keys.filter((k) => !info.has(k));
  if (absent.length) throw new FormatError(file, 0, "VMCOREINFO", `printk keys ${absent.join(", ")}`, "missing");
}

/** A VMCOREINFO value the log reader needs: present but unparsable (e.g. "-1") is a FormatError too. */
function need<T>(file: string, key: string, v: T | undefined, info: Vmcoreinfo): T {
  if (v === undefined) throw new FormatError(file, 0, `VMCOREINFO ${key}`, "a valid value", JSON.stringify(info.get(key) ?? null));
  return v;
}

/** Picks the implementation the way makedumpfile does (printk.md §1) and reads all records. */
export function readKernelLog(info: Vmcoreinfo, mem: VirtualMemory, file: string, onProgress?: ProgressFn): KernelLog {
  if (info.has("SYMBOL(prb)")) return readLockless(info, mem, file, onProgress);
  if (info.has("SIZE(printk_log)")) return readLogBuf(info, mem, file, "printk_log", onProgress);
  if (info.has("SIZE(log)")) return readLogBuf(info, mem, file, "log", onProgress);
  if (info.has("SYMBOL(log_end)")) return readTextRing(info, mem, file);
  throw new FormatError(file, 0, "VMCOREINFO", "SYMBOL(prb), SIZE(printk_log), SIZE(log) or SYMBOL(log_end) to locate the kernel log", "none of them");
}

function readLockless(info: Vmcoreinfo, mem: VirtualMemory, file: string, onProgress?: ProgressFn): KernelLog {
  const keys = [
    "SIZE(printk_ringbuffer)", "OFFSET(printk_ringbuffer.desc_ring)", "OFFSET(printk_ringbuffer.text_data_ring)",
    "OFFSET(prb_desc_ring.count_bits)", "OFFSET(prb_desc_ring.descs)", "OFFSET(prb_desc_ring.infos)",
    "OFFSET(prb_desc_ring.head_id)", "OFFSET(prb_desc_ring.tail_id)", "SIZE(prb_desc)", "OFFSET(prb_desc.state_var)",
    "OFFSET(prb_desc.text_blk_lpos)", "OFFSET(prb_data_blk_lpos.begin)", "OFFSET(prb_data_blk_lpos.next)",
    "SIZE(printk_info)", "OFFSET(printk_info.seq)", "OFFSET(printk_info.ts_nsec)", "OFFSET(printk_info.text_len)",
    "OFFSET(prb_data_ring.size_bits)", "OFFSET(prb_data_ring.data)", "OFFSET(atomic_long_t.counter)",
  ];
  missing(file, info, keys);
  const o = (k: string): number => need(file, `OFFSET(${k})`, info.offset(k), info);
  const s = (k: string): number => need(file, `SIZE(${k})`, info.size(k), info);
  const counter = o("atomic_long_t.counter");

  const prbPtr = view(mem.read(need(file, "SYMBOL(prb)", info.symbol("prb"), info), 8, "prb")).getBigUint64(0, true);
  const rbSize = s("printk_ringbuffer");
  if (rbSize > 4096) throw new FormatError(file, 0, "SIZE(printk_ringbuffer)", "at most 4096", String(rbSize));
  const rb = view(mem.read(prbPtr, rbSize, "printk_ringbuffer"));
  const dr = o("printk_ringbuffer.desc_ring");
  const tr = o("printk_ringbuffer.text_data_ring");
  const u64 = (off: number, what: string): bigint => {
    if (off + 8 > rbSize) throw new FormatError(file, 0, what, `an offset inside SIZE(printk_ringbuffer) ${rbSize}`, String(off));
    return rb.getBigUint64(off, true);
  };
  const countBits = Number(u64(dr + o("prb_desc_ring.count_bits"), "count_bits") & 0xffffffffn);
  const sizeBits = Number(u64(tr + o("prb_data_ring.size_bits"), "size_bits") & 0xffffffffn);
  if (countBits > MAX_COUNT_BITS) throw new FormatError(file, 0, "prb_desc_ring.count_bits", `at most ${MAX_COUNT_BITS}`, String(countBits));
  if (sizeBits > MAX_SIZE_BITS || sizeBits < 3) throw new FormatError(file, 0, "prb_data_ring.size_bits", `3..${MAX_SIZE_BITS}`, String(sizeBits));
  const count = 2 ** countBits;
  const size = 2 ** sizeBits;
  const descSize = s("prb_desc");
  const infoSize = s("printk_info");
  if (descSize > 256 || infoSize > 1024) throw new FormatError(file, 0, "SIZE(prb_desc)/SIZE(printk_info)", "plausible structure sizes", `${descSize}/${infoSize}`);
  const descs = mem.read(u64(dr + o("prb_desc_ring.descs"), "descs"), count * descSize, "prb_desc_ring.descs");
  const infos = mem.read(u64(dr + o("prb_desc_ring.infos"), "infos"), count * infoSize, "prb_desc_ring.infos");
  const data = mem.read(u64(tr + o("prb_data_ring.data"), "data"), size, "prb_data_ring.data");
  const headId = u64(dr + o("prb_desc_ring.head_id") + counter, "head_id");
  const tailId = u64(dr + o("prb_desc_ring.tail_id") + counter, "tail_id");
  const failOff = info.offset("printk_ringbuffer.fail");
  const failed = failOff !== undefined && failOff + counter + 8 <= rbSize ? rb.getBigUint64(failOff + counter, true) : undefined;

  const dd = view(descs);
  const idv = view(infos);
  const svOff = o("prb_desc.state_var") + counter;
  const beginOff = o("prb_desc.text_blk_lpos") + o("prb_data_blk_lpos.begin");
  const nextOff = o("prb_desc.text_blk_lpos") + o("prb_data_blk_lpos.next");
  const seqOff = o("printk_info.seq");
  const tsOff = o("printk_info.ts_nsec");
  const lenOff = o("printk_info.text_len");
  const callerOff = info.offset("printk_info.caller_id");
  const devOff = info.offset("printk_info.dev_info");
  const subOff = info.offset("dev_printk_info.subsystem");
  const devNameOff = info.offset("dev_printk_info.device");
  const subLen = info.length("printk_info_subsystem") ?? 16;
  const devLen = info.length("printk_info_device") ?? 48;
  const fieldsFit = Math.max(svOff, beginOff, nextOff) + 8 <= descSize && Math.max(seqOff, tsOff) + 8 <= infoSize && lenOff + 4 <= infoSize;
  if (!fieldsFit) throw new FormatError(file, 0, "printk OFFSET() keys", "offsets inside SIZE(prb_desc)/SIZE(printk_info)");

  const warnings: string[] = [];
  const records: LogRecord[] = [];
  const total = Number((headId - tailId) & DESC_ID_MASK) + 1;
  if (total > count) warnings.push(`head_id ${headId} and tail_id ${tailId} are more than ${count} descriptors apart; reading ${count}`);
  const steps = Math.min(total, count);
  const sizeMask = BigInt(size - 1);
  let id = tailId;
  // makedumpfile iterates tail..head inclusive (printk.c dump_lockless_dmesg); bounded by ring size.
  for (let n = 0; n < steps; n++, id = (id + 1n) & DESC_ID_MASK) {
    if (onProgress && (n & 1023) === 0) onProgress(n, steps);
    const slot = Number(id % BigInt(count));
    const d = slot * descSize;
    const sv = dd.getBigUint64(d + svOff, true);
    const state = sv >> 62n;
    if ((sv & DESC_ID_MASK) !== id || (state !== DESC_COMMITTED && state !== DESC_FINALIZED)) continue;
    let begin = Number(dd.getBigUint64(d + beginOff, true) & sizeMask);
    const next = Number(dd.getBigUint64(d + nextOff, true) & sizeMask);
    if (begin === next) continue; // data-less record: makedumpfile drops it
    const inf = slot * infoSize;
    let textLen = idv.getUint16(inf + lenOff, true);
    if (begin > next) begin = 0; // wrapped block lives at the start of data
    begin += 8; // skip the id word
    if (next - begin < textLen) textLen = Math.max(0, next - begin);
    const flagsByte = idv.getUint8(inf + lenOff + 3);
    const rec: LogRecord = {
      seq: idv.getBigUint64(inf + seqOff, true),
      tsNsec: idv.getBigUint64(inf + tsOff, true),
      level: flagsByte >> 5,
      facility: idv.getUint8(inf + lenOff + 2),
      text: data.subarray(begin, begin + textLen),
    };
    if (callerOff !== undefined && callerOff + 4 <= infoSize) rec.callerId = idv.getUint32(inf + callerOff, true);
    if (devOff !== undefined && subOff !== undefined && devNameOff !== undefined && devOff + devNameOff + devLen <= infoSize) {
      const sub = cstr(infos.subarray(inf + devOff + subOff, inf + devOff + subOff + subLen));
      const dev = cstr(infos.subarray(inf + devOff + devNameOff, inf + devOff + devNameOff + devLen));
      if (sub) rec.subsystem = sub;
      if (dev) rec.device = dev;
    }
    records.push(rec);
  }
  onProgress?.(steps, steps);
  return { kind: "lockless", records, failed, warnings };
}

function cstr(b: Uint8Array): string {
  const z = b.indexOf(0);
  return latin1(z < 0 ? b : b.subarray(0, z));
}

/** 3.5–5.9 variable-length records in log_buf (printk.md §3, makedumpfile dump_dmesg). */
function readLogBuf(info: Vmcoreinfo, mem: VirtualMemory, file: string, st: "printk_log" | "log", onProgress?: ProgressFn): KernelLog {
  const keys = ["SYMBOL(log_buf)", "SYMBOL(log_buf_len)", "SYMBOL(log_first_idx)", "SYMBOL(log_next_idx)", `SIZE(${st})`, `OFFSET(${st}.ts_nsec)`, `OFFSET(${st}.len)`, `OFFSET(${st}.text_len)`];
  missing(file, info, keys);
  const sym = (k: string): bigint => need(file, `SYMBOL(${k})`, info.symbol(k), info);
  const bufAddr = view(mem.read(sym("log_buf"), 8, "log_buf")).getBigUint64(0, true);
  const bufLen = view(mem.read(sym("log_buf_len"), 4, "log_buf_len")).getUint32(0, true);
  const first = view(mem.read(sym("log_first_idx"), 4, "log_first_idx")).getUint32(0, true);
  const nextIdx = view(mem.read(sym("log_next_idx"), 4, "log_next_idx")).getUint32(0, true);
  if (bufLen === 0 || bufLen > 2 ** MAX_SIZE_BITS) throw new FormatError(file, 0, "log_buf_len", `1..${2 ** MAX_SIZE_BITS}`, String(bufLen));
  const buf = mem.read(bufAddr, bufLen, "log_buf");
  const dv = view(buf);
  const hdr = need(file, `SIZE(${st})`, info.size(st), info);
  const offTs = need(file, `OFFSET(${st}.ts_nsec)`, info.offset(`${st}.ts_nsec`), info);
  const offLen = need(file, `OFFSET(${st}.len)`, info.offset(`${st}.len`), info);
  const offText = need(file, `OFFSET(${st}.text_len)`, info.offset(`${st}.text_len`), info);
  const offCaller = info.offset(`${st}.caller_id`);
  const warnings: string[] = [];
  const records: LogRecord[] = [];
  const inBuf = (i: number): boolean => i >= 0 && i <= bufLen - hdr;
  const lenAt = (i: number): number => dv.getUint16(i + offLen, true);
  const seen = new Set<number>();
  let idx = first;
  let seq = 0n;
  // Each index is visited at most once (makedumpfile detects cycles and stops the same way).
  while (idx !== nextIdx) {
    if (!inBuf(idx)) {
      warnings.push(`Index outside log_buf detected (${idx})`);
      break;
    }
    if (seen.has(idx)) {
      warnings.push("Cycle when parsing dmesg detected");
      break;
    }
    seen.add(idx);
    if (onProgress && (seen.size & 1023) === 0) onProgress(seen.size, 0);
    const rec = lenAt(idx) === 0 ? 0 : idx;
    if (!inBuf(rec)) break;
    const textLen = Math.min(dv.getUint16(rec + offText, true), bufLen - rec - hdr);
    const r: LogRecord = {
      seq: seq++,
      tsNsec: dv.getBigUint64(rec + offTs, true),
      level: dv.getUint8(rec + hdr - (offCaller !== undefined ? 5 : 1)) >> 5,
      facility: 0,
      text: buf.subarray(rec + hdr, rec + hdr + textLen),
    };
    if (offCaller !== undefined && offCaller + 4 <= hdr) r.callerId = dv.getUint32(rec + offCaller, true);
    records.push(r);
    idx = lenAt(idx) === 0 ? lenAt(0) : idx + lenAt(idx);
  }
  return { kind: st, records, warnings };
}

/** < 3.5: plain text ring (printk.md §4). */
function readTextRing(info: Vmcoreinfo, mem: VirtualMemory, file: string): KernelLog {
  missing(file, info, ["SYMBOL(log_buf)", "SYMBOL(log_buf_len)", "SYMBOL(log_end)"]);
  const sym = (k: string): bigint => need(file, `SYMBOL(${k})`, info.symbol(k), info);
  const bufAddr = view(mem.read(sym("log_buf"), 8, "log_buf")).getBigUint64(0, true);
  const bufLen = view(mem.read(sym("log_buf_len"), 4, "log_buf_len")).getUint32(0, true);
  const logEnd = view(mem.read(sym("log_end"), 4, "log_end")).getUint32(0, true);
  if (bufLen === 0 || bufLen > 2 ** MAX_SIZE_BITS || (bufLen & (bufLen - 1)) !== 0) {
    throw new FormatError(file, 0, "log_buf_len", "a power of two", String(bufLen));
  }
  const buf = mem.read(bufAddr, bufLen, "log_buf");
  let raw: Uint8Array;
  if (logEnd < bufLen) raw = buf.slice(0, logEnd);
  else {
    const i = logEnd & (bufLen - 1);
    raw = new Uint8Array(bufLen);
    raw.set(buf.subarray(i), 0);
    raw.set(buf.subarray(0, i), bufLen - i);
  }
  return { kind: "text", records: [], rawText: raw, warnings: [] };
}

export interface FormatOptions {
  /** makedumpfile ≥ 1.7.5 prints a caller column; 1.7.2 (our reference) does not. */
  caller?: boolean;
}

/** C-locale isprint() || isspace() (makedumpfile tests a signed char, so ≥ 0x80 fails both). */
function printable(c: number): boolean {
  return (c >= 0x20 && c <= 0x7e) || (c >= 0x09 && c <= 0x0d);
}

/**
 * Renders records exactly like `makedumpfile --dump-dmesg` (printk.c dump_record):
 * `[%5lld.%06ld] `, embedded newlines indented, other bytes as `\x%02x` of a signed char.
 * Returns a latin1 string (one char per output byte).
 */
export function formatMakedumpfile(log: KernelLog, opts: FormatOptions = {}): string {
  if (log.rawText) return latin1(log.rawText);
  const parts: string[] = [];
  for (const r of log.records) {
    let line = `[${(r.tsNsec / 1000000000n).toString().padStart(5)}.${((r.tsNsec % 1000000000n) / 1000n).toString().padStart(6, "0")}] `;
    if (opts.caller && r.callerId !== undefined) {
      const tag = (r.callerId & 0x80000000 ? "C" : "T") + String(r.callerId & 0x7fffffff);
      line += `[${tag.padStart(8)}] `;
    }
    const indent = "\n" + " ".repeat(line.length);
    const t = r.text;
    let runStart = 0;
    let out = line;
    for (let i = 0; i < t.length; i++) {
      const c = t[i]!;
      if (c !== 0x0a && printable(c)) continue;
      if (i > runStart) out += latin1(t.subarray(runStart, i));
      if (c === 0x0a) out += indent;
      else out += "\\x" + (c >= 0x80 ? ((0xffffff00 | c) >>> 0).toString(16) : c.toString(16).padStart(2, "0"));
      runStart = i + 1;
    }
    if (t.length > runStart) out += latin1(t.subarray(runStart));
    parts.push(out + "\n");
  }
  return parts.join("");
}
