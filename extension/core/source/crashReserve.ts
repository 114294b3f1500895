/**
 * Crash-kernel reservation limits on x86_64, wherever the kernel keeps them:
 * arch/x86/kernel/setup.c (≤6.6), asm/crash_core.h (6.7–6.8), asm/crash_reserve.h (6.9+),
 * and the generic code in kernel/crash_core.c (6.7–6.8) / kernel/crash_reserve.c (6.9+).
 * Source: ../shared/spec/crashkernel.md §2, paging.md §2.
 */
import { type Finding, LineIndex, makeFinding } from "./findings";
import { type Config, type Define, evalCExpr, maskText, matchBrace, preprocess, wordOccurrences } from "./scan";
import { SZ_16M, SZ_4G, SZ_64T } from "../knowledge/crashConstants";

const X86_64: Config = { CONFIG_X86_64: true, CONFIG_64BIT: true };

function mib(v: bigint): string {
  if (v >= 1n << 40n && v % (1n << 40n) === 0n) return `${v >> 40n} TiB`;
  if (v >= 1n << 30n && v % (1n << 30n) === 0n) return `${v >> 30n} GiB`;
  return `${v >> 20n} MiB`;
}

export function analyseCrashReserve(text: string): Finding[] {
  const index = new LineIndex(text);
  const masked = maskText(text, { strings: true });
  const pp = preprocess(masked);
  const findings: Finding[] = [];

  // The define compiled in for x86_64 (last one wins, as cpp would).
  const active = (name: string): Define | undefined => {
    let found: Define | undefined;
    for (const d of pp.defines) if (d.name === name && d.when(X86_64)) found = d;
    return found;
  };
  // MAXMEM is a runtime value on 5-level-capable kernels, so it stays unresolved.
  const valueOf = (d: Define, depth = 0): bigint | undefined =>
    evalCExpr(d.value, (n) => {
      const a = n === "MAXMEM" || depth > 8 ? undefined : active(n);
      return a && a !== d ? valueOf(a, depth + 1) : undefined;
    }).value;

  const high = active("CRASH_ADDR_HIGH_MAX");
  let highValue: bigint | undefined;
  if (high) {
    const mentionsMaxmem = /\bMAXMEM\b/.test(high.value);
    highValue = valueOf(high);
    if (mentionsMaxmem || (highValue !== undefined && highValue > SZ_64T)) {
      const what = mentionsMaxmem ? "MAXMEM (4 PiB when the first kernel runs 5-level)" : mib(highValue!);
      findings.push(
        makeFinding(index, "crash-high-max-above-64t", "warning", `CRASH_ADDR_HIGH_MAX is ${what} on x86_64: crashkernel=X,high can then land above 64 TiB, where a 4-level dump kernel cannot run. 8ff80fbe7e98 (v5.3) capped it at SZ_64T.`, { start: high.valueStart, end: high.valueEnd }, [
          { title: "Cap CRASH_ADDR_HIGH_MAX at SZ_64T", edits: [{ range: { start: high.valueStart, end: high.valueEnd }, newText: "SZ_64T" }] },
        ]),
      );
    }
  }

  const align = active("CRASH_ALIGN");
  if (align) {
    const v = valueOf(align);
    if (v !== undefined && v !== SZ_16M) {
      findings.push(
        makeFinding(index, "crash-align", "warning", `CRASH_ALIGN is ${mib(v)}; x86 has always aligned crash regions to 16 MiB (CRASH_ALIGN in arch/x86/kernel/setup.c and asm/crash_reserve.h).`, { start: align.valueStart, end: align.valueEnd }, [
          { title: "Set CRASH_ALIGN to SZ_16M", edits: [{ range: { start: align.valueStart, end: align.valueEnd }, newText: "SZ_16M" }] },
        ]),
      );
    }
  }

  const low = active("CRASH_ADDR_LOW_MAX");
  if (low) {
    const v = valueOf(low);
    if (v !== undefined && v !== SZ_4G) {
      const old = v === 896n << 20n ? " (the pre-5.2 value; 9ca5c8e632ce raised it to 4 GiB so crashkernel=X tries all of low memory first)" : "";
      const above = v > SZ_4G ? "; the low area serves 32-bit DMA and swiotlb, so it must stay below 4 GiB" : "";
      findings.push(
        makeFinding(index, "crash-low-max", "warning", `CRASH_ADDR_LOW_MAX is ${mib(v)} on x86_64, not SZ_4G${old}${above}.`, { start: low.valueStart, end: low.valueEnd }, [
          { title: "Set CRASH_ADDR_LOW_MAX to SZ_4G", edits: [{ range: { start: low.valueStart, end: low.valueEnd }, newText: "SZ_4G" }] },
        ]),
      );
    } else if (v !== undefined && highValue !== undefined && v > highValue) {
      findings.push(makeFinding(index, "crash-low-max", "warning", "CRASH_ADDR_LOW_MAX is above CRASH_ADDR_HIGH_MAX.", { start: low.valueStart, end: low.valueEnd }));
    }
  }

  // A reservation bound spelled MAXMEM inside the crash reservation code itself.
  for (const fn of crashFunctions(masked)) {
    for (const at of wordOccurrences(masked, "MAXMEM", fn.start, fn.end)) {
      findings.push(
        makeFinding(index, "crash-high-max-above-64t", "warning", `${fn.name}() bounds the crash reservation by MAXMEM (4 PiB when running 5-level); use CRASH_ADDR_HIGH_MAX (SZ_64T since 8ff80fbe7e98, v5.3).`, { start: at, end: at + 6 }, [
          { title: "Use CRASH_ADDR_HIGH_MAX", edits: [{ range: { start: at, end: at + 6 }, newText: "CRASH_ADDR_HIGH_MAX" }] },
        ]),
      );
    }
  }
  return findings;
}

/** Bodies of functions whose name mentions crashkernel reservation. */
function crashFunctions(masked: string): { name: string; start: number; end: number }[] {
  const out: { name: string; start: number; end: number }[] = [];
  const re = /\b([A-Za-z_]\w*)\s*\(/g;
  for (let m = re.exec(masked); m; m = re.exec(masked)) {
    const name = m[1]!;
    if (!name.includes("crash") || !name.includes("reserv")) continue;
    const close = masked.indexOf(")", m.index);
    if (close < 0) break;
    let k = close + 1;
    while (k < masked.length && /\s/.test(masked[k]!)) k++;
    if (masked[k] !== "{") continue;
    const end = matchBrace(masked, k);
    if (end < 0) break;
    out.push({ name, start: k, end });
    re.lastIndex = end;
  }
  return out;
}
