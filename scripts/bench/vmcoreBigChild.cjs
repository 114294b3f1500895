// Child of scripts/bench/vmcoreBig.mjs: runs one CLI command from the production bundle R times in a
// fresh process and prints { ms (median), bytes (read per run, counted at fs.readSync), maxRssMiB }.
// Not a bench itself (bench.mjs runs *.mjs only).
const fs = require("node:fs");
const path = require("node:path");
let bytes = 0;
const readSync = fs.readSync;
fs.readSync = function (...args) {
  const n = readSync.apply(this, args);
  bytes += n;
  return n;
};
const [mode, file, runsArg] = process.argv.slice(2);
const { runCli } = require(path.join(__dirname, "..", "..", "dist", "cli.js"));
const argv = mode === "dmesg" ? ["dmesg", file] : ["vmcore", file, "--json"];
(async () => {
  const times = [];
  let perRun = 0;
  for (let i = 0; i < Number(runsArg ?? 5); i++) {
    bytes = 0;
    let out = 0;
    const t = process.hrtime.bigint();
    const code = await runCli(argv, { out: (s) => void (out += s.length), err: () => {} });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (code !== 0) throw new Error(`${argv.join(" ")}: exit ${code}`);
    perRun = bytes;
  }
  times.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ ms: times[Math.floor(times.length / 2)], bytes: perRun, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
})().catch((e) => {
  console.error(String(e));
  process.exit(1);
});
