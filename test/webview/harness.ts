/**
 * Runs the real webview bundle in headless Chromium against a simulated host: the page is the
 * one webviewHtml() builds for VS Code, the host side is the real session (ImageSession,
 * VmcoreSession: real core, real protocol), and acquireVsCodeApi is a shim that forwards
 * postMessage to it. Resources are served by route interception from dist/webview; every other
 * request is refused and recorded, so a test fails if the page tries to reach anything else.
 * No network is used.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { ByteSource } from "../../extension/core/io/byteSource";
import { ImageSession, type SessionEffects } from "../../extension/views/imageSession";
import { makeNonce, webviewHtml } from "../../extension/views/webviewHtml";
import type { Envelope, ToWebviewMessage } from "../../extension/protocol/image";
import { repoRoot } from "../fixtures";
import { THEMES } from "./themes";

export const CHROMIUM = "/usr/bin/chromium";
export const ORIGIN = "http://127.0.0.1:9";
const DIST = path.join(repoRoot, "dist", "webview");

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM);
}

export async function launch(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kexec-webview-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface EffectCalls {
  copied: string[];
  reopened: string[];
  simulated: string[];
}

/** A page opened by openPage: the real bundle in Chromium, `session` on the host side. */
export interface OpenedPageOf<S> {
  page: Page;
  session: S;
  /** Raw messages the page posted, in order. */
  fromPage: unknown[];
  /** Messages sent to the page, as JSON. */
  toPage: string[];
  /** Messages the session rejected (its log lines). */
  hostLog: string[];
  consoleLines: string[];
  cspViolations: string[];
  dialogs: string[];
  /** Requests other than our page and dist/webview assets. */
  strayRequests: string[];
  calls: EffectCalls;
  /** Last setState value. */
  state(): unknown;
  /** Sends a raw message to the page the way VS Code delivers host messages. */
  post(raw: unknown): Promise<void>;
}

export type OpenedPage = OpenedPageOf<ImageSession>;

export interface OpenOptions {
  theme: "light" | "dark";
  /** getState() value at load, as VS Code hands it back after hide/restore. */
  state?: unknown;
  hexEditorAvailable?: boolean;
}

/** Which webview to serve and how to build its host side. */
export interface PageSpec<S> {
  /** dist/webview/<bundle>.js */
  bundle: string;
  css: string;
  title: string;
  /** `post` delivers a message to the page in order; `log` records what the host rejected. */
  session(post: (m: unknown) => void, log: (text: string) => void, calls: EffectCalls): S;
}

export async function openImagePage(context: BrowserContext, src: ByteSource, o: OpenOptions): Promise<OpenedPage> {
  return openPage(context, {
    bundle: "imageEditorMain",
    css: "imageEditor.css",
    title: "Kernel image inspector",
    session: (post, log, calls) => {
      const effects: SessionEffects = {
        post: (m: Envelope<ToWebviewMessage>) => post(m),
        log,
        copy: async (text) => void calls.copied.push(text),
        showVerdicts: async (file, verdicts) => {
          calls.simulated.push(file);
          return `${verdicts.length} verdicts written to the Kexec Inspector output.`;
        },
        reopenWith: async (editor) => void calls.reopened.push(editor),
        hexEditorAvailable: () => o.hexEditorAvailable ?? false,
        maxDecompressedBytes: () => 512 * 1024 * 1024,
      };
      return new ImageSession(src, effects);
    },
  }, o);
}

export async function openPage<S extends { receive(raw: unknown): boolean }>(context: BrowserContext, spec: PageSpec<S>, o: OpenOptions): Promise<OpenedPageOf<S>> {
  const page = await context.newPage();
  const nonce = makeNonce();
  const html = webviewHtml({
    cspSource: ORIGIN,
    nonce,
    scriptUri: `${ORIGIN}/dist/webview/${spec.bundle}.js`,
    toolkitUri: `${ORIGIN}/dist/webview/toolkit.min.js`,
    styleUri: `${ORIGIN}/dist/webview/${spec.css}`,
    title: spec.title,
  });
  const out: OpenedPageOf<S> = {
    page,
    session: null as unknown as S,
    fromPage: [],
    toPage: [],
    hostLog: [],
    consoleLines: [],
    cspViolations: [],
    dialogs: [],
    strayRequests: [],
    calls: { copied: [], reopened: [], simulated: [] },
    state: () => lastState,
    post: (raw) => send(raw),
  };
  let lastState: unknown = o.state;

  await page.route("**/*", async (route) => {
    const url = route.request().url();
    if (url === `${ORIGIN}/index.html`) return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html });
    const m = /^http:\/\/127\.0\.0\.1:9\/dist\/webview\/([A-Za-z0-9_.-]+)$/.exec(url);
    if (m && fs.existsSync(path.join(DIST, m[1]!))) {
      const type = m[1]!.endsWith(".css") ? "text/css" : m[1]!.endsWith(".map") ? "application/json" : "text/javascript";
      return route.fulfill({ status: 200, contentType: type, body: fs.readFileSync(path.join(DIST, m[1]!)) });
    }
    out.strayRequests.push(url);
    return route.abort();
  });
  page.on("console", (msg) => out.consoleLines.push(`${msg.type()}: ${msg.text()}`));
  page.on("dialog", (d) => {
    out.dialogs.push(d.message());
    void d.dismiss();
  });

  // Host → page, in order (progress events must not overtake their reply).
  let queue: Promise<void> = Promise.resolve();
  const send = (raw: unknown): Promise<void> => {
    out.toPage.push(JSON.stringify(raw));
    queue = queue.then(() => page.evaluate((m) => window.postMessage(m, "*"), raw as never)).catch(() => undefined);
    return queue;
  };
  const session = spec.session((m) => void send(m), (text) => out.hostLog.push(text), out.calls);
  out.session = session;

  await page.exposeBinding("__kexecToHost", (_source, raw: unknown) => {
    out.fromPage.push(raw);
    session.receive(raw);
  });
  await page.exposeBinding("__kexecSetState", (_source, s: unknown) => {
    lastState = s;
  });
  await page.exposeBinding("__kexecCsp", (_source, v: string) => {
    out.cspViolations.push(v);
  });
  const theme = THEMES[o.theme];
  // A string, not a function: tsx/esbuild would add __name() helpers that do not exist in the page.
  await page.addInitScript(`(${SHIM})(${JSON.stringify({ state: o.state ?? null, vars: theme.vars, bodyClass: theme.bodyClass, kind: theme.kind })});`);
  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForSelector("body[data-ready='true']", { timeout: 30_000 });
  // The toolkit is a module script: wait until its elements are upgraded before looking.
  await page.waitForFunction(() => customElements.get("vscode-button") !== undefined, undefined, { timeout: 30_000 });
  return out;
}

/** acquireVsCodeApi and the theme injection, as VS Code's webview host provides them. */
const SHIM = `function (cfg) {
  var st = cfg.state === null ? undefined : cfg.state;
  var acquired = false;
  window.acquireVsCodeApi = function () {
    if (acquired) throw new Error("acquireVsCodeApi called twice");
    acquired = true;
    return {
      // Structured-clone semantics, like the real webview channel.
      postMessage: function (m) { window.__kexecToHost(JSON.parse(JSON.stringify(m))); },
      getState: function () { return st; },
      setState: function (s) { st = s; window.__kexecSetState(JSON.parse(JSON.stringify(s))); },
    };
  };
  document.addEventListener("securitypolicyviolation", function (e) { window.__kexecCsp(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || "") + ":" + e.lineNumber); });
  // VS Code sets the theme variables on <html> and the theme class on <body> before page scripts run.
  function apply() {
    for (var k in cfg.vars) document.documentElement.style.setProperty(k, cfg.vars[k]);
    if (document.body) { document.body.classList.add(cfg.bodyClass); document.body.setAttribute("data-vscode-theme-kind", cfg.kind); }
  }
  if (document.documentElement) apply();
  new MutationObserver(function (_m, obs) { if (document.body) { apply(); obs.disconnect(); } }).observe(document, { childList: true, subtree: true });
}`;

/**
 * Nothing may leave the page, no script may be blocked, no dialog may open, the host rejected
 * nothing. The toolkit's FAST runtime probes :focus-visible support with an empty <style> element;
 * our CSP blocks it and FAST falls back to :focus. Anything else is a real violation.
 */
export function assertClean(p: OpenedPageOf<unknown>): void {
  assert.deepEqual(p.strayRequests, [], "requests outside dist/webview");
  const violations = p.cspViolations.filter((v) => !/^style-src-elem inline \S+\/toolkit\.min\.js:\d+$/.test(v));
  assert.deepEqual(violations, [], "CSP violations");
  assert.deepEqual(p.dialogs, [], "dialogs");
  assert.deepEqual(p.hostLog, [], "messages the host rejected");
  assert.deepEqual(p.consoleLines.filter((l) => l.startsWith("error") && !/Applying inline style violates.*sha256-47DEQpj8HBSa\+\/TImW\+5JCeuQeRkm5NMpJWZG3hSuFU=/.test(l)), [], "console errors");
}

/** The trimmed text of the first element matching `sel`. */
export async function textOf(p: { page: Page }, sel: string): Promise<string> {
  return ((await p.page.textContent(sel)) ?? "").trim();
}

export function screenshotPath(name: string): string {
  const dir = path.join(repoRoot, "out", "screenshots");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}
