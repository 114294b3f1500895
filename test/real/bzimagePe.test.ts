import * as assert from "node:assert/strict";
import { openFile } from "../../extension/core/io/byteSource";
import { parsePe } from "../../extension/core/formats/bzimage/pe";
import { verifyAuthenticodeDigest } from "../../extension/core/formats/bzimage/authenticode";
import { readJson, sharedFixture } from "../fixtures";

interface Sec { name: string; virtual_size: string; virtual_address: string; raw_size: string; raw_offset: string; characteristics: string }
interface Cert {
  offset: string; dwLength: number; wRevision: string; wCertificateType: string;
  pkcs7: {
    content_type: string; encap_content_type: string; authenticode_digest_alg: string; authenticode_digest: string;
    certificates: { subject: Record<string, string>; issuer: Record<string, string>; serial: string }[];
    signer_infos: { issuer: Record<string, string>; serial: string }[];
  };
}
interface ExpectedPe {
  starts_with_MZ: boolean; e_lfanew: string; machine: string; machine_name: string; number_of_sections: number;
  timestamp: number; size_of_optional_header: number; characteristics: string; optional_magic: string; format: string;
  address_of_entry_point: string; size_of_code: string; image_base: string; section_alignment: string; file_alignment: string;
  major_image_version: number; minor_image_version: number; size_of_image: string; size_of_headers: string; checksum: string;
  subsystem: number; subsystem_name: string; dll_characteristics: string; number_of_rva_and_sizes: number;
  data_directories_nonzero: Record<string, { rva_or_offset: string; size: string }>; sections: Sec[];
  security_directory: { offset: string; size: string }; authenticode_signed: boolean; certificate_table: Cert[];
  certificate_table_ends_at_eof: boolean; authenticode_sha256_computed: string; authenticode_digest_matches_signature: boolean;
}

const h = (s: string): number => Number(s);

for (const name of ["vmlinuz-6.1.0-50-amd64", "vmlinuz-6.1.0-50-686"]) {
  describe(`PE/Authenticode: ${name}`, () => {
    const exp = readJson<{ pe: ExpectedPe }>(sharedFixture("bzimage", `${name}.expected.json`)).pe;
    const src = openFile(sharedFixture("bzimage", name));
    after(() => src.close());
    const pe = parsePe(src)!;

    it("reads only the headers and the certificate table", () => {
      assert.ok(src.bytesRead <= 2 * 64 * 1024, `read ${src.bytesRead} bytes`);
    });

    it("matches the COFF and optional header", () => {
      assert.equal(exp.starts_with_MZ, true);
      assert.equal(pe.eLfanew, h(exp.e_lfanew));
      assert.equal(pe.machine, h(exp.machine));
      assert.equal(pe.machineName, exp.machine_name);
      assert.equal(pe.numberOfSections, exp.number_of_sections);
      assert.equal(pe.timestamp, exp.timestamp);
      assert.equal(pe.sizeOfOptionalHeader, exp.size_of_optional_header);
      assert.equal(pe.characteristics, h(exp.characteristics));
      assert.equal(pe.optionalMagic, h(exp.optional_magic));
      assert.equal(pe.format, exp.format);
      assert.equal(pe.addressOfEntryPoint, h(exp.address_of_entry_point));
      assert.equal(pe.sizeOfCode, h(exp.size_of_code));
      assert.equal(pe.imageBase, BigInt(exp.image_base));
      assert.equal(pe.sectionAlignment, h(exp.section_alignment));
      assert.equal(pe.fileAlignment, h(exp.file_alignment));
      assert.equal(pe.majorImageVersion, exp.major_image_version);
      assert.equal(pe.minorImageVersion, exp.minor_image_version);
      assert.equal(pe.sizeOfImage, h(exp.size_of_image));
      assert.equal(pe.sizeOfHeaders, h(exp.size_of_headers));
      assert.equal(pe.checksum, h(exp.checksum));
      assert.equal(pe.subsystem, exp.subsystem);
      assert.equal(pe.subsystemName, exp.subsystem_name);
      assert.equal(pe.dllCharacteristics, h(exp.dll_characteristics));
      assert.equal(pe.numberOfRvaAndSizes, exp.number_of_rva_and_sizes);
    });

    it("matches the data directories and sections", () => {
      const nonzero = Object.fromEntries(
        pe.dataDirectories.filter((d) => d.rvaOrOffset || d.size).map((d) => [d.name, { rva_or_offset: d.rvaOrOffset, size: d.size }]),
      );
      const want = Object.fromEntries(Object.entries(exp.data_directories_nonzero).map(([k, v]) => [k, { rva_or_offset: h(v.rva_or_offset), size: h(v.size) }]));
      assert.deepEqual(nonzero, want);
      assert.deepEqual(
        pe.sections,
        exp.sections.map((s) => ({
          name: s.name,
          virtualSize: h(s.virtual_size),
          virtualAddress: h(s.virtual_address),
          rawSize: h(s.raw_size),
          rawOffset: h(s.raw_offset),
          characteristics: h(s.characteristics),
        })),
      );
    });

    it("matches the certificate table and the PKCS#7 signature", () => {
      assert.deepEqual(pe.securityDirectory, { offset: h(exp.security_directory.offset), size: h(exp.security_directory.size) });
      assert.equal(pe.signed, exp.authenticode_signed);
      assert.equal(pe.certificateTableEndsAtEof, exp.certificate_table_ends_at_eof);
      assert.equal(pe.certificates.length, exp.certificate_table.length);
      exp.certificate_table.forEach((c, i) => {
        const got = pe.certificates[i]!;
        assert.equal(got.offset, h(c.offset));
        assert.equal(got.dwLength, c.dwLength);
        assert.equal(got.wRevision, h(c.wRevision));
        assert.equal(got.wCertificateType, h(c.wCertificateType));
        const a = got.authenticode!;
        assert.equal(a.contentType, c.pkcs7.content_type);
        assert.equal(a.encapContentType, c.pkcs7.encap_content_type);
        assert.equal(a.digestAlgorithm, c.pkcs7.authenticode_digest_alg);
        assert.equal(a.digest, c.pkcs7.authenticode_digest);
        assert.deepEqual(a.certificates, c.pkcs7.certificates);
        assert.deepEqual(a.signerInfos, c.pkcs7.signer_infos);
        assert.deepEqual(a.signers, ["Debian Secure Boot Signer 2022 - linux"]);
      });
    });

    it("computes the Authenticode image hash and it matches the signature", () => {
      const v = verifyAuthenticodeDigest(src, pe);
      assert.equal(v.algorithm, "sha256");
      assert.equal(v.computed, exp.authenticode_sha256_computed);
      assert.equal(v.matches, exp.authenticode_digest_matches_signature);
    });
  });
}

describe("PE: ipxe.lkrn", () => {
  it("has no MZ, so no PE", () => {
    const src = openFile(sharedFixture("bzimage", "ipxe.lkrn"));
    try {
      assert.equal(parsePe(src), null);
    } finally {
      src.close();
    }
  });
});
