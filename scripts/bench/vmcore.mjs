// Bench: our in-process `dmesg` (warm, via dist/cli.js runCli) vs `makedumpfile --dump-dmesg`
// as a whole process, on the vmcore fixtures. Prints one line per file and the ratio.
// Needs `npm run build` first; installs makedumpfile with apt-get when it is missing.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const fixtures = path.join(root, "..", "shared", "fixtures", "vmcore");
const cache = path.join(root, ".cache", "vmcore");
const require = createRequire(import.meta.url);

function fixture(name) {
  const plain = path.join(fixtures, name);
  if (fs.existsSync(plain)) return plain;
  fs.mkdirSync(cache, { recursive: true });
  const out = path.join(cache, name);
  if (!fs.existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, "w");
    const r = spawnSync("xz", ["-dk", "-c", path.join(fixtures, `${name}.xz`)], { stdio: ["ignore", fd, "inherit"] });
    fs.closeSync(fd);
    if (r.status !== 0) throw new Error(`xz failed for ${name}`);
    fs.renameSync(tmp, out);
  }
  return out;
}

function ensureMakedumpfile() {
  if (spawnSync("makedumpfile", ["-v"], { stdio: "ignore" }).status === 0) return;
  spawnSync("apt-get", ["update"], { stdio: "ignore" });
  const r = spawnSync("apt-get", ["install", "-y", "makedumpfile"], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (r.status !== 0) throw new Error("could not install makedumpfile");
}

const cliPath = path.join(root, "dist", "cli.js");
if (!fs.existsSync(cliPath)) {
  console.error("dist/cli.js missing: run `npm run build` first");
  process.exit(1);
}
const { runCli } = require(cliPath);
ensureMakedumpfile();

async function ours(file) {
  let bytes = 0;
  const io = { out: (t) => void (bytes += t.length), err: () => {} };
  const code = await runCli(["dmesg", file], io);
  if (code !== 0) throw new Error(`dmesg exit ${code} for ${file}`);
  return bytes;
}

function theirs(file, out) {
  fs.rmSync(out, { force: true });
  const r = spawnSync("makedumpfile", ["--dump-dmesg", file, out], { stdio: "ignore" });
  if (r.status !== 0) throw new Error(`makedumpfile failed on ${file}`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const tmpOut = path.join(os.tmpdir(), `kxi-bench-dmesg-${process.pid}.txt`);
const results = [];
for (const name of ["vmcore-l4-elf-d31", "vmcore-l4-kdump-zlib-d31", "vmcore-l5-elf-d31"]) {
  const file = fixture(name);
  await ours(file); // warm-up: JIT, module load
  const a = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await ours(file);
    a.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  theirs(file, tmpOut); // warm the page cache for the tool too
  const b = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    theirs(file, tmpOut);
    b.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const r = { file: name, oursMs: median(a), makedumpfileMs: median(b) };
  r.ratio = r.oursMs / r.makedumpfileMs;
  results.push(r);
  console.log(`vmcore dmesg ${name.padEnd(26)} ours ${r.oursMs.toFixed(2).padStart(8)} ms   makedumpfile ${r.makedumpfileMs.toFixed(2).padStart(8)} ms   ratio ${r.ratio.toFixed(3)}`);
}
fs.rmSync(tmpOut, { force: true });
export default results;
