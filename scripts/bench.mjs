// `npm run bench`: runs every scripts/bench/*.mjs (each times our code in-process against the
// native tool as a whole process on the same input, and prints the ratio). Not a test.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const dir = path.join(import.meta.dirname, "bench");
// Measure what ships: the minified production bundles (the tests rebuild the development ones).
const build = spawnSync(process.execPath, [path.join(import.meta.dirname, "..", "build.mjs"), "--production"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);
const only = process.argv.slice(2);
let failed = 0;
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".mjs")).sort()) {
  if (only.length && !only.some((o) => f.includes(o))) continue;
  console.log(`\n== ${f}`);
  // tsx lets the bench import the TypeScript core directly, as the extension host would run it.
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(dir, f)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
