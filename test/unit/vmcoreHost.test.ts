/** The pure parts of the vmcore editor host: protocol checks, view building, the session's log streaming. */
import * as assert from "node:assert/strict";
import { MemoryByteSource, openFile } from "../../extension/core/io/byteSource";
import { openVmcore } from "../../extension/core/formats/vmcore/vmcore";
import { parseFromWebview, parseToWebview } from "../../extension/protocol/image";
import { LOG_CHUNK_LINES, parseVmcoreFromWebview, parseVmcoreToWebview, VmcoreMessageType, type VmcoreToWebview } from "../../extension/protocol/vmcore";
import { openVmcoreView } from "../../extension/views/vmcoreSession";
import { buildVmcoreView, pagingConsequence } from "../../extension/views/vmcoreView";
import { readJson, sharedFixture, vmcoreFixture } from "../fixtures";
import { driveVmcore } from "../support/vmcoreDrive";
import { buildElf, buildKdump, buildPrintkLogElf, flatten, note, PhysImage, prstatus } from "./vmcoreSynth";

interface Expected {
  format: string;
  osrelease: string;
  paging_levels: 4 | 5;
  marker_dmesg_line: string;
  vmcoreinfo_keys: Record<string, string>;
}

const FIXTURES = ["vmcore-l4-kdump-zlib-d31", "vmcore-l4-elf-d31", "vmcore-l5-elf-d31"] as const;
const EVIL = "<img src=x onerror=alert(1)>";

/** A session on `src` whose posts are validated with the webview's own parser and recorded. */
const drive = driveVmcore;

describe("vmcore editor host (pure)", () => {
  it("validates every message and keeps the vmcore and image message sets apart", () => {
    assert.ok(parseVmcoreFromWebview({ messageId: 1, body: { type: "vmcoreReady" } }).ok);
    assert.ok(parseVmcoreFromWebview({ messageId: 2, body: { type: "loadLog", token: 3 } }).ok);
    for (const bad of [
      { messageId: 1, body: { type: "ready" } },
      { messageId: 1, body: { type: "loadLog" } },
      { messageId: 1, body: { type: "loadLog", token: "1" } },
      { messageId: 1, body: { type: "cancelLog", x: 1 } },
      { messageId: 1, body: { type: "vmcoreReopenWith", editor: "html" } },
      { messageId: 1, body: { type: "__proto__" } },
    ]) {
      assert.equal(parseVmcoreFromWebview(bad).ok, false, JSON.stringify(bad));
    }
    assert.equal(parseFromWebview({ messageId: 1, body: { type: "vmcoreReady" } }).ok, false, "the image host rejects vmcore messages");
    const chunk = { type: "logChunk", token: 1, first: 0, lines: ["a", "b"], levels: [6, -1] };
    assert.ok(parseVmcoreToWebview({ messageId: 1, body: chunk }).ok);
    assert.equal(parseToWebview({ messageId: 1, body: chunk }).ok, false, "the image page rejects vmcore messages");
    assert.equal(parseVmcoreToWebview({ messageId: 1, body: { ...chunk, levels: [6] } }).ok, false, "one level per line");
    assert.equal(parseVmcoreToWebview({ messageId: 1, body: { ...chunk, levels: [6, 8] } }).ok, false, "levels are 0..7 or -1");
    assert.equal(parseVmcoreToWebview({ messageId: 1, body: { ...chunk, lines: [1, 2] } }).ok, false);
    assert.equal(parseVmcoreToWebview({ messageId: 1, body: { ...chunk, lines: new Array(LOG_CHUNK_LINES + 100).fill("x"), levels: new Array(LOG_CHUNK_LINES + 100).fill(1) } }).ok, false, "chunk size is bounded");
    assert.equal(parseVmcoreToWebview({ messageId: 1, body: { type: "logProgress", token: 1, phase: "read", done: Number.NaN, total: 1 } }).ok, false);
    assert.equal(parseVmcoreToWebview({ messageId: 1, body: { type: "vmcoreReady" } }).ok, false, "direction matters");
  });

  it("words the paging consequence from the knowledge table (refusal by bit, switch by release, 64 TiB, the 5→4 fix)", () => {
    assert.match(pagingConsequence(5), /^5-level: .*kexec_file_load takes only a target with XLF_5LEVEL.*from 4\.17 switches paging itself.*below 64 TiB.*_PAGE_NOPTISHADOW/);
    assert.match(pagingConsequence(4), /^4-level: .*64 TiB/);
  });

  for (const name of FIXTURES) {
    it(`${name}: the view matches expected.json, passes the webview's check and reads < 1 MiB`, () => {
      const exp = readJson<Expected>(sharedFixture("vmcore", `${name}.expected.json`));
      const src = openFile(vmcoreFixture(name));
      try {
        const r = openVmcoreView(src);
        assert.ok(r.ok);
        const v = r.view;
        assert.equal(v.summary.format, exp.format);
        assert.equal(v.summary.osrelease, exp.osrelease);
        assert.equal(v.summary.pagingLevels, exp.paging_levels);
        assert.match(v.summary.pagingConsequence, new RegExp(`^${exp.paging_levels}-level`));
        for (const [k, val] of Object.entries(exp.vmcoreinfo_keys)) assert.equal(v.vmcoreinfo.find((e) => e.key === k)?.value, val, k);
        assert.equal(v.summary.kaslrOffset, "0x" + exp.vmcoreinfo_keys["KERNELOFFSET"]);
        assert.equal(BigInt.asIntN(64, BigInt(v.summary.physBase!)), BigInt(exp.vmcoreinfo_keys["NUMBER(phys_base)"]!));
        assert.equal(v.summary.physBaseSigned, "-0x" + (-BigInt(exp.vmcoreinfo_keys["NUMBER(phys_base)"]!)).toString(16));
        assert.equal(v.summary.crashedCpu, 0, "one CPU note: that is the one");
        assert.equal(v.cpus[0]!.registers.length, 27);
        assert.ok(v.ranges.length > 0 && v.ranges.every((x, i) => x.start < x.end && (i === 0 || v.ranges[i - 1]!.end <= x.start)));
        assert.equal(v.logUnavailable, null);
        assert.ok(v.bytesRead > 0 && v.bytesRead < 1024 * 1024, `${v.bytesRead} bytes read`);
        assert.ok(src.bytesRead < 1024 * 1024);
        const env = JSON.parse(JSON.stringify({ messageId: 1, inReplyTo: 1, body: { type: VmcoreMessageType.VmcoreLoaded, view: v } })) as unknown;
        const parsed = parseVmcoreToWebview(env);
        assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
      } finally {
        src.close();
      }
    });
  }

  it("streams the kernel log on demand, in order, and serves it again from its cache", async () => {
    const exp = readJson<Expected>(sharedFixture("vmcore", "vmcore-l4-kdump-zlib-d31.expected.json"));
    const src = openFile(vmcoreFixture("vmcore-l4-kdump-zlib-d31"));
    try {
      const d = drive(src);
      const loaded = await d.ask({ type: "vmcoreReady" }, 1);
      assert.equal(loaded.type, VmcoreMessageType.VmcoreLoaded);
      const before = src.bytesRead;
      const done = await d.ask({ type: "loadLog", token: 7 }, 2);
      assert.equal(done.type, VmcoreMessageType.LogDone);
      assert.ok(src.bytesRead > before, "the log is read only now");
      const lines: string[] = [];
      for (const m of d.got) if (m.type === VmcoreMessageType.LogChunk) {
        assert.equal(m.token, 7);
        assert.equal(m.first, lines.length);
        lines.push(...m.lines);
      }
      assert.ok(done.type === VmcoreMessageType.LogDone && done.lines === lines.length && done.kind === "lockless" && done.records > 0);
      assert.ok(lines.includes(exp.marker_dmesg_line), "marker line");
      assert.ok(d.got.some((m) => m.type === VmcoreMessageType.LogProgress && m.token === 7));
      // Again (e.g. after hide/restore): same lines, no further reads.
      const read = src.bytesRead;
      const n = d.got.length;
      const again = await d.ask({ type: "loadLog", token: 8 }, 3);
      assert.equal(again.type, VmcoreMessageType.LogDone);
      const lines2 = d.got.slice(n).flatMap((m) => (m.type === VmcoreMessageType.LogChunk ? m.lines : []));
      assert.deepEqual(lines2, lines);
      assert.equal(src.bytesRead, read);
      assert.deepEqual(d.logs, []);
    } finally {
      src.close();
    }
  });

  it("yields between chunks and honours CancelLog", async () => {
    const records = Array.from({ length: 6000 }, (_, i) => ({ tsNsec: BigInt(i) * 1000000n, level: 6, text: `line ${i}` }));
    const src = new MemoryByteSource(buildPrintkLogElf({ records }), "big.vmcore");
    let yields = 0;
    const d = drive(src, () => {
      yields++;
      return new Promise((r) => setTimeout(r, 5));
    });
    await d.ask({ type: "vmcoreReady" }, 1);
    const pending = d.ask({ type: "loadLog", token: 1 }, 2);
    await new Promise((r) => setTimeout(r, 12));
    assert.ok(d.session.receive({ messageId: 3, body: { type: "cancelLog" } }));
    const r = await pending;
    assert.equal(r.type, VmcoreMessageType.LogFailed);
    assert.ok(r.type === VmcoreMessageType.LogFailed && r.cancelled);
    assert.ok(yields >= 1);
    // Not cached after a cancel: a new request reads and sends everything.
    const full = await d.ask({ type: "loadLog", token: 2 }, 4);
    assert.ok(full.type === VmcoreMessageType.LogDone && full.lines === 6000 && full.records === 6000);
    const chunks = d.got.filter((m) => m.type === VmcoreMessageType.LogChunk && m.token === 2);
    assert.equal(chunks.length, Math.ceil(6000 / LOG_CHUNK_LINES));
    assert.ok(yields >= 6, `${yields} yields`);
  });

  it("keeps file text as data, and names what it cannot know", () => {
    const bytes = buildPrintkLogElf({
      records: [{ tsNsec: 1n, level: 3, text: EVIL }],
      vmcoreinfo: [`OSRELEASE=${EVIL}`, `<b>KEY</b>=${EVIL}`, "CRASHTIME=1700000000"],
      cpus: 2,
      levels: 5,
    });
    const src = new MemoryByteSource(bytes, "hostile.vmcore");
    const v = buildVmcoreView(src, openVmcore(src));
    assert.equal(v.summary.osrelease, EVIL);
    assert.equal(v.vmcoreinfo.find((e) => e.key === "<b>KEY</b>")?.value, EVIL);
    assert.equal(v.summary.crashTimeText, "2023-11-14T22:13:20Z");
    assert.equal(v.summary.pagingLevels, 5);
    assert.equal(v.summary.crashedCpu, null);
    assert.match(v.summary.crashedCpuText, /not recorded/);
    assert.equal(v.summary.physBaseSigned, null);
  });

  it("says how far a flattened stream's on-demand record index got, and scans ranges on request", async () => {
    const mem = new PhysImage();
    for (let p = 0; p < 40; p++) mem.page(p).fill(p + 1, 0, 100);
    const kd = buildKdump({ codec: "zlib", maxPfn: 0x100, mem, notes: note("VMCOREINFO", 0, new TextEncoder().encode("OSRELEASE=6.1.0-x\n")) });
    const flat = flatten(kd, 512);
    const r = openVmcoreView(new MemoryByteSource(flat, "flat"));
    assert.ok(r.ok);
    // The one-step range scan at open read the bitmaps, so the index got past them, not to the end.
    assert.match(r.view.summary.recordIndex!, /^built on demand: \d+ records read so far$/);
    assert.equal(r.view.rangesComplete, true);
    assert.equal(r.view.beyondFourLevel, null);
    const d = drive(new MemoryByteSource(flat, "flat"));
    const done = await d.ask({ type: VmcoreMessageType.ScanRanges, token: 4 }, 1);
    assert.equal(done.type, VmcoreMessageType.RangesDone);
    assert.deepEqual((done as Extract<VmcoreToWebview, { type: VmcoreMessageType.RangesDone }>).ranges, [{ start: 0, end: 40 * 4096, state: "dumped" }]);
  });

  it("rejects files that are not vmcores kindly", async () => {
    const d = drive(new MemoryByteSource(new TextEncoder().encode("just some text, long enough"), "dump.txt"));
    const r = await d.ask({ type: "vmcoreReady" }, 1);
    assert.equal(r.type, VmcoreMessageType.VmcoreRejected);
    assert.ok(r.type === VmcoreMessageType.VmcoreRejected && /signature/.test(r.reason));
    const log = await d.ask({ type: "loadLog", token: 1 }, 2);
    assert.equal(log.type, VmcoreMessageType.LogFailed);
  });

  it("explains a missing kernel log", () => {
    const mem = new PhysImage();
    mem.page(1)[0] = 1;
    const src = new MemoryByteSource(buildElf(mem, note("CORE", 1, prstatus(1, 0n))), "no-vmcoreinfo");
    const view = buildVmcoreView(src, openVmcore(src));
    assert.match(view.logUnavailable ?? "", /no VMCOREINFO/);
    assert.ok(view.warnings.some((w) => /no VMCOREINFO/.test(w)));
  });
});
