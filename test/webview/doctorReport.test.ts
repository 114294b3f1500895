/**
 * The kdump readiness report in headless Chromium: real bundle, real page HTML, and on the host
 * side the real DoctorSession running the core's doctor on a synthetic root made here. Machine
 * text that looks like markup must stay text. Screenshot in out/screenshots/.
 */
import { rootWriter } from "../support/machineRoot";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BrowserContext } from "playwright-core";
import { runDoctor } from "../../extension/core/scenario/doctor/index";
import { DoctorSession } from "../../extension/views/doctorSession";
import type { CheckSimulationView, DoctorReportView } from "../../extension/protocol/doctor";
import { makeImage } from "../support/syntheticImage";
import { assertClean, chromiumAvailable, launch, openPage, screenshotPath, textOf } from "./harness";

const HOSTILE = '<img src=x onerror="alert(1)">';

function mkroot(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kxi-doctor-page-"));
  const w = rootWriter(dir);
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

  /** The report page over a real DoctorSession on the synthetic root; the host's effects are recorded. */
  function openReport(theme: "light" | "dark", sims: { sim: CheckSimulationView; id: string }[], opts: { onRun?: () => void } = {}) {
    return openPage(
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
              opts.onRun?.();
              return runDoctor(r) as Promise<DoctorReportView>;
            },
            pickRoot: () => Promise.resolve(null),
            copy: (t) => {
              calls.copied.push(t);
              return Promise.resolve();
            },
            openSimulation: (sim, c) => {
              calls.simulated.push(c.id);
              sims.push({ sim, id: c.id });
              return Promise.resolve({ ok: true, text: `Simulation opened for "${c.title}".` });
            },
          }),
      },
      { theme },
    );
  }

  it("renders every check with its status, keeps machine text inert, and reruns / copies through the host", async () => {
    let runs = 0;
    const p = await openReport("dark", [], { onRun: () => runs++ });
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

  it("a Simulate button on each check with a simulation behind it opens that check's inputs through the host", async () => {
    const sims: { sim: CheckSimulationView; id: string }[] = [];
    const p = await openReport("light", sims);
    await p.page.waitForSelector("#checks li");
    const report = await runDoctor(root);
    const withSim = report.checks.filter((c) => c.simulate !== null);
    // reservation (the root's /proc/iomem), the capture kernel's load and jump, both kexec -l targets.
    assert.deepEqual(withSim.map((c) => c.id).sort(), ["capture-jump", "kexec-target:vmlinuz-4.19.0-old", "kexec-target:vmlinuz-6.1.0-50-amd64", "load-interface", "reservation"]);
    assert.equal(await p.page.locator("#checks li .check-actions vscode-button").count(), withSim.length);
    for (const c of report.checks) assert.equal(await p.page.locator(`#checks li[data-id='${c.id}'] vscode-button`).count(), c.simulate ? 1 : 0, c.id);
    const item = p.page.locator("li[data-id='kexec-target:vmlinuz-4.19.0-old']");
    const b = item.locator("vscode-button.simulate");
    assert.match((await b.getAttribute("title"))!, /^Simulate kexec -l \S+vmlinuz-4\.19\.0-old on \S+iomem \(kernel 6\.1\.123, 5-level/);
    await b.click();
    await p.page.waitForFunction(() => /Simulation opened/.test(document.getElementById("status")?.textContent ?? ""));
    assert.deepEqual(p.calls.simulated, ["kexec-target:vmlinuz-4.19.0-old"]);
    // The page names the check, nothing else; the host used its own report's inputs.
    const sent = (p.fromPage as { body: Record<string, unknown> }[]).map((m) => m.body).filter((m) => m["type"] === "doctorOpenSimulation");
    assert.deepEqual(sent, [{ type: "doctorOpenSimulation", id: "kexec-target:vmlinuz-4.19.0-old" }]);
    assert.deepEqual(sims[0]!.sim, report.checks.find((c) => c.id === "kexec-target:vmlinuz-4.19.0-old")!.simulate);
    assert.deepEqual([sims[0]!.sim.image, sims[0]!.sim.memmap], [path.join(root, "boot", "vmlinuz-4.19.0-old"), path.join(root, "proc", "iomem")]);
    await p.page.locator("li[data-id='reservation'] vscode-button.simulate").click();
    for (let i = 0; i < 50 && p.calls.simulated.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(sims[1]!.sim.what, "crashkernel");
    await p.page.screenshot({ path: screenshotPath("doctor-report-light"), fullPage: true });
    assertClean(p);
    await p.page.close();
  });

  it("rejects a malformed simulation bundle from the host and a malformed DoctorOpenSimulation from the page", async () => {
    const sims: { sim: CheckSimulationView; id: string }[] = [];
    const p = await openReport("dark", sims);
    await p.page.waitForSelector("#checks li");
    const before = await p.page.textContent("#report");
    const report = JSON.parse(JSON.stringify(await runDoctor(root))) as DoctorReportView;
    const bad = (patch: Record<string, unknown>) => ({ ...report, checks: report.checks.map((c) => (c.simulate ? { ...c, simulate: { ...c.simulate, ...patch } } : c)) });
    await p.post({ messageId: 90, body: { type: "doctorReport", report: bad({ image: 5 }) } });
    await p.post({ messageId: 91, body: { type: "doctorReport", report: bad({ iface: "kexec -c" }) } });
    await p.post({ messageId: 92, body: { type: "doctorReport", report: bad({ script: "<img src=x onerror=alert(1)>" }) } });
    await p.page.waitForTimeout(100);
    assert.equal(p.consoleLines.filter((l) => l.includes("rejected message")).length, 3);
    assert.equal(await p.page.textContent("#report"), before);
    // From the page: what a compromised page could try. None reaches the simulation panel.
    await p.page.evaluate(() => {
      const w = window as unknown as { __kexecToHost(m: unknown): void };
      w.__kexecToHost({ messageId: 93, body: { type: "doctorOpenSimulation" } });
      w.__kexecToHost({ messageId: 94, body: { type: "doctorOpenSimulation", id: ["capture-jump"] } });
      w.__kexecToHost({ messageId: 95, body: { type: "doctorOpenSimulation", id: "capture-jump", simulate: { memmap: "/etc/shadow" } } });
    });
    for (let i = 0; i < 50 && p.hostLog.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(p.hostLog.length, 3);
    assert.deepEqual(p.calls.simulated, []);
    await p.page.close();
  });
});
