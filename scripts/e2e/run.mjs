#!/usr/bin/env node
// `npm run test:e2e`: Kexec Inspector in a real VS Code (code-server 4.100.3 = VS Code 1.100.3) on 127.0.0.1.
//   0. install (first run only): apt chromium ripgrep libkrb5-dev build-essential; code-server into .cache/code-server
//   1. production build + .vsix (scripts/package.mjs)
//   2. UI suite (test/e2e/ui.mjs): install the .vsix, headless Chromium drives the workbench; screenshots → out/e2e/
//   3. host suite (test/e2e/host/*.test.ts): mocha inside the real extension host, loaded through the
//      workbench URL payload (extensionDevelopmentPath + extensionTestsPath), like @vscode/test-electron
// Every step has a hard timeout; the whole run after install is bounded by E2E_BUDGET_S (default 360 s).
// Ends with `N passed, N failed` and exits non-zero on any failure.
//
// Usage: node scripts/e2e/run.mjs [--only ui|host] [--no-build] [--keep] [--install-only] [--self-check]
//   --self-check  runs against scripts/e2e/stub-ext (a stand-in rendering the selector contract): every step must pass
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as util from "node:util";
import * as esbuild from "esbuild";
import { ROOT, CS_VERSION, log, sleep, withTimeout, ensureInstalled, isolatedProfile, installVsix, startCodeServer,
  launchBrowser, remoteUri, extensionId } from "./lib.mjs";
import { makeE2eWorkspace, FIXTURES } from "./workspace.mjs";
import { packageVsix, vsixPath } from "../package.mjs";

const argv = process.argv.slice(2);
const opt = (n) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : undefined; };
const ONLY = opt("--only");
const KEEP = argv.includes("--keep");
const OUT = path.join(ROOT, "out/e2e");
const RUNS = path.join(ROOT, ".cache/e2e");
// E2E_EXT_DIR / E2E_VSIX: run the suites against another extension folder / .vsix (used to check the harness itself).
// --self-check: both suites against scripts/e2e/stub-ext (renders the selector contract): all must pass.
const SELF_CHECK = argv.includes("--self-check");
const STUB = path.join(ROOT, "scripts/e2e/stub-ext");
const EXT_DIR = path.resolve(SELF_CHECK ? STUB : process.env.E2E_EXT_DIR ?? ROOT);
const BUDGET_S = Number(process.env.E2E_BUDGET_S ?? 360);

const results = []; // { suite, name, ok, detail }
const timings = {};
const cleanups = [];
const record = (suite, name, ok, detail = "") => {
  results.push({ suite, name, ok: !!ok, detail });
  if (suite !== "ui") log(ok ? "PASS" : "FAIL", `[${suite}]`, name, detail);
};

async function cleanup() {
  while (cleanups.length) { try { await cleanups.pop()(); } catch { /* best effort */ } }
}

function summary() {
  const failed = results.filter((r) => !r.ok);
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, "results.json"), JSON.stringify({ codeServer: CS_VERSION, timings, results }, null, 2));
  console.log("\n== e2e summary");
  for (const r of results) console.log(`  ${r.ok ? "ok  " : "FAIL"} [${r.suite}] ${r.name}${r.ok ? "" : `: ${r.detail}`}`);
  console.log(`  timings (ms): ${JSON.stringify(timings)}`);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  // Machine-readable counts for scripts/test.mjs.
  if (process.env.KXI_STATS_FILE) fs.writeFileSync(process.env.KXI_STATS_FILE, JSON.stringify({ passed: results.length - failed.length, failed: failed.length, skipped: 0 }));
  return failed.length ? 1 : 0;
}

let finishing = false;
async function finish(code) {
  if (finishing) return;
  finishing = true;
  await cleanup();
  process.exit(code);
}
process.on("SIGINT", () => { record("run", "interrupted", false, "SIGINT"); summary(); finish(130); });
process.on("SIGTERM", () => { record("run", "terminated", false, "SIGTERM"); summary(); finish(143); });

// ---- 0. install -------------------------------------------------------------------------------------
try {
  const s = ensureInstalled({ browser: true });
  if (s) timings.installS = s;
} catch (e) {
  record("setup", "install (apt + code-server)", false, e.message);
  process.exit(summary());
}
if (argv.includes("--install-only")) process.exit(0);

// Watchdog over everything after the install.
const watchdog = setTimeout(() => {
  record("run", `whole run within ${BUDGET_S} s`, false, "budget exceeded: stopping");
  const code = summary();
  finish(code || 1);
}, BUDGET_S * 1000);
watchdog.unref();
const tRun = Date.now();

// ---- 1. build + package -----------------------------------------------------------------------------
let vsix = null;
let buildFailed = false;
try {
  let t0 = Date.now();
  if (SELF_CHECK) {
    vsix = path.join(RUNS, "stub", "stub.vsix");
    fs.mkdirSync(path.dirname(vsix), { recursive: true });
    execFileSync(process.execPath, [path.join(ROOT, "node_modules/@vscode/vsce/vsce"), "package", "--no-dependencies",
      "--allow-missing-repository", "--skip-license", "-o", vsix], { cwd: STUB, stdio: "ignore", timeout: 60000 });
  } else if (process.env.E2E_VSIX) vsix = path.resolve(process.env.E2E_VSIX); // harness checks against another build
  else if (argv.includes("--no-build") && fs.existsSync(vsixPath())) vsix = vsixPath();
  else vsix = packageVsix({ build: true }).file;
  timings.buildAndPackage = Date.now() - t0;
  record("setup", "build + package .vsix", true, path.basename(vsix));
  t0 = Date.now();
  const entries = fs.readdirSync(path.join(ROOT, "test/e2e/host")).filter((f) => f.endsWith(".ts")).map((f) => path.join(ROOT, "test/e2e/host", f));
  fs.rmSync(path.join(ROOT, "out/test/e2e/host"), { recursive: true, force: true });
  await esbuild.build({ entryPoints: entries, outdir: path.join(ROOT, "out/test/e2e/host"), bundle: true, platform: "node",
    format: "cjs", target: "node20", external: ["vscode", "mocha"], sourcemap: "inline", logLevel: "warning" });
  timings.compileHostTests = Date.now() - t0;
} catch (e) {
  buildFailed = true;
  record("setup", "build + package .vsix", false, String(e.message ?? e).split("\n")[0]);
}

let expected = null;
try {
  expected = (await import("../../test/e2e/ui.mjs")).expectedValues(FIXTURES);
} catch (e) {
  record("setup", "expected values from ../shared fixtures", false, e.message);
}

fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });

// ---- 2. UI suite ------------------------------------------------------------------------------------
async function uiSuite() {
  if (!vsix) { record("ui", "UI suite", false, "not run: no .vsix (build or package failed)"); return; }
  const { runUiSteps } = await import("../../test/e2e/ui.mjs");
  if (!expected) { record("ui", "UI suite", false, "not run: no expected values (../shared fixtures missing?)"); return; }
  const exp = expected;
  const dir = path.join(RUNS, "ui");
  fs.rmSync(dir, { recursive: true, force: true });
  const profile = isolatedProfile(dir);
  const { workspace, files, doctor } = makeE2eWorkspace(path.join(dir, "workspace"));

  let t0 = Date.now();
  const inst = installVsix(profile, vsix);
  timings.installVsix = Date.now() - t0;
  const id = extensionId().toLowerCase();
  const ok = inst.listed.toLowerCase().split("\n").some((l) => l.startsWith(id + "@"));
  record("ui", "vsix installs (--install-extension)", ok, inst.listed.replace(/\n/g, ", "));
  log(ok ? "PASS" : "FAIL", "[ui] vsix installs", inst.listed.replace(/\n/g, ", "));

  t0 = Date.now();
  const cs = await startCodeServer(profile, { folder: workspace, logFile: path.join(OUT, "ui-code-server.log") });
  cleanups.push(() => cs.stop());
  timings.codeServerReady = Date.now() - t0;

  t0 = Date.now();
  const browser = await withTimeout(launchBrowser(path.join(dir, "chrome"), profile.env), 30000, "chromium launch");
  cleanups.push(() => browser.close());
  timings.browserLaunch = Date.now() - t0;
  const page = browser.pages()[0] ?? await browser.newPage();
  const con = fs.createWriteStream(path.join(OUT, "ui-browser-console.log"));
  page.on("console", (m) => con.write(`[${m.type()}] ${m.text()}\n`));
  page.on("pageerror", (e) => con.write(`[pageerror] ${e.message}\n`));

  t0 = Date.now();
  try {
    await page.goto(cs.url, { timeout: 60000 });
    await page.locator(".monaco-workbench").waitFor({ timeout: 60000 });
    await page.locator(".explorer-folders-view .monaco-list-row", { hasText: files.vmlinuz }).first().waitFor({ timeout: 60000 });
    timings.workbenchReady = Date.now() - t0;
    record("ui", "workbench loads with the e2e workspace", true);
    log("PASS [ui] workbench loads", `${timings.workbenchReady} ms`);
    await page.screenshot({ path: path.join(OUT, "01-workbench.png") });
  } catch (e) {
    record("ui", "workbench loads with the e2e workspace", false, e.message.split("\n")[0]);
    await page.screenshot({ path: path.join(OUT, "fail-workbench.png") }).catch(() => {});
    return;
  }
  t0 = Date.now();
  const steps = await runUiSteps({ page, files, out: OUT, expected: { ...exp, doctor: SELF_CHECK ? null : doctor } });
  timings.uiSteps = Date.now() - t0;
  for (const s of steps) record("ui", s.name, s.ok, s.detail);
  await browser.close().catch(() => {});
  await cs.stop();
  checkActivationLog(profile, id);
}

/** The packaged extension must have activated, without errors, in the remote extension host. */
function checkActivationLog(profile, id) {
  const logs = [];
  const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const f = path.join(d, e.name);
    if (e.isDirectory()) walk(f); else if (e.name === "remoteexthost.log") logs.push(f);
  } };
  try { walk(path.join(profile.userDataDir, "logs")); } catch { /* no logs */ }
  const text = logs.map((f) => fs.readFileSync(f, "utf8")).join("\n");
  fs.writeFileSync(path.join(OUT, "ui-remoteexthost.log"), text);
  const lines = text.split("\n").filter((l) => l.toLowerCase().includes(id));
  const activated = lines.find((l) => l.includes("_doActivateExtension"));
  const errors = lines.filter((l) => /\[error\]|failed/i.test(l));
  const event = /activationEvent: '([^']+)'/.exec(activated ?? "")?.[1];
  record("ui", "packaged extension activates without errors (remoteexthost.log)", !!activated && errors.length === 0,
    errors.length ? errors[0].slice(0, 200) : activated ? `activated by ${event}` : "never activated: no activation event fired");
}

// ---- 3. host suite (mocha inside the extension host) ----------------------------------------------------
async function hostSuite() {
  if (buildFailed) { record("host", "extension-host suite", false, "not run: the build failed (dist/ would be stale)"); return; }
  const index = path.join(ROOT, "out/test/e2e/host/index.js");
  const main = path.join(EXT_DIR, JSON.parse(fs.readFileSync(path.join(EXT_DIR, "package.json"), "utf8")).main ?? "dist/extension.js");
  if (!fs.existsSync(index) || !fs.existsSync(main)) {
    record("host", "extension-host suite", false, `not run: ${fs.existsSync(index) ? main : "out/test/e2e/host/index.js"} missing`);
    return;
  }
  const dir = path.join(RUNS, "host");
  fs.rmSync(dir, { recursive: true, force: true });
  const profile = isolatedProfile(dir);
  const { workspace } = makeE2eWorkspace(path.join(dir, "workspace"));
  const resultsFile = path.join(dir, "host-results.json");
  let t0 = Date.now();
  const cs = await startCodeServer(profile, { logFile: path.join(OUT, "host-code-server.log"), extraEnv: {
    KEXEC_E2E_RESULTS: resultsFile,
    // the stand-in only implements what extension.test.ts checks; other host tests target the real features
    ...(SELF_CHECK ? { KEXEC_E2E_FILES: "extension.test.js" } : {}),
  } });
  cleanups.push(() => cs.stop());
  const browser = await withTimeout(launchBrowser(path.join(dir, "chrome"), profile.env), 30000, "chromium launch");
  cleanups.push(() => browser.close());
  const page = browser.pages()[0] ?? await browser.newPage();
  const con = fs.createWriteStream(path.join(OUT, "host-ext-host.log"));
  let exitResolve;
  const exited = new Promise((r) => { exitResolve = r; });
  await page.exposeFunction("codeAutomationExit", (code) => exitResolve(code));
  await page.exposeFunction("codeAutomationLog", (type, args) => {
    const line = util.format(...(args ?? []));
    con.write(`[${type}] ${line}\n`);
    if (/\[kexec-e2e host\]|passing|failing|✔|✓|\d+\) /.test(line)) console.log(`  [ext-host] ${line.trimEnd()}`);
  });
  const host = `127.0.0.1:${cs.port}`;
  const payload = JSON.stringify([["extensionDevelopmentPath", remoteUri(host, EXT_DIR)], ["extensionTestsPath", remoteUri(host, index)]]);
  await page.goto(`${cs.base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`, { timeout: 60000 });
  const limit = Number(process.env.E2E_HOST_TIMEOUT_MS ?? 150000);
  const done = await Promise.race([
    exited.then((code) => ({ via: "codeAutomationExit", code })),
    (async () => { while (!fs.existsSync(resultsFile)) await sleep(200); await sleep(300); return { via: "results file" }; })(),
    sleep(limit).then(() => ({ via: "timeout" })),
  ]);
  timings.hostSuite = Date.now() - t0;
  await page.screenshot({ path: path.join(OUT, "host-suite.png") }).catch(() => {});
  if (fs.existsSync(resultsFile)) {
    const r = JSON.parse(fs.readFileSync(resultsFile, "utf8"));
    for (const p of r.passes) record("host", p, true);
    for (const f of r.failures) record("host", f.title, false, String(f.err).split("\n")[0]);
    for (const n of r.notes ?? []) log(`[host note] ${n}`);
    if (!r.passes.length && !r.failures.length) record("host", "extension-host suite", false, "mocha ran no tests");
  } else {
    record("host", "extension-host suite", false, done.via === "timeout"
      ? `no result after ${limit} ms (see out/e2e/host-ext-host.log, host-code-server.log)`
      : `extension host exited (${done.code}) without results (see out/e2e/host-ext-host.log)`);
  }
  await browser.close().catch(() => {});
  await cs.stop();
}

async function guarded(name, fn, ms) {
  const t0 = Date.now();
  try { await withTimeout(fn(), ms, name); } catch (e) { record(name.split(" ")[0], name, false, String(e.message ?? e).split("\n")[0]); }
  await cleanup();
  timings[`${name.split(" ")[0]}Total`] = Date.now() - t0;
}

if (!ONLY || ONLY === "ui") await guarded("ui suite", uiSuite, 240000);
if (!ONLY || ONLY === "host") await guarded("host suite", hostSuite, 200000);
timings.runAfterInstall = Date.now() - tRun;
clearTimeout(watchdog);
const code = summary();
if (!KEEP) fs.rmSync(RUNS, { recursive: true, force: true });
await finish(code);
