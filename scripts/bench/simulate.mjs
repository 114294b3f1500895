// Times one full simulation (crashkernel= reservation + kexec_load + kexec_file_load placement
// + verdicts) on a synthetic 10,000-range memory map. Bundles the pure core with esbuild.
// Usage: node scripts/bench/simulate.mjs [ranges]
import * as esbuild from "esbuild";
import { performance } from "node:perf_hooks";

const entry = `
export { simulateCrashkernel } from "./extension/core/kexec/crashkernelReserve";
export { simulateKexecLoad } from "./extension/core/kexec/kexecToolsPlacement";
export { simulateKexecFile } from "./extension/core/kexec/kexecFilePlacement";
export { jumpVerdicts } from "./extension/core/kexec/jumpVerdicts";
export { kernelProfile, kexecToolsProfile } from "./extension/core/kexec/kernelProfiles";
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
const profile = core.kernelProfile("6.12");
const tools = core.kexecToolsProfile("2.0.25");
const image = core.syntheticImage({ xloadflags: 0x3f });

function once() {
  const ck = core.simulateCrashkernel({ map, cmdline: "crashkernel=2G,high", profile, pagingLevels: 5 });
  const crashRanges = ck.ranges;
  const a = core.simulateKexecLoad({ map, image, initrdSize: 0x2da536, crash: false, cmdline: "quiet", tools });
  const b = core.simulateKexecFile({ map, image, initrdSize: 0x2da536, crash: false, cmdline: "quiet", profile, runningPaging: 5 });
  const c = core.simulateKexecLoad({ map, image, initrdSize: 0x2da536, crash: true, cmdline: "quiet", tools, crashRanges });
  const d = core.simulateKexecFile({ map, image, initrdSize: 0x2da536, crash: true, cmdline: "quiet", profile, runningPaging: 5, crashRanges });
  core.jumpVerdicts({ runningPaging: 5, image, iface: "kexec_file_load", kernel: profile, tools, segments: b.segments });
  if (!ck.ranges.length || !a.accepted || !b.accepted || !c.accepted || !d.accepted) throw new Error("bench simulation failed");
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
console.log(`simulate: ${n} ranges, crashkernel + kexec_load + kexec_file (normal and crash) + verdicts`);
console.log(`median ${med.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms, min ${times[0].toFixed(3)} ms (budget 5 ms)`);
process.exitCode = med < 5 ? 0 : 1;
