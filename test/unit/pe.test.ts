import * as assert from "node:assert/strict";
import { MemoryByteSource } from "../../extension/core/io/byteSource";
import { FormatError } from "../../extension/core/io/formatError";
import { parsePe } from "../../extension/core/formats/bzimage/pe";
import { verifyAuthenticodeDigest } from "../../extension/core/formats/bzimage/authenticode";

interface PeOpts {
  lfanew?: number;
  sections?: number;
  certOffset?: number;
  certSize?: number;
  dwLength?: number;
  certType?: number;
  certBody?: Uint8Array;
}

/** A minimal PE32+ EFI image (no setup header, so no "HdrS"): 0x200 of headers, one .text section. */
function makePe(o: PeOpts = {}): Uint8Array {
  const size = 0x400 + (o.certBody ? 8 + o.certBody.length : 0);
  const b = new Uint8Array(Math.max(size, 0x400));
  const dv = new DataView(b.buffer);
  b[0] = 0x4d;
  b[1] = 0x5a;
  const lf = o.lfanew ?? 0x40;
  dv.setUint32(0x3c, lf, true);
  if (lf + 0x100 > b.length) return b;
  b.set([0x50, 0x45, 0, 0], lf);
  const coff = lf + 4;
  dv.setUint16(coff, 0x8664, true);
  dv.setUint16(coff + 2, o.sections ?? 1, true);
  dv.setUint16(coff + 16, 160, true);
  dv.setUint16(coff + 18, 0x206, true);
  const opt = coff + 20;
  dv.setUint16(opt, 0x20b, true);
  dv.setUint32(opt + 16, 0x210, true); // entry
  dv.setUint32(opt + 56, 0x1000, true); // SizeOfImage
  dv.setUint32(opt + 60, 0x200, true); // SizeOfHeaders
  dv.setUint16(opt + 68, 10, true);
  dv.setUint32(opt + 108, 6, true);
  if (o.certBody || o.certOffset !== undefined) {
    dv.setUint32(opt + 112 + 32, o.certOffset ?? 0x400, true);
    dv.setUint32(opt + 112 + 36, o.certSize ?? 8 + (o.certBody?.length ?? 0), true);
  }
  const sec = opt + 160;
  b.set([0x2e, 0x74, 0x65, 0x78, 0x74], sec);
  dv.setUint32(sec + 8, 0x200, true);
  dv.setUint32(sec + 12, 0x1000, true);
  dv.setUint32(sec + 16, 0x200, true);
  dv.setUint32(sec + 20, 0x200, true);
  dv.setUint32(sec + 36, 0x60000020, true);
  if (o.certBody) {
    dv.setUint32(0x400, o.dwLength ?? 8 + o.certBody.length, true);
    dv.setUint16(0x404, 0x200, true);
    dv.setUint16(0x406, o.certType ?? 2, true);
    b.set(o.certBody, 0x408);
  }
  return b;
}

function expectFormatError(fn: () => unknown, field: RegExp): FormatError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FormatError, `expected FormatError, got ${String(e)}`);
    assert.match(e.field, field);
    assert.equal(e.file, "t.efi");
    assert.ok(e.expected.length > 0);
    return e;
  }
  assert.fail("no error thrown");
}

describe("parsePe (synthetic)", () => {
  it("returns null without MZ", () => {
    assert.equal(parsePe(new MemoryByteSource(new Uint8Array(0x400), "t.efi")), null);
    assert.equal(parsePe(new MemoryByteSource(new Uint8Array(0), "t.efi")), null);
  });

  it("parses a PE that has no setup header (no HdrS) and is unsigned", () => {
    const pe = parsePe(new MemoryByteSource(makePe(), "t.efi"))!;
    assert.equal(pe.format, "PE32+");
    assert.equal(pe.machineName, "IMAGE_FILE_MACHINE_AMD64");
    assert.equal(pe.subsystemName, "EFI_APPLICATION");
    assert.equal(pe.addressOfEntryPoint, 0x210);
    assert.deepEqual(pe.sections.map((s) => s.name), [".text"]);
    assert.equal(pe.signed, false);
    assert.equal(pe.securityDirectory, null);
    const v = verifyAuthenticodeDigest(new MemoryByteSource(makePe(), "t.efi"));
    assert.equal(v.matches, false);
    assert.equal(v.signed, null);
  });

  it("rejects e_lfanew past EOF", () => {
    const b = makePe();
    new DataView(b.buffer).setUint32(0x3c, 0x7fffff00, true);
    expectFormatError(() => parsePe(new MemoryByteSource(b, "t.efi")), /e_lfanew/);
  });

  it("rejects a bad PE signature", () => {
    const b = makePe();
    b[0x41] = 0x58;
    expectFormatError(() => parsePe(new MemoryByteSource(b, "t.efi")), /pe_signature/);
  });

  it("rejects a huge section count", () => {
    expectFormatError(() => parsePe(new MemoryByteSource(makePe({ sections: 0xffff }), "t.efi")), /NumberOfSections/);
    expectFormatError(() => parsePe(new MemoryByteSource(makePe({ sections: 90, lfanew: 0x40 }), "t.efi")), /section_table/);
  });

  it("rejects a certificate table past EOF", () => {
    expectFormatError(() => parsePe(new MemoryByteSource(makePe({ certOffset: 0x300, certSize: 0x10000 }), "t.efi")), /DataDirectory\[security\]/);
    expectFormatError(() => parsePe(new MemoryByteSource(makePe({ certOffset: 0xfffffff0, certSize: 0x20 }), "t.efi")), /DataDirectory\[security\]/);
  });

  it("rejects a lying WIN_CERTIFICATE.dwLength", () => {
    const body = new Uint8Array(24);
    expectFormatError(() => parsePe(new MemoryByteSource(makePe({ certBody: body, dwLength: 0x100000 }), "t.efi")), /dwLength/);
    expectFormatError(() => parsePe(new MemoryByteSource(makePe({ certBody: body, dwLength: 4 }), "t.efi")), /dwLength/);
  });

  it("rejects garbage PKCS#7 with a FormatError naming bCertificate", () => {
    const body = new Uint8Array(32).fill(0x30);
    expectFormatError(() => parsePe(new MemoryByteSource(makePe({ certBody: body }), "t.efi")), /bCertificate/);
  });

  it("keeps non-PKCS certificate entries without parsing them", () => {
    const pe = parsePe(new MemoryByteSource(makePe({ certBody: new Uint8Array(8), certType: 1 }), "t.efi"))!;
    assert.equal(pe.certificates.length, 1);
    assert.equal(pe.certificates[0]!.wCertificateType, 1);
    assert.equal(pe.signed, false);
  });
});
