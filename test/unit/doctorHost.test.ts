/** The kdump readiness report's host side (vscode-free): messages validated both ways, real reports pass the page's schema. */
import { rootWriter } from "../support/machineRoot";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runDoctor } from "../../extension/core/scenario/doctor/index";
import { DoctorSession } from "../../extension/views/doctorSession";
import type { Envelope } from "../../extension/protocol/image";
import { DoctorMessageType, doctorReportCheck, parseDoctorFromWebview, parseDoctorToWebview, type CheckSimulationView, type CheckView, type DoctorReportView, type DoctorToWebview } from "../../extension/protocol/doctor";
import { setupFromDoctor } from "../../extension/views/simulationMachine";
import { panelInputs, runSimulation } from "../../extension/views/simulationModel";
import { simulate } from "../../extension/core/scenario/simulate";
import { makeImage } from "../support/syntheticImage";

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const MiB = 1024 * 1024;

const APPEND = "reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll nousb";

/**
 * A Debian machine running 5-level paging whose kdump service loads an old capture kernel
 * (no XLF_5LEVEL) with -s: the capture checks fail, and each stands on a simulation.
 */
function capRoot(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kxi-doctor-sim-"));
  const w = rootWriter(dir);
  w("proc/version", "Linux version 6.1.0-50-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.123-1 (2025-01-02)\n");
  w("proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.1.0-50-amd64 root=/dev/sda1 ro quiet crashkernel=256M\n");
  w("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu pae la57 sse sse2\n");
  w(
    "proc/iomem",
    ["00000000-00000fff : Reserved", "00001000-0009fbff : System RAM", "000a0000-000fffff : Reserved", "00100000-bffdffff : System RAM", "  01000000-01ffffff : Kernel code", "  a2000000-b1ffffff : Crash kernel", "bffe0000-bfffffff : Reserved", "100000000-23fffffff : System RAM", ""].join("\n"),
  );
  w("sys/kernel/kexec_crash_size", "268435456\n");
  w("sys/kernel/kexec_crash_loaded", "1\n");
  w("boot/vmlinuz-6.1.0-50-amd64", makeImage({ kernelVersion: "6.1.0-50-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.123-1" }));
  w("boot/vmlinuz-4.19.0-old", makeImage({ xloadflags: 0x1f, kernelVersion: "4.19.0-old (x) #1 SMP" }));
  w("boot/initrd.img-4.19.0-old", new Uint8Array(3 * MiB));
  w("etc/default/kdump-tools", `USE_KDUMP=1\nKDUMP_KERNEL=/boot/vmlinuz-4.19.0-old\nKDUMP_INITRD=/boot/initrd.img-4.19.0-old\nKDUMP_CMDLINE_APPEND="${APPEND}"\nKDUMP_KEXEC_ARGS="-s"\n`);
  return dir;
}

function session(run: (root: string) => Promise<DoctorReportView>, pick: string | null = null) {
  const out: Envelope<DoctorToWebview>[] = [];
  const logs: string[] = [];
  const copied: string[] = [];
  const simulations: { sim: CheckSimulationView; check: CheckView }[] = [];
  const s = new DoctorSession("/", {
    post: (m) => {
      // What the host sends must pass the page's own validation.
      const r = parseDoctorToWebview(JSON.parse(JSON.stringify(m)));
      assert.ok(r.ok, r.ok ? "" : r.error);
      out.push(m);
    },
    log: (t) => logs.push(t),
    run,
    pickRoot: () => Promise.resolve(pick),
    copy: (t) => {
      copied.push(t);
      return Promise.resolve();
    },
    openSimulation: (sim, check) => {
      simulations.push({ sim, check });
      return Promise.resolve({ ok: true, text: `opened ${check.id}` });
    },
  });
  return { s, out, logs, copied, simulations };
}

const replies = (out: Envelope<DoctorToWebview>[], id: number) => out.filter((m) => m.inReplyTo === id).map((m) => m.body);

describe("doctor report: host session and protocol", () => {
  it("this machine's real report passes the page's schema", async () => {
    const r = await runDoctor("/");
    assert.equal(doctorReportCheck(JSON.parse(JSON.stringify(r)), "report"), null);
  });

  it("answers Ready with busy then the report, copies JSON, and checks another root", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kxi-doctor-host-"));
    try {
      fs.mkdirSync(path.join(dir, "proc"));
      fs.writeFileSync(path.join(dir, "proc", "cmdline"), "quiet\n");
      const { s, out, copied } = session((root) => runDoctor(root), dir);
      s.receive({ messageId: 1, body: { type: DoctorMessageType.DoctorReady } });
      for (let i = 0; i < 50 && !out.some((m) => m.body.type === DoctorMessageType.DoctorReport); i++) await tick();
      assert.equal(out[0]!.body.type, DoctorMessageType.DoctorBusy);
      const rep = out.find((m) => m.body.type === DoctorMessageType.DoctorReport)!;
      assert.equal(rep.inReplyTo, 1);
      s.receive({ messageId: 2, body: { type: DoctorMessageType.DoctorCopyJson } });
      await tick();
      assert.equal((JSON.parse(copied[0]!) as DoctorReportView).root, "/");
      s.receive({ messageId: 4, body: { type: DoctorMessageType.DoctorCopyMarkdown } });
      await tick();
      assert.match(copied[1]!, /^# kdump readiness — this machine/);
      assert.match(copied[1]!, /\| (PASS|WARN|FAIL) \| /);
      s.receive({ messageId: 5, body: { type: DoctorMessageType.DoctorPickRoot } });
      for (let i = 0; i < 50 && s.currentRoot !== dir; i++) await tick();
      for (let i = 0; i < 50 && out.filter((m) => m.body.type === DoctorMessageType.DoctorReport).length < 2; i++) await tick();
      const second = out.filter((m) => m.body.type === DoctorMessageType.DoctorReport)[1]!.body as { report: DoctorReportView };
      assert.equal(second.report.root, path.resolve(dir));
      assert.ok(second.report.checks.some((c) => c.id === "crashkernel-param" && c.status === "fail"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects unknown or malformed page messages without running anything", async () => {
    let runs = 0;
    const { s, out, logs } = session(() => {
      runs++;
      return runDoctor("/");
    });
    s.receive({ messageId: 1, body: { type: "doctorRun", root: "/etc" } });
    s.receive({ messageId: 2, body: { type: DoctorMessageType.DoctorRerun, root: "/" } });
    s.receive("<script>");
    await tick();
    assert.equal(runs, 0);
    assert.equal(out.length, 0);
    assert.ok(logs.length >= 3);
    assert.equal(parseDoctorFromWebview({ messageId: 1, body: { type: DoctorMessageType.DoctorPickRoot } }).ok, true);
  });

  it("a failing run becomes a status line, not a crash", async () => {
    const { s, out } = session(() => Promise.reject(new Error("EACCES")));
    s.receive({ messageId: 1, body: { type: DoctorMessageType.DoctorRerun } });
    for (let i = 0; i < 20 && out.length < 2; i++) await tick();
    const last = out[out.length - 1]!.body;
    assert.equal(last.type, DoctorMessageType.DoctorActionDone);
    assert.match((last as { text: string }).text, /EACCES/);
  });

  describe("the simulation behind a check", () => {
    let root = "";
    let report: DoctorReportView;
    before(async () => {
      root = capRoot();
      report = await runDoctor(root);
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("the core puts the inputs behind reservation, reservation-size, load-interface, capture-jump and every kexec -l target, and nowhere else", () => {
      const withSim = report.checks.filter((c) => c.simulate !== null).map((c) => c.id);
      assert.deepEqual(
        [...withSim].sort(),
        ["capture-jump", "kexec-target:vmlinuz-4.19.0-old", "kexec-target:vmlinuz-6.1.0-50-amd64", "load-interface", "reservation", "reservation-size"],
      );
      const jump = report.checks.find((c) => c.id === "capture-jump")!;
      assert.equal(jump.status, "fail");
      assert.deepEqual(jump.simulate, {
        what: "load",
        memmap: path.join(root, "proc", "iomem"),
        cmdline: "BOOT_IMAGE=/boot/vmlinuz-6.1.0-50-amd64 root=/dev/sda1 ro quiet crashkernel=256M",
        image: path.join(root, "boot", "vmlinuz-4.19.0-old"),
        kernel: "6.1.123",
        kexecTools: report.rules.kexecTools,
        paging: 5,
        iface: "file",
        crash: true,
        crashkernel: "crashkernel=256M",
        append: APPEND,
        initrdSize: 3 * MiB,
      });
      const res = report.checks.find((c) => c.id === "reservation")!.simulate!;
      assert.equal(res.what, "crashkernel");
      assert.equal(res.image, null);
      assert.equal(res.crashkernel, "crashkernel=256M");
      const target = report.checks.find((c) => c.id === "kexec-target:vmlinuz-6.1.0-50-amd64")!.simulate!;
      assert.deepEqual([target.crash, target.append, target.image], [false, "", path.join(root, "boot", "vmlinuz-6.1.0-50-amd64")]);
      // The page's schema accepts the bundles as the host sends them.
      assert.equal(doctorReportCheck(JSON.parse(JSON.stringify(report)), "report"), null);
    });

    it("the panel opened on a check gives the doctor's answer", () => {
      for (const id of ["capture-jump", "kexec-target:vmlinuz-4.19.0-old", "kexec-target:vmlinuz-6.1.0-50-amd64"]) {
        const c = report.checks.find((x) => x.id === id)!;
        const { setup, problems } = setupFromDoctor(c.simulate!);
        assert.deepEqual(problems, [], id);
        assert.equal(setup.focus, "kexec");
        assert.equal(setup.params.iface, id === "capture-jump" ? "kexec_file_load" : c.simulate!.iface === "auto" ? "auto" : "kexec_load");
        const r = runSimulation(setup.map!.map, setup.image!.image, setup.params);
        const worst = r.verdicts.some((v) => v.severity === "error") ? "fail" : r.verdicts.some((v) => v.severity === "warning") ? "warn" : "pass";
        assert.equal(worst, c.status, `${id}: ${r.verdicts.map((v) => v.id).join(", ")}`);
        if (c.simulate!.crash) {
          // The crash load goes where the machine reserved, not into a new reservation.
          const region = simulate(panelInputs(setup.map!.map, setup.image!.image, setup.params)).crashRegion;
          assert.deepEqual(region, { ranges: [{ start: 0xa2000000, end: 0xb1ffffff }], source: "map" });
        }
      }
      const res = setupFromDoctor(report.checks.find((x) => x.id === "reservation")!.simulate!);
      assert.equal(res.setup.focus, "crashkernel");
      assert.equal(res.setup.image, null);
      assert.equal(res.setup.params.crashkernel, "crashkernel=256M");
    });

    it("a file that went away is named, not hidden", () => {
      const sim = { ...report.checks.find((x) => x.id === "capture-jump")!.simulate!, image: path.join(root, "boot", "gone") };
      const { setup, problems } = setupFromDoctor(sim);
      assert.equal(setup.image, null);
      assert.equal(problems.length, 1);
      assert.match(problems[0]!, /gone/);
    });

    it("DoctorOpenSimulation opens the host's own bundle for the check the page names", async () => {
      const { s, out, simulations, logs } = session(() => runDoctor(root));
      s.receive({ messageId: 1, body: { type: DoctorMessageType.DoctorReady } });
      for (let i = 0; i < 50 && !out.some((m) => m.body.type === DoctorMessageType.DoctorReport); i++) await tick();
      s.receive({ messageId: 2, body: { type: DoctorMessageType.DoctorOpenSimulation, id: "capture-jump" } });
      for (let i = 0; i < 20 && replies(out, 2).length === 0; i++) await tick();
      assert.equal(simulations.length, 1);
      assert.equal(simulations[0]!.check.id, "capture-jump");
      assert.deepEqual(simulations[0]!.sim, report.checks.find((c) => c.id === "capture-jump")!.simulate);
      assert.deepEqual(replies(out, 2), [{ type: DoctorMessageType.DoctorActionDone, ok: true, text: "opened capture-jump" }]);
      // A check without a simulation, or one not in the report: a status line, nothing opened.
      s.receive({ messageId: 3, body: { type: DoctorMessageType.DoctorOpenSimulation, id: "paging-mode" } });
      s.receive({ messageId: 4, body: { type: DoctorMessageType.DoctorOpenSimulation, id: "kexec-target:../../etc/shadow" } });
      for (let i = 0; i < 20 && replies(out, 4).length === 0; i++) await tick();
      for (const id of [3, 4]) {
        const [r] = replies(out, id) as { type: string; ok: boolean; text: string }[];
        assert.equal(r!.ok, false);
        assert.match(r!.text, /No simulation behind/);
      }
      assert.equal(simulations.length, 1);
      assert.deepEqual(logs, []);
    });

    it("rejects a malformed DoctorOpenSimulation: no id, a non-string id, page-supplied inputs", async () => {
      const { s, out, simulations, logs } = session(() => runDoctor(root));
      s.receive({ messageId: 1, body: { type: DoctorMessageType.DoctorOpenSimulation } });
      s.receive({ messageId: 2, body: { type: DoctorMessageType.DoctorOpenSimulation, id: 7 } });
      s.receive({ messageId: 3, body: { type: DoctorMessageType.DoctorOpenSimulation, id: "capture-jump", simulate: { image: "/etc/shadow" } } });
      s.receive({ messageId: 4, body: { type: DoctorMessageType.DoctorOpenSimulation, id: "x".repeat(300) } });
      await tick();
      assert.equal(simulations.length, 0);
      assert.equal(out.length, 0);
      assert.equal(logs.length, 4);
      assert.equal(parseDoctorFromWebview({ messageId: 5, body: { type: DoctorMessageType.DoctorOpenSimulation, id: "capture-jump" } }).ok, true);
    });
  });
});
