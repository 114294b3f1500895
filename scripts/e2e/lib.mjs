// Shared harness for running Kexec Inspector in a real VS Code (code-server 4.100.3 = VS Code 1.100.3)
// on 127.0.0.1: install, isolated dirs/env, start/stop, headless Chromium. Used by scripts/start.mjs,
// scripts/e2e/run.mjs, test/e2e/ui.mjs and test/e2e/host.mjs. Nothing here touches the network beyond
// 127.0.0.1 (the marketplace is pointed at a closed local port).
import { spawn, spawnSync, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CS_VERSION = process.env.CS_VERSION ?? "4.100.3";
export const CS_DIR = path.join(ROOT, ".cache/code-server");
export const CS_BIN = process.env.CS_BIN ?? path.join(CS_DIR, "node_modules/.bin/code-server");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const SHARED = path.resolve(ROOT, "../shared");

export const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 23)}]`, ...a);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function readPackageJson() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
}
export function extensionId() {
  const p = readPackageJson();
  return `${p.publisher}.${p.name}`;
}

/** Rejects after ms with a clear message; the promise keeps running but nobody waits for it. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`timeout after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** Runs scripts/e2e/install.sh (apt packages + code-server into .cache) unless already done. */
export function ensureInstalled({ browser = false } = {}) {
  const marker = path.join(CS_DIR, `.installed-${CS_VERSION}`);
  const haveBrowser = !browser || fs.existsSync(CHROMIUM);
  if (!process.env.CS_BIN && fs.existsSync(marker) && fs.existsSync(CS_BIN) && haveBrowser && commandExists("rg")) return 0;
  const t0 = Date.now();
  log(`installing${browser ? " chromium and" : ""} code-server ${CS_VERSION} into .cache/code-server (first run only)…`);
  const r = spawnSync("bash", [path.join(ROOT, "scripts/e2e/install.sh"), ...(browser ? ["--browser"] : [])],
    { stdio: "inherit", env: { ...process.env, CS_VERSION }, timeout: 20 * 60 * 1000 });
  if (r.status !== 0) throw new Error(`scripts/e2e/install.sh failed (exit ${r.status ?? r.signal})`);
  const s = Math.round((Date.now() - t0) / 1000);
  log(`install done in ${s} s`);
  return s;
}

export function commandExists(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

export async function freePort(preferred) {
  const tryPort = (p) => new Promise((res) => {
    const s = net.createServer();
    s.once("error", () => res(null));
    s.listen(p, "127.0.0.1", () => { const got = s.address().port; s.close(() => res(got)); });
  });
  if (preferred) {
    const p = await tryPort(preferred);
    if (p) return p;
    throw new Error(`port ${preferred} on 127.0.0.1 is in use`);
  }
  return tryPort(0);
}

/**
 * Makes an isolated VS Code profile under `dir`: user-data, extensions, XDG dirs, TMPDIR, config.yaml,
 * User/settings.json. Returns { env, args } where args are the code-server flags common to every call.
 */
export function isolatedProfile(dir, { settings = {} } = {}) {
  const d = (p) => { const full = path.join(dir, p); fs.mkdirSync(full, { recursive: true }); return full; };
  const userDataDir = d("user-data");
  const extensionsDir = d("extensions");
  d("user-data/User");
  const settingsFile = path.join(userDataDir, "User/settings.json");
  // Defaults are merged under what the profile already has (the demo profile keeps the user's changes).
  let existing = {};
  try { existing = JSON.parse(fs.readFileSync(settingsFile, "utf8")); } catch { /* new profile, or not plain JSON */ }
  fs.writeFileSync(settingsFile, JSON.stringify({
    "workbench.startupEditor": "none",
    "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "extensions.ignoreRecommendations": true,
    "workbench.tips.enabled": false,
    "workbench.enableExperiments": false,
    "window.commandCenter": false,
    "chat.commandCenter.enabled": false,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    // the workspaces live inside the project's git checkout (.cache/): don't offer to open it
    "git.openRepositoryInParentFolders": "never",
    ...settings,
    ...existing,
  }, null, 2));
  const config = path.join(dir, "config.yaml");
  fs.writeFileSync(config, "auth: none\ncert: false\n");
  const env = {
    ...process.env,
    TMPDIR: d("tmp"),
    XDG_CONFIG_HOME: d("xdg-config"),
    XDG_DATA_HOME: d("xdg-data"),
    XDG_CACHE_HOME: d("xdg-cache"),
    // No marketplace: the gallery is a closed local port, so nothing resolves or leaves the machine.
    EXTENSIONS_GALLERY: JSON.stringify({
      serviceUrl: "http://127.0.0.1:9/gallery", itemUrl: "http://127.0.0.1:9/item",
      resourceUrlTemplate: "http://127.0.0.1:9/{publisher}/{name}/{version}/{path}",
    }),
  };
  const args = ["--config", config, "--user-data-dir", userDataDir, "--extensions-dir", extensionsDir];
  return { env, args, userDataDir, extensionsDir, dir };
}

/** code-server --install-extension VSIX (--force replaces an older copy). */
export function installVsix(profile, vsix, timeoutMs = 60000) {
  const out = execFileSync(CS_BIN, [...profile.args, "--install-extension", vsix, "--force"],
    { env: profile.env, encoding: "utf8", timeout: timeoutMs });
  const listed = execFileSync(CS_BIN, [...profile.args, "--list-extensions", "--show-versions"],
    { env: profile.env, encoding: "utf8", timeout: timeoutMs });
  return { out: out.trim(), listed: listed.trim() };
}

/**
 * Starts code-server on 127.0.0.1:port and waits for /healthz. `folder` is opened by default.
 * Returns { proc, url, port, stop() }.
 */
export async function startCodeServer(profile, { port, folder, logFile, timeoutMs = 60000, extraEnv = {} } = {}) {
  port = await freePort(port);
  const args = [...profile.args, "--bind-addr", `127.0.0.1:${port}`, "--auth", "none", "--disable-telemetry",
    "--disable-update-check", "--disable-workspace-trust", "--disable-getting-started-override", "--ignore-last-opened"];
  if (folder) args.push(folder);
  const proc = spawn(CS_BIN, args, { env: { ...profile.env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"], detached: false });
  if (logFile) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const w = fs.createWriteStream(logFile);
    proc.stdout.pipe(w); proc.stderr.pipe(w);
  } else {
    proc.stdout.resume(); proc.stderr.resume();
  }
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode) return;
    proc.kill("SIGTERM");
    const gone = await Promise.race([new Promise((r) => proc.once("exit", () => r(true))), sleep(5000).then(() => false)]);
    if (!gone) proc.kill("SIGKILL");
  };
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}${logFile ? ` (see ${logFile})` : ""}`);
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (Date.now() > end) { await stop(); throw new Error(`code-server not healthy after ${timeoutMs} ms`); }
    await sleep(150);
  }
  const url = folder ? `${base}/?folder=${encodeURIComponent(folder)}` : base;
  return { proc, port, base, url, stop };
}

/** Headless Debian Chromium through playwright-core (launchPersistentContext: no --user-data-dir in args). */
export async function launchBrowser(profileDir, env) {
  const { chromium } = await import("playwright-core");
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    env,
    viewport: { width: 1400, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

/** `vscode-remote://host/abs/path` for the workbench URL payload. */
export const remoteUri = (host, p) => `vscode-remote://${host}${p}`;
