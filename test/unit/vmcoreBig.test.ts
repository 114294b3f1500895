import { strict as assert } from "node:assert";
import { FormatError } from "../../extension/core/io/formatError";
import { openVmcore } from "../../extension/core/formats/vmcore/vmcore";
import { KdumpPhysicalMemory } from "../../extension/core/formats/vmcore/kdumpCompressed";
import { popcountBits, popcountBytes } from "../../extension/core/formats/vmcore/bitmapIndex";
import { MAX_LISTED_RANGES } from "../../extension/core/formats/vmcore/physical";
import { MemoryByteSource } from "../../extension/core/io/byteSource";
import { FOUR_LEVEL_LIMIT } from "../../extension/core/knowledge/pagingModes";
import { buildManyLoadsElf, buildSparseKdump, PAGE } from "./vmcoreSynth";

/** Hostile and huge kdump layouts held as sparse virtual files (issue #14): bytes and steps are counted, never time. */
const TOP = 2 ** 40;
const MiB = 1024 * 1024;

function pageOf(seed: number): Uint8Array {
  const p = new Uint8Array(PAGE);
  for (let i = 0; i < PAGE; i++) p[i] = (i * 31 + seed) & 0xff;
  return p;
}

function formatError(fn: () => unknown, re: RegExp): FormatError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof FormatError, `expected FormatError, got ${String(err)}`);
  assert.match(err.message, re);
  return err;
}

describe("vmcore: lazy bitmaps for big address spaces", () => {
  it("popcount helpers agree with a bit-by-bit count at any alignment", () => {
    const b = new Uint8Array(1000).map((_, i) => (i * 97 + 13) & 0xff);
    let slow = 0;
    for (let p = 3; p < 7001; p++) slow += (b[p >> 3]! >> (p & 7)) & 1;
    assert.equal(popcountBits(b, 3, 7001), slow);
    assert.equal(popcountBytes(b.subarray(1, 999)), [...b.subarray(1, 999)].reduce((n, x) => n + x.toString(2).split("1").length - 1, 0));
  });

  it("one set bit at the top of a 2^40-pfn bitmap: the page reads back, counting from the top", () => {
    const src = buildSparseKdump({ maxPfn: TOP, pages: new Map([[TOP - 1, pageOf(1)]]) });
    const v = openVmcore(src);
    assert.equal(v.summary().kdumpHeader!.maxPfn, TOP);
    assert.ok(src.bytesRead < MiB, `open read ${src.bytesRead}`);
    assert.deepEqual(v.readPhysical((TOP - 1) * PAGE, PAGE), pageOf(1));
    const m = v.memory as KdumpPhysicalMemory;
    assert.equal(m.descriptorCount(), 1);
    assert.ok(m.rankScanBytes <= 2 * MiB, `rank scan read ${m.rankScanBytes}`);
    assert.ok(src.bytesRead < 4 * MiB, `read ${src.bytesRead}`);
  });

  it("pages at both ends and an excluded one: every state and page right, few bytes read", () => {
    const pages = new Map([
      [0, pageOf(2)],
      [5, pageOf(3)],
      [7, new Uint8Array(PAGE)],
      [2 ** 35 + 9, pageOf(4)],
      [TOP - 2, pageOf(5)],
    ]);
    const src = buildSparseKdump({ maxPfn: TOP, pages, excluded: [6, TOP - 3] });
    const v = openVmcore(src);
    const m = v.memory as KdumpPhysicalMemory;
    for (const [pfn, page] of pages) if (pfn !== 2 ** 35 + 9) assert.deepEqual(v.readPhysical(pfn * PAGE, PAGE), page, `pfn ${pfn}`);
    assert.equal(m.pageState(6), "excluded");
    assert.equal(m.pageState(TOP - 3), "excluded");
    assert.equal(m.pageState(TOP - 1), "hole");
    assert.equal(m.pageState(2 ** 30), "hole");
    assert.ok(src.bytesRead < 8 * MiB, `read ${src.bytesRead}`);
    formatError(() => v.readPhysical(6 * PAGE, 8), /excluded by makedumpfile/);
  });

  it("a dumped page in the middle of 2^40 pfns is found by bounded sequential scanning (steps counted)", () => {
    // Descriptors below and above it: the rank needs the bits between; the scan is sequential and
    // its memory stays one 1 MiB window plus the prefix array.
    const mid = 2 ** 32 + 77;
    const src = buildSparseKdump({ maxPfn: 2 ** 34, pages: new Map([[3, pageOf(6)], [mid, pageOf(7)], [2 ** 34 - 1, pageOf(8)]]) });
    const v = openVmcore(src);
    assert.deepEqual(v.readPhysical(mid * PAGE, PAGE), pageOf(7));
    const m = v.memory as KdumpPhysicalMemory;
    // Bitmap 2 is 2 GiB; the page sits at 1/4: at most twice the cheaper direction.
    assert.ok(m.rankScanBytes <= 2 * (2 ** 34 / 8 / 4) + 2 * MiB, `rank scan read ${m.rankScanBytes}`);
  });

  it("a bitmap claiming every pfn with three descriptors: right pages below, a FormatError above, bounded reads", () => {
    const pages = new Map([[0, pageOf(9)], [1, pageOf(10)], [2, pageOf(11)]]);
    const src = buildSparseKdump({ maxPfn: TOP, pages, allOnes: [0, TOP] });
    const v = openVmcore(src);
    assert.deepEqual(v.readPhysical(PAGE, PAGE), pageOf(10));
    formatError(() => v.readPhysical(100 * PAGE, 8), /page descriptors/);
    formatError(() => v.readPhysical((TOP - 1) * PAGE, 8), /set bits/);
    assert.ok(src.bytesRead < 8 * MiB, `read ${src.bytesRead}`);
    // The range view of it: one dumped run per step, bounded memory, progress moving.
    const scan = v.rangeScanner();
    for (let i = 0; i < 4; i++) scan.step();
    const r = scan.result();
    assert.equal(r.complete, false);
    assert.equal(r.ranges.length, 1);
    assert.equal(r.ranges[0]!.state, "dumped");
    assert.equal(r.scanned, 4 * 8 * MiB * PAGE);
  });

  it("descriptors past the end of the file are a FormatError naming the descriptor", () => {
    const pages = new Map(Array.from({ length: 10 }, (_, i) => [i, pageOf(20 + i)] as [number, Uint8Array]));
    const src = buildSparseKdump({ maxPfn: 2 ** 30, pages, cutDescriptorsAt: 24 * 3 });
    const v = openVmcore(src);
    formatError(() => v.readPhysical(5 * PAGE, 8), /page_desc/);
  });

  it("max_mapnr beyond the 5-level limit (2^40 pfns) is refused", () => {
    formatError(() => openVmcore(buildSparseKdump({ maxPfn: TOP * 2, pages: new Map() })), /5-level paging limit/);
  });
});

describe("vmcore: ELF dumps of big machines (thousands of PT_LOADs)", () => {
  for (const n of [4096, 70000]) {
    it(`${n} PT_LOADs over 4 PiB: open reads the headers once, reads and ranges find the right segment`, () => {
      const file = buildManyLoadsElf(n, TOP * PAGE, new Uint8Array(0));
      const src = new MemoryByteSource(file, `many-${n}`);
      const v = openVmcore(src);
      const s = v.summary();
      assert.equal(s.loads.length, n);
      // Headers (and the PN_XNUM section header) once: no per-segment reads at open.
      assert.ok(s.bytesRead <= 3 * 64 + 64 + (n + 1) * 56, `open read ${s.bytesRead}`);
      const page = file.subarray(file.length - PAGE);
      const before = src.bytesRead;
      for (let i = 0; i < n; i += Math.floor(n / 97)) {
        const a = Number(s.loads[i]!.paddr);
        assert.deepEqual(v.readPhysical(a + 8, 8), page.subarray(8, 16), `segment ${i}`);
      }
      assert.equal(src.bytesRead - before, 8 * Math.ceil(n / Math.floor(n / 97)));
      const scan = v.rangeScanner();
      assert.equal(scan.step(), true);
      const r = scan.result();
      assert.equal(r.ranges.length + r.omitted, 2 * n);
      assert.ok(r.ranges.length <= MAX_LISTED_RANGES);
      assert.equal(r.totals.dumped, n * PAGE);
      assert.ok(r.above!.dumped > 0 && r.above!.dumped < n * PAGE);
    });
  }
});

describe("vmcore: memory above the 4-level limit (64 TiB) in the summary", () => {
  const LIMIT_PFN = FOUR_LEVEL_LIMIT / PAGE;
  const maxPfn = LIMIT_PFN + 2 ** 24; // 64 TiB + 64 GiB of address space
  const scanAll = (v: ReturnType<typeof openVmcore>): void => {
    const s = v.rangeScanner();
    let steps = 0;
    while (!s.step()) steps++;
    assert.ok(steps <= Math.ceil(maxPfn / 8 / MiB) + 1);
  };

  it("none above the limit: no fact", () => {
    const v = openVmcore(buildSparseKdump({ maxPfn: 2 ** 28, pages: new Map([[1, pageOf(1)]]) }));
    assert.equal(v.summary().beyondFourLevel, null);
  });

  it("present: a dumped page above 64 TiB means a 5-level capture kernel", () => {
    const src = buildSparseKdump({ maxPfn, pages: new Map([[1, pageOf(1)], [maxPfn - 5, pageOf(2)]]) });
    const v = openVmcore(src);
    const s = v.summary();
    assert.equal(s.beyondFourLevel!.state, "unknown", "the summary reads no bitmap");
    assert.equal(s.beyondFourLevel!.limit, FOUR_LEVEL_LIMIT);
    assert.ok(s.bytesRead < MiB);
    const before = src.bytesRead;
    const p = v.beyondFourLevel({ probeBytes: 256 * 1024 })!;
    assert.equal(p.state, "present");
    assert.match(p.implication, /5-level paging/);
    assert.ok(src.bytesRead - before <= 256 * 1024 + 2 * 64 * 1024);
    scanAll(v);
    const f = v.beyondFourLevel()!;
    assert.equal(f.basis, "range scan");
    assert.equal(f.state, "present");
    assert.equal(f.bytes!.dumped, PAGE);
  });

  it("excluded: RAM recorded above 64 TiB, none dumped", () => {
    const v = openVmcore(buildSparseKdump({ maxPfn, pages: new Map([[1, pageOf(1)]]), excluded: [maxPfn - 3] }));
    assert.equal(v.beyondFourLevel({ probeBytes: 256 * 1024 })!.state, "excluded");
    scanAll(v);
    const f = v.beyondFourLevel()!;
    assert.equal(f.state, "excluded");
    assert.equal(f.bytes!.excluded, PAGE);
    assert.match(f.implication, /dump level/);
  });

  it("missing: the address space reaches above 64 TiB, no RAM recorded there", () => {
    const v = openVmcore(buildSparseKdump({ maxPfn, pages: new Map([[1, pageOf(1)]]), excluded: [LIMIT_PFN - 1] }));
    // The probe sees nothing dumped but cannot read all of bitmap 1 above the limit in 256 KiB.
    assert.equal(v.beyondFourLevel({ probeBytes: 256 * 1024 })!.state, "not-dumped");
    scanAll(v);
    const f = v.beyondFourLevel()!;
    assert.equal(f.state, "missing");
    assert.equal(f.bytes!.hole, (maxPfn - LIMIT_PFN) * PAGE);
  });

  it("ELF: decided from the program headers, without reading memory", () => {
    const v = openVmcore(new MemoryByteSource(buildManyLoadsElf(64, 2 ** 52, new Uint8Array(0))));
    const f = v.summary().beyondFourLevel!;
    assert.equal(f.basis, "program headers");
    assert.equal(f.state, "present");
    assert.equal(f.addressSpaceEnd > FOUR_LEVEL_LIMIT, true);
  });
});
