/** The simulation panel's vscode-free logic: session over the real core, paging decision, machine reads, report. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { syntheticImage } from "../../extension/core/kexec/kexecImage";
import { loadMachineMap, loadMapFile, setupFor, type MachineFacts } from "../../extension/views/simulationMachine";
import { buildImageInfo, crashkernelTokens, decidePaging, defaultParams, explanationViews, markdownReport, runSimulation } from "../../extension/views/simulationModel";
import { SimulationSession } from "../../extension/views/simulationSession";
import { SimMessageType, parseSimToWebview, type SimToWebview } from "../../extension/protocol/simulation";
import type { Envelope } from "../../extension/protocol/image";
import { sharedFixture } from "../fixtures";

const FACTS: MachineFacts = { release: "6.1.0-50-amd64", paging: { levels: 4, how: "test" }, kexecTools: null };
const log = (c: string): string => sharedFixture("lab", "crashkernel", `${c}.boot.log`);

function loaded(c: string) {
  const r = loadMapFile(log(c));
  if (!r.ok) throw new Error(r.problem);
  return r.loaded;
}

function session(setup = setupFor({ map: loadMapFile(log("pc-4G-256M")), image: null, facts: FACTS, focus: "crashkernel" })) {
  const out: Envelope<SimToWebview>[] = [];
  const logs: string[] = [];
  const saved: string[] = [];
  const s = new SimulationSession(setup, {
    post: (m) => {
      // Everything the host sends must pass the page's own validation.
      const r = parseSimToWebview(JSON.parse(JSON.stringify(m)));
      assert.ok(r.ok, r.ok ? "" : r.error);
      out.push(m);
    },
    log: (t) => logs.push(t),
    pick: async () => null,
    save: async (md) => (saved.push(md), { ok: true, text: "saved" }),
  });
  return { s, out, logs, saved };
}
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("simulation host logic", () => {
  it("answers Ready with the inputs and Run with the lab's Crash kernel range", async () => {
    const { s, out } = session();
    assert.ok(s.receive({ messageId: 1, body: { type: "simReady" } }));
    await tick();
    const inputs = out[0]!.body;
    assert.equal(inputs.type, SimMessageType.SimInputs);
    if (inputs.type !== SimMessageType.SimInputs) return;
    assert.equal(inputs.inputs.params.crashkernel, "crashkernel=256M");
    assert.equal(inputs.inputs.params.kernel, "6.1.0-50-amd64");
    assert.match(inputs.inputs.kernelHow, /Linux version/);
    assert.match(inputs.inputs.pagingHow, /does not mention 5-level/);
    s.receive({ messageId: 2, body: { type: "simRun", params: inputs.inputs.params } });
    await tick();
    const r = out[1]!;
    assert.equal(r.inReplyTo, 2);
    assert.equal(r.body.type, SimMessageType.SimResult);
    if (r.body.type !== SimMessageType.SimResult) return;
    assert.deepEqual(r.body.result.crash.ranges.map((x) => x.iomem), ["af000000-beffffff"]);
  });

  it("reports parse errors with their column and rejects malformed messages", async () => {
    const { s, out, logs } = session();
    s.receive({ messageId: 1, body: { type: "simRun", params: defaultParams({ crashkernel: "crashkernel=256Q" }) } });
    await tick();
    const b = out[0]!.body;
    assert.ok(b.type === SimMessageType.SimResult);
    if (b.type !== SimMessageType.SimResult) return;
    assert.deepEqual(b.result.crash.errors, [{ message: "crashkernel: unrecognized char: Q", column: 16 }]);
    assert.equal(s.receive({ messageId: 2, body: { type: "simRun", params: { ...defaultParams(), paging: 3 } } }), false);
    assert.equal(s.receive({ messageId: 3, body: { type: "simPick", what: "kernel" } }), false);
    assert.equal(logs.length, 2);
  });

  it("bad version text falls back to the default profile and says so", () => {
    const r = runSimulation(loaded("pc-4G-256M").map, null, defaultParams({ crashkernel: "crashkernel=256M", kernel: "latest", kexecTools: "new" }));
    assert.equal(r.paramErrors.length, 2);
    assert.equal(r.kernel.version, "6.1");
  });

  it("auto mode: kexec-tools ≥ 2.0.27 falls back to kexec_load after a 5-level refusal (the trap)", () => {
    const map = loaded("l5-pc-4G-256M").map;
    const image = syntheticImage({ xloadflags: 0x1f, kernelVersion: "4.14.336 (builder@host) #1 SMP" });
    const auto = runSimulation(map, image, defaultParams({ paging: 5, iface: "auto", kexecTools: "2.0.27" }));
    assert.equal(auto.placement?.interface, "kexec_load");
    assert.equal(auto.placement?.accepted, true);
    assert.match(auto.placement?.fallbackFrom ?? "", /5-level/);
    assert.deepEqual(auto.verdicts.map((v) => v.id), ["refused-5level", "silent-fallback"]);
    const s = runSimulation(map, image, defaultParams({ paging: 5, iface: "kexec_file_load", kexecTools: "2.0.27" }));
    assert.equal(s.placement?.accepted, false);
    assert.deepEqual(s.verdicts.map((v) => v.id), ["refused-5level", "refused-5level-message"]);
    const old = runSimulation(map, image, defaultParams({ paging: 5, iface: "auto", kexecTools: "2.0.25" }));
    assert.equal(old.placement?.interface, "kexec_load");
    assert.deepEqual(old.verdicts.map((v) => v.id), ["jump-fails-5level"]);
  });

  it("a kdump load uses the area crashkernel= reserves", () => {
    const r = runSimulation(loaded("pc-4G-256M").map, syntheticImage(), defaultParams({ crashkernel: "crashkernel=256M", crash: true, iface: "kexec_file_load" }));
    assert.deepEqual(r.placement?.crashRegion, { start: 0xaf000000, end: 0xbeffffff });
    for (const seg of r.placement!.segments) assert.ok(seg.mem >= 0xaf000000 && seg.mem + seg.memsz - 1 <= 0xbeffffff, seg.what);
  });

  it("decides the paging mode from the la57 flag the kernel keeps only while running 5-level, and says how", () => {
    const cpu = (flags: string): string => `processor : 0\nflags\t\t: fpu vme ${flags} sse\n`;
    assert.deepEqual(decidePaging({ cpuinfo: cpu(""), cmdline: "", config: null }).levels, 4);
    assert.match(decidePaging({ cpuinfo: cpu(""), cmdline: "", config: null }).how, /no la57/);
    assert.match(decidePaging({ cpuinfo: cpu(""), cmdline: "quiet no5lvl", config: null }).how, /no5lvl/);
    const y = decidePaging({ cpuinfo: cpu("la57"), cmdline: "quiet", config: "CONFIG_X86_5LEVEL=y\n" });
    assert.equal(y.levels, 5);
    assert.equal(y.confidence, "observed");
    // The kernel clears la57 when it runs 4-level, so a shown flag means 5-level whatever the config says.
    assert.equal(decidePaging({ cpuinfo: cpu("la57"), cmdline: "", config: null }).levels, 5);
    // Before the boot-time switch (4.17) la57 was the CPU's capability only.
    assert.equal(decidePaging({ cpuinfo: cpu("la57"), cmdline: "", config: null, release: "4.14.0" }).levels, 4);
    assert.equal(decidePaging({ cpuinfo: null, cmdline: "no5lvl", config: null }).levels, 4);
    const none = decidePaging({ cpuinfo: null, cmdline: null, config: null });
    assert.equal(none.levels, 4);
    assert.equal(none.confidence, "assumed");
    assert.match(none.how, /assumed/);
  });

  it("says clearly when /proc/iomem is zeroed for non-root, and reads a root copy", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kxi-iomem-"));
    try {
      const zero = path.join(dir, "iomem");
      fs.writeFileSync(zero, "00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n");
      const r = loadMachineMap(zero, path.join(dir, "cmdline"));
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.problem, /CAP_SYS_ADMIN.*sudo cat \/proc\/iomem/);
      const missing = loadMachineMap(path.join(dir, "nope"));
      assert.ok(!missing.ok && /not readable/.test(missing.problem));
      fs.writeFileSync(zero, "00001000-0009fbff : System RAM\n00100000-bffdffff : System RAM\n  af000000-beffffff : Crash kernel\n");
      fs.writeFileSync(path.join(dir, "cmdline"), "root=/dev/sda crashkernel=256M\n");
      const ok = loadMachineMap(zero, path.join(dir, "cmdline"));
      assert.ok(ok.ok);
      if (ok.ok) {
        assert.equal(ok.loaded.view.source.kind, "machine");
        assert.equal(crashkernelTokens(ok.loaded.map.cmdline), "crashkernel=256M");
        assert.deepEqual(ok.loaded.view.crashKernel.map((c) => c.start), [0xaf000000]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exports a Markdown report with the ranges, verdicts and the explanation", async () => {
    const setup = setupFor({ map: loadMapFile(log("pc-4G-256M")), image: null, facts: FACTS, focus: "kexec" });
    const img = syntheticImage({ xloadflags: 0x1f });
    setup.image = { image: img, view: buildImageInfo(img, { kind: "file", path: "x" }, "no5level.bzImage") };
    const { s, saved, out } = session(setup);
    s.receive({ messageId: 1, body: { type: "simExport", params: { ...setup.params, paging: 5, iface: "auto", kexecTools: "2.0.30" }, explainText: "locate_hole failed" } });
    await tick();
    await tick();
    assert.equal(out[0]!.body.type, SimMessageType.SimActionDone);
    const md = saved[0]!;
    assert.match(md, / {2}af000000-beffffff : Crash kernel/);
    assert.match(md, /silently retries with kexec_load/);
    assert.match(md, /### kexec-tools could not place a segment \(locate_hole failed\)/);
    assert.match(md, /- Running paging mode: 5-level — chosen/);
    assert.equal(markdownReport(s.inputs(), runSimulation(setup.map!.map, null, setup.params), setup.params, explanationViews("")).includes("## Failure explained"), false);
  });
});
