/**
 * Opened files are never written: every real fixture goes through the CLI commands in-process
 * (image, image --decompress, vmcore, dmesg, lint) and its sha256 and mtime stay the same.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { runCli } from "../../extension/cli/main";
import type { CliIo } from "../../extension/cli/command";
import { repoRoot, sharedFixture } from "../fixtures";
import { vmcoreFixture } from "../../scripts/fuzz/seeds";

function fingerprint(file: string): { sha: string; mtimeMs: number; size: number } {
  const h = createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  const st = fs.statSync(file);
  return { sha: h.digest("hex"), mtimeMs: st.mtimeMs, size: st.size };
}

function io(): CliIo & { text: string[] } {
  const text: string[] = [];
  return { text, out: (t) => text.push(t), err: (t) => text.push(t) };
}

async function unchanged(file: string, argvs: string[][]): Promise<void> {
  const before = fingerprint(file);
  for (const argv of argvs) {
    const code = await runCli(argv, io());
    assert.ok(code === 0 || code === 1, `${argv.join(" ")} exited ${code}`);
  }
  assert.deepEqual(fingerprint(file), before, `${file} changed`);
}

describe("read-only: the CLI never writes the files it opens", function () {
  this.timeout(300_000);

  for (const f of ["ipxe.lkrn", "vmlinuz-6.1.0-50-686", "vmlinuz-6.1.0-50-amd64"]) {
    it(`image, image --json, image --decompress: ${f}`, async () => {
      const file = sharedFixture("bzimage", f);
      await unchanged(file, [["image", file], ["image", file, "--json"], ["image", file, "--decompress"]]);
    });
  }

  for (const n of ["vmcore-l4-kdump-zlib-d31", "vmcore-l4-elf-d31", "vmcore-l5-elf-d31"]) {
    it(`vmcore, vmcore --json, dmesg: ${n}`, async function () {
      const file = vmcoreFixture(n);
      if (!file) this.skip();
      await unchanged(file!, [["vmcore", file!], ["vmcore", file!, "--json"], ["dmesg", file!]]);
    });
  }

  it("lint: kernel sources (fetched copy when present) and lab boot logs", async () => {
    const src = path.join(repoRoot, ".cache", "kernel-source", "linux-source-6.1");
    const files = ["arch/x86/boot/header.S", "arch/x86/include/uapi/asm/bootparam.h", "arch/x86/kernel/setup.c", "arch/x86/kernel/kexec-bzimage64.c", "kernel/crash_core.c"]
      .map((p) => path.join(src, p))
      .filter((p) => fs.existsSync(p));
    files.push(sharedFixture("lab", "crashkernel", "pc-4G-256M.boot.log"));
    const before = files.map(fingerprint);
    await runCli(["lint", ...files, "--json"], io());
    await runCli(["lint", ...files], io());
    assert.deepEqual(files.map(fingerprint), before);
  });
});
