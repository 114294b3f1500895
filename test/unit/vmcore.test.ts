import { strict as assert } from "node:assert";
import { MemoryByteSource } from "../../extension/core/io/byteSource";
import { FormatError } from "../../extension/core/io/formatError";
import { detectVmcore } from "../../extension/core/formats/vmcore/detect";
import { lzo1xDecompress } from "../../extension/core/formats/lzo1x";
import { parseNotes } from "../../extension/core/formats/vmcore/notes";
import { Vmcoreinfo } from "../../extension/core/formats/vmcore/vmcoreinfo";
import { openVmcore } from "../../extension/core/formats/vmcore/vmcore";
import { FlattenedByteSource } from "../../extension/core/formats/vmcore/flattened";
import { formatMakedumpfile, readKernelLog, type KernelLog, type LogRecord } from "../../extension/core/formats/vmcore/printk";
import { vmcoreCommand } from "../../extension/cli/commands/vmcore";
import { dmesgCommand } from "../../extension/cli/commands/dmesg";
import { UsageError } from "../../extension/cli/args";
import { buildElf, buildKdump, concat, flatten, note, PAGE, PhysImage, prstatus, type Codec } from "./vmcoreSynth";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const src = (b: Uint8Array, name = "synthetic"): MemoryByteSource => new MemoryByteSource(b, name);

function throwsFormat(fn: () => unknown, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FormatError, `expected FormatError, got ${String(e)}`);
    if (re) assert.match(e.message, re);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// A tiny kernel: page tables, a lockless printk ring, VMCOREINFO describing them.

const PHYS_BASE = -0x1000000n; // negative on purpose (NUMBER(phys_base) is signed)
const KTEXT = 0xffffffff82000000n; // → pa 0x1000000 with the phys_base above
const ktextPa = (va: bigint): number => Number(va - 0xffffffff80000000n + PHYS_BASE);

interface Kernel {
  mem: PhysImage;
  vmcoreinfo: string;
  records: Array<{ ts: bigint; text: Uint8Array; state?: bigint; dataless?: boolean }>;
}

/** Maps va→pa with 4 KiB pages (or one 2 MiB page) through freshly allocated tables. */
class PageTables {
  next = 0x200; // table pfns from 2 MiB up
  constructor(
    readonly mem: PhysImage,
    readonly levels: 4 | 5,
    readonly root = 0x1ff,
  ) {
    mem.page(root);
  }
  private entry(table: number, idx: number): bigint {
    return new DataView(this.mem.page(table).buffer).getBigUint64(idx * 8, true);
  }
  map(va: bigint, pa: number, large2M = false): void {
    const shifts = this.levels === 5 ? [48n, 39n, 30n, 21n, 12n] : [39n, 30n, 21n, 12n];
    let table = this.root;
    for (const s of shifts) {
      const idx = Number((va >> s) & 511n);
      if (s === 12n || (large2M && s === 21n)) {
        this.mem.u64(table * PAGE + idx * 8, BigInt(pa) | 0x63n | (large2M ? 0x80n : 0n) | (1n << 47n)); // bit 47 = fake SME C-bit
        return;
      }
      let e = this.entry(table, idx);
      if (!(e & 1n)) {
        const t = this.next++;
        this.mem.page(t);
        e = BigInt(t * PAGE) | 0x63n | (1n << 47n);
        this.mem.u64(table * PAGE + idx * 8, e);
      }
      table = Number((e & ~(1n << 47n)) & 0x000ffffffffff000n) / PAGE;
    }
  }
}

function buildKernel(levels: 4 | 5): Kernel {
  const mem = new PhysImage();
  const directMap = levels === 5 ? 0xff11000000000000n : 0xffff888000000000n;
  const pgdVa = KTEXT + 0x10000n;
  // Root table lives at the kernel-text address of SYMBOL(init_top_pgt).
  const rootPa = ktextPa(pgdVa);
  const ptRoot = new PageTables(mem, levels, rootPa / PAGE);
  const prbVa = KTEXT + 0x20000n; // the `prb` pointer variable
  const rbVa = KTEXT + 0x20100n; // struct printk_ringbuffer
  const countBits = 3;
  const sizeBits = 8; // 256-byte data ring: forces a wrapped block
  const descsPa = 0x3000000, infosPa = 0x3001000, dataPa = 0x3202000;
  // descs/infos via 4 KiB mappings, data via a 2 MiB page, all in the direct map.
  ptRoot.map(directMap + BigInt(descsPa), descsPa);
  ptRoot.map(directMap + BigInt(infosPa), infosPa);
  ptRoot.map(directMap + 0x3200000n, 0x3200000, true);
  const dataVa = directMap + BigInt(dataPa);

  mem.u64(ktextPa(prbVa), rbVa);
  const rb = ktextPa(rbVa);
  const w32 = (pa: number, v: number): void => mem.write(pa, Uint8Array.of(v & 255, (v >> 8) & 255, (v >> 16) & 255, v >>> 24));
  w32(rb + 0, countBits);
  mem.u64(rb + 8, directMap + BigInt(descsPa));
  mem.u64(rb + 16, directMap + BigInt(infosPa));
  w32(rb + 48, sizeBits);
  mem.u64(rb + 56, dataVa);

  const records: Kernel["records"] = [
    { ts: 0n, text: enc("old record, overwritten".padEnd(80, ".")) }, // id 0: slot reused → miss
    { ts: 1234567891n, text: Uint8Array.from([...enc("a\nb"), 0xc3]) },
    { ts: 2000000000n, text: enc("") , dataless: true },
    { ts: 3000001000n, text: Uint8Array.from([...enc("tab\there"), 0x1b, 0x7f]) },
    { ts: 4000000000n, text: enc("reserved, not committed"), state: 0n },
    { ts: 123456789012345678n, text: enc("big timestamp") },
    { ts: 5000000000n, text: enc("a longer record of fifty-one bytes, no wrap........") },
    { ts: 6000000000n, text: enc("wrapped to data[0]") },
    { ts: 7000000000n, text: enc("last (head)") },
  ];
  const count = 1 << countBits;
  const size = 1 << sizeBits;
  let lpos = 0;
  let wrapped = false;
  const firstId = 1; // id 0 was overwritten by id 8 in slot 0
  records.forEach((r, id) => {
    const slot = id % count;
    const info = infosPa + slot * 88;
    const desc = descsPa + slot * 24;
    let begin: number, next: number;
    if (r.dataless) {
      begin = next = 3;
    } else {
      const blk = (8 + r.text.length + 7) & ~7;
      begin = lpos;
      if (Math.floor(lpos / size) !== Math.floor((lpos + blk) / size)) {
        // Kernel data_alloc(): a block that would wrap is placed at the start of the next wrap.
        wrapped = true;
        begin = lpos;
        const start = (Math.floor(lpos / size) + 1) * size;
        next = start + blk;
        mem.u64(dataPa + (start % size), BigInt(id));
        mem.write(dataPa + (start % size) + 8, r.text);
      } else {
        next = lpos + blk;
        mem.u64(dataPa + (lpos % size), BigInt(id));
        mem.write(dataPa + (lpos % size) + 8, r.text);
      }
      lpos = next;
    }
    if (id < firstId) return;
    const state = r.state ?? 2n;
    mem.u64(desc, (state << 62n) | BigInt(id));
    mem.u64(desc + 8, BigInt(begin));
    mem.u64(desc + 16, BigInt(next));
    mem.u64(info, BigInt(id));
    mem.u64(info + 8, r.ts);
    mem.write(info + 16, Uint8Array.of(r.text.length & 255, r.text.length >> 8, 0, 6 << 5));
    w32(info + 20, 0x80000000 + id);
  });
  assert.ok(wrapped, "the synthetic ring must contain a wrapped block");
  mem.u64(rb + 24, BigInt(records.length - 1)); // head_id
  mem.u64(rb + 32, BigInt(firstId)); // tail_id
  // Older records at slot 0 would have been id 0; slot 0 now holds id 8 (head).

  const vmcoreinfo = [
    "OSRELEASE=6.1.0-synthetic",
    "PAGESIZE=4096",
    `SYMBOL(swapper_pg_dir)=${pgdVa.toString(16)}`,
    `SYMBOL(prb)=${prbVa.toString(16)}`,
    "SIZE(printk_ringbuffer)=88",
    "OFFSET(printk_ringbuffer.desc_ring)=0",
    "OFFSET(printk_ringbuffer.text_data_ring)=48",
    "OFFSET(printk_ringbuffer.fail)=80",
    "OFFSET(prb_desc_ring.count_bits)=0",
    "OFFSET(prb_desc_ring.descs)=8",
    "OFFSET(prb_desc_ring.infos)=16",
    "OFFSET(prb_desc_ring.head_id)=24",
    "OFFSET(prb_desc_ring.tail_id)=32",
    "SIZE(prb_desc)=24",
    "OFFSET(prb_desc.state_var)=0",
    "OFFSET(prb_desc.text_blk_lpos)=8",
    "OFFSET(prb_data_blk_lpos.begin)=0",
    "OFFSET(prb_data_blk_lpos.next)=8",
    "SIZE(printk_info)=88",
    "OFFSET(printk_info.seq)=0",
    "OFFSET(printk_info.ts_nsec)=8",
    "OFFSET(printk_info.text_len)=16",
    "OFFSET(printk_info.caller_id)=20",
    "OFFSET(prb_data_ring.size_bits)=0",
    "OFFSET(prb_data_ring.data)=8",
    "OFFSET(atomic_long_t.counter)=0",
    `NUMBER(phys_base)=${PHYS_BASE}`,
    `SYMBOL(init_top_pgt)=${pgdVa.toString(16)}`,
    `NUMBER(pgtable_l5_enabled)=${levels === 5 ? 1 : 0}`,
    "KERNELOFFSET=1000000",
    "NUMBER(KERNEL_IMAGE_SIZE)=1073741824",
    `NUMBER(sme_mask)=${1n << 47n}`,
    "",
  ].join("\n");
  return { mem, vmcoreinfo, records };
}

/** The expected makedumpfile output for buildKernel's records (hand-derived from printk.md §2.4). */
const EXPECTED_DMESG =
  "[    1.234567] a\n               b\\xffffffc3\n" +
  "[    3.000001] tab\there\\x1b\\x7f\n" +
  "[123456789.012345] big timestamp\n" +
  "[    5.000000] a longer record of fifty-one bytes, no wrap........\n" +
  "[    6.000000] wrapped to data[0]\n" +
  "[    7.000000] last (head)\n";

function kernelNotes(k: Kernel): Uint8Array {
  return concat([note("CORE", 1, prstatus(42, 0xffffffff81000000n)), note("VMCOREINFO", 0, enc(k.vmcoreinfo))]);
}

describe("vmcore unit: detection", () => {
  it("classifies signatures and gives reasons for the rest", () => {
    assert.equal(detectVmcore(src(enc("KDUMP   xxxxxxxx"))).kind, "kdump-compressed");
    assert.equal(detectVmcore(src(concat([enc("makedumpfile"), new Uint8Array(20)]))).kind, "flattened");
    assert.match(detectVmcore(src(enc("DISKDUMPxxxxxxxx"))).reason!, /legacy diskdump/);
    assert.match(detectVmcore(src(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 3, 0]))).reason!, /32-bit/);
    assert.equal(detectVmcore(src(new Uint8Array(3))).kind, "unknown");
  });

  it("refuses 32-bit, big-endian and non-x86_64 ELF cores with the spec's messages", () => {
    const mem = new PhysImage();
    mem.page(1)[0] = 1;
    throwsFormat(() => openVmcore(src(buildElf(mem, new Uint8Array(0), { cls: 1 }))), /32-bit/);
    throwsFormat(() => openVmcore(src(buildElf(mem, new Uint8Array(0), { machine: 3 }))), /i386 dump \(64-bit ELF container\)/);
    throwsFormat(() => openVmcore(src(buildElf(mem, new Uint8Array(0), { machine: 183 }))), /aarch64 dump is not supported, x86_64 only/);
    const be = buildElf(mem, new Uint8Array(0));
    be[5] = 2;
    throwsFormat(() => openVmcore(src(be)), /big-endian/);
    throwsFormat(() => openVmcore(src(enc("hello world, not a dump"))), /signature/);
  });
});

describe("vmcore unit: notes and VMCOREINFO", () => {
  it("parses VMCOREINFO values: signed phys_base, hex NUMBER, first duplicate wins", () => {
    const vi = new Vmcoreinfo("OSRELEASE=6.1.0\nNUMBER(phys_base)=-306184192\nNUMBER(VMALLOC_START)=0xffffc90000000000\nSYMBOL(prb)=ffffffffa5e64660\nSIZE(page)=64\nSIZE(page)=99\nKERNELOFFSET=23400000\nno equals line\n");
    assert.equal(vi.osrelease(), "6.1.0");
    assert.equal(vi.number("phys_base"), -306184192n);
    assert.equal(BigInt.asUintN(64, vi.number("phys_base")!), 0xffffffffedc00000n);
    assert.equal(vi.number("VMALLOC_START"), 0xffffc90000000000n);
    assert.equal(vi.symbol("prb"), 0xffffffffa5e64660n);
    assert.equal(vi.size("page"), 64);
    assert.equal(vi.kernelOffset(), 0x23400000n);
  });

  it("walks notes with 4-byte padding and rejects lying sizes", () => {
    const blob = concat([note("CORE", 1, new Uint8Array(336)), note("VMCOREINFO", 0, enc("A=1\n")), new Uint8Array(12)]);
    const ns = parseNotes(src(blob), 0, blob.length);
    assert.deepEqual(ns.map((n) => [n.name, n.type, n.desc.length]), [["CORE", 1, 336], ["VMCOREINFO", 0, 4]]);
    const lying = note("CORE", 1, new Uint8Array(336));
    new DataView(lying.buffer).setUint32(4, 0x7fffffff, true);
    throwsFormat(() => parseNotes(src(lying), 0, lying.length), /note header/);
  });

  it("refuses a non-x86_64 NT_PRSTATUS size", () => {
    const mem = new PhysImage();
    mem.page(1)[0] = 1;
    const notes = concat([note("CORE", 1, new Uint8Array(144)), note("VMCOREINFO", 0, enc("OSRELEASE=x\n"))]);
    throwsFormat(() => openVmcore(src(buildElf(mem, notes))), /not an x86_64 dump/);
  });
});

describe("vmcore unit: LZO1X", () => {
  it("decodes literal runs, M2 and M3 matches", () => {
    // "abcd" literal, M3 len 8 dist 4, end marker.
    assert.deepEqual(lzo1xDecompress(Uint8Array.from([17 + 4, ...enc("abcd"), 32 | 6, 3 << 2, 0, 0x11, 0, 0]), 12), enc("abcdabcdabcd"));
    // "abcd" literal, M2 len 4 dist 4 (t = (len-1)<<5 | (dist-1)<<2), end marker.
    assert.deepEqual(lzo1xDecompress(Uint8Array.from([17 + 4, ...enc("abcd"), (3 << 5) | (3 << 2), 0, 0x11, 0, 0]), 8), enc("abcdabcd"));
  });
  it("fails cleanly on corrupt streams", () => {
    assert.throws(() => lzo1xDecompress(Uint8Array.from([17 + 4, ...enc("abcd"), 32 | 6, 0xff, 0xff, 0x11, 0, 0]), 12), /lookbehind/);
    assert.throws(() => lzo1xDecompress(Uint8Array.from([17 + 4, ...enc("ab")]), 12), /overrun/);
    assert.throws(() => lzo1xDecompress(Uint8Array.from([17 + 4, ...enc("abcd"), 0x11, 0, 0]), 12), /expected 12/);
    assert.throws(() => lzo1xDecompress(new Uint8Array(64), 4096), /overrun/);
  });
});

describe("vmcore unit: synthetic kdump-compressed, ELF and flattened dumps", () => {
  const codecs: Codec[] = ["none", "zlib", "lzo", "snappy", "zstd"];
  for (const levels of [4, 5] as const) {
    const k = buildKernel(levels);
    for (const codec of codecs) {
      it(`${levels}-level kdump-compressed (${codec}): summary, physical reads, translation, dmesg`, () => {
        const file = buildKdump({ codec, maxPfn: 0x4000, mem: k.mem, excluded: [0x3ff0], notes: kernelNotes(k) });
        const v = openVmcore(src(file));
        const s = v.summary();
        assert.equal(s.format, "kdump-compressed");
        assert.equal(s.compression, codec);
        assert.equal(s.pagingLevels, levels);
        assert.equal(s.osrelease, "6.1.0-synthetic");
        assert.equal(s.cpus.length, 1);
        assert.equal(s.cpus[0]!.pid, 42);
        assert.equal(s.physBase, BigInt.asUintN(64, PHYS_BASE));
        for (const [pfn, page] of k.mem.pages) assert.deepEqual(v.readPhysical(pfn * PAGE, PAGE), page, `pfn ${pfn}`);
        throwsFormat(() => v.readPhysical(0x3ff0 * PAGE, 8), /excluded/);
        throwsFormat(() => v.readPhysical(0x3ffe * PAGE, 8), /hole/);
        const excl = v.ranges().find((r) => r.state === "excluded");
        assert.deepEqual(excl, { start: 0x3ff0 * PAGE, end: 0x3ff1 * PAGE, state: "excluded" });
        // Kernel-text shortcut and page-table walk agree (SME bit masked off).
        const dm = levels === 5 ? 0xff11000000000000n : 0xffff888000000000n;
        assert.equal(v.translate(dm + 0x3000010n).paddr, 0x3000010n);
        assert.equal(v.translate(dm + 0x3202010n).pageSize, 1 << 21);
        assert.equal(v.translate(dm + 0x3001008n).steps.length, levels);
        throwsFormat(() => v.translate(dm + 0x7000000000n), /not present/);
        throwsFormat(() => v.translate(0x0000900000000000n + (levels === 5 ? 0x0100000000000000n : 0n)), /non-canonical/);
        assert.equal(v.dmesg(), EXPECTED_DMESG);
      });
    }
    it(`${levels}-level ELF (PN_XNUM) and flattened wrappers read the same log`, () => {
      const elf = buildElf(k.mem, kernelNotes(k), { xnum: true });
      const ve = openVmcore(src(elf));
      assert.ok(ve.warnings.some((w) => /PN_XNUM/.test(w)));
      assert.equal(ve.summary().format, "elf64");
      assert.equal(ve.dmesg(), EXPECTED_DMESG);
      const kd = buildKdump({ codec: "zlib", maxPfn: 0x4000, mem: k.mem, notes: kernelNotes(k) });
      for (const opts of [{}, { reverse: true }, { staleOverlap: true }]) {
        const vf = openVmcore(src(flatten(kd, 1000, opts)));
        assert.equal(vf.summary().container, "flattened");
        assert.equal(vf.dmesg(), EXPECTED_DMESG, JSON.stringify(opts));
      }
      const fe = openVmcore(src(flatten(elf, 4096, { reverse: true })));
      assert.equal(fe.summary().format, "elf64");
      assert.equal(fe.dmesg(), EXPECTED_DMESG);
    });
  }

  it("keeps reads lazy: the summary of a kdump file touches only headers and notes", () => {
    const k = buildKernel(4);
    const file = buildKdump({ codec: "zlib", maxPfn: 0x4000, mem: k.mem, notes: kernelNotes(k) });
    const s = src(file);
    openVmcore(s).summary();
    assert.ok(s.bytesRead < 3 * PAGE, `read ${s.bytesRead} bytes`);
  });

  it("rejects bitmaps past EOF, truncated data, bad descriptors, 32-bit and foreign headers", () => {
    const k = buildKernel(4);
    const good = buildKdump({ codec: "zlib", maxPfn: 0x4000, mem: k.mem, notes: kernelNotes(k) });
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(436, 0x100000, true); // bitmap_blocks past EOF
    throwsFormat(() => openVmcore(src(bad)), /bitmap_blocks/);
    const trunc = good.slice(0, good.length - 3000);
    const vt = openVmcore(src(trunc));
    throwsFormat(() => vt.dmesg(), /page|inside the file|end of file/);
    const badDesc = good.slice();
    const v = openVmcore(src(good));
    const descOff = (1 + new DataView(good.buffer).getInt32(432, true) + new DataView(good.buffer).getUint32(436, true)) * PAGE;
    new DataView(badDesc.buffer).setBigInt64(descOff, 0n, true);
    throwsFormat(() => openVmcore(src(badDesc)).readPhysical(Number(v.memory.ranges()[0]!.start), 8), /incomplete/);
    const corrupt = good.slice();
    const firstData = Number(new DataView(good.buffer).getBigInt64(descOff + 24 * 2, true));
    corrupt.fill(0x55, firstData, firstData + 16);
    assert.throws(() => {
      const vc = openVmcore(src(corrupt));
      for (const pfn of k.mem.pages.keys()) vc.readPhysical(pfn * PAGE, PAGE);
    }, FormatError);
    const arm = buildKdump({ codec: "none", maxPfn: 0x4000, mem: k.mem, notes: kernelNotes(k), machine: "aarch64" });
    throwsFormat(() => openVmcore(src(arm)), /aarch64 dump not supported/);
    const h32 = good.slice();
    const dv = new DataView(h32.buffer);
    dv.setInt32(428, 0, true);
    dv.setInt32(416, 4096, true);
    throwsFormat(() => openVmcore(src(h32)), /32-bit kdump-compressed/);
    const ver = good.slice();
    new DataView(ver.buffer).setInt32(8, 9, true);
    throwsFormat(() => openVmcore(src(ver)), /header_version/);
  });

  it("reads older header versions (v3: VMCOREINFO via offset_vmcoreinfo, no notes)", () => {
    const k = buildKernel(4);
    const file = buildKdump({ codec: "zlib", maxPfn: 0x4000, mem: k.mem, notes: new Uint8Array(0), vmcoreinfo: k.vmcoreinfo, headerVersion: 3 });
    const v = openVmcore(src(file));
    assert.equal(v.summary().osrelease, "6.1.0-synthetic");
    assert.equal(v.dmesg(), EXPECTED_DMESG);
  });

  it("flattened: rejects bad records, flags a missing end marker, never loops", () => {
    const k = buildKernel(4);
    const kd = buildKdump({ codec: "zlib", maxPfn: 0x4000, mem: k.mem, notes: kernelNotes(k) });
    const flat = flatten(kd, 4096);
    const neg = flat.slice();
    new DataView(neg.buffer).setBigInt64(4096 + 8, 0n, false); // buf_size 0
    throwsFormat(() => openVmcore(src(neg)), /buf_size/);
    const noEnd = openVmcore(src(flatten(kd, 4096, { noEnd: true })));
    // The index is built on demand: the end (and its missing marker) is known once scanned there.
    assert.equal(noEnd.summary().flattenedIndex!.complete, false);
    noEnd.flattened!.indexAll();
    assert.ok(noEnd.warnings.some((w) => /truncated/.test(w)));
    assert.equal(noEnd.summary().flattenedIndex!.truncated, true);
    const fs = new FlattenedByteSource(src(flatten(kd, 777, { staleOverlap: true })));
    assert.deepEqual(fs.read(0, 5000), kd.subarray(0, 5000));
    fs.indexAll();
    assert.equal(fs.size, kd.length);
    assert.deepEqual(fs.read(0, 5000), kd.subarray(0, 5000));
  });
});

describe("vmcore unit: kernel log", () => {
  const rec = (ts: bigint, text: string | Uint8Array, callerId?: number): LogRecord => ({ seq: 0n, tsNsec: ts, level: 6, facility: 0, callerId, text: typeof text === "string" ? enc(text) : text });

  it("formats like makedumpfile (spec test vector, caller column for >= 1.7.5)", () => {
    const log: KernelLog = { kind: "lockless", records: [rec(1234567891n, Uint8Array.from([...enc("a\nb"), 0xc3]), 0x80000003)], warnings: [] };
    assert.equal(formatMakedumpfile(log), "[    1.234567] a\n               b\\xffffffc3\n");
    assert.equal(formatMakedumpfile(log, { caller: true }), "[    1.234567] [      C3] a\n" + " ".repeat(26) + "b\\xffffffc3\n");
  });

  it("reads 3.5–5.9 log_buf records, stops on cycles and out-of-range indexes", () => {
    const buf = new Uint8Array(256);
    const dv = new DataView(buf.buffer);
    const put = (at: number, ts: bigint, text: string, len?: number): number => {
      const l = len ?? ((16 + text.length + 3) & ~3);
      dv.setBigUint64(at, ts, true);
      dv.setUint16(at + 8, l, true);
      dv.setUint16(at + 10, text.length, true);
      buf.set(enc(text), at + 16);
      return at + l;
    };
    const a = put(0, 1000000n, "first");
    const b = put(a, 2000000n, "second\nline");
    const vars = new Map<bigint, Uint8Array>();
    const u32 = (v: number): Uint8Array => Uint8Array.of(v & 255, (v >> 8) & 255, 0, 0);
    const setVars = (first: number, next: number): void => {
      vars.set(0x1000n, Uint8Array.from([0x00, 0x20, 0, 0, 0, 0, 0, 0]));
      vars.set(0x1100n, u32(256));
      vars.set(0x1200n, u32(first));
      vars.set(0x1300n, u32(next));
    };
    const mem = { read: (va: bigint, n: number): Uint8Array => (va === 0x2000n ? buf.subarray(0, n) : vars.get(va)!.subarray(0, n)) };
    const info = new Vmcoreinfo(["SYMBOL(log_buf)=1000", "SYMBOL(log_buf_len)=1100", "SYMBOL(log_first_idx)=1200", "SYMBOL(log_next_idx)=1300", "SIZE(printk_log)=16", "OFFSET(printk_log.ts_nsec)=0", "OFFSET(printk_log.len)=8", "OFFSET(printk_log.text_len)=10"].join("\n"));
    setVars(0, b);
    const log = readKernelLog(info, mem, "t");
    assert.equal(log.kind, "printk_log");
    assert.equal(formatMakedumpfile(log), "[    0.001000] first\n[    0.002000] second\n               line\n");
    // log_next_idx never reached and len 0 at the start: a cycle, not a hang.
    setVars(0, 200);
    dv.setUint16(8, 0, true);
    const cyc = readKernelLog(info, mem, "t");
    assert.ok(cyc.warnings.some((w) => /Cycle/.test(w)));
    dv.setUint16(8, 250, true);
    const out = readKernelLog(info, mem, "t");
    assert.ok(out.warnings.some((w) => /outside log_buf/.test(w)));
  });

  it("names the missing VMCOREINFO keys", () => {
    throwsFormat(() => readKernelLog(new Vmcoreinfo("SYMBOL(prb)=ffffffff81000000\n"), { read: () => new Uint8Array(8) }, "t"), /SIZE\(printk_ringbuffer\)/);
    throwsFormat(() => readKernelLog(new Vmcoreinfo("OSRELEASE=1\n"), { read: () => new Uint8Array(8) }, "t"), /SYMBOL\(prb\)/);
  });
});

describe("vmcore unit: CLI commands", () => {
  it("usage errors and invalid input surface as UsageError / FormatError (exit 2 / 1 in runCli)", async () => {
    const io = { out: (): void => {}, err: (): void => {} };
    await assert.rejects(vmcoreCommand.run([], io), UsageError);
    await assert.rejects(dmesgCommand.run(["a", "b"], io), UsageError);
    await assert.rejects(vmcoreCommand.run(["/nonexistent/vmcore"], io), FormatError);
    await assert.rejects(dmesgCommand.run([__filename], io), FormatError);
  });
});
