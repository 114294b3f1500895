import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { gzipSync } from "fflate";
import { MemoryByteSource } from "../../extension/core/io/byteSource";
import { FormatError } from "../../extension/core/io/formatError";
import { decompressPayload, detectPayload, type Compression } from "../../extension/core/formats/bzimage/payload";
import { inspectVmlinux } from "../../extension/core/formats/bzimage/vmlinux";

const has = (tool: string): boolean => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** A fake vmlinux: ELF64 header, x86-ish code with E8 calls (exercises BCJ), banners and an IKCFG blob. */
function fakeVmlinux(): Uint8Array {
  const parts: Uint8Array[] = [];
  const elf = new Uint8Array(64);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  const dv = new DataView(elf.buffer);
  dv.setUint16(16, 2, true);
  dv.setUint16(18, 62, true);
  dv.setBigUint64(24, 0x1000000n, true);
  dv.setUint16(52, 64, true);
  parts.push(elf);
  const code = new Uint8Array(300_000);
  let x = 12345;
  for (let i = 0; i < code.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    code[i] = i % 7 === 0 ? 0xe8 : (x >>> 24) & (i % 3 ? 0x0f : 0xff);
  }
  parts.push(code);
  const enc = new TextEncoder();
  parts.push(enc.encode("\0Linux version 6.9.0-test (me@host) (gcc 13) # SMP PREEMPT_DYNAMIC\n\0"));
  parts.push(enc.encode("\0Linux version 6.9.0-test (me@host) (gcc 13) #1 SMP PREEMPT_DYNAMIC Tue\n\0"));
  const config = "CONFIG_X86_5LEVEL=y\nCONFIG_RANDOMIZE_BASE=y\n# CONFIG_KEXEC_FILE is not set\nCONFIG_RELOCATABLE=y\nCONFIG_PHYSICAL_START=0x1000000\n";
  parts.push(enc.encode("IKCFG_ST"), gzipSync(enc.encode(config)), enc.encode("IKCFG_ED"));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Wraps compressed bytes like a bzImage: 0x200 bytes of setup, payload, then the appended le32 size. */
function image(compressed: Uint8Array, size: number, append = true): { src: MemoryByteSource; offset: number; length: number } {
  const tail = append ? 4 : 0;
  const b = new Uint8Array(0x200 + compressed.length + tail + 0x40);
  b.set(compressed, 0x200);
  if (append) new DataView(b.buffer).setUint32(0x200 + compressed.length, size, true);
  return { src: new MemoryByteSource(b, "bzImage.test"), offset: 0x200, length: compressed.length + tail };
}

function tool(cmd: string, args: string[], input: Uint8Array): Uint8Array {
  return new Uint8Array(execFileSync(cmd, args, { input, maxBuffer: 64 << 20 }));
}

const plain = fakeVmlinux();

const producers: { codec: Compression; tool?: string; make: () => Uint8Array }[] = [
  { codec: "gzip", make: () => gzipSync(plain, { level: 9 }) },
  { codec: "xz", tool: "xz", make: () => tool("xz", ["--check=crc32", "--x86", "--lzma2=preset=9,dict=1MiB", "-c"], plain) },
  { codec: "xz", tool: "xz", make: () => tool("xz", ["--check=crc32", "-1", "-c"], plain) },
  { codec: "lzma", tool: "xz", make: () => tool("xz", ["--format=lzma", "-9", "-c"], plain) },
  { codec: "bzip2", tool: "bzip2", make: () => tool("bzip2", ["-9", "-c"], plain) },
  { codec: "lz4", tool: "lz4", make: () => tool("lz4", ["-l", "-9", "-c"], plain) },
  { codec: "zstd", tool: "zstd", make: () => tool("zstd", ["-19", "-c"], plain) },
  // cmd_lzo: lzop -9 (LZO1X blocks of at most 256 KiB in the lzop container).
  { codec: "lzo", tool: "lzop", make: () => tool("lzop", ["-9", "-c"], plain) },
];

describe("payload codecs (synthetic round trips)", () => {
  for (const p of producers) {
    it(`${p.codec}${p.tool ? ` via ${p.tool}` : " via fflate"}: detect, decompress, inspect`, async function () {
      if (p.tool && !has(p.tool)) this.skip();
      const z = p.make();
      const { src, offset, length } = image(z, plain.length, p.codec !== "gzip");
      const info = detectPayload(src, offset, length);
      assert.equal(info.compression, p.codec);
      assert.equal(info.offset, offset);
      assert.equal(info.length, length);
      assert.equal(info.appendedSize, plain.length);
      let progress = 0;
      const out = await decompressPayload(src, info, { maxBytes: 8 << 20, onProgress: () => progress++ });
      assert.equal(out.length, plain.length);
      assert.equal(sha(out), sha(plain));
      assert.ok(progress > 0);
      const v = inspectVmlinux(out);
      assert.equal(v.class, "ELF64");
      assert.equal(v.machineName, "EM_X86_64");
      assert.equal(v.entry, 0x1000000n);
      assert.equal(v.banners.length, 2);
      assert.match(v.banner!, /#1 SMP/);
      assert.equal(v.config!.highlights.CONFIG_X86_5LEVEL, "y");
      assert.equal(v.config!.highlights.CONFIG_KEXEC_FILE, null);
      assert.equal(v.config!.highlights.CONFIG_CRASH_DUMP, undefined);
      assert.equal(v.config!.options["CONFIG_PHYSICAL_START"], "0x1000000");
    });
  }

  it("a truncated lzop header is a FormatError naming the lzo field; unknown payloads are unsupported", async () => {
    const lzo = new Uint8Array([0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7]);
    const { src, offset, length } = image(lzo, 100);
    const info = detectPayload(src, offset, length);
    assert.equal(info.compression, "lzo");
    await assert.rejects(decompressPayload(src, info, { maxBytes: 1 << 20 }), (e: unknown) => e instanceof FormatError && /^payload\.lzo\./.test(e.field));
    const junk = image(new Uint8Array(32).fill(0x41), 100);
    const junkInfo = detectPayload(junk.src, junk.offset, junk.length);
    assert.equal(junkInfo.compression, "unknown");
    await assert.rejects(decompressPayload(junk.src, junkInfo, { maxBytes: 1 << 20 }), (e: unknown) => e instanceof FormatError && /compression/.test(e.field));
  });

  it("rejects a payload range past EOF", () => {
    const { src } = image(new Uint8Array(16), 1);
    assert.throws(() => detectPayload(src, 0x200, 0x100000), (e: unknown) => e instanceof FormatError && e.field === "setup_header.payload_length");
  });
});

describe("payload bad input", () => {
  const xzAvailable = has("xz");

  for (const p of producers) {
    it(`truncated ${p.codec}${p.tool ? ` (${p.tool})` : ""} -> FormatError`, async function () {
      if (p.tool && !has(p.tool)) this.skip();
      const z = p.make();
      for (const cut of [0.5, 0.9]) {
        const part = z.subarray(0, Math.floor(z.length * cut));
        const { src, offset, length } = image(part, plain.length);
        const info = detectPayload(src, offset, length);
        await assert.rejects(decompressPayload(src, info, { maxBytes: 8 << 20 }), (e: unknown) => {
          assert.ok(e instanceof FormatError, `expected FormatError, got ${String(e)}`);
          assert.equal(e.file, "bzImage.test");
          assert.match(e.field, /^payload/);
          assert.ok(e.offset >= offset && e.offset <= offset + length, `offset ${e.offset}`);
          return true;
        });
      }
    });
  }

  it("corrupted xz data -> FormatError", async function () {
    if (!xzAvailable) this.skip();
    const z = tool("xz", ["--check=crc32", "--x86", "--lzma2", "-c"], plain).slice();
    for (const at of [30, 200, Math.floor(z.length / 2)]) {
      const bad = z.slice();
      bad[at]! ^= 0x55;
      const { src, offset, length } = image(bad, plain.length);
      await assert.rejects(decompressPayload(src, detectPayload(src, offset, length), { maxBytes: 8 << 20 }), FormatError);
    }
  });

  it("a compression bomb stops at maxBytes with a FormatError", async function () {
    const zeros = new Uint8Array(64 << 20);
    const cases: [string, Uint8Array][] = [["gzip", gzipSync(zeros, { level: 9 })]];
    if (xzAvailable) {
      cases.push(["xz", tool("xz", ["--check=crc32", "-9", "-c"], zeros)]);
      cases.push(["lzma", tool("xz", ["--format=lzma", "-9", "-c"], zeros)]);
    }
    if (has("zstd")) cases.push(["zstd", tool("zstd", ["-19", "-c"], zeros)]);
    if (has("bzip2")) cases.push(["bzip2", tool("bzip2", ["-9", "-c"], zeros.subarray(0, 16 << 20))]);
    if (has("lz4")) cases.push(["lz4", tool("lz4", ["-l", "-9", "-c"], zeros)]);
    for (const [codec, z] of cases) {
      assert.ok(z.length < zeros.length / 50, codec);
      // The appended size lies too: a bomb would claim little.
      const { src, offset, length } = image(z, 1000);
      await assert.rejects(decompressPayload(src, detectPayload(src, offset, length), { maxBytes: 1 << 20 }), (e: unknown) => {
        assert.ok(e instanceof FormatError, `${codec}: ${String(e)}`);
        assert.match(e.expected, /at most 1048576 decompressed bytes/);
        return true;
      });
    }
  });

  it("honours an abort signal", async function () {
    const z = gzipSync(new Uint8Array(32 << 20), { level: 1 });
    const { src, offset, length } = image(z, 0, false);
    const ac = new AbortController();
    const p = decompressPayload(src, detectPayload(src, offset, length), { maxBytes: 64 << 20, signal: ac.signal, onProgress: () => ac.abort() });
    await assert.rejects(p, (e: unknown) => e instanceof Error && e.name === "AbortError");
  });

  it("inspectVmlinux tolerates non-ELF and truncated ELF bytes", () => {
    assert.equal(inspectVmlinux(new Uint8Array(10)).isElf, false);
    const v = inspectVmlinux(plain.subarray(0, 64));
    assert.equal(v.isElf, true);
    assert.equal(v.banner, null);
    assert.equal(v.config, null);
  });
});
