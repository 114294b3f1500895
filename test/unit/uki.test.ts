import { strict as assert } from "node:assert";
import { gzipSync } from "node:zlib";
import { MemoryByteSource, WindowByteSource } from "../../extension/core/io/byteSource";
import { FormatError } from "../../extension/core/io/formatError";
import { parseBzImage } from "../../extension/core/formats/bzimage/bzImage";
import { imageReport } from "../../extension/core/scenario/imageReport";
import { MAX_OSREL_KEYS, MAX_UKI_TEXT, looksLikeUki, parseKernelImage, parseOsRelease, parseUki, sniffInitrd } from "../../extension/core/formats/bzimage/uki";
import { ukiImageReport, ukiVerdictsFor } from "../../extension/core/scenario/ukiReport";
import { UKI_LOADER_ROWS, compareVersions, ukiLoaderRowFor } from "../../extension/core/knowledge/ukiLoaders";
import { kexecLoadOfUkiBytes, ukiVerdicts, type UkiFacts } from "../../extension/core/kexec/ukiVerdicts";
import { syntheticImage } from "../../extension/core/kexec/kexecImage";
import { makeImage } from "../support/syntheticImage";
import { openImage } from "../../extension/views/imageSession";
import { imageViewCheck } from "../../extension/protocol/image";
import * as fs from "node:fs";
import * as path from "node:path";
import { runCli } from "../../extension/cli/main";
import { cacheDir } from "../fixtures";
import { OSREL, SBAT, makePe, makeUki } from "../support/syntheticUki";

const NAME = "t.efi";
const src = (b: Uint8Array): MemoryByteSource => new MemoryByteSource(b, NAME);
const xzLike = new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 0x10, 0, 0, 0]);

function expectFormatError(fn: () => unknown, field: RegExp): FormatError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FormatError, `expected FormatError, got ${String(e)}`);
    assert.equal(e.file, NAME);
    assert.match(e.field, field);
    assert.ok(e.expected.length > 0);
    assert.ok(Number.isSafeInteger(e.offset) && e.offset >= 0);
    return e;
  }
  assert.fail("no error thrown");
}

describe("WindowByteSource", () => {
  const parent = new MemoryByteSource(Uint8Array.from({ length: 256 }, (_, i) => i), "p");
  const w = new WindowByteSource(parent, 16, 32, "p:w");

  it("reads through to the parent at base + offset, without copying", () => {
    const b = w.read(0, 4);
    assert.deepEqual([...b], [16, 17, 18, 19]);
    assert.equal(b.buffer, parent.read(0, 1).buffer, "a view of the parent's bytes, not a copy");
    assert.deepEqual([...w.readUpTo(30, 10)], [46, 47]);
    assert.equal(w.readUpTo(32, 1).length, 0);
  });

  it("refuses reads past the window and windows past the parent", () => {
    assert.throws(() => w.read(30, 4, "f"), (e: unknown) => e instanceof FormatError && e.field === "f" && e.file === "p:w");
    assert.throws(() => new WindowByteSource(parent, 250, 10), FormatError);
    assert.throws(() => new WindowByteSource(parent, -1, 1), FormatError);
  });
});

describe("UKI (synthetic, pure JS PE writer)", () => {
  const kernelBytes = makeImage({ payload: xzLike, xloadflags: 0x7f });
  const initrd = gzipSync(Buffer.from("070701 not really a cpio"));
  const bytes = makeUki({ kernel: kernelBytes, initrd, cmdline: "root=/dev/vda1 ro quiet\n\0\0" });
  const uki = parseUki(src(bytes));
  const plain = parseBzImage(new MemoryByteSource(kernelBytes, "plain"));

  it("is detected by its .linux section; a plain image and a plain PE are not", () => {
    assert.equal(looksLikeUki(src(bytes)), true);
    assert.equal(looksLikeUki(src(kernelBytes)), false);
    assert.equal(looksLikeUki(src(makePe({ sections: [{ name: ".text", data: "x" }] }))), false);
  });

  it("lists each section with its file offset and content size", () => {
    assert.deepEqual(
      uki.sections.map((s) => s.name),
      [".text", ".sbat", ".sdmagic", ".osrel", ".cmdline", ".uname", ".linux", ".initrd"],
    );
    const linux = uki.sections.find((s) => s.name === ".linux")!;
    assert.equal(linux.size, kernelBytes.length);
    assert.equal(linux.rawSize % 0x200, 0);
    assert.deepEqual([...bytes.subarray(linux.offset, linux.offset + 4)], [...kernelBytes.subarray(0, 4)]);
  });

  it("reads the stub version, .cmdline, .osrel, .uname, .sbat and the initrd's compression", () => {
    assert.deepEqual(uki.stub && { name: uki.stub.name, version: uki.stub.version }, { name: "systemd-stub", version: "257.9-test" });
    assert.equal(uki.cmdline, "root=/dev/vda1 ro quiet");
    assert.deepEqual(uki.osrel, parseOsRelease(OSREL));
    assert.equal(uki.osrel?.["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
    assert.equal(uki.osrel?.["VERSION_ID"], "12");
    assert.equal(uki.uname, "6.1.0-test");
    assert.equal(uki.sbat?.length, SBAT.trim().split("\n").length);
    assert.equal(uki.sbat?.[1]?.component, "systemd-stub");
    assert.equal(uki.initrd?.size, initrd.length);
    assert.equal(uki.initrd?.compression, "gzip");
    assert.equal(uki.signature.signed, false);
  });

  it("parses the kernel in .linux exactly as the plain image, offsets moved to the UKI file", () => {
    const base = uki.linux.offset;
    assert.deepEqual(uki.kernel.setupHeader, plain.setupHeader);
    assert.equal(uki.kernel.kernelVersion, plain.kernelVersion);
    assert.deepEqual(uki.kernel.xloadflags, plain.xloadflags);
    assert.deepEqual(
      uki.kernel.fields.map((f) => f.offset),
      plain.fields.map((f) => f.offset + base),
    );
    assert.equal(uki.kernel.headerEnd, plain.headerEnd + base);
    assert.equal(uki.kernel.payload?.offset, plain.payload!.offset + base);
    assert.equal(uki.kernel.payload?.compression, "xz");
    assert.equal(uki.kernel.kernelInfo?.fileOffset, plain.kernelInfo!.fileOffset + base);
    // The re-based offsets address the same bytes in the UKI file.
    const f = uki.kernel.fields.find((x) => x.name === "xloadflags")!;
    assert.equal(bytes[f.offset]! | (bytes[f.offset + 1]! << 8), 0x7f);
  });

  it("image --json: uki block for a UKI, the plain image report for the kernel, no uki key for a plain image", () => {
    const r = ukiImageReport(uki);
    const p = imageReport(plain);
    assert.equal(r.file, NAME);
    assert.deepEqual(r.setupHeader, p.setupHeader);
    assert.deepEqual(r.xloadflags, p.xloadflags);
    assert.equal(r.kernelVersion, p.kernelVersion);
    assert.deepEqual(r.verdicts, p.verdicts);
    assert.deepEqual(r.payload, { ...p.payload!, offset: p.payload!.offset + uki.linux.offset });
    assert.ok(r.uki);
    assert.deepEqual(Object.keys(r.uki.osrel ?? {}), ["ID", "VERSION_ID", "PRETTY_NAME"]);
    assert.deepEqual(r.uki.initrd, { offset: uki.initrd!.offset, size: initrd.length, compression: "gzip" });
    assert.ok(r.uki.sections.every((s) => Object.keys(s).join() === "name,offset,size"));
    assert.equal("uki" in p, false);
    assert.equal(JSON.parse(JSON.stringify(p)).uki, undefined);
  });

  it("sniffs initrd compression by magic", () => {
    const t = (b: number[]): string => sniffInitrd(new Uint8Array(b));
    assert.equal(t([0x28, 0xb5, 0x2f, 0xfd, 0]), "zstd");
    assert.equal(t([0x30, 0x37, 0x30, 0x37, 0x30, 0x31]), "cpio");
    assert.equal(t([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), "xz");
    assert.equal(t([0x02, 0x21, 0x4c, 0x18]), "lz4");
    assert.equal(t([0, 1, 2]), "unknown");
    assert.equal(t([]), "unknown");
  });
});

describe("UKI: hostile inputs give FormatErrors or bounded reads", () => {
  const kernel = makeImage({ payload: xzLike });

  it(".linux past EOF", () => {
    const b = makeUki({ kernel, override: { ".linux": { rawSize: 0x7fff0000 } } });
    const e = expectFormatError(() => parseUki(src(b)), /section\[\.linux\]\.SizeOfRawData/);
    assert.match(e.expected, /inside the file/);
  });

  it(".linux starting past EOF", () => {
    const b = makeUki({ kernel, override: { ".linux": { rawOffset: 0xfffff000 } } });
    expectFormatError(() => parseUki(src(b)), /section\[\.linux\]/);
  });

  it("overlapping sections", () => {
    const b = makeUki({ kernel });
    const pe = parseUki(src(b));
    const linux = pe.sections.find((s) => s.name === ".linux")!;
    const b2 = makeUki({ kernel, override: { ".initrd": { rawOffset: linux.offset + 0x200 } } });
    const e = expectFormatError(() => parseUki(src(b2)), /PointerToRawData/);
    assert.match(e.expected, /overlap/);
  });

  it("a UKI inside a UKI", () => {
    const inner = makeUki({ kernel });
    const e = expectFormatError(() => parseUki(src(makeUki({ kernel: inner }))), /^\.linux$/);
    assert.match(e.expected, /another UKI/);
  });

  it(".linux that is not a kernel: the error names the UKI file and a UKI file offset", () => {
    const junk = new Uint8Array(4096).fill(0x41);
    const b = makeUki({ kernel: junk });
    const linuxOffset = parseUkiSectionsOnly(b);
    const e = expectFormatError(() => parseUki(src(b)), /^\.linux setup_header/);
    assert.ok(e.offset >= linuxOffset, `offset ${e.offset} is in the UKI file, past .linux at ${linuxOffset}`);
  });

  it("a 1 MiB .cmdline is read up to a bound and noted", () => {
    const big = "x".repeat(1 << 20);
    const s = src(makeUki({ kernel, cmdline: big }));
    const u = parseUki(s);
    assert.equal(u.cmdline?.length, MAX_UKI_TEXT);
    assert.equal(u.cmdlineSize, 1 << 20);
    assert.ok(u.notes.some((n) => n.field === ".cmdline" && /only the first/.test(n.message)));
    assert.ok(u.notes.some((n) => n.field === ".cmdline" && /cmdline_size/.test(n.message)));
    assert.ok(s.bytesRead < 256 * 1024, `read ${s.bytesRead} bytes of a ${s.size}-byte file`);
  });

  it("an .osrel of thousands of keys (and a __proto__ key) stays bounded and passes the webview's check", () => {
    const osrel = "__proto__=evil\n" + Array.from({ length: 5000 }, (_, i) => `K${i}="v${i}"`).join("\n");
    const u = parseUki(src(makeUki({ kernel, osrel })));
    assert.equal(Object.keys(u.osrel!).length, MAX_OSREL_KEYS);
    assert.equal(u.osrel!["__proto__"], "evil");
    assert.equal(({} as Record<string, unknown>)["evil"], undefined);
    const r = openImage(src(makeUki({ kernel, osrel })));
    assert.ok(r.ok);
    assert.equal(imageViewCheck(JSON.parse(JSON.stringify(r.view)), "view"), null);
  });

  it("a PE with neither a setup header nor .linux (a bare stub) is refused naming both", () => {
    const stub = makePe({ sections: [{ name: ".text", data: "x" }, { name: ".sdmagic", data: "#### LoaderInfo: systemd-stub 257 ####" }] });
    const e = expectFormatError(() => parseKernelImage(src(stub)), /setup_header\.header/);
    assert.match(e.expected, /no \.linux section/);
  });

  it("a PE without .linux is not parsed as a UKI", () => {
    expectFormatError(() => parseUki(src(makePe({ sections: [{ name: ".text", data: "x" }] }))), /section_table/);
  });
});

describe("UKI: seeded mutations end in a result or a FormatError", () => {
  it("600 mutated UKIs (PE header, section table, .linux header, truncation)", () => {
    const base = makeUki({ kernel: makeImage({ payload: xzLike }) });
    const linuxAt = parseUkiSectionsOnly(base);
    let seed = 16;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let ukis = 0;
    for (let i = 0; i < 600; i++) {
      let b = base.slice();
      const flips = 1 + rnd(6);
      for (let k = 0; k < flips; k++) {
        const region = rnd(3);
        const at = region === 0 ? rnd(0x400) : region === 1 ? linuxAt + 0x1f0 + rnd(0x80) : rnd(b.length);
        b[at] = rnd(4) === 0 ? 0xff : rnd(256);
      }
      if (rnd(8) === 0) b = b.subarray(0, rnd(b.length));
      try {
        const r = parseKernelImage(new MemoryByteSource(b, NAME));
        if (r.uki) {
          ukis++;
          ukiImageReport(r.uki);
        }
      } catch (e) {
        assert.ok(e instanceof FormatError, `case ${i}: ${e instanceof Error ? e.stack : String(e)}`);
      }
    }
    assert.ok(ukis > 100, `${ukis} mutated files still parsed as UKIs`);
  });
});

/** .linux's file offset via the section table (no kernel parse). */
function parseUkiSectionsOnly(b: Uint8Array): number {
  const dv = new DataView(b.buffer, b.byteOffset);
  const lf = dv.getUint32(0x3c, true);
  const n = dv.getUint16(lf + 6, true);
  const table = lf + 24 + dv.getUint16(lf + 20, true);
  for (let i = 0; i < n; i++) {
    const name = new TextDecoder().decode(b.subarray(table + i * 40, table + i * 40 + 8)).replace(/\0+$/, "");
    if (name === ".linux") return dv.getUint32(table + i * 40 + 20, true);
  }
  throw new Error("no .linux");
}

describe("UKI loader table and verdicts", () => {
  const facts = (over: Partial<UkiFacts> = {}): UkiFacts => ({
    fileSize: 8_000_000,
    efiApplication: true,
    hasOsrel: true,
    linux: { offset: 0x11a00, virtualSize: 0x7d77c0, rawSize: 0x7d7800 },
    initrd: { size: 5000 },
    cmdline: "root=/dev/vda1 ro",
    stubHeader: { setupSects: 0, cmdlineSize: 0 },
    kernelSigned: true,
    ...over,
  });
  const no5 = syntheticImage({ xloadflags: 0x1f });
  const ok5 = syntheticImage({ xloadflags: 0x7f });
  const find = (vs: ReturnType<typeof ukiVerdicts>, id: string) => vs.find((v) => v.id === id)!;

  it("every row names its source; the version ranges cover each loader without gaps", () => {
    for (const r of UKI_LOADER_ROWS) assert.ok(r.source.length > 10, r.id);
    for (const v of ["2.0.25", "2.0.29", "2.0.30", "2.0.31", "2.0.32", "2.1.0"]) assert.ok(ukiLoaderRowFor("kexec-tools", v));
    for (const v of ["252", "260.3", "261", "262"]) assert.ok(ukiLoaderRowFor("systemctl kexec", v));
    assert.equal(ukiLoaderRowFor("kexec-tools", "2.0.29").unwraps, false);
    assert.equal(ukiLoaderRowFor("kexec-tools", "2.0.30").unwraps, false);
    assert.equal(ukiLoaderRowFor("kexec-tools", "2.0.31").unwraps, true);
    assert.equal(ukiLoaderRowFor("systemctl kexec", "260").unwraps, false);
    assert.equal(ukiLoaderRowFor("systemctl kexec", "261").unwraps, true);
    assert.equal(compareVersions("260.3", "261"), -1);
  });

  it("the raw syscall refuses a UKI in every mode", () => {
    const v = find(ukiVerdicts(facts(), ok5), "uki.kexec_file_load");
    assert.equal(v.outcome, "refused");
    assert.match(v.summary, /ENOEXEC/);
  });

  it("systemd ≥ 261: a 5-level refusal of the kernel in .linux is an error, never a kexec_load jump", () => {
    const vs = ukiVerdicts(facts(), no5, { systemd: "261" });
    assert.equal(find(vs, "uki.systemctl.l4").outcome, "ok");
    const l5 = find(vs, "uki.systemctl.l5");
    assert.equal(l5.outcome, "refused");
    assert.match(l5.reason, /5-level/);
    assert.match(l5.reason, /no kexec_load path/);
  });

  it("systemd ≥ 261 does not unwrap a UKI without .osrel (pe_is_uki)", () => {
    const v = find(ukiVerdicts(facts({ hasOsrel: false }), ok5, { systemd: "262" }), "uki.systemctl.l4");
    assert.equal(v.outcome, "refused");
    assert.match(v.summary, /\.osrel/);
  });

  it("kexec-tools ≥ 2.0.31: loads .linux and .initrd, ignores .cmdline; under a 5-level refusal falls back to kexec_load of the UKI's own bytes", () => {
    const vs = ukiVerdicts(facts(), no5, { kexecTools: "2.0.32" });
    const l4 = find(vs, "uki.kexec-tools.l4");
    assert.equal(l4.outcome, "ok");
    assert.match(l4.reason, /not used/);
    const l5 = find(vs, "uki.kexec-tools.l5");
    // This stub's bytes have cmdline_size 0 at 0x238, so do_bzImage64_load() refuses them.
    assert.equal(l5.outcome, "refused");
    assert.match(l5.reason, /kexec_load/);
    const loads = find(ukiVerdicts(facts({ stubHeader: { setupSects: 0, cmdlineSize: 4096 } }), no5, { kexecTools: "2.0.32" }), "uki.kexec-tools.l5");
    assert.equal(loads.outcome, "fails");
    assert.match(loads.reason, /not \.linux/);
  });

  it("kexec-tools < 2.0.30 cannot determine the file type; 2.0.30 hands the UKI itself to kexec_file_load", () => {
    assert.match(find(ukiVerdicts(facts(), ok5, { kexecTools: "2.0.29" }), "uki.kexec-tools.l4").summary, /Cannot determine the file type/);
    const v = find(ukiVerdicts(facts(), ok5, { kexecTools: "2.0.30" }), "uki.kexec-tools.l4");
    assert.notEqual(v.outcome, "ok");
    assert.match(v.summary, /UKI itself/);
  });

  it("systemd < 261 runs kexec, so the kexec-tools verdict decides", () => {
    const vs = ukiVerdicts(facts(), no5, { systemd: "260", kexecTools: "2.0.29" });
    assert.equal(find(vs, "uki.systemctl.l4").outcome, "refused");
    assert.match(find(vs, "uki.systemctl.l4").summary, /runs kexec --load/);
  });

  it("kexec-tools: a .linux no x86 loader accepts is refused; a 32-bit kernel's fallback is not claimed to load anything", () => {
    const none = find(ukiVerdicts(facts(), syntheticImage({ hasHdrS: false }), { kexecTools: "2.0.32" }), "uki.kexec-tools.l4");
    assert.equal(none.outcome, "refused");
    assert.match(none.summary, /Can not recognize the kernel format/);
    const i386 = find(ukiVerdicts(facts({ stubHeader: { setupSects: 0, cmdlineSize: 4096 } }), syntheticImage({ xloadflags: 0 }), { kexecTools: "2.0.32" }), "uki.kexec-tools.l4");
    assert.equal(i386.outcome, "info");
    assert.match(i386.reason, /i386 bzImage loader/);
  });

  it("padding risk only when SizeOfRawData exceeds VirtualSize for a signed kernel", () => {
    assert.ok(ukiVerdicts(facts(), ok5).some((v) => v.id === "uki.kexec-tools.padding"));
    assert.ok(!ukiVerdicts(facts({ kernelSigned: false }), ok5).some((v) => v.id === "uki.kexec-tools.padding"));
    assert.ok(!ukiVerdicts(facts({ linux: { offset: 0, virtualSize: 0x800, rawSize: 0x800 } }), ok5).some((v) => v.id === "uki.kexec-tools.padding"));
  });

  it("kexecLoadOfUkiBytes follows do_bzImage64_load's first checks", () => {
    assert.equal(kexecLoadOfUkiBytes(facts({ fileSize: 512 })).refused, true);
    assert.equal(kexecLoadOfUkiBytes(facts({ fileSize: 4096, stubHeader: { setupSects: 40, cmdlineSize: 4096 } })).refused, true);
    assert.equal(kexecLoadOfUkiBytes(facts({ stubHeader: { setupSects: 0, cmdlineSize: 0 } })).refused, true);
    assert.equal(kexecLoadOfUkiBytes(facts({ stubHeader: { setupSects: 0, cmdlineSize: 10 } })).refused, false);
  });

  it("ukiVerdictsFor reads the facts from a parsed UKI", () => {
    const u = parseUki(src(makeUki({ kernel: makeImage({ payload: xzLike, xloadflags: 0x1f }) })));
    const vs = ukiVerdictsFor(u, { systemd: "262" });
    assert.equal(find(vs, "uki.systemctl.l5").outcome, "refused");
    assert.equal(find(vs, "uki.systemctl.l4").outcome, "ok");
  });
});

describe("UKI in the image editor's view (host side)", () => {
  it("sends the UKI's facts first and the kernel's header where it sits in the UKI file", () => {
    const kernel = makeImage({ payload: xzLike, xloadflags: 0x1f });
    const bytes = makeUki({ kernel, cmdline: "quiet <b>x</b>" });
    const r = openImage(src(bytes));
    assert.ok(r.ok);
    const v = r.view;
    assert.equal(imageViewCheck(JSON.parse(JSON.stringify(v)), "view"), null);
    assert.ok(v.uki);
    assert.equal(v.uki.cmdline, "quiet <b>x</b>");
    assert.deepEqual(v.uki.stub, { name: "systemd-stub", version: "257.9-test" });
    assert.equal(v.fileSize, bytes.length);
    const base = v.uki.linux.offset;
    assert.equal(v.stripStart, base + 0x1f1);
    assert.equal(v.stripHex.slice(0, 2), kernel[0x1f1]!.toString(16).padStart(2, "0"));
    assert.equal(v.stripHex.length / 2, v.headerEnd - v.stripStart);
    const xlf = v.fields.find((f) => f.name === "xloadflags")!;
    assert.equal(xlf.offset, base + 0x236);
    assert.equal(xlf.rawHex, "0x001f");
    assert.match(v.summary.verdictLine, /^kexec of this UKI from a 5-level kernel: /);
    assert.ok(v.uki.verdicts.some((x) => x.id === "uki.systemctl.l5" && x.outcome === "refused"));
    // This writer's section table covers 0x238 (.cmdline's SizeOfRawData, 0x200 there), so
    // kexec-tools' kexec_load fallback would accept the UKI's own bytes: the worst outcome wins.
    assert.equal(r.uki?.stubHeader.cmdlineSize, 0x200);
    assert.ok(v.uki.verdicts.some((x) => x.id === "uki.kexec-tools.l5" && x.outcome === "fails"));
    assert.equal(v.summary.verdictOutcome, "fails");
    const plain = openImage(src(kernel));
    assert.ok(plain.ok);
    assert.equal(plain.view.uki, null);
    assert.equal(plain.view.stripStart, 0x1f1);
  });

  it("a UKI whose .linux is not a kernel is rejected with the UKI file's offset", () => {
    const r = openImage(src(makeUki({ kernel: new Uint8Array(4096).fill(0x41) })));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.field ?? "", /^\.linux /);
      assert.match(r.reason, /kernel in \.linux/);
    }
  });
});

describe("image CLI on a synthetic UKI", () => {
  it("prints the UKI's sections and loader verdicts, then the kernel; --json has the uki block", async () => {
    const file = path.join(cacheDir("uki-unit"), "synthetic.efi");
    fs.writeFileSync(file, makeUki({ kernel: makeImage({ payload: xzLike, xloadflags: 0x1f }), cmdline: "quiet" }));
    let text = "";
    assert.equal(await runCli(["image", file], { out: (t) => (text += t), err: () => undefined }), 0);
    assert.match(text, /Unified Kernel Image \(systemd-stub 257\.9-test\), unsigned/);
    assert.match(text, /^ {2}\.linux +0x[0-9a-f]{8} +\d+$/m);
    assert.match(text, /^\.cmdline: quiet$/m);
    assert.match(text, /\[refused\] systemctl kexec \(systemd 262\) from a 5-level kernel/);
    assert.match(text, /synthetic\.efi:\.linux: bzImage, boot protocol 2\.15/);
    let json = "";
    assert.equal(await runCli(["image", file, "--json"], { out: (t) => (json += t), err: () => undefined }), 0);
    const j = JSON.parse(json) as { uki: { cmdline: string; uname: string; initrd: { size: number } } };
    assert.equal(j.uki.cmdline, "quiet");
    assert.equal(j.uki.uname, "6.1.0-test");
    assert.equal(j.uki.initrd.size, 20);
  });
});
