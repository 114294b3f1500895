// `npm run fuzz -- --cases N [--seed S] [--target bzimage|vmcore|source|sim[,..]] [--budget MS] [--case I] [--dump DIR]`
// The parent (this file) forks one fuzzing child (same file, FUZZ_CHILD=1) with a bounded heap,
// watches its heartbeat (a case stuck for --hang-ms is killed, pinpointed and skipped), and
// prints the totals: cases, uncaught exceptions (non-FormatError) with seed and case index,
// slowest case, cases over budget, and the child's peak RSS.
import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);

function parse(argv) {
  const o = { cases: 10000, seed: 1, target: "", budget: 100, case: -1, dump: "", hangMs: 20000, from: 0, warmup: 2000, real: true, maxDecompress: 1 << 20 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === "--cases") o.cases = Number(v());
    else if (a === "--seed") o.seed = Number(v());
    else if (a === "--target") o.target = v();
    else if (a === "--budget") o.budget = Number(v());
    else if (a === "--case") o.case = Number(v());
    else if (a === "--from") o.from = Number(v());
    else if (a === "--dump") o.dump = v();
    else if (a === "--hang-ms") o.hangMs = Number(v());
    else if (a === "--no-real") o.real = false;
    else if (a === "--warmup") o.warmup = Number(v());
    else if (a === "--help" || a === "-h") {
      console.log("usage: npm run fuzz -- --cases N [--seed S] [--target bzimage|vmcore|source|sim[,...]] [--budget MS] [--case I [--dump DIR]] [--from I] [--no-real] [--hang-ms MS]");
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isSafeInteger(o.cases) || o.cases < 0) throw new Error("--cases wants a count");
  return o;
}

// ------------------------------------------------------------------ child
async function child() {
  const { Fuzzer, emptyStats, record, peakRss } = await import("./harness.ts");
  const o = JSON.parse(process.env.FUZZ_OPTS);
  const t0 = performance.now();
  const fz = Fuzzer.create({ seed: o.seed, targets: o.target ? o.target.split(",") : undefined, budgetMs: o.budget, real: o.real, maxDecompress: o.maxDecompress });
  if (o.case < 0) await fz.warmup(o.warmup);
  const initMs = performance.now() - t0;
  const describe = fz.targets.map((t) => ({ name: t.name, seeds: t.describe() }));
  if (o.case >= 0) {
    const r = await fz.runCase(o.case, Boolean(o.dump));
    if (o.dump && r.input !== undefined) {
      fs.mkdirSync(o.dump, { recursive: true });
      const f = path.join(o.dump, `fuzz-${o.seed}-${o.case}.${typeof r.input === "string" ? "txt" : "bin"}`);
      fs.writeFileSync(f, r.input);
      r.dumped = f;
    }
    delete r.input;
    process.send({ type: "single", result: r, describe, peakRss: peakRss() });
    return;
  }
  const stats = emptyStats();
  const skip = new Set(o.skip ?? []);
  let last = performance.now();
  const start = performance.now();
  for (let i = o.from; i < o.cases; i++) {
    if (skip.has(i)) continue;
    if (o.everyCase || o.pinpoint?.includes(i)) process.send({ type: "start", index: i });
    const r = await fz.runCase(i);
    record(stats, r, o.budget);
    if (r.formatError) stats.formatErrors++;
    const now = performance.now();
    if (now - last > 500 || i === o.cases - 1) {
      last = now;
      stats.elapsedMs = now - start;
      stats.peakRssBytes = peakRss();
      process.send({ type: "progress", done: i, stats });
    }
  }
  stats.elapsedMs = performance.now() - start;
  stats.peakRssBytes = peakRss();
  process.send({ type: "done", stats, initMs, describe });
}

// ------------------------------------------------------------------ parent
function fmtMs(ms) {
  return `${ms.toFixed(1)} ms`;
}

function runChild(o, extra) {
  return new Promise((resolve) => {
    const env = { ...process.env, FUZZ_CHILD: "1", FUZZ_OPTS: JSON.stringify({ ...o, ...extra }) };
    const c = fork(self, [], { env, execArgv: ["--import", "tsx", "--max-old-space-size=160", "--max-semi-space-size=4"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const state = { lastMsg: Date.now(), lastDone: (extra.from ?? o.from) - 1, current: -1, stats: null, final: null, single: null, hung: false };
    const timer = setInterval(() => {
      if (Date.now() - state.lastMsg > o.hangMs) {
        state.hung = true;
        c.kill("SIGKILL");
      }
    }, 1000);
    c.on("message", (m) => {
      state.lastMsg = Date.now();
      if (m.type === "start") state.current = m.index;
      else if (m.type === "progress") {
        state.lastDone = m.done;
        state.stats = m.stats;
        extra.onProgress?.(m);
      } else if (m.type === "done") state.final = m;
      else if (m.type === "single") state.single = m;
    });
    c.on("exit", (code, signal) => {
      clearInterval(timer);
      resolve({ ...state, code, signal });
    });
  });
}

function merge(total, s) {
  total.cases += s.cases;
  total.formatErrors += s.formatErrors;
  total.uncaught.push(...s.uncaught);
  total.overBudget.push(...s.overBudget);
  if (s.slowest && (!total.slowest || s.slowest.ms > total.slowest.ms)) total.slowest = s.slowest;
  for (const [k, v] of Object.entries(s.byTarget)) {
    const t = (total.byTarget[k] ??= { cases: 0, ms: 0, slowestMs: 0 });
    t.cases += v.cases;
    t.ms += v.ms;
    t.slowestMs = Math.max(t.slowestMs, v.slowestMs);
  }
  total.peakRssBytes = Math.max(total.peakRssBytes, s.peakRssBytes);
  total.elapsedMs += s.elapsedMs;
}

async function parent() {
  const o = parse(process.argv.slice(2));
  const repro = (i) => `npm run fuzz -- --seed ${o.seed} --case ${i}${o.target ? ` --target ${o.target}` : ""}${o.real ? "" : " --no-real"}`;
  if (o.case >= 0) {
    const r = await runChild(o, {});
    const s = r.single;
    if (!s) {
      console.log(`case ${o.case}: child ${r.hung ? "hung" : `exited (${r.code ?? r.signal})`}`);
      process.exit(1);
    }
    const res = s.result;
    console.log(`case ${res.index} [${res.target}] ${res.label}`);
    console.log(`  ${fmtMs(res.ms)}, ${res.error ? "UNCAUGHT" : res.formatError ? "FormatError (expected)" : "ok"}${res.dumped ? `, input written to ${res.dumped}` : ""}`);
    if (res.error) console.log(res.error.stack);
    process.exit(res.error ? 1 : 0);
  }
  const total = { cases: 0, formatErrors: 0, uncaught: [], overBudget: [], slowest: null, byTarget: {}, peakRssBytes: 0, elapsedMs: 0 };
  const hangs = [];
  const skip = [];
  let from = o.from;
  let pinpoint = null;
  let describe = null;
  let initMs = 0;
  const wall = Date.now();
  let lastPrint = 0;
  while (from < o.cases) {
    const r = await runChild(o, {
      from,
      skip,
      everyCase: pinpoint !== null,
      onProgress: (m) => {
        if (Date.now() - lastPrint > 30000) {
          lastPrint = Date.now();
          const done = total.cases + m.stats.cases;
          console.log(`… ${done}/${o.cases - o.from} cases, ${(done / ((Date.now() - wall) / 1000)).toFixed(0)}/s, uncaught ${total.uncaught.length + m.stats.uncaught.length}, over budget ${total.overBudget.length + m.stats.overBudget.length}, slowest ${fmtMs(Math.max(total.slowest?.ms ?? 0, m.stats.slowest?.ms ?? 0))}, peak RSS ${(m.stats.peakRssBytes / 1048576).toFixed(0)} MiB`);
        }
      },
    });
    if (r.final) {
      merge(total, r.final.stats);
      describe = r.final.describe;
      initMs = r.final.initMs;
      break;
    }
    if (r.stats) merge(total, r.stats);
    if (r.hung && r.current >= 0 && pinpoint !== null) {
      hangs.push(r.current);
      skip.push(r.current);
      console.log(`case ${r.current} hung (> ${o.hangMs} ms): ${repro(r.current)}`);
      from = r.current + 1;
      pinpoint = null;
      continue;
    }
    // Hung or crashed somewhere after lastDone: rerun from there reporting every case.
    console.log(`child ${r.hung ? "hung" : `died (${r.code ?? r.signal})`} after case ${r.lastDone}; rerunning from ${r.lastDone + 1} case by case`);
    if (pinpoint !== null && !r.hung) {
      // A crash (not a hang) of the child itself, e.g. out of memory: record and skip.
      hangs.push(r.current);
      skip.push(r.current);
      from = r.current + 1;
      pinpoint = null;
      continue;
    }
    from = r.lastDone + 1;
    pinpoint = from;
  }
  const rss = total.peakRssBytes / 1048576;
  const secs = (Date.now() - wall) / 1000;
  console.log("");
  console.log(`fuzz: seed ${o.seed}, targets ${o.target || "all"}, cases ${o.from}..${o.cases - 1}`);
  if (describe) for (const d of describe) console.log(`  ${d.name}: ${d.seeds.length} seeds/notes`);
  console.log(`cases run:          ${total.cases} (${total.formatErrors} ended in FormatError, expected) in ${secs.toFixed(0)} s (${(total.cases / secs).toFixed(0)}/s, init ${fmtMs(initMs)})`);
  for (const [k, v] of Object.entries(total.byTarget)) console.log(`  ${k.padEnd(8)} ${String(v.cases).padStart(8)} cases, mean ${(v.ms / v.cases).toFixed(3)} ms, slowest ${fmtMs(v.slowestMs)}`);
  console.log(`uncaught exceptions: ${total.uncaught.length}`);
  for (const u of total.uncaught.slice(0, 20)) console.log(`  case ${u.index} [${u.target}] ${u.error.name}: ${u.error.message}\n    ${u.label}\n    repro: ${repro(u.index)}`);
  console.log(`hangs (> ${o.hangMs} ms, child killed): ${hangs.length}${hangs.length ? " " + hangs.join(", ") : ""}`);
  console.log(`slowest case:       ${total.slowest ? `${fmtMs(total.slowest.ms)} case ${total.slowest.index} [${total.slowest.target}] ${total.slowest.label}` : "-"}`);
  console.log(`over ${o.budget} ms budget:  ${total.overBudget.length}`);
  for (const b of total.overBudget.slice(0, 10)) console.log(`  ${fmtMs(b.ms)} case ${b.index} [${b.target}] ${b.label}\n    repro: ${repro(b.index)}`);
  console.log(`peak RSS:           ${rss.toFixed(1)} MiB (fuzzing process)`);
  process.exit(total.uncaught.length || hangs.length ? 1 : 0);
}

if (process.env.FUZZ_CHILD === "1") {
  child().catch((e) => {
    console.error(e);
    process.exit(70);
  });
} else {
  parent().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  });
}
