/**
 * Guards against a blow-up without asserting wall-clock time: the same work on n and factor·n
 * inputs in one run, best of a few tries each, must not grow much faster than linearly. Both
 * sizes run under the same load, so a busy CI machine slows both alike.
 */
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";

function best(run: () => void, tries: number): number {
  let min = Infinity;
  for (let i = 0; i < tries; i++) {
    const t0 = performance.now();
    run();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

/**
 * Asserts that work(factor·n) costs at most slack·factor times work(n). `floorMs` keeps a tiny
 * small-size time from turning noise into a huge ratio.
 */
export function assertNearLinear(what: string, work: (n: number) => void, n: number, opts: { factor?: number; slack?: number; tries?: number; floorMs?: number } = {}): void {
  // 8× the input: linear work costs ~8×, quadratic ~64×; the 24× bound leaves noise room on a busy machine.
  const factor = opts.factor ?? 8;
  const slack = opts.slack ?? 3;
  const tries = opts.tries ?? 5;
  work(n); // warm the JIT on the small size first
  const small = Math.max(best(() => work(n), tries), opts.floorMs ?? 2);
  const large = best(() => work(n * factor), tries);
  const ratio = large / small;
  assert.ok(ratio <= factor * slack, `${what}: ${factor}× the input cost ${ratio.toFixed(1)}× the time (allowed ${factor * slack}×): super-linear`);
}
