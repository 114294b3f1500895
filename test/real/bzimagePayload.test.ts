import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { openFile } from "../../extension/core/io/byteSource";
import { decompressPayload, detectPayload } from "../../extension/core/formats/bzimage/payload";
import { inspectVmlinux, type VmlinuxInfo } from "../../extension/core/formats/bzimage/vmlinux";
import { readJson, sharedFixture } from "../fixtures";

interface ExpectedPayload {
  payload_file_offset: string; payload_length: number; compression: string; magic_hex: string;
  appended_uncompressed_size_le32: number; decompressed_size: number; decompressed_sha256: string;
  vmlinux_elf: { class: string; data: string; type: string; machine: number; machine_name: string; entry: string; phnum: number; shnum: number; elf_extent_bytes: number; gnu_build_id: string };
  linux_banner: string; linux_banner_all: string[];
}

for (const name of ["vmlinuz-6.1.0-50-amd64", "vmlinuz-6.1.0-50-686"]) {
  describe(`payload + vmlinux: ${name}`, function () {
    this.timeout(120_000);
    const exp = readJson<{ payload: ExpectedPayload }>(sharedFixture("bzimage", `${name}.expected.json`)).payload;
    const src = openFile(sharedFixture("bzimage", name));
    after(() => src.close());
    const info = detectPayload(src, Number(exp.payload_file_offset), exp.payload_length);
    let vm: VmlinuxInfo;

    it("detects the codec, offset, length and appended size", () => {
      assert.equal(info.compression, exp.compression);
      assert.equal(info.offset, Number(exp.payload_file_offset));
      assert.equal(info.length, exp.payload_length);
      assert.equal(info.magicHex, exp.magic_hex);
      assert.equal(info.appendedSize, exp.appended_uncompressed_size_le32);
    });

    it("decompresses to the expected size and sha256", async () => {
      let last = 0;
      const out = await decompressPayload(src, info, { maxBytes: 256 << 20, onProgress: (p) => (last = p.outputBytes) });
      assert.equal(out.length, exp.decompressed_size);
      assert.equal(last, exp.decompressed_size);
      assert.equal(createHash("sha256").update(out).digest("hex"), exp.decompressed_sha256);
      vm = inspectVmlinux(out);
    });

    it("reads the vmlinux ELF header", () => {
      const e = exp.vmlinux_elf;
      assert.equal(vm.isElf, true);
      assert.equal(vm.class, e.class);
      assert.equal(vm.data, e.data);
      assert.equal(vm.typeName, e.type);
      assert.equal(vm.machine, e.machine);
      assert.equal(vm.machineName, e.machine_name);
      assert.equal(vm.entry, BigInt(e.entry));
      assert.equal(vm.phnum, e.phnum);
      assert.equal(vm.shnum, e.shnum);
      assert.equal(vm.elfExtent, e.elf_extent_bytes);
      assert.equal(vm.gnuBuildId, e.gnu_build_id);
    });

    it("finds the real banner (with #1) and all banners", () => {
      assert.equal(vm.banner, exp.linux_banner);
      assert.deepEqual(vm.banners, exp.linux_banner_all);
      // Debian builds without CONFIG_IKCONFIG: no embedded .config.
      assert.equal(vm.config, null);
    });

    it("caps output with maxBytes", async () => {
      await assert.rejects(decompressPayload(src, info, { maxBytes: 1 << 20 }), /at most 1048576 decompressed bytes/);
    });
  });
}
