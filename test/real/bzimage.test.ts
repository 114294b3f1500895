import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { openFile } from "../../extension/core/io/byteSource";
import { parseBzImage } from "../../extension/core/formats/bzimage/bzImage";
import { imageReport } from "../../extension/core/scenario/imageReport";
import { runCli } from "../../extension/cli/main";
import { sharedFixture, readJson } from "../fixtures";

interface Truth {
  size: number;
  setup: {
    protocol_version: string;
    setup_header_end: string;
    fields: { name: string; offset: string; size: number; present: boolean; value: string }[];
    decoded: {
      setup_sects_effective: number;
      protected_mode_offset: number;
      kernel_version_string: string;
      loadflags_names: string[];
      xloadflags_names: string[] | null;
      xloadflags_unknown_bits?: string;
    };
    kernel_info?: { file_offset: string; header: string; magic_ok: boolean; size: string; size_total: string; setup_type_max: string };
  };
  pe: { starts_with_MZ: boolean };
  payload: { payload_fields_present: boolean; payload_file_offset?: string; payload_length?: number; compression: string };
}

const IMAGES = ["vmlinuz-6.1.0-50-amd64", "vmlinuz-6.1.0-50-686", "ipxe.lkrn"];

describe("bzImage reader on real Debian images", () => {
  for (const name of IMAGES) {
    describe(name, () => {
      const file = sharedFixture("bzimage", name);
      const truth = readJson<Truth>(file + ".expected.json");
      const src = openFile(file);
      const img = parseBzImage(src);
      after(() => src.close());

      it("announces the same protocol version and header end", () => {
        assert.equal(img.protocol?.text, truth.setup.protocol_version);
        assert.equal(img.headerEnd, parseInt(truth.setup.setup_header_end, 16));
      });

      it("reads every setup_header field, absent ones as null", () => {
        assert.equal(img.fields.length, truth.setup.fields.length);
        for (const tf of truth.setup.fields) {
          const f = img.fields.find((x) => x.name === tf.name);
          assert.ok(f, `field ${tf.name}`);
          assert.equal(f.offset, parseInt(tf.offset, 16), `${tf.name} offset`);
          assert.equal(f.size, tf.size, `${tf.name} size`);
          assert.equal(f.present, tf.present, `${tf.name} present`);
          if (tf.present) {
            assert.equal(img.setupHeader[f.name], Number(BigInt(tf.value)), `${tf.name} value`);
          } else {
            assert.equal(img.setupHeader[f.name], null, `${tf.name} must be null, not zero`);
          }
        }
      });

      it("derives setup size, kernel version and flag names", () => {
        const d = truth.setup.decoded;
        assert.equal(img.setupSects, d.setup_sects_effective);
        assert.equal(img.protectedModeOffset, d.protected_mode_offset);
        assert.equal(img.kernelVersion, d.kernel_version_string);
        assert.deepEqual(img.loadflags.bits, d.loadflags_names);
        if (d.xloadflags_names === null) assert.equal(img.xloadflags, null);
        else {
          assert.deepEqual(img.xloadflags?.bits, d.xloadflags_names);
          assert.equal(img.xloadflags?.unknownBits, parseInt(d.xloadflags_unknown_bits ?? "0", 16));
        }
      });

      it("reads kernel_info when the protocol has it", () => {
        const ki = truth.setup.kernel_info;
        if (!ki) return assert.equal(img.kernelInfo, null);
        assert.ok(img.kernelInfo);
        assert.equal(img.kernelInfo.fileOffset, parseInt(ki.file_offset, 16));
        assert.equal(img.kernelInfo.header, ki.header);
        assert.equal(img.kernelInfo.magicOk, ki.magic_ok);
        assert.equal(img.kernelInfo.size, parseInt(ki.size, 16));
        assert.equal(img.kernelInfo.sizeTotal, parseInt(ki.size_total, 16));
        assert.equal(img.kernelInfo.setupTypeMax, parseInt(ki.setup_type_max, 16));
      });

      it("finds the PE side only on EFI-stub images and the payload where the header says", () => {
        assert.equal(img.pe !== null, truth.pe.starts_with_MZ);
        if (!truth.payload.payload_fields_present) return assert.equal(img.payload, null);
        assert.equal(img.payload?.offset, parseInt(truth.payload.payload_file_offset!, 16));
        assert.equal(img.payload?.length, truth.payload.payload_length);
        assert.equal(img.payload?.compression, truth.payload.compression);
      });

      it("reads only header, PE and certificate ranges", () => {
        assert.ok(src.bytesRead < 512 * 1024, `read ${src.bytesRead} bytes of ${truth.size}`);
        assert.equal(img.notes.filter((n) => n.severity === "error").length, 0, JSON.stringify(img.notes));
      });
    });
  }

  it("gives the verdicts a kernel engineer expects for each image", () => {
    const v = (name: string) => imageReport(parseBzImage(openFile(sharedFixture("bzimage", name)))).verdicts;
    const amd64 = v("vmlinuz-6.1.0-50-amd64");
    assert.equal(amd64.find((x) => x.id === "kexec_file.l5")?.outcome, "ok");
    assert.equal(amd64.find((x) => x.id === "kexec_load.loader")?.summary.includes("bzImage64"), true);
    assert.equal(amd64.find((x) => x.id === "placement.above64t")?.outcome, "ok");
    const i386 = v("vmlinuz-6.1.0-50-686");
    const f4 = i386.find((x) => x.id === "kexec_file.l4")!;
    assert.equal(f4.outcome, "refused");
    assert.match(f4.reason, /XLF_KERNEL_64 is not set/);
    assert.match(i386.find((x) => x.id === "kexec_load.loader")!.summary, /i386/);
    const ipxe = v("ipxe.lkrn");
    assert.match(ipxe.find((x) => x.id === "kexec_file.l4")!.reason, /Must be at least protocol version 2.12/);
  });

  it("CLI image --json follows the contract", async () => {
    let out = "";
    const code = await runCli(["image", sharedFixture("bzimage", "vmlinuz-6.1.0-50-amd64"), "--json"], { out: (t) => (out += t), err: () => undefined });
    assert.equal(code, 0);
    const j = JSON.parse(out) as Record<string, unknown>;
    assert.equal(j["protocol"], "2.15");
    assert.equal((j["setupHeader"] as Record<string, number>)["xloadflags"], 0x7f);
    assert.deepEqual((j["xloadflags"] as { bits: string[] }).bits.slice(-2), ["XLF_5LEVEL", "XLF_5LEVEL_ENABLED"]);
    assert.ok(Array.isArray(j["verdicts"]));
    assert.equal(typeof j["kernelVersion"], "string");
    assert.ok(fs.existsSync(sharedFixture("bzimage", "ipxe.lkrn")));
  });
});
