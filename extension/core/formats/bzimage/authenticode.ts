/**
 * Authenticode (Microsoft "Windows Authenticode Portable Executable Signature Format"):
 * a PKCS#7 SignedData (RFC 2315 / RFC 5652) whose encapsulated content is
 * SpcIndirectDataContent { data SpcAttributeTypeAndOptionalValue, messageDigest DigestInfo }.
 * DER is parsed with asn1js/pkijs only.
 */
import { createHash } from "node:crypto";
import type * as Asn1js from "asn1js";
import type * as Pkijs from "pkijs";
import type { ByteSource } from "../../io/byteSource";
import { FormatError } from "../../io/formatError";
import { parsePe, type PeInfo } from "./pe";

export const OID_SIGNED_DATA = "1.2.840.113549.1.7.2";
export const OID_SPC_INDIRECT_DATA = "1.3.6.1.4.1.311.2.1.4";

const DIGESTS: Record<string, string> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
  "1.2.840.113549.2.5": "md5",
};

const CONTENT_TYPES: Record<string, string> = {
  [OID_SIGNED_DATA]: "signedData",
  "1.2.840.113549.1.7.1": "data",
  [OID_SPC_INDIRECT_DATA]: "SPC_INDIRECT_DATA",
};

const NAME_KEYS: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.5": "serialNumber",
  "1.2.840.113549.1.9.1": "emailAddress",
};

/** A distinguished name as attribute → value (CN, O, OU, ...; unknown types keyed by OID). */
export type DistinguishedName = Record<string, string>;

export interface AuthenticodeCertificate {
  subject: DistinguishedName;
  issuer: DistinguishedName;
  /** Serial number, lowercase hex without DER sign padding. */
  serial: string;
}

export interface AuthenticodeSignerInfo {
  issuer: DistinguishedName;
  serial: string;
}

export interface AuthenticodeInfo {
  /** ContentInfo.contentType, named ("signedData") or as an OID. */
  contentType: string;
  /** SignedData.encapContentInfo.eContentType ("SPC_INDIRECT_DATA"). */
  encapContentType: string;
  /** Digest algorithm of SpcIndirectData.messageDigest ("sha256"), or its OID when unknown. */
  digestAlgorithm: string;
  /** The signed PE image hash, lowercase hex. */
  digest: string;
  certificates: AuthenticodeCertificate[];
  signerInfos: AuthenticodeSignerInfo[];
  /** Subject CN of the certificate matching each signerInfo (issuer + serial). */
  signers: string[];
}

function oidName(oid: string, table: Record<string, string>): string {
  return table[oid] ?? oid;
}

function dn(name: Pkijs.RelativeDistinguishedNames): DistinguishedName {
  const out: DistinguishedName = {};
  for (const tv of name.typesAndValues) {
    const key = NAME_KEYS[tv.type] ?? tv.type;
    const v = tv.value.valueBlock as { value?: unknown };
    out[key] = typeof v.value === "string" ? v.value : String(v.value ?? "");
  }
  return out;
}

function serialHex(n: Asn1js.Integer): string {
  let b = n.valueBlock.valueHexView;
  // Strip DER sign padding so serials read like openssl/sbverify print them.
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return Buffer.from(b).toString("hex");
}

/**
 * pkijs and asn1js are a third of the extension bundle: loaded on the first signature parse, not at
 * activation (esbuild evaluates a require()d module lazily).
 */
function libs(): { asn1js: typeof Asn1js; pkijs: typeof Pkijs } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see above
  return { asn1js: require("asn1js") as typeof Asn1js, pkijs: require("pkijs") as typeof Pkijs };
}

let spcSchema: Asn1js.Sequence | undefined;
function SPC_SCHEMA_OF(asn1js: typeof Asn1js, pkijs: typeof Pkijs): Asn1js.Sequence {
  return (spcSchema ??= new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ name: "dataType" }), new asn1js.Any({ name: "dataValue", optional: true })] }),
      new asn1js.Sequence({
        value: [pkijs.AlgorithmIdentifier.schema({ names: { blockName: "digestAlgorithm" } }), new asn1js.OctetString({ name: "digest" })],
      }),
    ],
  }));
}

/** Parses the bCertificate of a WIN_CERT_TYPE_PKCS_SIGNED_DATA entry at [offset, offset+length). */
export function parseAuthenticode(src: ByteSource, offset: number, length: number): AuthenticodeInfo {
  try {
    return parseAuthenticodeDer(src, offset, length);
  } catch (e) {
    // pkijs/asn1js throw plain Errors deep in certificate decoding (e.g. "Wrong input string for conversion").
    if (e instanceof FormatError) throw e;
    throw new FormatError(src.name, offset, "WIN_CERTIFICATE.bCertificate", "a well-formed Authenticode PKCS#7 SignedData", e instanceof Error ? e.message : String(e));
  }
}

function parseAuthenticodeDer(src: ByteSource, offset: number, length: number): AuthenticodeInfo {
  const field = "WIN_CERTIFICATE.bCertificate";
  const { asn1js, pkijs } = libs();
  const bytes = src.read(offset, length, field);
  const fail = (expected: string, found?: string): never => {
    throw new FormatError(src.name, offset, field, expected, found);
  };
  // DER length may be shorter than dwLength: the entry is padded to 8 bytes.
  const asn = asn1js.fromBER(bytes);
  if (asn.offset === -1) fail("a DER-encoded PKCS#7 ContentInfo", asn.result.error);
  let ci: Pkijs.ContentInfo;
  let sd: Pkijs.SignedData;
  try {
    ci = new pkijs.ContentInfo({ schema: asn.result });
    if (ci.contentType !== OID_SIGNED_DATA) fail(`ContentInfo of type signedData (${OID_SIGNED_DATA})`, ci.contentType);
    sd = new pkijs.SignedData({ schema: ci.content });
  } catch (e) {
    if (e instanceof FormatError) throw e;
    return fail("a PKCS#7 SignedData", e instanceof Error ? e.message : String(e));
  }
  const encapContentType = sd.encapContentInfo.eContentType;
  if (encapContentType !== OID_SPC_INDIRECT_DATA) fail(`SignedData carrying SpcIndirectDataContent (${OID_SPC_INDIRECT_DATA})`, encapContentType);

  // Authenticode stores the SEQUENCE directly under [0]; plain CMS wraps it in an OCTET STRING.
  let content: Asn1js.AsnType = sd.encapContentInfo.eContent as Asn1js.AsnType;
  if (content instanceof asn1js.OctetString) {
    const inner = asn1js.fromBER(content.getValue());
    if (inner.offset === -1) fail("a DER SpcIndirectDataContent", inner.result.error);
    content = inner.result;
  }
  const spc = asn1js.compareSchema(content, content, SPC_SCHEMA_OF(asn1js, pkijs));
  if (!spc.verified) fail("an SpcIndirectDataContent SEQUENCE", spc.result.error);
  const parts = spc.result as Record<string, Asn1js.AsnType | undefined>;
  const alg = new pkijs.AlgorithmIdentifier({ schema: parts["digestAlgorithm"] });
  const digestBlock = parts["digest"] as Asn1js.OctetString;

  const certificates: AuthenticodeCertificate[] = [];
  for (const c of sd.certificates ?? []) {
    if (!(c instanceof pkijs.Certificate)) continue;
    certificates.push({ subject: dn(c.subject), issuer: dn(c.issuer), serial: serialHex(c.serialNumber) });
  }
  const signerInfos: AuthenticodeSignerInfo[] = [];
  const signers: string[] = [];
  for (const si of sd.signerInfos) {
    if (!(si.sid instanceof pkijs.IssuerAndSerialNumber)) continue;
    const info = { issuer: dn(si.sid.issuer), serial: serialHex(si.sid.serialNumber) };
    signerInfos.push(info);
    const match = certificates.find((c) => c.serial === info.serial && sameName(c.issuer, info.issuer));
    if (match) signers.push(match.subject["CN"] ?? JSON.stringify(match.subject));
  }
  return {
    contentType: oidName(ci.contentType, CONTENT_TYPES),
    encapContentType: oidName(encapContentType, CONTENT_TYPES),
    digestAlgorithm: oidName(alg.algorithmId, DIGESTS),
    digest: Buffer.from(digestBlock.getValue()).toString("hex"),
    certificates,
    signerInfos,
    signers,
  };
}

function sameName(a: DistinguishedName, b: DistinguishedName): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

export interface AuthenticodeVerification {
  algorithm: string;
  /** Hash computed over the image, lowercase hex. */
  computed: string;
  /** Digest from the first signature, or null when unsigned. */
  signed: string | null;
  matches: boolean;
  /** Bytes fed to the hash (for progress reporting and tests). */
  bytesHashed: number;
}

const CHUNK = 1 << 20;

/**
 * Computes the Authenticode PE image hash and compares it with the signed digest. Per the
 * Authenticode spec: hash the headers (SizeOfHeaders) skipping CheckSum and the certificate
 * table directory entry, then each section's raw data in PointerToRawData order, then any
 * data after the sections that is not the certificate table. Reads the image in 1 MiB chunks.
 */
export function verifyAuthenticodeDigest(src: ByteSource, pe: PeInfo | null = parsePe(src)): AuthenticodeVerification {
  if (!pe) throw new FormatError(src.name, 0, "dos_header.e_magic", '"MZ"');
  const sig = pe.certificates.find((c) => c.authenticode)?.authenticode ?? null;
  const algorithm = sig?.digestAlgorithm ?? "sha256";
  if (!Object.values(DIGESTS).includes(algorithm)) {
    throw new FormatError(src.name, pe.securityDirectory?.offset ?? 0, "SpcIndirectData.messageDigest.algorithm", "sha1/sha256/sha384/sha512", algorithm);
  }
  const h = createHash(algorithm);
  let bytesHashed = 0;
  const feed = (from: number, to: number, field: string): void => {
    for (let p = from; p < to; p += CHUNK) {
      const n = Math.min(CHUNK, to - p);
      h.update(src.read(p, n, field));
      bytesHashed += n;
    }
  };
  const secEntry = pe.dataDirectoriesOffset + 4 * 8;
  const headersEnd = Math.min(pe.sizeOfHeaders, src.size);
  if (pe.dataDirectories.length > 4) {
    feed(0, pe.checksumOffset, "pe.headers");
    feed(pe.checksumOffset + 4, secEntry, "pe.headers");
    feed(secEntry + 8, headersEnd, "pe.headers");
  } else {
    feed(0, pe.checksumOffset, "pe.headers");
    feed(pe.checksumOffset + 4, headersEnd, "pe.headers");
  }
  let sumOfBytesHashed = headersEnd;
  const sorted = pe.sections.filter((s) => s.rawSize > 0).sort((a, b) => a.rawOffset - b.rawOffset);
  for (const s of sorted) {
    feed(s.rawOffset, s.rawOffset + s.rawSize, `section ${s.name}`);
    sumOfBytesHashed = Math.max(sumOfBytesHashed, s.rawOffset + s.rawSize);
  }
  // Trailing data: everything past the sections except the certificate table itself.
  const certSize = pe.securityDirectory?.size ?? 0;
  const certOff = pe.securityDirectory?.offset ?? src.size;
  const tailEnd = certOff >= sumOfBytesHashed && certOff + certSize === src.size ? certOff : src.size - certSize;
  if (tailEnd > sumOfBytesHashed) feed(sumOfBytesHashed, tailEnd, "pe.trailing_data");
  const computed = h.digest("hex");
  return { algorithm, computed, signed: sig?.digest ?? null, matches: sig !== null && sig.digest === computed, bytesHashed };
}
