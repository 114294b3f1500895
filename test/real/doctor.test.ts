/**
 * The doctor on the lab's real boots: a root made of what each boot's own /proc showed (recorded
 * in the case's .json and log), with the real boot log passed in place (--boot-log); and the
 * real Debian images read through the doctor's bounded reader, in place.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../../extension/cli/main";
import { runDoctor, type DoctorReport } from "../../extension/core/scenario/doctor/index";
import { readImage } from "../../extension/core/scenario/doctor/facts";
import { RootFs } from "../../extension/core/scenario/doctor/rootFs";
import { readJson, sharedFixture } from "../fixtures";

interface LabCase {
  cmdline: string;
  paging_observed: 4 | 5;
  crashkernel: { start: string; end: string }[];
  kexec_crash_size: number;
  iomem: string;
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A root holding what the lab guest's /proc and /sys showed; the boot log stays in the fixtures. */
function labRoot(lab: string, name: string): { root: string; log: string; c: LabCase } {
  const log = sharedFixture(lab, "crashkernel", `${name}.boot.log`);
  const c = readJson<LabCase>(sharedFixture(lab, "crashkernel", `${name}.json`));
  const text = fs.readFileSync(log, "utf8");
  const banner = /Linux version .*/.exec(text)![0];
  const flags = /^flags\s*:.*$/m.exec(text)?.[0];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "kxi-doctor-lab-"));
  dirs.push(root);
  const w = (p: string, v: string): void => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), v);
  };
  w("proc/version", banner + "\n");
  w("proc/cmdline", c.cmdline + "\n");
  if (flags) w("proc/cpuinfo", `processor\t: 0\n${flags}\n`);
  w("proc/iomem", c.iomem);
  w("sys/kernel/kexec_crash_size", `${c.kexec_crash_size}\n`);
  return { root, log, c };
}

const check = (r: DoctorReport, id: string) => r.checks.find((x) => x.id === id)!;

describe("doctor on the lab boots (real)", () => {
  for (const [lab, name] of [
    ["lab-6.12", "pc-4G-256M"],
    ["lab-6.12", "l5-pc-4G-256M"],
    ["lab-6.12", "q35-6G-512M-high-96M-low"],
    ["lab-7.2", "pc-4G-256M"],
  ] as const) {
    it(`${lab}/${name}: the reservation and the paging mode the guest saw`, async () => {
      const { root, log, c } = labRoot(lab, name);
      const r = await runDoctor(root, { bootLog: log });
      assert.equal(r.paging.levels, c.paging_observed);
      assert.deepEqual(r.reservation.ranges.map((x) => ({ start: x.start, end: x.end })), c.crashkernel.map((x) => ({ start: x.start, end: x.end })));
      assert.equal(r.reservation.size, c.kexec_crash_size);
      assert.equal(check(r, "reservation").status, "pass");
      assert.equal(check(r, "crashkernel-param").status, "pass");
    });
  }

  it("lab-6.12/pc-1G-2G: crashkernel=2G on 1 GiB is refused silently by 6.12; the doctor says why from the boot's own e820 and exits 3", async () => {
    const { root, log } = labRoot("lab-6.12", "pc-1G-2G");
    let out = "";
    const code = await runCli(["doctor", "--root", root, "--boot-log", log, "--json"], { out: (t) => (out += t), err: () => undefined });
    assert.equal(code, 3);
    const r = JSON.parse(out) as DoctorReport;
    assert.equal(r.kernel.version, "6.12.117");
    assert.equal(r.rules.family, "6.12–6.16");
    const res = check(r, "reservation");
    assert.equal(res.status, "fail");
    assert.match(res.detail, /boot's own e820 map/);
    assert.match(res.detail, /RAM/);
    const param = check(r, "crashkernel-param");
    assert.equal(param.status, "fail");
    assert.match(param.detail, /6\.12/);
  });

  it("reads the real Debian images through the bounded reader, in place: xloadflags, init_size, signature", () => {
    const fsr = new RootFs(sharedFixture("bzimage"));
    for (const f of ["vmlinuz-6.1.0-50-amd64", "vmlinuz-6.12.117+deb12-amd64", "vmlinuz-7.2.13+deb14-amd64"]) {
      const im = readImage(fsr, `/${f}`);
      assert.equal(im.problem, null, f);
      const exp = readJson<{ setup: { values: Record<string, string> }; pe: { authenticode_signed: boolean } }>(sharedFixture("bzimage", `${f}.expected.json`));
      assert.equal(im.image!.xloadflags, Number(exp.setup.values["xloadflags"]), f);
      assert.equal(im.image!.initSize, Number(exp.setup.values["init_size"]), f);
      assert.equal(im.signed, exp.pe.authenticode_signed, f);
    }
  });
});
