/**
 * crashkernel= parsing exactly as the kernel does it: get_last_crashkernel(),
 * parse_crashkernel_simple/_mem/_suffix() and memparse() from kernel/crash_core.c (6.1.192)
 * and kernel/crash_reserve.c (6.12.117, ≥6.17). Messages are the kernel's pr_warn/pr_info text;
 * columns are 1-based positions in the whole command line.
 */
import type { KernelProfile } from "./kernelProfiles";

const U64 = (1n << 64n) - 1n;
export const ULLONG_MAX = U64;

export interface ParseMessage {
  /** Kernel log text, without the "\n". */
  text: string;
  level: "warn" | "info";
  /** 1-based column in the command line the message is about. */
  column: number;
}

export interface MemparseResult {
  value: bigint;
  /** Index just after the number and optional suffix; equals start when no digits. */
  end: number;
}

function ch(s: string, i: number): string {
  return i < s.length ? s[i]! : "\0";
}

function digitValue(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  const l = c.toLowerCase();
  if (l >= "a" && l <= "f") return l.charCodeAt(0) - 87;
  return 99;
}

/**
 * lib/cmdline.c memparse(): simple_strtoull(base 0) then one optional K/M/G/T/P/E suffix.
 * Base 0: "0x" + hex digit → hex, leading "0" → octal, else decimal (lib/kstrtox.c
 * _parse_integer_fixup_radix). Arithmetic wraps at 64 bits like the C code.
 */
export function memparse(s: string, start: number): MemparseResult {
  let i = start;
  let base = 10n;
  if (ch(s, i) === "0") {
    if (ch(s, i + 1).toLowerCase() === "x" && digitValue(ch(s, i + 2)) < 16) {
      base = 16n;
      i += 2;
    } else {
      base = 8n;
    }
  }
  const digitsStart = i;
  let v = 0n;
  while (i < s.length) {
    const d = digitValue(s[i]!);
    if (d >= Number(base)) break;
    v = (v * base + BigInt(d)) & U64;
    i++;
  }
  // memparse() applies the suffix switch to whatever simple_strtoull() left, even when it read no
  // digit: "M" alone is 0 with the M consumed, so parse_crashkernel_simple() sees progress and
  // returns size 0 without a message (lib/cmdline.c memparse(), lib/vsprintf.c simple_strtoull()).
  if (i === digitsStart) {
    const steps0 = "kmgtpe".indexOf(ch(s, i).toLowerCase());
    return steps0 >= 0 && ch(s, i) !== "\0" ? { value: 0n, end: i + 1 } : { value: 0n, end: start };
  }
  // The C switch falls through E → P → T → G → M → K, adding 10 bits per step.
  const steps = "kmgtpe".indexOf(ch(s, i).toLowerCase());
  let shift = 0n;
  if (steps >= 0 && ch(s, i) !== "\0") {
    shift = BigInt(10 * (steps + 1));
    i++;
  }
  return { value: (v << shift) & U64, end: i };
}

export type CrashkernelSuffix = ",high" | ",low" | ",cma";

/** Suffixes get_last_crashkernel() skips for the plain form; ",cma" from 6.17. */
export function suffixTable(profile: KernelProfile): CrashkernelSuffix[] {
  return profile.cmaSuffix ? [",high", ",low", ",cma"] : [",high", ",low"];
}

/**
 * get_last_crashkernel(): strstr() for "crashkernel=" (so "foo.crashkernel=" matches too), last
 * token whose text up to the next space ends with the suffix (or with none of the known ones).
 * Returns the index just after "crashkernel=", or -1.
 */
export function findLastCrashkernel(cmdline: string, suffix: CrashkernelSuffix | null, table: readonly string[]): number {
  const name = "crashkernel=";
  let found = -1;
  let p = cmdline.indexOf(name);
  // The kernel rescans to the next space for every occurrence; one scan per token keeps a hostile
  // command line with thousands of "crashkernel=" in one word linear.
  let endP = -1;
  while (p >= 0) {
    if (endP < p) {
      endP = cmdline.indexOf(" ", p);
      if (endP < 0) endP = cmdline.length;
    }
    if (suffix === null) {
      if (!table.some((s) => cmdline.endsWith(s, endP))) found = p;
    } else if (cmdline.endsWith(suffix, endP)) {
      found = p;
    }
    p = cmdline.indexOf(name, p + 1);
  }
  return found < 0 ? -1 : found + name.length;
}

export interface StepResult {
  /** 0, -EINVAL (-22) or -ENOENT (-2), as the kernel returns. */
  ret: number;
  size: bigint;
  base: bigint;
  messages: ParseMessage[];
  form?: "simple" | "ranges" | "suffix";
}

export const EINVAL = -22;
export const ENOENT = -2;

function warn(text: string, index: number): ParseMessage {
  return { text, level: "warn", column: index + 1 };
}

/** parse_crashkernel_simple(): SIZE[@OFFSET]. */
export function parseSimple(s: string, at: number): StepResult {
  const m = memparse(s, at);
  if (m.end === at) return { ret: EINVAL, size: 0n, base: 0n, form: "simple", messages: [warn("crashkernel: memory value expected", at)] };
  let base = 0n;
  const c = ch(s, m.end);
  if (c === "@") {
    // The offset is not validated: "256M@" gives base 0 (kernel code as read).
    base = memparse(s, m.end + 1).value;
  } else if (c !== " " && c !== "\0") {
    return { ret: EINVAL, size: m.value, base: 0n, form: "simple", messages: [warn(`crashkernel: unrecognized char: ${c}`, m.end)] };
  }
  return { ret: 0, size: m.value, base, form: "simple", messages: [] };
}

/**
 * parse_crashkernel_mem(): RANGE:SIZE[,RANGE:SIZE...][@OFFSET]. `systemRam` is the figure the
 * architecture passes (memblock_phys_mem_size() on x86), rounded up to 128 MiB from 6.0.
 */
export function parseRanges(s: string, at: number, systemRam: bigint, profile: KernelProfile): StepResult {
  const messages: ParseMessage[] = [];
  const fail = (text: string, i: number): StepResult => ({ ret: EINVAL, size: 0n, base: 0n, form: "ranges", messages: [...messages, warn(text, i)] });
  let totalMem = systemRam;
  if (profile.rangesRoundUp > 0) {
    const r = BigInt(profile.rangesRoundUp);
    totalMem = ((totalMem + r - 1n) / r) * r;
  }
  const sizeMissing = profile.newParseMessages ? "crashkernel: Memory value expected" : "Memory value expected";
  let cur = at;
  let crashSize = 0n;
  for (;;) {
    let end = U64;
    const st = memparse(s, cur);
    if (st.end === cur) return fail("crashkernel: Memory value expected", cur);
    cur = st.end;
    if (ch(s, cur) !== "-") return fail("crashkernel: '-' expected", cur);
    cur++;
    if (ch(s, cur) !== ":") {
      const en = memparse(s, cur);
      if (en.end === cur) return fail("crashkernel: Memory value expected", cur);
      const endAt = cur;
      cur = en.end;
      end = en.value;
      if (end <= st.value) return fail("crashkernel: end <= start", endAt);
    }
    if (ch(s, cur) !== ":") return fail("crashkernel: ':' expected", cur);
    cur++;
    const sz = memparse(s, cur);
    if (sz.end === cur) return fail(sizeMissing, cur);
    const sizeAt = cur;
    cur = sz.end;
    if (sz.value >= totalMem) return fail("crashkernel: invalid size", sizeAt);
    if (totalMem >= st.value && totalMem < end) {
      crashSize = sz.value;
      break;
    }
    // C: while (*cur++ == ',')
    const sep = ch(s, cur);
    cur++;
    if (sep !== ",") break;
  }
  let base = 0n;
  if (crashSize > 0n) {
    while (cur < s.length && s[cur] !== " " && s[cur] !== "@") cur++;
    if (ch(s, cur) === "@") {
      cur++;
      const b = memparse(s, cur);
      if (b.end === cur) {
        // ≤6.8 unprefixed; 6.9–6.15 with the "crahskernel" typo; fixed in 6.16 (kernelProfiles.ts rules).
        const text = profile.atTypoFixed
          ? "crashkernel: Memory value expected after '@'"
          : profile.newParseMessages
            ? "crahskernel: Memory value expected after '@'"
            : "Memory value expected after '@'";
        return { ret: EINVAL, size: crashSize, base: 0n, form: "ranges", messages: [...messages, warn(text, cur)] };
      }
      base = b.value;
    }
  } else {
    messages.push({ text: "crashkernel size resulted in zero bytes", level: "info", column: at + 1 });
  }
  return { ret: 0, size: crashSize, base, form: "ranges", messages };
}

/** parse_crashkernel_suffix(): SIZE then exactly the suffix, then space or end. */
export function parseSuffix(s: string, at: number, suffix: CrashkernelSuffix): StepResult {
  const m = memparse(s, at);
  if (m.end === at) return { ret: EINVAL, size: 0n, base: 0n, form: "suffix", messages: [warn("crashkernel: memory value expected", at)] };
  const cur = m.end;
  if (!s.startsWith(suffix, cur)) {
    return { ret: EINVAL, size: m.value, base: 0n, form: "suffix", messages: [warn(`crashkernel: unrecognized char: ${ch(s, cur)}`, cur)] };
  }
  const after = cur + suffix.length;
  const c = ch(s, after);
  if (c !== " " && c !== "\0") {
    return { ret: EINVAL, size: m.value, base: 0n, form: "suffix", messages: [warn(`crashkernel: unrecognized char: ${c}`, after)] };
  }
  return { ret: 0, size: m.value, base: 0n, form: "suffix", messages: [] };
}

/** __parse_crashkernel(): select the last matching token, then the form by its first ':'. */
export function parseCrashkernelOne(cmdline: string, systemRam: bigint, suffix: CrashkernelSuffix | null, profile: KernelProfile): StepResult {
  const at = findLastCrashkernel(cmdline, suffix, suffixTable(profile));
  if (at < 0) return { ret: ENOENT, size: 0n, base: 0n, messages: [] };
  if (suffix) return parseSuffix(cmdline, at, suffix);
  const colon = cmdline.indexOf(":", at);
  const space = cmdline.indexOf(" ", at);
  if (colon >= 0 && (space < 0 || colon < space)) return parseRanges(cmdline, at, systemRam, profile);
  return parseSimple(cmdline, at);
}

/** What the per-version top-level code (setup.c ≤6.6, parse_crashkernel() 6.7+) decided. */
export interface CrashkernelRequest {
  /** False: nothing is reserved (absent, invalid, zero); `why` says which. */
  reserve: boolean;
  why: string;
  size: bigint;
  base: bigint;
  high: boolean;
  /**
   * Low area size: null = the version decides later (≤6.6 parses ,low only in the low step);
   * otherwise the value parse_crashkernel() produced (explicit ,low or the default) for 6.7+.
   */
  lowSize: bigint | null;
  /** ≤6.6: the ,low token as given (null when absent or invalid → default). */
  lowExplicit: bigint | null;
  cma: bigint;
  form: "simple" | "ranges" | "high" | "none";
  messages: ParseMessage[];
}

/**
 * Top-level parsing per version (crashkernel.md §1.6). `systemRam` = memblock_phys_mem_size().
 * `defaultLow` = crash_low_size_default() for 6.7+.
 */
export function parseCrashkernel(cmdline: string, systemRam: number, profile: KernelProfile, defaultLow: number): CrashkernelRequest {
  const ram = BigInt(systemRam);
  const messages: ParseMessage[] = [];
  const none = (why: string, extra: Partial<CrashkernelRequest> = {}): CrashkernelRequest => ({
    reserve: false, why, size: 0n, base: 0n, high: false, lowSize: null, lowExplicit: null, cma: 0n, form: "none", messages, ...extra,
  });
  const plain = parseCrashkernelOne(cmdline, ram, null, profile);
  messages.push(...plain.messages);
  if (profile.reservation !== "generic") {
    // setup.c reserve_crashkernel(): plain first; on error or size 0 try ,high.
    let size = plain.size;
    let base = plain.base;
    let high = false;
    let form: CrashkernelRequest["form"] = plain.form === "ranges" ? "ranges" : "simple";
    if (plain.ret !== 0 || plain.size === 0n) {
      const hi = parseCrashkernelOne(cmdline, ram, ",high", profile);
      messages.push(...hi.messages);
      if (hi.ret !== 0 || hi.size === 0n) {
        return none(plain.ret === ENOENT && hi.ret === ENOENT ? "no crashkernel= on the command line" : "crashkernel= did not yield a size");
      }
      size = hi.size;
      base = 0n;
      high = true;
      form = "high";
    }
    // ,low is parsed only inside reserve_crashkernel_low(), against min(RAM, 4G) (5.10+).
    return { reserve: true, why: "", size, base, high, lowSize: null, lowExplicit: null, cma: 0n, form, messages };
  }
  // Generic parse_crashkernel() (6.7+).
  let ret = plain.ret;
  let size = plain.size;
  let base = plain.base;
  let high = false;
  let lowSize: bigint | null = null;
  let form: CrashkernelRequest["form"] = plain.form === "ranges" ? "ranges" : "simple";
  if (ret === ENOENT) {
    const hi = parseCrashkernelOne(cmdline, 0n, ",high", profile);
    messages.push(...hi.messages);
    if (hi.ret !== 0 || hi.size === 0n) {
      return none(hi.ret === ENOENT ? "no crashkernel= on the command line" : "crashkernel=,high is invalid");
    }
    size = hi.size;
    base = 0n;
    const lo = parseCrashkernelOne(cmdline, 0n, ",low", profile);
    messages.push(...lo.messages);
    if (lo.ret === ENOENT) lowSize = BigInt(defaultLow);
    else if (lo.ret !== 0) return none("crashkernel=,low is invalid");
    else lowSize = lo.size;
    high = true;
    form = "high";
    ret = 0;
  }
  let cma = 0n;
  if (profile.cmaSuffix) {
    const c = parseCrashkernelOne(cmdline, ram, ",cma", profile);
    messages.push(...c.messages);
    if (c.ret === 0) cma = c.size;
  }
  if (ret !== 0) return none("crashkernel= is invalid", { cma });
  if (size === 0n) return none("crashkernel= resulted in zero bytes", { cma });
  if (profile.sizeGeRamRejected && size >= ram) return none("crash size >= system RAM (rejected silently by parse_crashkernel())", { cma });
  return { reserve: true, why: "", size, base, high, lowSize: high ? lowSize : null, lowExplicit: null, cma, form, messages };
}

/** Parses the ,low token as ≤6.6 reserve_crashkernel_low() does: null on absent or invalid. */
export function parseLowForSetup(cmdline: string, lowMemLimit: number, profile: KernelProfile): { value: bigint | null; messages: ParseMessage[] } {
  const r = parseCrashkernelOne(cmdline, BigInt(lowMemLimit), ",low", profile);
  return { value: r.ret === 0 ? r.size : null, messages: r.messages };
}
