// Times full simulations through the one scenario entry point, simulate() (crashkernel=
// reservation + placement + verdicts), on a synthetic 10,000-range memory map: kexec_load and
// kexec_file_load, normal and crash loads. Bundles the pure core with esbuild.
// Usage: node scripts/bench/simulate.mjs [ranges]
import * as esbuild from "esbuild";
import { performance } from "node:perf_hooks";

const entry = `
export { simulate } from "./extension/core/scenario/simulate";
export { syntheticImage } from "./extension/core/kexec/kexecImage";
`;
const out = await esbuild.build({
  stdin: { contents: entry, resolveDir: process.cwd(), loader: "ts" },
  bundle: true, platform: "node", format: "esm", write: false, logLevel: "error",
});
const core = await import("data:text/javascript;base64," + Buffer.from(out.outputFiles[0].text).toString("base64"));

const n = Number(process.argv[2] ?? 10000);
const GiB = 2 ** 30;
// n RAM ranges of 1 GiB - 2 MiB with 2 MiB holes, from 4 GiB up (reaching ~10 TiB for 10,000),
// plus low memory; reserved ranges sprinkled at the top of each range.
const firmware = [{ start: 0, end: 0x9fbff, type: "usable" }, { start: 0x100000, end: 0xbffdffff, type: "usable" }];
const reserved = [];
for (let i = 0; i < n - 2; i++) {
  const start = 4 * GiB + i * GiB;
  firmware.push({ start, end: start + GiB - 0x200001, type: "usable" });
  if (i % 10 === 0) reserved.push({ start: start + GiB - 0x400000, end: start + GiB - 0x200001, what: "bench", source: "bench" });
}
const map = {
  kind: "json", file: "bench", firmware,
  systemRam: firmware.map((e) => ({ start: Math.max(e.start, 0x1000), end: e.end })),
  reserved, crashKernel: [], notes: [],
};
const image = core.syntheticImage({ xloadflags: 0x3f });
const base = { map, image, kernel: "6.12", kexecTools: "2.0.25", runningPaging: 5, crashkernel: "crashkernel=2G,high", append: "quiet", initrdSize: 0x2da536 };

function once() {
  const runs = [
    core.simulate({ ...base, iface: "kexec_load", crash: false }),
    core.simulate({ ...base, iface: "kexec_file_load", crash: false }),
    core.simulate({ ...base, iface: "kexec_load", crash: true }),
    core.simulate({ ...base, iface: "kexec_file_load", crash: true }),
  ];
  if (!runs[0].reservation?.ranges.length || runs.some((r) => !r.load?.final.accepted)) throw new Error("bench simulation failed");
}

for (let i = 0; i < 20; i++) once();
const times = [];
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  once();
  times.push(performance.now() - t);
}
times.sort((x, y) => x - y);
const med = times[times.length >> 1];
const p95 = times[Math.floor(times.length * 0.95)];
console.log(`simulate: ${n} ranges, 4 × simulate() (kexec_load and kexec_file, normal and crash; each with crashkernel= and verdicts)`);
console.log(`median ${med.toFixed(3)} ms for the four (${(med / 4).toFixed(3)} ms per simulate(), budget 5 ms), p95 ${p95.toFixed(3)} ms, min ${times[0].toFixed(3)} ms`);
process.exitCode = med / 4 < 5 ? 0 : 1;
