import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { makedumpfileVariant, sharedFixture, vmcoreFixture } from "../fixtures";
import { openFile, type ByteSource } from "../../extension/core/io/byteSource";
import { readElfVmcore } from "../../extension/core/formats/vmcore/elf";
import { readKdumpCompressed } from "../../extension/core/formats/vmcore/kdumpCompressed";
import { FlattenedByteSource } from "../../extension/core/formats/vmcore/flattened";
import { parseBzImage } from "../../extension/core/formats/bzimage/bzImage";

/**
 * The parsers read the real fixtures exactly as they did before their offsets moved into the
 * knowledge tables (issue 12). Each digest is sha256 over a canonical JSON of what the parser
 * returned (headers, sub header, notes, program headers, memory layout, a sample of decoded
 * pages), recorded with the parsers of commit a784c9a, before the change. A parser change that is
 * meant to change output updates a digest here, saying why (PRINT_GOLDEN=1 prints them).
 */
const GOLDEN: Record<string, string> = {
  "vmcore-l4-elf-d31": "dc1ec1ec79c8a62643b1985bfc60bf4ade810e02425342abbadb25c42a96bd54",
  "vmcore-l5-elf-d31": "071988df5f5e7093581d6ffb587ffe40d6bc4cc1d6bfe68220afe0c80094fe23",
  "vmcore-l4-kdump-zlib-d31": "5837b1560378b63685a1ec60567df571b1348491c9bc191af3e35a7131c37f8f",
  "gen-l4-flat-zlib": "701c16d160037ad59b8c77cc7550960282087cd3f9e855b0c8032000add3c803",
  "gen-l4-flat-elf": "6a04f7199fc140c678ac90ee5d87152880b358469669ab8bb5352fa0f1b5ae8f",
  "ipxe.lkrn": "a7f352cb87f24938e7958d23ef6e25d5927530fb1139c745cbd4623c5712dbe4",
  "vmlinuz-6.1.0-50-686": "cf9187b212199238bd369c441b056060451fbb59d644cfd2ebbb8785fa39f0a6",
  "vmlinuz-6.1.0-50-amd64": "c6c8079a8e6763d0bf941cb258fc53860be3bc9b0895fa54ac6bd4ffaaf04d47",
  "vmlinuz-6.12.117+deb12-amd64": "60843c47d7b5b1231c46341b50799df3b32d21d6169e47ba3dba52ad9d44ebfd",
  "vmlinuz-7.2.13+deb14-amd64": "c66cc81236560054ceb0f17fd5f19423f9eecdcc42331a7731af4b7fbbf533e5",
};

function sha(b: Uint8Array | string): string {
  return createHash("sha256").update(b).digest("hex");
}

function canon(v: unknown): string {
  // The file name is left out: the digest must not depend on where the checkout sits.
  return JSON.stringify(v, (k, x: unknown) => (k === "file" ? undefined : typeof x === "bigint" ? `0x${x.toString(16)}` : x instanceof Uint8Array ? sha(x) : x));
}

function elfDigest(src: ByteSource): unknown {
  const e = readElfVmcore(src);
  const ranges = e.memory.ranges();
  const pages = ranges
    .filter((r) => r.state === "dumped")
    .slice(0, 16)
    .map((r) => sha(e.memory.read(r.start, Math.min(8192, r.end - r.start))));
  return { phnum: e.phnum, pnXnum: e.pnXnum, loads: e.loads, notes: e.notes, ranges, pages };
}

function kdumpDigest(src: ByteSource): unknown {
  const k = readKdumpCompressed(src);
  const m = k.memory;
  const pages: string[] = [];
  for (let pfn = 0; pfn < m.maxPfn && pages.length < 64; pfn += 97) {
    if (m.pageState(pfn) === "dumped") pages.push(`${pfn}:${sha(m.page(pfn))}`);
  }
  const layout = { maxPfn: m.maxPfn, bitmap1Offset: m.bitmap1Offset, bitmapBytes: m.bitmapBytes, twoBitmaps: m.twoBitmaps, descOffset: m.descOffset, startPfn: m.startPfn, endPfn: m.endPfn };
  return { header: k.header, sub: k.sub, notes: k.notes, vmcoreinfo: k.vmcoreinfoText && sha(k.vmcoreinfoText), layout, descriptors: m.descriptorCount(), pages };
}

function flatKdumpDigest(src: ByteSource): unknown {
  const f = new FlattenedByteSource(src);
  return { kdump: kdumpDigest(f), state: f.state() };
}

function flatElfDigest(src: ByteSource): unknown {
  const f = new FlattenedByteSource(src);
  f.indexAll();
  return { elf: elfDigest(f), state: f.state() };
}

const BZIMAGES = ["ipxe.lkrn", "vmlinuz-6.1.0-50-686", "vmlinuz-6.1.0-50-amd64", "vmlinuz-6.12.117+deb12-amd64", "vmlinuz-7.2.13+deb14-amd64"];

type Case = { name: string; file: () => string | undefined; digest: (src: ByteSource) => unknown };

// makedumpfile -F copies of the ELF fixture, made on demand (skipped only without makedumpfile).
const generated = (name: "gen-l4-flat-zlib" | "gen-l4-flat-elf") => (): string | undefined => makedumpfileVariant(name) ?? undefined;

const CASES: Case[] = [
  { name: "vmcore-l4-elf-d31", file: () => vmcoreFixture("vmcore-l4-elf-d31"), digest: elfDigest },
  { name: "vmcore-l5-elf-d31", file: () => vmcoreFixture("vmcore-l5-elf-d31"), digest: elfDigest },
  { name: "vmcore-l4-kdump-zlib-d31", file: () => vmcoreFixture("vmcore-l4-kdump-zlib-d31"), digest: kdumpDigest },
  { name: "gen-l4-flat-zlib", file: generated("gen-l4-flat-zlib"), digest: flatKdumpDigest },
  { name: "gen-l4-flat-elf", file: generated("gen-l4-flat-elf"), digest: flatElfDigest },
  ...BZIMAGES.map((n) => ({ name: n, file: () => sharedFixture("bzimage", n), digest: (s: ByteSource) => parseBzImage(s) })),
];

describe("parsers read the real fixtures as before the struct tables (golden digests)", () => {
  for (const c of CASES) {
    it(c.name, function () {
      const file = c.file();
      if (!file) this.skip();
      const src = openFile(file!);
      try {
        const got = sha(canon(c.digest(src)));
        if (process.env.PRINT_GOLDEN) console.log(`  ${JSON.stringify(c.name)}: ${JSON.stringify(got)},`);
        else assert.equal(got, GOLDEN[c.name], `${c.name}: parser output changed`);
      } finally {
        src.close();
      }
    });
  }
});
