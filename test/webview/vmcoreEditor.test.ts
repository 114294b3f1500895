/**
 * The vmcore editor webview in headless Chromium: real bundle, real page HTML, the real
 * VmcoreSession on the real core behind the real protocol. Values on screen are checked against
 * the independent *.expected.json of ../shared/fixtures/vmcore; screenshots go to out/screenshots/.
 */
import * as assert from "node:assert/strict";
import type { BrowserContext } from "playwright-core";
import { MemoryByteSource, openFile, type ByteSource } from "../../extension/core/io/byteSource";
import { VmcoreSession } from "../../extension/views/vmcoreSession";
import { cacheDir, readJson, sharedFixture, vmcoreFixture } from "../fixtures";
import { buildBigLayout } from "../support/vmcoreLayouts";
import { buildPrintkLogElf } from "../unit/vmcoreSynth";
import { chromiumAvailable, launch, openPage, screenshotPath, type OpenedPageOf, type OpenOptions, assertClean, textOf } from "./harness";

interface Expected {
  format: string;
  osrelease: string;
  paging_levels: 4 | 5;
  marker_line: string;
  marker_dmesg_line: string;
}

type VmcorePage = OpenedPageOf<VmcoreSession>;

const FIXTURES = ["vmcore-l4-kdump-zlib-d31", "vmcore-l4-elf-d31", "vmcore-l5-elf-d31"] as const;
const EVIL = "<img src=x onerror=alert(1)>";

function openVmcorePage(context: BrowserContext, src: ByteSource, o: OpenOptions & { yieldNow?: () => Promise<void> }): Promise<VmcorePage> {
  return openPage(
    context,
    {
      bundle: "vmcoreEditorMain",
      css: "vmcoreEditor.css",
      title: "Vmcore inspector",
      session: (post, log, calls) =>
        new VmcoreSession(src, {
          post,
          log,
          reopenWith: async (editor) => void calls.reopened.push(editor),
          hexEditorAvailable: () => o.hexEditorAvailable ?? false,
          ...(o.yieldNow ? { yieldNow: o.yieldNow } : {}),
        }),
    },
    o,
  );
}

const text = textOf;

async function loadLog(p: VmcorePage): Promise<void> {
  await p.page.click("#load-log");
  await p.page.waitForSelector("#log-tools:not([hidden])", { timeout: 60_000 });
}

/** Types into the search field the way a user does (the toolkit field wraps a shadow <input>). */
async function search(p: VmcorePage, query: string, sel = "#log-search"): Promise<void> {
  await p.page.click(sel);
  await p.page.keyboard.press("Control+A");
  await p.page.keyboard.press("Backspace");
  if (query) await p.page.keyboard.type(query);
}

describe("vmcore editor webview (Chromium)", function () {
  this.timeout(180_000);
  let context: BrowserContext;
  let close: () => Promise<void>;
  const sources: ByteSource[] = [];

  before(async function () {
    if (!chromiumAvailable()) {
      console.warn("    /usr/bin/chromium is missing: webview tests skipped (apt-get install -y chromium)");
      this.skip();
    }
    ({ context, close } = await launch());
  });
  after(async () => {
    for (const s of sources) s.close();
    await close?.();
  });
  const open = (name: string): ByteSource => {
    const s = openFile(vmcoreFixture(name));
    sources.push(s);
    return s;
  };

  for (const name of FIXTURES) {
    describe(name, () => {
      const exp = readJson<Expected>(sharedFixture("vmcore", `${name}.expected.json`));

      for (const theme of ["light", "dark"] as const) {
        it(`shows the expected values, finds the marker in the kernel log (${theme} theme) and screenshots them`, async () => {
          const src = open(name);
          const p = await openVmcorePage(context, src, { theme });
          try {
            assert.equal(await text(p, "#summary-osrelease"), exp.osrelease);
            assert.equal(await text(p, "#summary-format"), exp.format);
            assert.match(await text(p, "#summary-paging"), new RegExp(`^${exp.paging_levels}-level\\b`));
            assert.match(await text(p, "#paging-consequence"), new RegExp(`^${exp.paging_levels}-level: `));
            if (exp.paging_levels === 5) assert.match(await text(p, "#paging-consequence"), /XLF_5LEVEL.*64 TiB/);
            assert.match(await text(p, "#bytes-read"), /^Opened by reading \d+(\.\d+)? KiB of \d+(\.\d+)? MiB\.$/);
            assert.ok(src.bytesRead < 1024 * 1024, `${src.bytesRead} bytes read to open`);
            assert.ok((await p.page.locator("#ranges tbody tr").count()) > 1);
            assert.equal(await p.page.locator("#range-bar .range-seg").count(), await p.page.locator("#ranges tbody tr").count());
            assert.ok(!(await p.page.isVisible("#log-viewport")), "the log is not read before it is asked for");

            await loadLog(p);
            const lines = Number((await text(p, "#log-info")).replace(/,/g, "").match(/^(\d+) lines/)?.[1]);
            assert.ok(lines > 300, `${lines} lines`);
            const rendered = await p.page.locator(".log-row").count();
            assert.ok(rendered > 10 && rendered < 120, `virtualised: ${rendered} rows in the DOM for ${lines} lines`);

            await search(p, exp.marker_line);
            await p.page.waitForFunction(() => document.getElementById("log-matches")?.textContent === "1 of 1");
            assert.equal(await text(p, ".log-row.current"), exp.marker_dmesg_line);
            assert.equal(await text(p, ".log-row.current mark"), exp.marker_line);
            assert.ok(await p.page.locator(".log-row.current").isVisible());

            await p.page.click("summary:has-text('VMCOREINFO')");
            await search(p, "pgtable_l5", "#vmcoreinfo-filter");
            await p.page.waitForFunction(() => /^1 of \d+ entries$/.test(document.getElementById("vmcoreinfo-count")?.textContent ?? ""));
            assert.equal(await text(p, '#vmcoreinfo-table tr:not([hidden])[data-key="NUMBER(pgtable_l5_enabled)"] td.value'), exp.paging_levels === 5 ? "1" : "0");
            await p.page.click("summary:has-text('Per-CPU registers')");
            assert.equal(await p.page.locator("#cpu-0-regs .reg").count(), 27);
            await p.page.screenshot({ path: screenshotPath(`${name}-${theme}`), fullPage: true });
            assertClean(p);
          } finally {
            await p.page.close();
          }
        });
      }
    });
  }

  it("jumps to the end of the log, and keeps log, search and sections across hide/restore", async () => {
    const exp = readJson<Expected>(sharedFixture("vmcore", "vmcore-l5-elf-d31.expected.json"));
    const src = open("vmcore-l5-elf-d31");
    const p = await openVmcorePage(context, src, { theme: "dark" });
    let state: unknown;
    try {
      await loadLog(p);
      await p.page.click("#log-end");
      await p.page.waitForTimeout(100);
      const last = await p.page.$$eval(".log-row", (rows) => Math.max(...rows.map((r) => Number((r as HTMLElement).dataset["line"]))));
      const lines = Number((await text(p, "#log-info")).replace(/,/g, "").match(/^(\d+) lines/)?.[1]);
      assert.equal(last, lines - 1);
      assert.ok(await p.page.locator(`.log-row[data-line="${lines - 1}"]`).isVisible());
      await search(p, "KXI-MARKER");
      await p.page.waitForFunction(() => document.getElementById("log-matches")?.textContent === "1 of 2");
      await p.page.click("#log-next");
      assert.equal(await text(p, "#log-matches"), "2 of 2");
      await p.page.keyboard.press("Escape");
      await p.page.click("#log-search");
      await p.page.keyboard.press("Shift+Enter");
      assert.equal(await text(p, "#log-matches"), "1 of 2");
      await p.page.click("summary:has-text('Physical memory ranges')"); // close it
      await p.page.locator("#section-log").screenshot({ path: screenshotPath("vmcore-log-search-dark") });
      await p.page.waitForTimeout(300); // the scroll position is saved after a short delay
      state = p.state();
      assertClean(p);
    } finally {
      await p.page.close();
    }
    const read = src.bytesRead;
    const again = await openVmcorePage(context, src, { theme: "dark", state });
    try {
      await again.page.waitForSelector("#log-tools:not([hidden])", { timeout: 30_000 });
      assert.equal(await again.page.$eval("#log-search", (e) => (e as HTMLElement & { value: string }).value), "KXI-MARKER");
      assert.match(await text(again, "#log-matches"), /of 2$/);
      assert.ok(await again.page.locator(`.log-row:has-text("${exp.marker_dmesg_line}")`).isVisible(), "scroll position restored");
      assert.equal(await again.page.getAttribute("#section-ranges", "open"), null);
      assert.equal(src.bytesRead, read, "a new session would read again; this one answers from its cache");
      assertClean(again);
    } finally {
      await again.page.close();
    }
  });

  it("cancels a running log load", async () => {
    const records = Array.from({ length: 20_000 }, (_, i) => ({ tsNsec: BigInt(i) * 1000n, level: 6, text: `synthetic line ${i}` }));
    const src = new MemoryByteSource(buildPrintkLogElf({ records }), "vmcore-big");
    const p = await openVmcorePage(context, src, { theme: "light", yieldNow: () => new Promise((r) => setTimeout(r, 60)) });
    try {
      await p.page.click("#load-log");
      await p.page.waitForSelector("#log-progress:not([hidden])");
      await p.page.click("#log-cancel");
      await p.page.waitForFunction(() => document.getElementById("log-info")?.textContent === "Loading the kernel log was cancelled.");
      assert.ok(await p.page.isVisible("#load-log"));
      assert.ok(!(await p.page.isVisible("#log-progress")));
      assert.ok(p.fromPage.some((m) => JSON.stringify(m).includes('"cancelLog"')));
      // And the full load afterwards, with progress events.
      await loadLog(p);
      assert.match(await text(p, "#log-info"), /^20,000 lines from 20,000 records \(printk_log ring\)$/);
      assert.ok(p.toPage.filter((m) => m.includes('"logProgress"')).length >= 2, "progress events");
      assertClean(p);
    } finally {
      await p.page.close();
    }
  });

  it("scans the ranges of a 128 TiB layout in steps, then says what lies above 64 TiB; cancel works on 4 PiB", async function () {
    const fixture = sharedFixture("vmcore", "vmcore-l4-kdump-zlib-d31");
    const big = buildBigLayout(fixture, 2 ** 35, cacheDir("vmcore-big"));
    const huge = buildBigLayout(fixture, 2 ** 40, cacheDir("vmcore-big"));
    if ("skipped" in big || "skipped" in huge) this.skip();
    const src = openFile(big.file);
    sources.push(src);
    const p = await openVmcorePage(context, src, { theme: "dark" });
    try {
      assert.equal(await p.page.locator("#range-marks .range-mark").count(), 5);
      assert.match(await text(p, "#range-marks"), /4 GiB.*64 TiB.*4 PiB/);
      // The scan starts by itself and ends with the complete list and the fact above 64 TiB.
      await p.page.waitForSelector("#ranges[data-complete='true']", { timeout: 120_000 });
      assert.equal(await p.page.getAttribute("#beyond-4level", "data-state"), "missing");
      assert.match(await text(p, "#beyond-4level"), /Above 64(\.0)? TiB \(the 4-level limit\): no RAM recorded/);
      assert.equal(await p.page.locator("#range-bar .range-seg").count(), await p.page.locator("#ranges tbody tr").count());
      assert.ok(p.toPage.some((m) => m.includes('"rangesProgress"')), "progress events");
      await p.page.locator("#section-ranges").screenshot({ path: screenshotPath("vmcore-128TiB-ranges") });
      assertClean(p);
    } finally {
      await p.page.close();
    }
    const src2 = openFile(huge.file);
    sources.push(src2);
    const q = await openVmcorePage(context, src2, { theme: "light", yieldNow: () => new Promise((r) => setTimeout(r, 20)) });
    try {
      await q.page.waitForSelector("#ranges-progress:not([hidden])");
      await q.page.click("#ranges-cancel");
      await q.page.waitForFunction(() => /cancelled/.test(document.getElementById("ranges-note")?.textContent ?? ""));
      assert.ok(await q.page.isVisible("#ranges-scan"));
      assert.equal(await q.page.getAttribute("#beyond-4level", "data-state"), "unknown");
      assertClean(q);
    } finally {
      await q.page.close();
    }
  });

  it("keeps hostile strings from the dump inert", async () => {
    const evil2 = `${EVIL}</script><script>alert(2)</script>`;
    const bytes = buildPrintkLogElf({
      records: [
        { tsNsec: 1_000_000_000n, level: 6, text: "booting" },
        { tsNsec: 2_000_000_000n, level: 3, text: evil2 },
        { tsNsec: 3_000_000_000n, level: 4, text: "a warning" },
      ],
      vmcoreinfo: [`OSRELEASE=${EVIL}`, `<b>KEY</b>=${evil2}`, "CRASHTIME=1700000000"],
      cpus: 2,
      levels: 5,
    });
    const p = await openVmcorePage(context, new MemoryByteSource(bytes, `vmcore-${EVIL}`), { theme: "dark" });
    try {
      assert.equal(await text(p, "#summary-osrelease"), EVIL);
      assert.equal(await text(p, "#file-name"), `vmcore-${EVIL}`);
      assert.match(await text(p, "#summary-paging"), /^5-level/);
      assert.match(await text(p, "#summary-crashed-cpu"), /not recorded/);
      assert.equal(await text(p, "#summary-crash-time"), "2023-11-14T22:13:20Z");
      await p.page.click("summary:has-text('VMCOREINFO')");
      await search(p, "onerror", "#vmcoreinfo-filter");
      await p.page.waitForFunction(() => document.getElementById("vmcoreinfo-count")?.textContent?.startsWith("2 of"));
      assert.equal(await text(p, '#vmcoreinfo-table tr[data-key="<b>KEY</b>"] td.value'), evil2);
      await loadLog(p);
      await search(p, "onerror");
      await p.page.waitForFunction(() => document.getElementById("log-matches")?.textContent === "1 of 1");
      assert.equal(await text(p, ".log-row.current"), `[    2.000000] ${evil2}`);
      assert.match((await p.page.getAttribute(".log-row.current", "class")) ?? "", /level-3/);
      assert.equal(await p.page.locator("#app img, #app script, #app b").count(), 0);
      await p.page.waitForTimeout(200);
      await p.page.screenshot({ path: screenshotPath("vmcore-hostile-dark"), fullPage: true });
      assertClean(p);
    } finally {
      await p.page.close();
    }
  });

  it("rejects malformed and unknown messages on both sides", async () => {
    const p = await openVmcorePage(context, open("vmcore-l4-kdump-zlib-d31"), { theme: "light" });
    try {
      const before = await p.page.content();
      await p.post({ foo: 1 });
      await p.post({ messageId: 7, body: { type: "vmcoreLoaded", view: { fileName: "<b>x</b>" } } });
      await p.post({ messageId: 8, body: { type: "imageLoaded", view: {} } });
      await p.post({ messageId: 9, body: { type: "logChunk", token: 1, first: 0, lines: ["<b>x</b>"], levels: [] } });
      await p.page.waitForTimeout(100);
      assert.equal(p.consoleLines.filter((l) => l.includes("rejected message")).length, 4);
      assert.equal(await p.page.content(), before);
      assert.equal(p.session.receive({ messageId: 1, body: { type: "loadLog", token: "1" } }), false);
      assert.equal(p.session.receive({ messageId: 2, body: { type: "ready" } }), false);
      assert.equal(p.session.receive("vmcoreReady"), false);
      assert.equal(p.hostLog.length, 3);
    } finally {
      await p.page.close();
    }
  });

  it("falls back kindly for a file that is not a vmcore", async () => {
    const src = new MemoryByteSource(new TextEncoder().encode("this is a text file called dump.txt\n".repeat(4)), "dump.txt");
    const p = await openVmcorePage(context, src, { theme: "light", hexEditorAvailable: true });
    try {
      assert.ok(await p.page.isVisible("#rejected"));
      assert.match(await text(p, "#rejected-reason"), /signature/);
      await p.page.click("#open-hex");
      await p.page.click("#open-text");
      await p.page.click("#open-pick");
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(p.calls.reopened, ["hex", "text", "pick"]);
      await p.page.screenshot({ path: screenshotPath("vmcore-rejected-light"), fullPage: true });
      assertClean(p);
    } finally {
      await p.page.close();
    }
  });
});
