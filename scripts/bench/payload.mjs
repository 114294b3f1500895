// Bench: our in-process xz payload decompression (warm) vs `xz -dc --single-stream` as a whole
// process on the same payload bytes. Usage: node scripts/bench/payload.mjs [bzImage] [runs]
// Loads the TypeScript sources through tsx (a dev dependency), like the tests do.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(import.meta.url);
require("tsx/cjs");
const { openFile } = require(path.join(root, "extension/core/io/byteSource.ts"));
const { decompressPayload, detectPayload } = require(path.join(root, "extension/core/formats/bzimage/payload.ts"));

const file = process.argv[2] ?? path.join(root, "..", "shared", "fixtures", "bzimage", "vmlinuz-6.1.0-50-amd64");
const runs = Number(process.argv[3] ?? 5);
const src = openFile(file);
// Locate the payload from the setup header (boot protocol 2.08+).
const hdr = src.read(0, 0x250, "setup_header");
const setupSects = hdr[0x1f1] || 4;
const dv = new DataView(hdr.buffer, hdr.byteOffset, hdr.byteLength);
const info = detectPayload(src, (setupSects + 1) * 512 + dv.getUint32(0x248, true), dv.getUint32(0x24c, true));
if (info.compression !== "xz") throw new Error(`${file}: payload is ${info.compression}, not xz`);

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const ours = [];
let outSize = 0;
await decompressPayload(src, info, { maxBytes: 1 << 30 }); // warm-up (JIT)
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  outSize = (await decompressPayload(src, info, { maxBytes: 1 << 30 })).length;
  ours.push(performance.now() - t);
}

const tmp = path.join(os.tmpdir(), `payload-bench-${process.pid}.xz`);
fs.writeFileSync(tmp, src.read(info.offset, info.length));
const native = [];
try {
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync("sh", ["-c", `xz -dc --single-stream < '${tmp}' > /dev/null`]);
    native.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`xz failed: ${r.stderr}`);
  }
} finally {
  fs.unlinkSync(tmp);
}
const o = median(ours);
const n = median(native);
console.log(`payload: ${path.basename(file)} xz ${info.length} -> ${outSize} bytes, ${runs} runs, median`);
console.log(`ours (in-process, warm): ${o.toFixed(0)} ms (${(outSize / 1048576 / (o / 1000)).toFixed(1)} MiB/s)`);
console.log(`xz -dc --single-stream (process): ${n.toFixed(0)} ms`);
console.log(`ratio: ${(o / n).toFixed(2)}x native (goal <= 1.5x)`);
src.close();
