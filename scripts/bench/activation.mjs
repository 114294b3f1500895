#!/usr/bin/env node
// Bench (not a test): activation time of dist/extension.js and the size of the JS bundles.
//   - activation: in a fresh Node process per sample, time `require("dist/extension.js")` and
//     `activate(context)` with a stand-in `vscode` module (a do-nothing proxy; one ordinary C file
//     open, as when onLanguage:c activates us) and a minimal context object. This isolates the
//     extension's own start-up cost (module evaluation + registration); the real extension host
//     adds its own overhead. dist/extension.js is the activation shim; "first use" then times what
//     the shim does on the first command/editor/hover/kernel file: require dist/hostMain.js and
//     construct the providers. The e2e host suite also prints the time of
//     `getExtension().activate()` measured inside the real extension host (code-server).
//   - size: every dist/**/*.js (WASM excluded), total against the 1 MiB goal.
// Goals: activation < 30 ms (median), JS < 1 MiB. Exit status is 0 either way (a bench, not a gate)
// unless --check is given.
//
// Usage: node scripts/bench/activation.mjs [--build] [--runs N] [--json] [--check]
//   --build  first makes the production bundles (node build.mjs --production), the ones that ship
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const GOAL_MS = 30;
const GOAL_BYTES = 1024 * 1024;

/** Runs in the child: stub `vscode`, require + activate, print timings as JSON. */
const CHILD = `
const Module = require("module");
const path = require("path");
const handler = {
  get(t, p) {
    if (p === "then") return undefined;                      // not a thenable
    if (p === Symbol.toPrimitive) return () => 0;
    if (p === Symbol.iterator) return function* () {};
    if (!(p in t)) t[p] = new Proxy(function () {}, handler);
    return t[p];
  },
  apply() { return new Proxy(function () {}, handler); },
  construct() { return new Proxy(function () {}, handler); },
};
// The API's top-level names (window, commands, Uri, ...) as own properties, so bundlers' ESM interop
// (__toESM copies own property names) sees them.
const names = process.argv[2] ? JSON.parse(process.argv[2]) : [];
const api = {};
for (const n of names) api[n] = new Proxy(function () {}, handler);
const vscode = new Proxy(api, handler);
// One open document, an ordinary C file (not a kernel source the lint looks at).
if (api.workspace) api.workspace.textDocuments = [{ uri: { path: "/src/hello.c", fsPath: "/src/hello.c", scheme: "file", toString: () => "file:///src/hello.c" }, languageId: "c", fileName: "/src/hello.c", version: 1, isClosed: false, lineCount: 1 }];
const load = Module._load;
Module._load = function (req, ...rest) { return req === "vscode" ? vscode : load.call(this, req, ...rest); };
const disposables = [];
const mem = () => { const m = new Map(); return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => { m.set(k, v); }, keys: () => [...m.keys()], setKeysForSync() {} }; };
const root = process.argv[1];
void names;
const ctx = {
  subscriptions: disposables,
  extensionPath: root,
  extensionUri: { fsPath: root, path: root, scheme: "file", with() { return this; }, toString() { return "file://" + root; } },
  asAbsolutePath: (p) => path.join(root, p),
  globalState: mem(), workspaceState: mem(),
  secrets: { get: async () => undefined, store: async () => {}, delete: async () => {}, onDidChange: () => ({ dispose() {} }) },
  environmentVariableCollection: vscode, extensionMode: 1, extension: { id: "bench", packageJSON: require(path.join(root, "package.json")) },
  storageUri: undefined, globalStorageUri: { fsPath: "/tmp" }, logUri: { fsPath: "/tmp" },
  storagePath: undefined, globalStoragePath: "/tmp", logPath: "/tmp",
};
const t0 = process.hrtime.bigint();
const ext = require(path.join(root, "dist/extension.js"));
const t1 = process.hrtime.bigint();
Promise.resolve(ext.activate ? ext.activate(ctx) : undefined).then(() => {
  const t2 = process.hrtime.bigint();
  const subscriptions = disposables.length;
  let firstUseMs = null;
  const mainJs = path.join(root, "dist/hostMain.js");
  if (require("fs").existsSync(mainJs) && !require.cache[mainJs]) {
    const t3 = process.hrtime.bigint();
    require(mainJs).createHostMain(ctx);
    firstUseMs = Number(process.hrtime.bigint() - t3) / 1e6;
  }
  console.log(JSON.stringify({ requireMs: Number(t1 - t0) / 1e6, activateMs: Number(t2 - t1) / 1e6, firstUseMs, subscriptions }));
}, (e) => { console.log(JSON.stringify({ error: String(e && e.stack || e) })); });
`;

/** Top-level names of the vscode API, from @types/vscode. */
function apiNames() {
  const dts = path.join(ROOT, "node_modules/@types/vscode/index.d.ts");
  if (!fs.existsSync(dts)) return ["window", "commands", "workspace", "languages", "extensions", "env", "Uri", "EventEmitter", "Disposable"];
  const names = new Set();
  for (const m of fs.readFileSync(dts, "utf8").matchAll(/^(?: {4}|\t)export (?:namespace|class|enum|const|function|let) (\w+)/gm)) names.add(m[1]);
  return [...names];
}

function inHostBytes(sizes) {
  return sizes.files.filter((f) => !/(^|\/)cli\.js$/.test(f.file)).reduce((a, b) => a + b.bytes, 0);
}

export function measureActivation({ runs = 7 } = {}) {
  const entry = path.join(ROOT, "dist/extension.js");
  if (!fs.existsSync(entry)) throw new Error("dist/extension.js missing: run npm run build");
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ["-e", CHILD, ROOT, JSON.stringify(apiNames())], { encoding: "utf8", timeout: 30000 });
    const line = (r.stdout || "").trim().split("\n").pop() ?? "";
    let j;
    try { j = JSON.parse(line); } catch { throw new Error(`bench child failed: ${r.stderr || r.stdout}`); }
    if (j.error) throw new Error(`activate() threw with the stand-in vscode module: ${j.error.split("\n")[0]}`);
    samples.push(j);
  }
  const med = (k) => { const v = samples.map((s) => s[k]).sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
  const total = samples.map((s) => s.requireMs + s.activateMs).sort((a, b) => a - b);
  const firstUse = samples[0].firstUseMs === null ? null : samples.map((s) => s.firstUseMs).sort((a, b) => a - b);
  return { runs, requireMs: med("requireMs"), activateMs: med("activateMs"), totalMs: total[Math.floor(total.length / 2)],
    minTotalMs: total[0], subscriptions: samples[0].subscriptions,
    firstUseMs: firstUse && firstUse[Math.floor(firstUse.length / 2)], minFirstUseMs: firstUse && firstUse[0] };
}

export function bundleSizes() {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (/\.(c|m)?js$/.test(e.name)) out.push({ file: path.relative(ROOT, f), bytes: fs.statSync(f).size });
    }
  };
  if (fs.existsSync(path.join(ROOT, "dist"))) walk(path.join(ROOT, "dist"));
  return { files: out, totalBytes: out.reduce((a, b) => a + b.bytes, 0) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf("--runs");
  const runs = i >= 0 ? Number(argv[i + 1]) : 7;
  if (argv.includes("--build")) spawnSync(process.execPath, ["build.mjs", "--production"], { cwd: ROOT, stdio: "inherit" });
  const sizes = bundleSizes();
  const js = path.join(ROOT, "dist/extension.js"), map = js + ".map";
  const devBuild = fs.existsSync(map) && fs.existsSync(js) && fs.statSync(map).mtimeMs >= fs.statSync(js).mtimeMs - 2000;
  let act = null, err = null;
  try { act = measureActivation({ runs }); } catch (e) { err = e.message; }
  if (argv.includes("--json")) {
    console.log(JSON.stringify({ activation: act, activationError: err, sizes, goals: { activationMs: GOAL_MS, jsBytes: GOAL_BYTES } }, null, 2));
  } else {
    console.log("bundle sizes (dist/**/*.js, WASM excluded):");
    for (const f of sizes.files) console.log(`  ${f.file.padEnd(36)} ${(f.bytes / 1024).toFixed(1).padStart(8)} KiB`);
    const inHost = sizes.files.filter((f) => !/(^|\/)cli\.js$/.test(f.file)).reduce((a, b) => a + b.bytes, 0);
    const atActivation = sizes.files.find((f) => f.file === path.join("dist", "extension.js"))?.bytes ?? 0;
    // The goal is the extension's JS; dist/cli.js is the command-line tool and is not in the .vsix (.vscodeignore).
    console.log(`  ${"all of dist (incl. the CLI)".padEnd(36)} ${(sizes.totalBytes / 1024).toFixed(1).padStart(8)} KiB`);
    console.log(`  ${"extension JS in the .vsix".padEnd(36)} ${(inHost / 1024).toFixed(1).padStart(8)} KiB  (goal < 1024 KiB: ${inHost < GOAL_BYTES ? "ok" : "OVER"})`);
    console.log(`  ${"loaded at activation (extension.js)".padEnd(36)} ${(atActivation / 1024).toFixed(1).padStart(8)} KiB  (the rest on first use)`);
    if (devBuild) console.log("  (development build with sourcemaps: run with --build for the minified production bundles that ship)");
    if (act) {
      console.log(`activation (median of ${act.runs} fresh processes, stand-in vscode module): require ${act.requireMs.toFixed(1)} ms + activate ${act.activateMs.toFixed(1)} ms = ${act.totalMs.toFixed(1)} ms (min ${act.minTotalMs.toFixed(1)} ms; goal < ${GOAL_MS} ms: ${act.totalMs < GOAL_MS ? "ok" : "OVER"}); ${act.subscriptions} subscriptions`);
      if (act.firstUseMs !== null) console.log(`first use (require dist/hostMain.js + construct the providers): ${act.firstUseMs.toFixed(1)} ms (min ${act.minFirstUseMs.toFixed(1)} ms)`);
    } else {
      console.log(`activation: not measured (${err})`);
    }
  }
  if (argv.includes("--check") && (!act || act.totalMs >= GOAL_MS || inHostBytes(sizes) >= GOAL_BYTES)) process.exit(1);
}
