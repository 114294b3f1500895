import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { FileByteSource, MemoryByteSource, openFile } from "../../extension/core/io/byteSource";
import { FormatError } from "../../extension/core/io/formatError";
import { cacheDir } from "../fixtures";

describe("ByteSource", () => {
  const file = path.join(cacheDir("unit"), "bytesource.bin");
  const data = new Uint8Array(300_000).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
  before(() => fs.writeFileSync(file, data));

  it("file reads equal the bytes at every offset, across page boundaries", () => {
    const src = openFile(file);
    for (const [off, len] of [[0, 1], [65535, 2], [65530, 100], [131000, 70000], [299_990, 10], [0, 300_000]] as const) {
      assert.deepEqual(Array.from(src.read(off, len)), Array.from(data.subarray(off, off + len)), `${off}+${len}`);
    }
    src.close();
  });

  it("caches pages: repeated small reads do not read the file again", () => {
    const src = openFile(file);
    src.read(10, 4);
    const after1 = src.bytesRead;
    for (let i = 0; i < 100; i++) src.read(100 + i, 4);
    assert.equal(src.bytesRead, after1);
    assert.ok(after1 <= FileByteSource.PAGE);
    src.close();
  });

  it("a read past EOF is a FormatError naming the field and offset", () => {
    const src = new MemoryByteSource(new Uint8Array(16), "mem.bin");
    assert.throws(() => src.read(10, 8, "thing.size"), (e: unknown) => e instanceof FormatError && e.offset === 10 && e.field === "thing.size" && /mem\.bin/.test(e.message));
    assert.throws(() => src.read(-1, 1), FormatError);
    assert.throws(() => src.read(Number.NaN, 1), FormatError);
    assert.equal(src.readUpTo(12, 100).length, 4);
    assert.equal(src.readUpTo(99, 1).length, 0);
  });

  it("a missing file is a FormatError, and files are opened read-only", () => {
    assert.throws(() => openFile(file + ".missing"), (e: unknown) => e instanceof FormatError && /ENOENT/.test(e.message));
    const before = fs.statSync(file).mtimeMs;
    const src = openFile(file);
    src.read(0, 100);
    src.close();
    assert.equal(fs.statSync(file).mtimeMs, before);
  });
});
