import { strict as assert } from "node:assert";
import { MemoryByteSource } from "../../extension/core/io/byteSource";
import { FormatError } from "../../extension/core/io/formatError";
import { parseBzImage } from "../../extension/core/formats/bzimage/bzImage";
import { PROTOCOL_VERSIONS } from "../../extension/core/knowledge/protocolVersions";
import { SETUP_HEADER_FIELDS } from "../../extension/core/knowledge/setupHeaderFields";
import { XLOADFLAGS_BITS, decodeXloadflags } from "../../extension/core/knowledge/xloadflags";
import { makeImage } from "../support/syntheticImage";
import { verdictsFor } from "../../extension/core/scenario/imageReport";

const parse = (b: Uint8Array, name = "synthetic.bzImage") => parseBzImage(new MemoryByteSource(b, name));

function expectFormatError(fn: () => unknown, field: RegExp, offset?: number): FormatError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FormatError, `expected FormatError, got ${String(e)}`);
    assert.match(e.field, field);
    if (offset !== undefined) assert.equal(e.offset, offset);
    assert.match(e.message, /synthetic|bad/);
    return e;
  }
  assert.fail("no error thrown");
}

describe("setup header by protocol version (synthetic images)", () => {
  for (const pv of PROTOCOL_VERSIONS) {
    it(`protocol ${pv.text}: fields gated by version, absent ones null`, () => {
      const img = parse(makeImage({ version: pv.word }));
      assert.equal(img.protocol?.text, pv.text);
      for (const f of SETUP_HEADER_FIELDS) {
        const expectPresent = f.since <= pv.word;
        assert.equal(img.setupHeader[f.name] !== null, expectPresent, `${f.name} at ${pv.text}`);
      }
      assert.equal(img.kernelVersion, "6.1.0-test (synthetic) #1 SMP");
      assert.deepEqual(img.kernelRelease, { major: 6, minor: 1, patch: 0 });
      if (pv.word >= 0x020f) {
        assert.equal(img.kernelInfo?.header, "LToP");
        assert.equal(img.kernelInfo?.setupTypeMax, 0x80000009);
      } else assert.equal(img.kernelInfo, null);
      assert.equal(img.xloadflags === null, pv.word < 0x020c);
    });
  }

  it("setup_sects 0 means 4", () => {
    const img = parse(makeImage({ setupSects: 0 }));
    assert.equal(img.setupHeader["setup_sects"], 0);
    assert.equal(img.setupSects, 4);
    assert.equal(img.protectedModeOffset, 5 * 512);
  });

  it("an image without HdrS is an old zImage-era image with only the boot-sector fields", () => {
    const img = parse(makeImage({ noHdrS: true }));
    assert.equal(img.kind, "old");
    assert.equal(img.protocol, null);
    assert.equal(img.setupHeader["version"], null);
    assert.notEqual(img.setupHeader["setup_sects"], null);
  });

  it("LOADED_HIGH clear is a zImage", () => {
    assert.equal(parse(makeImage({ loadflags: 0 })).kind, "zImage");
  });

  it("decodes every xloadflags bit from the one table", () => {
    for (const b of XLOADFLAGS_BITS) {
      const img = parse(makeImage({ xloadflags: b.mask }));
      assert.deepEqual(img.xloadflags?.bits, [b.name]);
      assert.equal(img.xloadflags?.unknownBits, b.status === "mainline" ? 0 : b.mask);
    }
    assert.deepEqual(decodeXloadflags(0x3f).names, ["XLF_KERNEL_64", "XLF_CAN_BE_LOADED_ABOVE_4G", "XLF_EFI_HANDOVER_32", "XLF_EFI_HANDOVER_64", "XLF_EFI_KEXEC", "XLF_5LEVEL"]);
  });

  it("a header shorter than its protocol claims marks the missing fields absent, with a note", () => {
    const img = parse(makeImage({ version: 0x020f, jumpDisp: 0x268 - 0x202 }));
    assert.equal(img.setupHeader["kernel_info_offset"], null);
    assert.ok(img.notes.some((n) => n.field === "kernel_info_offset"));
  });
});

describe("bad bzImage input gives a clear error", () => {
  it("empty file", () => {
    const e = expectFormatError(() => parse(new Uint8Array(0)), /file size/, 0);
    assert.match(e.message, /at least 1024 bytes/);
  });

  it("100 bytes", () => {
    expectFormatError(() => parse(new Uint8Array(100)), /file size/);
  });

  it("no boot flag", () => {
    const b = makeImage();
    b[0x1fe] = 0;
    expectFormatError(() => parse(b), /boot_flag/, 0x1fe);
  });

  it("a PE without HdrS", () => {
    const b = new Uint8Array(4096);
    b[0] = 0x4d;
    b[1] = 0x5a;
    const e = expectFormatError(() => parse(b), /header/, 0x202);
    assert.match(e.message, /HdrS/);
  });

  it("setup_sects pointing past EOF", () => {
    const b = makeImage({ override: { setup_sects: 255 } });
    expectFormatError(() => parse(b), /setup_sects/, 0x1f1);
  });

  it("kernel_info_offset past EOF becomes an error note, the rest still parses", () => {
    const img = parse(makeImage({ override: { kernel_info_offset: 0x7ffffff0 } }));
    assert.equal(img.kernelInfo, null);
    const n = img.notes.find((x) => x.severity === "error");
    assert.ok(n);
    assert.match(n.message, /kernel_info/);
    assert.equal(img.protocol?.text, "2.15");
  });

  it("payload_offset/length past EOF becomes an error note", () => {
    const img = parse(makeImage({ override: { payload_offset: 0x10000000, payload_length: 0x100 } }));
    assert.equal(img.payload, null);
    assert.ok(img.notes.some((x) => x.severity === "error" && /payload/.test(x.field ?? x.message)));
  });

  it("kernel_version pointer outside the setup is ignored with a warning", () => {
    const img = parse(makeImage({ override: { kernel_version: 0xff00 } }));
    assert.equal(img.kernelVersion, null);
    assert.ok(img.notes.some((x) => x.field === "kernel_version"));
  });

  it("header claiming fields past EOF: a 1 KiB file with protocol 2.15", () => {
    const b = makeImage({ setupSects: 1, pmSize: 0 }).subarray(0, 1024 + 1);
    const img = parse(b);
    assert.equal(img.protocol?.text, "2.15");
    assert.ok(img.notes.length > 0);
  });
});

describe("image verdicts (synthetic images)", () => {
  const verdicts = (xlf: number, opts?: Parameters<typeof verdictsFor>[1], kernelVersion?: string) => verdictsFor(parse(makeImage({ xloadflags: xlf, kernelVersion })), opts);

  it("a pre-4.17 x86_64 kernel (0x1f): refused by kexec_file_load from 5-level, and the kexec-tools fallback trap", () => {
    const v = verdicts(0x1f, undefined, "4.14.336 (builder@host) #1 SMP");
    assert.equal(v.find((x) => x.id === "kexec_file.l4")?.outcome, "ok");
    const l5 = v.find((x) => x.id === "kexec_file.l5")!;
    assert.equal(l5.outcome, "refused");
    assert.match(l5.reason, /bzImage cannot handle 5-level paging mode\./);
    assert.equal(v.find((x) => x.id === "kexec_load.l5")?.outcome, "fails");
    const trap = v.find((x) => x.id === "kexec-tools.fallback")!;
    assert.match(trap.summary, /fall back to kexec_load/);
    assert.equal(v.find((x) => x.id === "placement.above64t")?.outcome, "risk");
  });

  it("a 4.17–5.2 kernel without XLF_5LEVEL: kexec_load from 5-level works (the decompressor switches itself, 4.17)", () => {
    const v = verdicts(0x1f, undefined, "4.19.316 (builder@host) #1 SMP");
    assert.equal(v.find((x) => x.id === "kexec_file.l5")?.outcome, "refused");
    assert.equal(v.find((x) => x.id === "kexec_load.l5")?.outcome, "ok");
    assert.equal(v.find((x) => x.id === "kexec-tools.fallback")?.outcome, "risk");
  });

  it("kexec-tools before 2.0.27 has no auto mode, so no silent fallback", () => {
    assert.equal(verdicts(0x1f, { kexecTools: "2.0.25" }).find((x) => x.id === "kexec-tools.fallback"), undefined);
  });

  it("a 4.19 running kernel has no 5-level probe check", () => {
    assert.equal(verdicts(0x1f, { runningKernel: "4.19" }).find((x) => x.id === "kexec_file.l5")?.outcome, "ok");
  });

  it("a 5.3+ 4-level-only kernel (0x3f): accepted everywhere, but cannot run above 64 TiB", () => {
    const v = verdicts(0x3f);
    assert.ok(v.filter((x) => x.path !== "placement" && x.id !== "transition.5to4").every((x) => x.outcome === "ok"));
    // It switches 5→4 after kexec: 6.1.0 predates the fix for _PAGE_NOPTISHADOW (eb2266312507, 6.1.160).
    assert.equal(v.find((x) => x.id === "transition.5to4")?.outcome, "fails");
    assert.equal(verdicts(0x3f, undefined, "6.12.63 (b@h) #1 SMP").find((x) => x.id === "transition.5to4")?.outcome, "ok");
    assert.equal(v.find((x) => x.id === "placement.above64t")?.outcome, "risk");
  });

  it("a non-relocatable 64-bit kernel (bit 1 clear) goes to kexec-tools' i386 path and is refused by kexec_file_load", () => {
    const v = verdicts(0x7d);
    assert.match(v.find((x) => x.id === "kexec_file.l4")!.reason, /XLF_CAN_BE_LOADED_ABOVE_4G is not set/);
    assert.match(v.find((x) => x.id === "kexec_load.loader")!.summary, /i386/);
  });
});
