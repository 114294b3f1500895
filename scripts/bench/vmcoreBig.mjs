// Bench (issue #14): the real kdump fixture re-laid as the dump of a 1 TiB, 128 TiB and 4 PiB
// machine (sparse files in .cache/vmcore-big, built by test/support/vmcoreLayouts.ts), plus ELF
// dumps with thousands of PT_LOADs. Per layout: bytes read, median time and peak RSS of the
// summary (`vmcore --json`) and of `dmesg`, each in a fresh process running the production
// bundle, next to the original's. Not a test: nothing here asserts.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { BIG_LAYOUTS, buildBigLayout } from "../../test/support/vmcoreLayouts.ts";
import { buildManyLoadsElf } from "../../test/unit/vmcoreSynth.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const fixture = path.join(root, "..", "shared", "fixtures", "vmcore", "vmcore-l4-kdump-zlib-d31");
const cache = path.join(root, ".cache", "vmcore-big");
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), "vmcoreBigChild.cjs");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function measure(mode, file) {
  const r = spawnSync(process.execPath, [child, mode, file, String(RUNS)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${mode} ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`.padStart(10);
const line = (label, mode, m, base) =>
  console.log(
    `vmcore-big ${label.padEnd(22)} ${mode.padEnd(7)} read ${kib(m.bytes)}  time ${m.ms.toFixed(1).padStart(7)} ms  peak RSS ${m.maxRssMiB.toFixed(0).padStart(4)} MiB` +
      (base ? `   ×${(m.ms / base.ms).toFixed(2)} time, ×${(m.bytes / base.bytes).toFixed(2)} bytes of the original` : ""),
  );

const results = [];
const base = { summary: measure("summary", fixture), dmesg: measure("dmesg", fixture) };
line("original (512 MiB)", "summary", base.summary);
line("original (512 MiB)", "dmesg", base.dmesg);
results.push({ layout: "original", ...base });
for (const l of BIG_LAYOUTS) {
  const b = buildBigLayout(fixture, l.maxPfn, cache);
  if ("skipped" in b) {
    console.log(`vmcore-big ${l.label}: skipped, ${b.skipped}`);
    continue;
  }
  const r = { layout: l.label, summary: measure("summary", b.file), dmesg: measure("dmesg", b.file) };
  line(l.label, "summary", r.summary, base.summary);
  line(l.label, "dmesg", r.dmesg, base.dmesg);
  results.push(r);
}

// ELF dumps of big machines: one PT_LOAD per RAM range over 4 PiB.
fs.mkdirSync(cache, { recursive: true });
for (const n of [1000, 10000, 100000]) {
  const file = path.join(cache, `elf-${n}-loads`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, buildManyLoadsElf(n, 2 ** 52, new Uint8Array(0)));
  const m = measure("summary", file);
  line(`ELF ${n} PT_LOADs`, "summary", m);
  results.push({ layout: `elf-${n}`, summary: m });
}
export default results;
