/**
 * The kdump readiness report in headless Chromium: real bundle, real page HTML, and on the host
 * side the real DoctorSession running the core's doctor on a synthetic root made here. Machine
 * text that looks like markup must stay text. Screenshot in out/screenshots/.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BrowserContext } from "playwright-core";
import { runDoctor } from "../../extension/core/scenario/doctor/index";
import { DoctorSession } from "../../extension/views/doctorSession";
import type { DoctorReportView } from "../../extension/protocol/doctor";
import { makeImage } from "../support/syntheticImage";
import { assertClean, chromiumAvailable, launch, openPage, screenshotPath, textOf } from "./harness";

const HOSTILE = '<img src=x onerror="alert(1)">';

function mkroot(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kxi-doctor-page-"));
  const w = (p: string, v: string | Uint8Array): void => {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), v);
  };
  w("proc/version", "Linux version 6.1.0-50-amd64 (x) #1 SMP PREEMPT_DYNAMIC Debian 6.1.123-1 (2025-01-02)\n");
  w("proc/cmdline", `root=/dev/sda1 quiet ${HOSTILE}\n`);
  w("proc/cpuinfo", "flags\t\t: fpu la57 sse\n");
  w("proc/iomem", "00001000-0009fbff : System RAM\n00100000-bffdffff : System RAM\n");
  w("sys/kernel/kexec_crash_size", "0\n");
  w("sys/kernel/kexec_crash_loaded", "0\n");
  w("boot/vmlinuz-6.1.0-50-amd64", makeImage());
  w("boot/vmlinuz-4.19.0-old", makeImage({ xloadflags: 0x1f }));
  return dir;
}

describe("kdump readiness report (webview, Chromium)", function () {
  let browser: { context: BrowserContext; close(): Promise<void> } | null = null;
  let root = "";
  before(async function () {
    if (!chromiumAvailable()) this.skip();
    browser = await launch();
    root = mkroot();
  });
  after(async () => {
    await browser?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it("renders every check with its status, keeps machine text inert, and reruns / copies through the host", async () => {
    let runs = 0;
    const p = await openPage(
      browser!.context,
      {
        bundle: "doctorReportMain",
        css: "doctorReport.css",
        title: "kdump readiness",
        session: (post, log, calls) =>
          new DoctorSession(root, {
            post,
            log,
            run: (r) => {
              runs++;
              return runDoctor(r) as Promise<DoctorReportView>;
            },
            pickRoot: () => Promise.resolve(null),
            copy: (t) => {
              calls.copied.push(t);
              return Promise.resolve();
            },
          }),
      },
      { theme: "dark" },
    );
    await p.page.waitForSelector("#checks li");
    const report = await runDoctor(root);
    assert.equal(await p.page.locator("#checks li").count(), report.checks.length);
    assert.equal(await p.page.locator("#checks li[data-status='fail']").count(), report.summary.fail);
    assert.match(await textOf(p, "#summary"), /NOT READY/);
    assert.match(await textOf(p, "#kv-paging"), /5-level/);
    // The hostile command line is shown as text, and no element was made from it.
    assert.ok((await p.page.textContent("#checks"))!.includes(HOSTILE));
    assert.equal(await p.page.locator("#report img").count(), 0);
    assert.match(await textOf(p, "li[data-id='kexec-target:vmlinuz-4.19.0-old']"), /FAIL/);
    assert.deepEqual(p.state(), { root: path.resolve(root) });
    await p.page.click("#rerun");
    await p.page.waitForFunction(() => true);
    for (let i = 0; i < 50 && runs < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(runs, 2);
    await p.page.click("#copy");
    for (let i = 0; i < 50 && p.calls.copied.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((JSON.parse(p.calls.copied[0]!) as DoctorReportView).summary.fail, report.summary.fail);
    await p.page.screenshot({ path: screenshotPath("doctor-report-dark"), fullPage: true });
    assertClean(p);
  });
});
