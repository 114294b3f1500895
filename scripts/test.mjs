// The README's test command: installs what is missing, then type-checks, lints, builds and runs
// every suite. Each step's failure stops the run with its exit code. Ends with one
// "N passed, N failed" line summed over the mocha suites.
import { spawn } from "node:child_process";
import * as fs from "node:fs";

const totals = { passed: 0, failed: 0, skipped: 0 };

function step(name, cmd, args, { count = false } = {}) {
  console.log(`\n== ${name}: ${cmd} ${args.join(" ")}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    let tail = "";
    child.stdout.on("data", (d) => {
      process.stdout.write(d);
      tail = (tail + d.toString()).slice(-4000);
    });
    child.on("close", (code, signal) => {
      if (count) {
        // Mocha's own summary lines (ANSI colours stripped).
        const plain = tail.replace(/\x1b\[[0-9;]*m/g, "");
        const num = (re) => Number(re.exec(plain)?.[1] ?? 0);
        totals.passed += num(/(\d+) passing/);
        totals.failed += num(/(\d+) failing/);
        totals.skipped += num(/(\d+) pending/);
        // The e2e driver's own closing line.
        const e2e = /^(\d+) passed, (\d+) failed/m.exec(plain);
        if (e2e) {
          totals.passed += Number(e2e[1]);
          totals.failed += Number(e2e[2]);
        }
      }
      if (code !== 0) {
        console.error(`\n${name} failed (exit ${code ?? signal})`);
        console.log(`\n${totals.passed} passed, ${Math.max(totals.failed, 1)} failed, ${totals.skipped} skipped`);
        process.exit(code || 1);
      }
      resolve();
    });
  });
}

if (!fs.existsSync("node_modules/.package-lock.json")) await step("install", "npm", ["ci", "--no-audit", "--no-fund"]);
await step("typecheck", "npx", ["tsc", "--noEmit", "-p", "."]);
await step("lint", "npx", ["eslint", "extension", "webview", "test"]);
await step("build", "node", ["build.mjs"]);
await step("unit and fixture tests", "npx", ["mocha", "test/unit/**/*.test.ts", "test/real/**/*.test.ts"], { count: true });
// The real webview bundles in Debian's Chromium (installed by .ci/run), host side on the real protocol.
await step("webview tests (headless Chromium)", "npx", ["mocha", "--timeout", "120000", "test/webview/**/*.test.ts"], { count: true });
// The extension in a real VS Code: code-server + headless Chromium, and mocha in the extension host.
await step("e2e (code-server)", "node", ["scripts/e2e/run.mjs"], { count: true });
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
