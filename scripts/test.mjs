// The README's test command: installs what is missing, then type-checks, lints, builds and runs
// every suite. Each step's failure stops the run with its exit code. Ends with one
// "N passed, N failed" line summed from the counts each suite writes as JSON.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const statsDir = fs.mkdtempSync(path.join(os.tmpdir(), "kxi-test-"));
let statsN = 0;
/** A fresh file a suite writes its counts to. */
const statsFile = () => path.join(statsDir, `suite-${++statsN}.json`);
/** Mocha with our spec reporter, which also writes { passed, failed, skipped } to FILE. */
const mocha = (file, ...args) => ["mocha", "--reporter", "./test/support/specWithStats.cjs", "--reporter-option", `stats=${file}`, ...args];

const totals = { passed: 0, failed: 0, skipped: 0 };

function step(name, cmd, args, { stats = null, env = undefined } = {}) {
  console.log(`\n== ${name}: ${cmd} ${args.join(" ")}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "inherit", "inherit"], env: env ? { ...process.env, ...env } : process.env });
    child.on("close", (code, signal) => {
      if (stats) {
        try {
          const s = JSON.parse(fs.readFileSync(stats, "utf8"));
          totals.passed += s.passed ?? 0;
          totals.failed += s.failed ?? 0;
          totals.skipped += s.skipped ?? 0;
        } catch {
          // No counts written: the suite died before its end; its exit code says so.
          if (code === 0) totals.failed += 1;
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
await step("lint", "npx", ["eslint", "extension", "webview", "test", "scripts", "build.mjs", "eslint.config.mjs"]);
await step("build", "node", ["build.mjs"]);
let f = statsFile();
await step("unit and fixture tests", "npx", mocha(f, "test/unit/**/*.test.ts", "test/real/**/*.test.ts"), { stats: f });
// The real webview bundles in Debian's Chromium (installed by .ci/run), host side on the real protocol.
f = statsFile();
await step("webview tests (headless Chromium)", "npx", mocha(f, "--timeout", "120000", "test/webview/**/*.test.ts"), { stats: f });
// The extension in a real VS Code: code-server + headless Chromium, and mocha in the extension host.
f = statsFile();
await step("e2e (code-server)", "node", ["scripts/e2e/run.mjs"], { stats: f, env: { KXI_STATS_FILE: f } });
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
