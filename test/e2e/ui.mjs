// UI steps of the e2e suite: a real VS Code workbench (code-server) driven by headless Chromium.
// Each step has its own hard timeout and reports pass/fail by itself, so a feature that is not there
// yet fails clearly (with a screenshot) instead of hanging the run. Selector conventions: README.md here.
import * as fs from "node:fs";
import * as path from "node:path";
import { log, withTimeout } from "../../scripts/e2e/lib.mjs";

const QUICK_INPUT = ".quick-input-widget .quick-input-box input";

/**
 * The selector contract with the webviews (test/e2e/README.md). Each value accepts the ids proposed for the suite
 * (`#summary-*`) and the bare ids the image inspector already renders (`keyValues(..., id)` → `<dd id=…>`).
 */
export const SEL = {
  imageProtocol: "#summary-protocol, #protocol",
  imageKernelVersion: "#summary-kernel-version, #kernel-version",
  xlfBit5: '#xlf-bit-5, .bit[data-bit="5"]',
  vmcoreOsrelease: "#summary-osrelease, #osrelease",
  vmcorePaging: "#summary-paging, #paging",
  crashRange0: "#crash-range-0",
  // kdump readiness report (webview/doctorReportMain.ts): one li per check, data-id / data-status.
  doctorChecks: "#checks li.check-item",
  doctorSummary: "#summary",
  doctorSimulate: "vscode-button.simulate",
  // simulation panel (webview/simulationPanelMain.ts)
  simImageLabel: "#image-label",
  simMapLabel: "#map-label",
};

/** Text of the first element matching a selector list, or null. */
async function textOf(frame, selector) {
  return frame.evaluate((sel) => document.querySelector(sel)?.textContent ?? null, selector).catch(() => null);
}
/** XLF bit state: data-set="true|false" (#xlf-bit-N) or data-state="set|clear" (.bit[data-bit=N]). */
async function bitState(frame, selector) {
  return frame.evaluate((sel) => {
    const e = document.querySelector(sel);
    if (!e) return null;
    const v = e.getAttribute("data-set") ?? e.getAttribute("data-state");
    return v === "true" || v === "set" ? "set" : v === "false" || v === "clear" ? "clear" : `?${v}`;
  }, selector).catch(() => null);
}

/** A (nested) frame holding `selector`; webviews are iframe.webview > iframe#active-frame. */
async function findFrame(page, selector, timeoutMs, bail = null) {
  const start = Date.now();
  const end = start + timeoutMs;
  while (Date.now() < end) {
    if (bail && Date.now() - start > 6000) {
      const why = await bail();
      if (why) throw new Error(why);
    }
    for (const f of page.frames()) {
      try { if (await f.$(selector)) return f; } catch { /* frame detached while looking */ }
    }
    await page.waitForTimeout(100);
  }
  const webviews = await page.locator("iframe.webview").count().catch(() => 0);
  throw new Error(webviews
    ? `${webviews} webview(s) open but none has ${selector} after ${timeoutMs} ms (id convention: test/e2e/README.md)`
    : `no webview with ${selector} after ${timeoutMs} ms`);
}

async function quickOpen(page, fileName) {
  await page.keyboard.press("Control+P");
  const input = page.locator(QUICK_INPUT);
  await input.waitFor({ state: "visible", timeout: 10000 });
  await input.fill(fileName);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: path.basename(fileName) }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press("Enter");
}

async function runCommand(page, title) {
  await page.keyboard.press("F1");
  const input = page.locator(QUICK_INPUT);
  await input.waitFor({ state: "visible", timeout: 10000 });
  await input.fill(">" + title);
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
  try {
    await row.waitFor({ timeout: 10000 });
  } catch {
    throw new Error(`command "${title}" is not in the command palette`);
  }
  await page.keyboard.press("Enter");
}

async function resetUi(page) {
  for (let i = 0; i < 3; i++) await page.keyboard.press("Escape").catch(() => {});
  await page.mouse.move(5, 5).catch(() => {});
}

/** Box of the first rendered editor token whose text is `word` (Monaco renders spaces as U+00A0). */
async function tokenBox(page, word, timeoutMs, lineMatch = null) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    // Find the word inside the rendered text nodes (tokens may split or merge words: plain-text
    // languages render a whole line as one span) and measure just its characters.
    const box = await page.evaluate(([w, lm]) => {
      const want = lm ? new RegExp(lm) : null;
      const re = new RegExp(`(^|[^A-Za-z0-9_])(${w})(?![A-Za-z0-9_])`);
      for (const line of document.querySelectorAll(".editor-instance .monaco-editor .view-lines .view-line")) {
        if (want && !want.test(line.textContent.replace(/\u00a0/g, " "))) continue;
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const m = re.exec(n.textContent.replace(/\u00a0/g, " "));
          if (!m) continue;
          const r = document.createRange();
          r.setStart(n, m.index + m[1].length);
          r.setEnd(n, m.index + m[1].length + w.length);
          const b = r.getBoundingClientRect();
          if (b.width > 0) return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
        }
      }
      return null;
    }, [word, lineMatch]);
    if (box) return box;
    await page.waitForTimeout(100);
  }
  throw new Error(`token ${word} not rendered in the editor after ${timeoutMs} ms`);
}

async function hoverToken(page, word, expect, timeoutMs, lineMatch = null) {
  const box = await tokenBox(page, word, 15000, lineMatch);
  const end = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < end) {
    await page.mouse.move(5, 5);
    await page.mouse.move(box.x - 3, box.y, { steps: 3 });
    await page.mouse.move(box.x, box.y, { steps: 2 });
    try {
      const hv = page.locator(".monaco-hover:visible").first();
      await hv.waitFor({ state: "visible", timeout: 3000 });
      await page.waitForTimeout(300);
      last = (await hv.innerText()).replace(/\s+/g, " ").trim();
      if (expect.test(last)) return last;
    } catch { /* no hover yet: move again */ }
  }
  throw new Error(`no hover matching ${expect} on ${word}${last ? ` (last hover: "${last.slice(0, 160)}")` : " (no hover at all)"}`);
}

/** Fails a custom-editor step early when VS Code fell back to its binary/text editor. */
const binaryFallback = (page, name) => async () => {
  const shown = await page.locator(".editor-group-container.active", { hasText: "The file is not displayed in the text editor" }).count().catch(() => 0);
  return shown ? `${name} opened in VS Code's binary-file fallback: no custom editor took it (contributes.customEditors selector / registration)` : null;
};

const norm = (s) => (s ?? "").replace(/\s+/g, " ").trim();

/**
 * Runs the UI steps against an open workbench page. `files` are workspace-relative names
 * (scripts/e2e/workspace.mjs). Returns [{ name, ok, detail, ms }].
 */
export async function runUiSteps({ page, files, out, expected }) {
  const results = [];
  const shot = async (name) => {
    const p = path.join(out, `${name}.png`);
    await page.screenshot({ path: p }).catch((e) => log("screenshot failed", e.message));
    return p;
  };
  const check = (name, ok, detail = "") => { results.push({ name, ok: !!ok, detail }); log(ok ? "PASS" : "FAIL", name, detail); };

  /** One step: fn(ctx) may call check() many times; a throw or timeout counts as one failure named `name`. */
  async function step(name, timeoutMs, fn) {
    const t0 = Date.now();
    log(`-- ${name}`);
    try {
      await withTimeout(fn(), timeoutMs, name);
    } catch (e) {
      check(name, false, String(e.message ?? e).split("\n")[0]);
      await shot(`fail-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`);
    }
    log(`   (${Date.now() - t0} ms)`);
    await resetUi(page);
  }

  await step("image editor", 60000, async () => {
    await quickOpen(page, files.vmlinuz);
    const f = await findFrame(page, SEL.imageProtocol, 40000, binaryFallback(page, files.vmlinuz));
    const tab = norm(await page.locator(".tabs-container .tab.active").first().textContent());
    check("image editor: custom editor tab active", tab.includes(path.basename(files.vmlinuz)), tab);
    // values may arrive after the first paint (messages from the host): wait for them
    await f.waitForFunction((sel) => /\d/.test(document.querySelector(sel)?.textContent ?? ""), SEL.imageProtocol, { timeout: 20000 }).catch(() => {});
    const protocol = norm(await textOf(f, SEL.imageProtocol));
    check("image editor: protocol 2.15", /\b2\.15\b/.test(protocol), protocol);
    const kv = norm(await textOf(f, SEL.imageKernelVersion));
    check("image editor: kernel version", kv.includes(expected.kernelVersion), kv || `${SEL.imageKernelVersion} missing`);
    const bit = await bitState(f, SEL.xlfBit5);
    check("image editor: XLF_5LEVEL (bit 5) set", bit === "set", bit === null ? `${SEL.xlfBit5} missing` : `state=${bit}`);
    await shot("02-image-editor");
  });

  await step("vmcore editor", 60000, async () => {
    await quickOpen(page, files.vmcore);
    const f = await findFrame(page, SEL.vmcoreOsrelease, 45000, binaryFallback(page, files.vmcore));
    await f.waitForFunction((sel) => /\d/.test(document.querySelector(sel)?.textContent ?? ""), SEL.vmcoreOsrelease, { timeout: 20000 }).catch(() => {});
    const os = norm(await textOf(f, SEL.vmcoreOsrelease));
    check("vmcore editor: OSRELEASE", os.includes(expected.osrelease), os);
    const paging = norm(await textOf(f, SEL.vmcorePaging));
    check(`vmcore editor: paging ${expected.pagingLevels}-level`, new RegExp(`\\b${expected.pagingLevels}\\b`).test(paging), paging || `${SEL.vmcorePaging} missing`);
    await shot("03-vmcore-editor");
  });

  await step("crashkernel simulation", 75000, async () => {
    await quickOpen(page, files.bootLog);
    await page.waitForTimeout(500);
    await runCommand(page, "Kexec Inspector: Simulate crashkernel Reservation");
    // The command may ask for a memory map / command line: accept what it proposes (bounded).
    const end = Date.now() + 45000;
    let frame = null;
    let prompts = 0;
    while (!frame && Date.now() < end) {
      for (const f of page.frames()) {
        try { if (await f.$(SEL.crashRange0)) { frame = f; break; } } catch { /* detached */ }
      }
      if (frame) break;
      const qi = page.locator(QUICK_INPUT);
      if (await qi.isVisible().catch(() => false)) {
        if (prompts++ > 6) throw new Error("the command kept prompting (more than 6 quick inputs)");
        const bootRow = page.locator(".quick-input-list .monaco-list-row", { hasText: path.basename(files.bootLog) }).first();
        if (await bootRow.isVisible().catch(() => false)) await bootRow.click();
        else await page.keyboard.press("Enter");
        await page.waitForTimeout(400);
        continue;
      }
      await page.waitForTimeout(200);
    }
    if (!frame) throw new Error(`no #crash-range-0 in any webview after the command (${prompts} prompts answered)`);
    await frame.waitForFunction((sel) => /[0-9a-f]{6}/i.test(document.querySelector(sel)?.textContent ?? ""), SEL.crashRange0, { timeout: 15000 }).catch(() => {});
    const range = norm(await textOf(frame, SEL.crashRange0)).toLowerCase();
    const want = expected.crashRange.map((x) => x.toLowerCase().replace(/^0x0*/, ""));
    check(`simulation: crash-range-0 = ${expected.crashRange.join("-")}`, want.every((w) => range.includes(w)), range);
    await shot("04-crashkernel-simulation");
  });

  await step("header.S hover", 45000, async () => {
    await quickOpen(page, files.headerS);
    const text = await hoverToken(page, "XLF_5LEVEL", /xloadflags/i, 25000, "define XLF56 \\(XLF_5LEVEL\\|");
    check("header.S: hover on XLF_5LEVEL", /XLF_5LEVEL/.test(text) && /bit 5/i.test(text), text.slice(0, 160));
    await shot("05-hover-header-S");
  });

  await step("header.S diagnostic in Problems", 40000, async () => {
    await quickOpen(page, files.headerS);
    await page.keyboard.press("Control+Shift+M");
    const row = page.locator(".markers-panel .monaco-list-row", { hasText: "XLF_5LEVEL" }).first();
    try {
      await row.waitFor({ timeout: 20000 });
    } catch {
      const rows = await page.locator(".markers-panel .monaco-list-row").allInnerTexts().catch(() => []);
      throw new Error(`no Problems row mentioning XLF_5LEVEL (rows: ${rows.map(norm).join(" | ").slice(0, 200) || "none"})`);
    }
    check("header.S: diagnostic in Problems panel", true, norm(await row.innerText()).slice(0, 160));
    await shot("06-problems");
  });

  // The stand-in extension of --self-check has no doctor: run.mjs passes no expectations then.
  if (expected.doctor) await step("kdump readiness (doctor)", 90000, async () => {
    const title = "Kexec Inspector: Check kdump Readiness";
    // 1. The command from the palette: "A folder…", then VS Code's own folder dialog (a quick input in the
    //    browser): type the synthetic root's path, and accept.
    let frame = null;
    let route = "";
    try {
      await runCommand(page, title);
      const folderRow = page.locator(".quick-input-list .monaco-list-row", { hasText: "A folder" }).first();
      await folderRow.waitFor({ timeout: 10000 });
      await folderRow.click();
      const input = page.locator(QUICK_INPUT);
      await input.waitFor({ state: "visible", timeout: 10000 });
      await page.waitForTimeout(500);
      await input.fill(files.doctorRootAbs + "/");
      await page.waitForTimeout(800);
      const end = Date.now() + 20000;
      let accepts = 0;
      while (!frame && Date.now() < end) {
        for (const f of page.frames()) {
          try { if (await f.$(SEL.doctorChecks)) { frame = f; break; } } catch { /* detached */ }
        }
        if (frame) break;
        if (await input.isVisible().catch(() => false)) {
          if (accepts++ > 3) break;
          // The dialog's accept button ("Select Folder"/"OK"), else Enter on the typed path.
          const ok = page.locator(".quick-input-widget .quick-input-action .monaco-button, .quick-input-widget .quick-input-ok .monaco-button").first();
          if (await ok.isVisible().catch(() => false)) await ok.click();
          else await page.keyboard.press("Enter");
          await page.waitForTimeout(800);
          continue;
        }
        await page.waitForTimeout(200);
      }
      if (frame) route = "command palette → A folder… → folder dialog";
    } catch (e) {
      log("   palette route did not open the report:", String(e.message ?? e).split("\n")[0]);
    }
    // 2. Else the same command from the Explorer's folder context menu (it passes the folder).
    if (!frame) {
      await resetUi(page);
      await shot("07-doctor-palette-route");
      const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: files.doctorRoot }).first();
      await row.waitFor({ timeout: 10000 });
      await row.click({ button: "right" });
      const item = page.locator(".monaco-menu .action-item", { hasText: "Check kdump Readiness" }).first();
      await item.waitFor({ timeout: 10000 });
      await item.click();
      frame = await findFrame(page, SEL.doctorChecks, 30000);
      route = "Explorer context menu on the folder";
    }
    check("doctor: Check kdump Readiness… opens the report on the folder", true, route);
    await frame.waitForFunction((sel) => document.querySelectorAll(sel).length > 3, SEL.doctorChecks, { timeout: 20000 });
    const tab = norm(await page.locator(".tabs-container .tab.active").first().textContent());
    check("doctor: panel titled after the folder", tab.includes(files.doctorRoot), tab);
    const checks = await frame.$$eval(SEL.doctorChecks, (els) => els.map((e) => ({ id: e.getAttribute("data-id"), status: e.getAttribute("data-status") })));
    const byId = Object.fromEntries(checks.map((c) => [c.id, c.status]));
    const want = ["paging-mode", "crashkernel-param", "reservation", "kdump-service", "capture-loaded", "load-interface", "capture-jump", `kexec-target:${expected.doctor.captureKernel}`];
    const missing = want.filter((id) => !(id in byId));
    check("doctor: checklist of the synthetic root", missing.length === 0, missing.length ? `missing ${missing.join(", ")} in ${checks.map((c) => c.id).join(", ")}` : `${checks.length} checks`);
    check("doctor: kdump-tools read from etc/default/kdump-tools", byId["kdump-service"] === "pass", `kdump-service: ${byId["kdump-service"]}`);
    check("doctor: reservation read from sys/ and proc/iomem", byId["reservation"] === "pass", `reservation: ${byId["reservation"]}`);
    check("doctor: capture kernel jump simulated", byId["capture-jump"] === "pass", `capture-jump: ${byId["capture-jump"]}`);
    const summary = norm(await textOf(frame, SEL.doctorSummary));
    check("doctor: summary line", /\d+ passed, \d+ warnings, \d+ failed/.test(summary), summary);
    await shot("07-doctor-report");

    // The check's Simulate… button opens the simulation panel on the check's inputs.
    await frame.click(`li[data-id="capture-jump"] ${SEL.doctorSimulate}`);
    const end = Date.now() + 30000;
    let sim = null;
    while (!sim && Date.now() < end) {
      for (const f of page.frames()) {
        try {
          const t = await f.evaluate((sel) => document.querySelector(sel)?.textContent ?? null, SEL.simImageLabel);
          if (t && t.includes(expected.doctor.captureKernel)) { sim = f; break; }
        } catch { /* detached */ }
      }
      if (!sim) await page.waitForTimeout(200);
    }
    if (!sim) throw new Error(`no simulation panel with ${expected.doctor.captureKernel} in ${SEL.simImageLabel} after Simulate…`);
    const mapLabel = norm(await textOf(sim, SEL.simMapLabel));
    check("doctor → simulation: the root's proc/iomem and capture kernel", /iomem/.test(mapLabel), `map: ${mapLabel}`);
    const crash = await sim.evaluate(() => document.getElementById("crash-load")?.checked ?? null).catch(() => null);
    check("doctor → simulation: kdump load (kexec -p) ticked", crash === true, `crash-load checked=${crash}`);
    await shot("08-doctor-simulation");
  });

  return results;
}

/** Expected values, read from the shared fixtures' *.expected.json so the suite never hard-codes them twice. */
export function expectedValues(fixtures) {
  const j = (f) => JSON.parse(fs.readFileSync(f, "utf8"));
  const img = j(fixtures.vmlinuz + ".expected.json");
  const core = j(fixtures.vmcore + ".expected.json");
  const lab = j(fixtures.bootLogExpected);
  const m = /version (\S+)/.exec(img.file_b ?? "");
  const crash = findCrashRange(lab, fs.readFileSync(fixtures.bootLog, "utf8"));
  return {
    kernelVersion: m?.[1] ?? "6.1.0-50-amd64",
    osrelease: core.osrelease,
    pagingLevels: core.paging_levels,
    crashRange: crash,
  };
}

/** The "Crash kernel" range the lab kernel reserved: from the JSON when it has one, else the boot log's iomem dump. */
function findCrashRange(lab, bootLog) {
  const s = JSON.stringify(lab);
  const jm = /"(?:0x)?([0-9a-f]{6,16})-(?:0x)?([0-9a-f]{6,16}) : Crash kernel"/i.exec(s);
  if (jm) return [jm[1], jm[2]];
  const m = /([0-9a-f]{6,16})-([0-9a-f]{6,16}) : Crash kernel/i.exec(bootLog);
  if (!m) throw new Error("no Crash kernel range in the lab boot log");
  return [m[1], m[2]];
}
