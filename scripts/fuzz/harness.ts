/**
 * Issue 9's fuzz harness: seeded, deterministic, one PRNG stream per (seed, case index), so
 * any case reproduces alone with `npm run fuzz -- --seed S --case I`. Used by scripts/fuzz/run.mjs
 * (the long runs) and test/unit/fuzzSlice.test.ts (the CI slice).
 */
import { performance } from "node:perf_hooks";
import { FormatError } from "../../extension/core/io/formatError";
import { Rng } from "./rng";
import { makeTarget, TARGET_NAMES, type CaseContext, type Target, type TargetName, type TargetOptions } from "./targets";

export { TARGET_NAMES, type TargetName } from "./targets";

export interface FuzzOptions extends Partial<TargetOptions> {
  seed: number;
  targets?: readonly TargetName[];
  /** A case slower than this is reported as over budget. */
  budgetMs?: number;
}

export interface CaseResult {
  index: number;
  target: TargetName;
  label: string;
  ms: number;
  /** Set when something other than FormatError escaped. */
  error?: { name: string; message: string; stack: string };
  input?: Uint8Array | string;
}

export interface FuzzStats {
  cases: number;
  formatErrors: number;
  uncaught: CaseResult[];
  overBudget: CaseResult[];
  slowest: CaseResult | null;
  byTarget: Record<string, { cases: number; ms: number; slowestMs: number }>;
  peakRssBytes: number;
  elapsedMs: number;
}

const KEEP = 50;

export class Fuzzer {
  readonly targets: Target[];
  readonly budgetMs: number;

  private constructor(
    readonly seed: number,
    targets: Target[],
    budgetMs: number,
  ) {
    this.targets = targets;
    this.budgetMs = budgetMs;
  }

  static create(o: FuzzOptions): Fuzzer {
    const to: TargetOptions = { real: o.real ?? true, maxDecompress: o.maxDecompress ?? 1 << 20 };
    const names = o.targets?.length ? o.targets : TARGET_NAMES;
    return new Fuzzer(o.seed >>> 0, names.map((n) => makeTarget(n, to)), o.budgetMs ?? 100);
  }

  /** Which target case `index` runs (round robin, so every target gets its share of any range). */
  targetOf(index: number): Target {
    return this.targets[index % this.targets.length]!;
  }

  async runCase(index: number, keepInput = false): Promise<CaseResult & { formatError: boolean }> {
    const target = this.targetOf(index);
    const rng = new Rng(this.seed, index);
    const ctx: CaseContext = { label: "", keepInput };
    let error: CaseResult["error"];
    let formatError = false;
    const t0 = performance.now();
    try {
      await target.run(rng, ctx);
    } catch (e) {
      if (e instanceof FormatError) formatError = true;
      else {
        const err = e instanceof Error ? e : new Error(String(e));
        error = { name: err.name, message: err.message, stack: err.stack ?? String(err) };
      }
    }
    const ms = performance.now() - t0;
    return { index, target: target.name, label: ctx.label, ms, error, formatError, input: ctx.input };
  }

  /**
   * Runs `n` unmeasured cases from a separate PRNG stream so JIT compilation and first-use
   * initialisation (WASM, codec tables) do not count against the per-case budget.
   */
  async warmup(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const target = this.targets[i % this.targets.length]!;
      try {
        await target.run(new Rng(this.seed ^ 0xa5a5a5a5, i), { label: "", keepInput: false });
      } catch {
        /* counted in the measured run, not here */
      }
    }
  }

  /** Runs cases [from, to) stepping by `step`; calls `onCase` after each (progress, watchdogs). */
  async run(from: number, to: number, step = 1, onCase?: (r: CaseResult, stats: FuzzStats) => void): Promise<FuzzStats> {
    const stats = emptyStats();
    const t0 = performance.now();
    for (let i = from; i < to; i += step) {
      const r = await this.runCase(i);
      record(stats, r, this.budgetMs);
      if (r.formatError) stats.formatErrors++;
      onCase?.(r, stats);
    }
    stats.elapsedMs = performance.now() - t0;
    stats.peakRssBytes = peakRss();
    return stats;
  }
}

export function emptyStats(): FuzzStats {
  return { cases: 0, formatErrors: 0, uncaught: [], overBudget: [], slowest: null, byTarget: {}, peakRssBytes: 0, elapsedMs: 0 };
}

export function record(stats: FuzzStats, r: CaseResult, budgetMs: number): void {
  stats.cases++;
  const t = (stats.byTarget[r.target] ??= { cases: 0, ms: 0, slowestMs: 0 });
  t.cases++;
  t.ms += r.ms;
  t.slowestMs = Math.max(t.slowestMs, r.ms);
  const slim: CaseResult = { index: r.index, target: r.target, label: r.label.slice(0, 400), ms: r.ms, error: r.error };
  if (r.error && stats.uncaught.length < KEEP) stats.uncaught.push(slim);
  else if (r.error) stats.uncaught.push({ ...slim, label: "" });
  if (r.ms > budgetMs && stats.overBudget.length < KEEP) stats.overBudget.push(slim);
  if (!stats.slowest || r.ms > stats.slowest.ms) stats.slowest = slim;
}

/** Peak resident set size of this process (all threads), in bytes. */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}
