/**
 * One question, one answer: the CLI (`kexec-load`/`kexec-file --json`) and the simulation panel
 * (its session answering SimRun) reach simulate() with the same inputs and say the same thing.
 * The CLI runs in-process and its printed JSON is compared with the panel path's document.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { kexecFileCommand, kexecLoadCommand } from "../../extension/cli/commands/kexecLoad";
import { simulate } from "../../extension/core/scenario/simulate";
import { simulationDoc } from "../../extension/core/scenario/simulationDoc";
import { loadImageFile, loadMapFile, setupFor, type MachineFacts } from "../../extension/views/simulationMachine";
import { defaultParams, panelInputs } from "../../extension/views/simulationModel";
import { SimulationSession } from "../../extension/views/simulationSession";
import { SimMessageType, type SimParams, type SimToWebview } from "../../extension/protocol/simulation";
import type { Envelope } from "../../extension/protocol/image";
import { cacheDir, sharedFixture } from "../fixtures";
import { makeUki } from "../support/syntheticUki";

interface Case {
  name: string;
  memmap: string;
  image: string;
  params: Partial<SimParams>;
  /** Which CLI command the user would type. */
  command: "kexec-load" | "kexec-file";
}

const IMG61 = sharedFixture("bzimage", "vmlinuz-6.1.0-50-amd64");
const IMG612 = sharedFixture("bzimage", "vmlinuz-6.12.117+deb12-amd64");
const CK = (c: string): string => sharedFixture("lab", "crashkernel", `${c}.boot.log`);

/** The 6.1 image with XLF_5LEVEL cleared (as the lab's trials did), written into the ignored cache. */
function imageWithoutXlf5Level(): string {
  const out = path.join(cacheDir("agreement"), "vmlinuz-6.1-no5level");
  if (!fs.existsSync(out)) {
    const bytes = fs.readFileSync(IMG61);
    bytes.writeUInt16LE(0x1f, 0x236); // xloadflags: every bit but XLF_5LEVEL and XLF_5LEVEL_ENABLED
    fs.writeFileSync(out, bytes);
  }
  return out;
}
const NO5 = imageWithoutXlf5Level();

const CASES: Case[] = [
  { name: "kexec -l, 2.0.25 (kexec_load)", command: "kexec-load", memmap: CK("pc-4G-256M"), image: IMG61, params: { kernel: "6.1", kexecTools: "2.0.25", iface: "auto", paging: 4 } },
  { name: "kexec -p, 2.0.32 auto (kexec_file_load accepts)", command: "kexec-load", memmap: CK("pc-4G-256M"), image: IMG612, params: { kernel: "6.12", kexecTools: "2.0.32", iface: "auto", crash: true, paging: 4, append: "irqpoll nr_cpus=1" } },
  { name: "5-level, 2.0.27 auto: the silent fallback", command: "kexec-load", memmap: CK("l5-pc-4G-256M"), image: NO5, params: { kernel: "6.1", kexecTools: "2.0.27", iface: "auto", paging: 5 } },
  { name: "5-level, kexec -s: refused, no fallback", command: "kexec-file", memmap: CK("l5-pc-4G-256M"), image: NO5, params: { kernel: "6.1", kexecTools: "2.0.32", iface: "kexec_file_load", paging: 5 } },
  { name: "5-level, 2.0.25 auto = kexec_load: a 6.1 target switches paging itself", command: "kexec-load", memmap: CK("l5-pc-4G-256M"), image: NO5, params: { kernel: "6.1", kexecTools: "2.0.25", iface: "auto", paging: 5 } },
  { name: "kexec -s -p with a crashkernel= of its own", command: "kexec-file", memmap: CK("pc-4G-256M"), image: IMG61, params: { kernel: "6.1", iface: "kexec_file_load", crash: true, crashkernel: "crashkernel=512M", paging: 4 } },
  { name: "kexec -c -p with ,high", command: "kexec-load", memmap: CK("pc-4G-256M"), image: IMG612, params: { kernel: "6.12", iface: "kexec_load", crash: true, crashkernel: "crashkernel=384M,high", paging: 4, initrdSize: 0x2da536 } },
];

const IFACE_WORD = { auto: "auto", kexec_file_load: "file", kexec_load: "load" } as const;

function cliArgv(c: Case, p: SimParams): string[] {
  const a = ["--memmap", c.memmap, "--image", c.image, "--kernel", p.kernel, "--kexec-tools", p.kexecTools, "--running-paging", String(p.paging), "--iface", IFACE_WORD[p.iface], "--crashkernel", p.crashkernel, "--cmdline", p.append, "--json"];
  if (p.crash) a.push("--crash");
  if (p.initrdSize !== null) a.push("--initrd-size", String(p.initrdSize));
  return a;
}

async function runCli(c: Case, p: SimParams): Promise<unknown> {
  const out: string[] = [];
  const cmd = c.command === "kexec-load" ? kexecLoadCommand : kexecFileCommand;
  const code = await cmd.run(cliArgv(c, p), { out: (t) => out.push(t), err: () => undefined });
  assert.equal(code, 0);
  return JSON.parse(out.join(""));
}

const FACTS: MachineFacts = { release: "6.1.0-50-amd64", paging: { levels: 4, how: "test" }, kexecTools: null };

describe("the CLI and the simulation panel agree (one simulate())", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const mapLoad = loadMapFile(c.memmap);
      const imgLoad = loadImageFile(c.image);
      assert.ok(mapLoad.ok && imgLoad.ok);
      // The panel's own default for the crashkernel= field is the map's tokens.
      const setup = setupFor({ map: mapLoad, image: imgLoad.loaded, facts: FACTS, focus: "kexec" });
      const params = defaultParams({ crashkernel: setup.params.crashkernel, ...c.params });
      const panelDoc = simulationDoc(simulate(panelInputs(mapLoad.loaded.map, imgLoad.loaded.image, params, { uki: imgLoad.loaded.uki, imagePath: c.image })), mapLoad.loaded.map);
      const cliDoc = await runCli(c, params);
      assert.deepEqual(cliDoc, JSON.parse(JSON.stringify(panelDoc)));

      // And what the panel's session sends the webview says the same.
      const sent: Envelope<SimToWebview>[] = [];
      const s = new SimulationSession(setup, { post: (m) => sent.push(m), log: () => undefined, pick: async () => null, save: async () => ({ ok: true, text: "" }) });
      s.receive({ messageId: 1, body: { type: "simRun", params } });
      await new Promise((r) => setImmediate(r));
      const reply = sent.find((m) => m.body.type === SimMessageType.SimResult)?.body;
      assert.ok(reply && reply.type === SimMessageType.SimResult);
      const view = reply.result;
      assert.equal(view.placement?.accepted, panelDoc.accepted);
      assert.equal(view.placement?.interface, panelDoc.interface);
      assert.deepEqual(view.placement?.segments.map((x) => "0x" + x.mem.toString(16)), panelDoc.segments.map((x) => x.mem));
      assert.deepEqual(view.verdicts.map((v) => v.id), panelDoc.verdicts.map((v) => v.id));
      assert.equal(view.placement?.fallbackFrom ?? null, panelDoc.fallbackFrom?.reason ?? null);
    });
  }

  it("the trap case really falls back: kexec_file_load refused with ENOEXEC, then kexec_load accepted", async () => {
    const c = CASES[2]!;
    const doc = (await runCli(c, defaultParams(c.params))) as { attempts: { interface: string; accepted: boolean; errno: string | null }[]; verdicts: { id: string }[] };
    assert.deepEqual(doc.attempts.map((a) => [a.interface, a.accepted, a.errno]), [["kexec_file_load", false, "ENOEXEC"], ["kexec_load", true, null]]);
    assert.ok(doc.verdicts.some((v) => v.id === "silent-fallback"));
  });
});

describe("a UKI as the target: kexec-tools by version, the same in the CLI and the panel", () => {
  // A UKI laid out as systemd-stub + objcopy make it, around the real Debian 6.12 kernel.
  const ukiFile = (name: string, kernel: Buffer): string => {
    const out = path.join(cacheDir("agreement"), name);
    if (!fs.existsSync(out)) fs.writeFileSync(out, makeUki({ kernel, initrd: new Uint8Array(0x2da536), cmdline: "root=/dev/vda1 ro" }));
    return out;
  };
  const UKI = ukiFile("uki-6.12.efi", fs.readFileSync(IMG612));
  const no5 = Buffer.from(fs.readFileSync(IMG612));
  no5.writeUInt16LE(0x1f, 0x236);
  const UKI_NO5 = ukiFile("uki-6.12-no5level.efi", no5);
  const run = async (image: string, p: Partial<SimParams>) => {
    const c: Case = { name: "uki", command: "kexec-load", memmap: CK("pc-4G-256M"), image, params: p };
    const params = defaultParams({ kernel: "6.12", ...p });
    const doc = (await runCli(c, params)) as ReturnType<typeof simulationDoc>;
    const mapLoad = loadMapFile(c.memmap);
    const imgLoad = loadImageFile(image);
    assert.ok(mapLoad.ok && imgLoad.ok);
    assert.ok(imgLoad.loaded.uki, "the panel reads it as a UKI too");
    const panel = simulationDoc(simulate(panelInputs(mapLoad.loaded.map, imgLoad.loaded.image, params, { uki: imgLoad.loaded.uki, imagePath: image })), mapLoad.loaded.map);
    assert.deepEqual(doc, JSON.parse(JSON.stringify(panel)));
    return doc;
  };

  it("kexec-tools 2.0.25 has no UKI probe: \"Cannot determine the file type\", no syscall", async () => {
    const d = await run(UKI, { kexecTools: "2.0.25", iface: "auto" });
    assert.equal(d.accepted, false);
    assert.match(d.reason, /^Cannot determine the file type of /);
    assert.equal(d.errno, null);
  });
  it("2.0.32 unwraps .linux and .initrd for kexec_file_load (kexec/kexec-uki.c, 0475ec5d3246)", async () => {
    const d = await run(UKI, { kexecTools: "2.0.32", iface: "auto", paging: 4 });
    assert.equal(d.interface, "kexec_file_load");
    assert.equal(d.accepted, true);
    assert.equal(d.segments.find((s) => s.what === "initrd")?.memsz, 0x2db000, "the initrd is .initrd's");
  });
  it("the 5-level refusal of the unwrapped kernel falls back to kexec_load of the UKI's own bytes", async () => {
    const d = await run(UKI_NO5, { kexecTools: "2.0.32", iface: "auto", paging: 5 });
    assert.deepEqual(d.attempts.map((a) => [a.interface, a.errno]), [["kexec_file_load", "ENOEXEC"], ["kexec_load", null]]);
    assert.ok(d.verdicts.some((v) => v.id === "uki-stub-bytes-loaded" || v.id === "uki-stub-bytes-refused"));
  });
});

describe("a kernel .config beside the image sizes the same segments in the CLI and the panel", () => {
  it("config-<release> next to the image (as /boot holds it) is found by both", async () => {
    const dir = cacheDir("agreement", "boot");
    const img = path.join(dir, "vmlinuz-6.12.117+deb12-amd64");
    const cfg = path.join(dir, "config-6.12.117+deb12-amd64");
    if (!fs.existsSync(img)) fs.symlinkSync(IMG612, img);
    if (!fs.existsSync(cfg)) fs.symlinkSync(sharedFixture("kconfig", "config-6.12.117+deb12-amd64"), cfg);
    const c: Case = { name: "config", command: "kexec-file", memmap: CK("pc-4G-256M"), image: img, params: { kernel: "6.12", iface: "kexec_file_load", crash: true, paging: 4 } };
    const params = defaultParams({ crashkernel: "crashkernel=256M", ...c.params });
    const cli = (await runCli(c, params)) as ReturnType<typeof simulationDoc>;
    assert.equal(cli.config, cfg);
    const mapLoad = loadMapFile(c.memmap);
    const imgLoad = loadImageFile(img);
    assert.ok(mapLoad.ok && imgLoad.ok);
    const panel = simulationDoc(simulate(panelInputs(mapLoad.loaded.map, imgLoad.loaded.image, params, { uki: null, imagePath: img })), mapLoad.loaded.map);
    assert.deepEqual(cli, JSON.parse(JSON.stringify(panel)));
  });
});
