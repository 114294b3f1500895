/** The CLI over the lab-6.12 and lab-7.2 boots: --kernel 7.2, ,cma JSON, --config for kexec_file sizes. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { crashkernelCommand } from "../../extension/cli/commands/crashkernel";
import { kexecFileCommand } from "../../extension/cli/commands/kexecLoad";
import { readJson, sharedFixture } from "../fixtures";

async function run(cmd: typeof crashkernelCommand, argv: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  let out = "";
  const code = await cmd.run([...argv, "--json"], { out: (t) => (out += t), err: () => undefined });
  return { code, json: JSON.parse(out) as Record<string, unknown> };
}

describe("CLI on the 7.x and 6.12 labs", () => {
  it("crashkernel --kernel 7.2 on the ,cma boot: ranges, dmesg lines and cma: [{ start, end }]", async () => {
    const log = sharedFixture("lab-7.2", "crashkernel", "pc-8G-256M-1G-cma.boot.log");
    const lab = readJson<{ crashkernel: unknown[]; kexec_crash_size: number; dmesg_cma_lines: string[] }>(log.replace(/\.boot\.log$/, ".json"));
    const { code, json } = await run(crashkernelCommand, ["--memmap", log, "--kernel", "7.2"]);
    assert.equal(code, 0);
    assert.deepEqual((json.ranges as { start: string; end: string; name: string }[]).map(({ start, end, name }) => ({ start, end, name })), lab.crashkernel);
    assert.deepEqual(json.cma, [{ start: "0x100000000", end: "0x13fffffff" }]);
    assert.equal(json.kexecCrashSize, lab.kexec_crash_size);
    assert.deepEqual((json.messages as string[]).filter((m) => /^cma: |CMA/.test(m)), lab.dmesg_cma_lines.filter((m) => !m.startsWith("Memory:")));
    assert.deepEqual(json.kernel, { version: "7.2", family: "7.0+" });
  });

  const fileP = (dir: string) => {
    const lab = readJson<{ initrd_size: number; trials: Record<string, { cmd: string; kernel_segments: { mem: string; memsz: string }[] }> }>(sharedFixture(dir, "kexec-file", "l4-pc-4G.json"));
    const t = lab.trials.file_p_dbg!;
    return { lab, t, cmdline: /kexec-file-dbg -p \S+ \S+ (.*)$/.exec(t.cmd)![1]!.trim() };
  };
  for (const [dir, kernel, image, config] of [
    ["lab-6.12", "6.12", "vmlinuz-6.12.117+deb12-amd64", "config-6.12.117+deb12-amd64"],
    ["lab-7.2", "7.2", "vmlinuz-7.2.13+deb14-amd64", "config-7.2.13+deb14-amd64"],
  ] as const) {
    it(`kexec-file --crash --config on ${dir}: the segments the kernel printed (file_p_dbg), config named`, async () => {
      const { lab, t, cmdline } = fileP(dir);
      const args = ["--memmap", sharedFixture(dir, "kexec-file", "l4-pc-4G.boot.log"), "--image", sharedFixture("bzimage", image), "--crash", "--initrd-size", String(lab.initrd_size), "--cmdline", cmdline, "--kernel", kernel];
      const withCfg = await run(kexecFileCommand, [...args, "--config", sharedFixture("kconfig", config)]);
      assert.equal(withCfg.code, 0);
      const segs = (withCfg.json.segments as { mem: string; memsz: number }[]).map((s) => ({ mem: s.mem, memsz: "0x" + s.memsz.toString(16) }));
      assert.deepEqual(
        segs.sort((a, b) => Number(a.mem) - Number(b.mem)),
        t.kernel_segments.map((s) => ({ mem: "0x" + Number(s.mem).toString(16), memsz: "0x" + Number(s.memsz).toString(16) })).sort((a, b) => Number(a.mem) - Number(b.mem)),
      );
      assert.equal(withCfg.json.config, sharedFixture("kconfig", config));
      assert.ok((withCfg.json.notes as string[]).some((n) => /16386 program headers/.test(n)));
      assert.ok(withCfg.json.dumpKernel, "crash loads say what the capture kernel gets");
      // Without a .config the distro defaults are assumed, and the output says so.
      const bare = await run(kexecFileCommand, args);
      assert.equal(bare.json.config, null);
      assert.ok((bare.json.notes as string[]).some((n) => /No kernel \.config given: assumed/.test(n)));
    });
  }

  it("kexec-file finds /boot/config-<release> next to the image (the running kernel's release first)", async () => {
    const { lab, cmdline } = fileP("lab-6.12");
    const boot = fs.mkdtempSync(path.join(os.tmpdir(), "kxi-boot-"));
    const image = path.join(boot, "vmlinuz-6.12.117+deb12-amd64");
    fs.symlinkSync(sharedFixture("bzimage", "vmlinuz-6.12.117+deb12-amd64"), image);
    fs.copyFileSync(sharedFixture("kconfig", "config-6.12.117+deb12-amd64"), path.join(boot, "config-6.12.117+deb12-amd64"));
    const r = await run(kexecFileCommand, ["--memmap", sharedFixture("lab-6.12", "kexec-file", "l4-pc-4G.boot.log"), "--image", image, "--crash", "--initrd-size", String(lab.initrd_size), "--cmdline", cmdline]);
    assert.equal(r.json.config, path.join(boot, "config-6.12.117+deb12-amd64"));
    assert.ok(!(r.json.notes as string[]).some((n) => /assumed a distro build/.test(n)));
    fs.rmSync(boot, { recursive: true });
  });
});
