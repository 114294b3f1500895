/**
 * UKIs built at test time from real parts (test/support/realUki.ts: systemd-boot's stub + the
 * shared Debian kernels via objcopy, into the ignored .cache/uki/); the tests skip, saying why,
 * when the stub or objcopy is missing.
 */
import type { SetupHeaderName } from "../../extension/core/knowledge/setupHeaderFields";
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { openFile, WindowByteSource } from "../../extension/core/io/byteSource";
import { parseUki } from "../../extension/core/formats/bzimage/uki";
import { verifyAuthenticodeDigest } from "../../extension/core/formats/bzimage/authenticode";
import { runCli } from "../../extension/cli/main";
import { readJson, sharedFixture } from "../fixtures";
import { UKI_CMDLINE, buildRealUki, realUkiMissing } from "../support/realUki";

const KERNELS = ["vmlinuz-6.1.0-50-amd64", "vmlinuz-6.12.117+deb12-amd64", "vmlinuz-7.2.13+deb14-amd64", "vmlinuz-6.1.0-50-686"];
const CMDLINE = UKI_CMDLINE;

interface Truth {
  setup: {
    fields: { name: string; present: boolean; value: string }[];
    decoded: { kernel_version_string: string; xloadflags_names: string[] | null };
  };
  pe: { authenticode_sha256_computed?: string; authenticode_signed?: boolean };
  payload: { payload_file_offset?: string; payload_length?: number; compression: string };
}

describe("UKI built from systemd-boot's stub and real Debian kernels", function () {
  const why = realUkiMissing();
  before(function () {
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
  });

  for (const kernel of KERNELS) {
    describe(kernel, () => {
      const truth = readJson<Truth>(sharedFixture("bzimage", `${kernel}.expected.json`));
      let built: { file: string; initrd: Buffer };
      before(function () {
        if (why) this.skip();
        built = buildRealUki(kernel);
      });

      it("the embedded kernel's setup header equals the plain image's expected values, field for field", () => {
        const src = openFile(built.file);
        try {
          const u = parseUki(src);
          for (const tf of truth.setup.fields) {
            assert.equal(u.kernel.setupHeader[tf.name as SetupHeaderName], tf.present ? Number(BigInt(tf.value)) : null, tf.name);
          }
          assert.equal(u.kernel.kernelVersion, truth.setup.decoded.kernel_version_string);
          assert.deepEqual(u.kernel.xloadflags?.bits ?? null, truth.setup.decoded.xloadflags_names);
          assert.equal(u.kernel.payload?.compression, truth.payload.compression);
          assert.equal(u.kernel.payload?.offset, Number(truth.payload.payload_file_offset) + u.linux.offset);
          assert.equal(u.kernel.payload?.length, truth.payload.payload_length);
          // The kernel was read through a window: only headers, PE and certificate ranges.
          assert.ok(src.bytesRead < 1 << 20, `read ${src.bytesRead} bytes`);
        } finally {
          src.close();
        }
      });

      it("reads the UKI's own sections as objcopy wrote them", () => {
        const src = openFile(built.file);
        try {
          const u = parseUki(src);
          assert.equal(u.linux.size, fs.statSync(sharedFixture("bzimage", kernel)).size);
          assert.equal(u.cmdline, CMDLINE);
          assert.equal(u.osrel?.["PRETTY_NAME"], "Debian GNU/Linux 13 (trixie)");
          assert.equal(u.uname, kernel.replace(/^vmlinuz-/, ""));
          assert.deepEqual(u.initrd && { size: u.initrd.size, compression: u.initrd.compression }, { size: built.initrd.length, compression: "gzip" });
          assert.equal(u.stub?.name, "systemd-stub");
          assert.match(u.stub?.version ?? "", /^\d{3}/);
          assert.ok(u.sbat?.some((e) => e.component === "systemd"));
          assert.equal(u.signature.signed, false, "objcopy output of an unsigned stub is unsigned");
          const names = u.sections.map((s) => s.name);
          for (const n of [".text", ".sbat", ".sdmagic", ".osrel", ".cmdline", ".uname", ".linux", ".initrd"]) assert.ok(names.includes(n), n);
        } finally {
          src.close();
        }
      });

      if (truth.pe.authenticode_sha256_computed) {
        it("the embedded kernel's Authenticode hash, computed through the window, matches the plain image's", () => {
          const src = openFile(built.file);
          try {
            const u = parseUki(src);
            const w = new WindowByteSource(src, u.linux.offset, u.linux.size);
            const v = verifyAuthenticodeDigest(w, u.kernel.pe);
            assert.equal(v.computed, truth.pe.authenticode_sha256_computed);
            assert.equal(v.matches, truth.pe.authenticode_signed);
          } finally {
            src.close();
          }
        });
      }
    });
  }

  it("image --json on a UKI: the uki block, the kernel's report, and the file is not written", async function () {
    if (why) this.skip();
    const { file } = buildRealUki("vmlinuz-6.12.117+deb12-amd64");
    const before = { mtime: fs.statSync(file).mtimeMs, sha: createHash("sha256").update(fs.readFileSync(file)).digest("hex") };
    let out = "";
    const code = await runCli(["image", file, "--json"], { out: (t) => (out += t), err: () => undefined });
    assert.equal(code, 0);
    const j = JSON.parse(out) as {
      file: string;
      setupHeader: Record<string, number | null>;
      uki: { sections: { name: string; offset: number; size: number }[]; cmdline: string; osrel: Record<string, string>; uname: string; initrd: { offset: number; size: number }; verdicts: { id: string; outcome: string }[] };
    };
    assert.equal(j.file, file);
    assert.equal(j.setupHeader["xloadflags"], 0x7f);
    assert.equal(j.uki.cmdline, CMDLINE);
    assert.equal(j.uki.osrel["ID"], "debian");
    assert.equal(j.uki.uname, "6.12.117+deb12-amd64");
    assert.ok(j.uki.sections.some((s) => s.name === ".linux" && s.size === fs.statSync(sharedFixture("bzimage", "vmlinuz-6.12.117+deb12-amd64")).size));
    assert.equal(j.uki.verdicts.find((v) => v.id === "uki.kexec_file_load")?.outcome, "refused");
    assert.equal(j.uki.verdicts.find((v) => v.id === "uki.systemctl.l5")?.outcome, "ok", "6.12 sets XLF_5LEVEL");
    // The kernel's keys are exactly those of the plain image's report; only file offsets move.
    let plainOut = "";
    const plainFile = sharedFixture("bzimage", "vmlinuz-6.12.117+deb12-amd64");
    assert.equal(await runCli(["image", plainFile, "--json"], { out: (t) => (plainOut += t), err: () => undefined }), 0);
    const plain = JSON.parse(plainOut) as Record<string, unknown> & { payload: { offset: number }; kernelInfo: { offset: number } };
    const uki = JSON.parse(out) as Record<string, unknown> & { payload: { offset: number }; kernelInfo: { offset: number }; uki: { linux: { offset: number } } };
    assert.equal("uki" in plain, false, "a plain image's JSON has no uki key");
    for (const k of ["kind", "protocol", "setupHeader", "kernelVersion", "loadflags", "xloadflags", "pe", "verdicts", "notes"]) assert.deepEqual(uki[k], plain[k], k);
    assert.deepEqual(uki.payload, { ...plain.payload, offset: plain.payload.offset + uki.uki.linux.offset });
    assert.deepEqual(uki.kernelInfo, { ...plain.kernelInfo, offset: plain.kernelInfo.offset + uki.uki.linux.offset });
    assert.equal(fs.statSync(file).mtimeMs, before.mtime);
    assert.equal(createHash("sha256").update(fs.readFileSync(file)).digest("hex"), before.sha);
  });
});
