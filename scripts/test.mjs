// The README's test command: installs what is missing, then type-checks, lints, builds and runs
// every suite. Each step's failure stops the run with its exit code.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";

function step(name, cmd, args, opts = {}) {
  console.log(`\n== ${name}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.status !== 0) {
    console.error(`\n${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

if (!fs.existsSync("node_modules/.package-lock.json")) step("install", "npm", ["ci", "--no-audit", "--no-fund"]);
step("typecheck", "npx", ["tsc", "--noEmit", "-p", "."]);
step("lint", "npx", ["eslint", "extension", "webview", "test"]);
step("build", "node", ["build.mjs"]);
step("unit and fixture tests", "npx", ["mocha", "test/unit/**/*.test.ts", "test/real/**/*.test.ts"]);
// The real webview bundles in Debian's Chromium (installed by .ci/run), host side on the real protocol.
step("webview tests (headless Chromium)", "npx", ["mocha", "--timeout", "120000", "test/webview/**/*.test.ts"]);
