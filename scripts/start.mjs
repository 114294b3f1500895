#!/usr/bin/env node
// `npm start`: the one-command demo. Builds, packages the .vsix, installs code-server into the ignored
// .cache/code-server on first use (apt: ripgrep libkrb5-dev build-essential if missing), installs the
// extension into a profile under .cache/demo, builds a demo workspace in .cache/demo-workspace and serves
// a real VS Code on http://127.0.0.1:<free port> (no auth, no marketplace) until Ctrl+C.
//
// Usage: npm start -- [--port N] [--no-open] [--no-build] [--fresh]
//   --port N     listen on 127.0.0.1:N (default: a free port)
//   --no-open    do not try to open a browser (the default opens one only when a display and xdg-open exist)
//   --no-build   reuse dist/ and the existing .vsix
//   --fresh      forget the demo profile (settings, open editors) before starting
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { ROOT, CS_VERSION, log, ensureInstalled, isolatedProfile, installVsix, startCodeServer, commandExists, extensionId } from "./e2e/lib.mjs";
import { makeDemoWorkspace } from "./e2e/workspace.mjs";
import { packageVsix, vsixPath } from "./package.mjs";

const argv = process.argv.slice(2);
const opt = (n) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : undefined; };
if (argv.includes("--help") || argv.includes("-h")) {
  console.log("usage: npm start -- [--port N] [--no-open] [--no-build] [--fresh]");
  process.exit(0);
}
const port = opt("--port") ? Number(opt("--port")) : undefined;
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
  console.error(`--port: not a port number: ${opt("--port")}`);
  process.exit(2);
}

try {
  // 1. build + package
  let vsix = vsixPath();
  if (argv.includes("--no-build") && fs.existsSync(vsix)) log(`reusing ${path.basename(vsix)}`);
  else vsix = packageVsix({ build: true }).file;

  // 2. code-server (first run: ~1-4 min, compiles native modules)
  ensureInstalled({ browser: false });

  // 3. profile + extension
  const demoDir = path.join(ROOT, ".cache/demo");
  if (argv.includes("--fresh")) fs.rmSync(demoDir, { recursive: true, force: true });
  const profile = isolatedProfile(demoDir, { settings: { "workbench.startupEditor": "readme" } });
  const inst = installVsix(profile, vsix);
  const id = extensionId();
  if (!inst.listed.toLowerCase().includes(id.toLowerCase())) throw new Error(`extension ${id} not listed after install:\n${inst.listed}`);
  log(`installed ${inst.listed.split("\n").find((l) => l.toLowerCase().startsWith(id.toLowerCase()))}`);

  // 4. demo workspace
  const { workspace, notes } = makeDemoWorkspace(path.join(ROOT, ".cache/demo-workspace"));
  log(`demo workspace ${path.relative(ROOT, workspace)}:`);
  for (const n of notes) console.log(`    - ${n}`);

  // 5. serve
  const cs = await startCodeServer(profile, { port, folder: workspace, logFile: path.join(demoDir, "code-server.log") });
  console.log(`\n  Kexec Inspector in VS Code (code-server ${CS_VERSION}):\n\n      ${cs.url}\n\n  Log: ${path.relative(ROOT, path.join(demoDir, "code-server.log"))}. Press Ctrl+C to stop.\n` +
    `  Desktop VS Code instead: code --install-extension ${path.relative(process.cwd(), vsix) || vsix}\n`);

  if (!argv.includes("--no-open") && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) && commandExists("xdg-open")) {
    spawn("xdg-open", [cs.url], { stdio: "ignore", detached: true }).unref();
  }

  let stopping = false;
  const stop = async (sig) => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping code-server`);
    await cs.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  cs.proc.on("exit", (code, sig) => {
    if (!stopping) { console.error(`code-server exited (${code ?? sig}); see .cache/demo/code-server.log`); process.exit(1); }
  });
} catch (e) {
  console.error(`npm start: ${e.message ?? e}`);
  process.exit(1);
}
