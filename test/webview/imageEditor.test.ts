/**
 * The image inspector webview in headless Chromium: real bundle, real page HTML, real core
 * behind the real protocol. Values on screen are checked against the independent
 * *.expected.json of ../shared/fixtures/bzimage; screenshots go to out/screenshots/.
 */
import * as assert from "node:assert/strict";
import type { BrowserContext } from "playwright-core";
import { MemoryByteSource, openFile, type ByteSource } from "../../extension/core/io/byteSource";
import { readJson, sharedFixture } from "../fixtures";
import { makeImage } from "../support/syntheticImage";
import { makeUki } from "../support/syntheticUki";
import { UKI_CMDLINE, buildRealUki, realUkiMissing } from "../support/realUki";
import { chromiumAvailable, launch, openImagePage, screenshotPath, assertClean, textOf } from "./harness";

interface Expected {
  setup: {
    protocol_version: string;
    values: Record<string, number | null>;
    decoded: { kernel_version_string: string; xloadflags_names?: string[] };
  };
  pe: { starts_with_MZ: boolean; machine_name?: string; certificate_table?: { pkcs7?: { certificates: { subject: { CN: string } }[] } }[] };
  payload: { compression: string; linux_banner?: string };
}

const IMAGES = ["vmlinuz-6.1.0-50-amd64", "vmlinuz-6.1.0-50-686", "ipxe.lkrn"] as const;
const XLF_NAMES = ["XLF_KERNEL_64", "XLF_CAN_BE_LOADED_ABOVE_4G", "XLF_EFI_HANDOVER_32", "XLF_EFI_HANDOVER_64", "XLF_EFI_KEXEC", "XLF_5LEVEL", "XLF_5LEVEL_ENABLED", "XLF_MEM_ENCRYPTION"];
const SAMPLE_FIELDS = ["setup_sects", "version", "loadflags", "kernel_version", "initrd_addr_max", "kernel_alignment", "xloadflags", "cmdline_size", "payload_offset", "pref_address", "init_size", "kernel_info_offset"];

const text = textOf;

describe("image inspector webview (Chromium)", function () {
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
    const s = openFile(sharedFixture("bzimage", name));
    sources.push(s);
    return s;
  };

  for (const name of IMAGES) {
    describe(name, () => {
      const exp = readJson<Expected>(sharedFixture("bzimage", `${name}.expected.json`));

      for (const theme of ["light", "dark"] as const) {
        it(`shows the expected values (${theme} theme) and screenshots them`, async () => {
          const p = await openImagePage(context, open(name), { theme });
          try {
            assert.equal(await text(p, "#protocol"), exp.setup.protocol_version);
            assert.equal(await text(p, "#kernel-version"), exp.setup.decoded.kernel_version_string);
            assert.equal(await text(p, "#codec"), exp.payload.compression.startsWith("n/a") ? "(none)" : exp.payload.compression);

            const certs = exp.pe.certificate_table?.[0]?.pkcs7?.certificates ?? [];
            if (certs.length) assert.equal(await text(p, "#signed-by"), certs[0]!.subject.CN);
            else assert.equal(await text(p, "#signed-by"), "not signed");
            if (exp.pe.machine_name) assert.equal(await text(p, "#architecture"), exp.pe.machine_name.endsWith("AMD64") ? "x86_64" : "i386");

            // xloadflags: every one of the 8 bits, set or clear, or the "absent" note before 2.12.
            if (exp.setup.values["xloadflags"] === null) {
              assert.ok(await p.page.isVisible("#xlf-absent"));
              assert.equal(await p.page.locator(".bit").count(), 0);
            } else {
              const setNames = exp.setup.decoded.xloadflags_names ?? [];
              for (let bit = 0; bit < 8; bit++) {
                const cell = p.page.locator(`.bit[data-bit="${bit}"]`);
                assert.equal(await cell.getAttribute("data-name"), XLF_NAMES[bit]);
                assert.equal(await cell.getAttribute("data-state"), setNames.includes(XLF_NAMES[bit]!) ? "set" : "clear", XLF_NAMES[bit]);
              }
            }

            for (const f of SAMPLE_FIELDS) {
              const row = p.page.locator(`tr[data-field="${f}"]`);
              const want = exp.setup.values[f];
              if (want === null || want === undefined) {
                assert.match((await row.getAttribute("class")) ?? "", /\babsent\b/, `${f} greyed`);
                assert.match(((await row.locator("td.value").textContent()) ?? "").trim(), /^absent \(since 2\.\d\d\)$/, f);
              } else {
                assert.equal(((await row.locator("td.decimal").textContent()) ?? "").trim(), String(want), f);
                assert.equal(((await row.locator("td.value").textContent()) ?? "").trim(), "0x" + want.toString(16).padStart(Number(await row.locator("td:nth-child(2)").textContent()) * 2, "0"), f);
              }
            }
            assert.equal(await p.page.locator("tr[data-field]").count(), Object.keys(exp.setup.values).length);
            await p.page.screenshot({ path: screenshotPath(`${name}-${theme}`), fullPage: true });
            assertClean(p);
          } finally {
            await p.page.close();
          }
        });
      }
    });
  }

  it("selecting a field highlights its bytes; hovering a byte names its field", async () => {
    const p = await openImagePage(context, open("vmlinuz-6.1.0-50-amd64"), { theme: "dark" });
    try {
      await p.page.click('tr[data-field="xloadflags"]');
      const selected = await p.page.$$eval(".hex-byte.selected", (els) => els.map((e) => Number((e as HTMLElement).dataset["offset"])));
      assert.deepEqual(selected, [0x236, 0x237]);
      assert.equal(await p.page.getAttribute('tr[data-field="xloadflags"]', "aria-selected"), "true");
      assert.equal(await text(p, '.hex-byte[data-offset="566"]'), "7f");
      await p.page.hover('.hex-byte[data-offset="601"]'); // 0x259, inside pref_address
      assert.match(await text(p, "#hex-hover"), /^0x259: pref_address/);
      // Clicking a byte selects the field row as well.
      await p.page.click('.hex-byte[data-offset="520"]'); // 0x208 realmode_swtch
      assert.equal(await p.page.getAttribute('tr[data-field="realmode_swtch"]', "aria-selected"), "true");
      await p.page.hover('.bit[data-bit="5"]');
      assert.match(await text(p, "#xlf-detail"), /XLF_5LEVEL.*kexec_file_load refuses/s);
      await p.page.click('tr[data-field="xloadflags"]');
      await p.page.locator("#section-header").screenshot({ path: screenshotPath("hexstrip-selected-dark") });
      assertClean(p);
    } finally {
      await p.page.close();
    }
  });

  it("the summary verdict line renders the core's verdicts", async () => {
    const amd = await openImagePage(context, open("vmlinuz-6.1.0-50-amd64"), { theme: "light" });
    const synth = new MemoryByteSource(makeImage({ xloadflags: 0x1f }), "no-5level.bzImage");
    const old = await openImagePage(context, synth, { theme: "light" });
    try {
      assert.equal(await text(amd, "#verdict-line"), "kexec from a 5-level kernel: OK");
      assert.equal(await text(old, "#verdict-line"), "kexec from a 5-level kernel: refused by kexec_file_load — and kexec-tools would fall back to kexec_load");
      assert.ok(await old.page.isVisible('[data-verdict="kexec-tools.fallback"]'));
      await old.page.screenshot({ path: screenshotPath("synthetic-no-5level-light"), fullPage: true });
      assertClean(amd);
      assertClean(old);
    } finally {
      await amd.page.close();
      await old.page.close();
    }
  });

  it("copies and simulates through the host, and shows the result", async () => {
    const p = await openImagePage(context, open("vmlinuz-6.1.0-50-686"), { theme: "light" });
    try {
      await p.page.click("#copy-md");
      await p.page.waitForFunction(() => document.getElementById("status")?.textContent === "Header copied as Markdown.");
      assert.match(p.calls.copied[0]!, /^## Setup header of `vmlinuz-6\.1\.0-50-686`/);
      assert.match(p.calls.copied[0]!, /\| 0x0236 \| 2 \| xloadflags \| 0x0004 \| 4 \| 2\.12 \|/);
      await p.page.click("#copy-json");
      await p.page.waitForFunction(() => document.getElementById("status")?.textContent === "Header copied as JSON.");
      const json = JSON.parse(p.calls.copied[1]!) as { setupHeader: Record<string, number | null>; protocol: string };
      assert.equal(json.protocol, "2.15");
      assert.equal(json.setupHeader["kernel_alignment"], 16777216);
      await p.page.click("#simulate");
      await p.page.waitForFunction(() => /verdicts written/.test(document.getElementById("status")?.textContent ?? ""));
      assert.equal(p.calls.simulated.length, 1);
      assertClean(p);
    } finally {
      await p.page.close();
    }
  });

  it("decompresses the payload on demand with progress, and keeps the result across hide/restore", async () => {
    const src = open("vmlinuz-6.1.0-50-686");
    const exp = readJson<Expected>(sharedFixture("bzimage", "vmlinuz-6.1.0-50-686.expected.json"));
    const before = src.bytesRead;
    const p = await openImagePage(context, src, { theme: "dark" });
    let state: unknown;
    try {
      // Opening read only the header, PE and certificate ranges, never the 5.6 MB payload.
      assert.ok(src.bytesRead - before < 1024 * 1024, `read ${src.bytesRead - before} bytes before decompression`);
      await p.page.click('tr[data-field="init_size"]');
      await p.page.click("#decompress");
      await p.page.waitForSelector("#payload-progress:not([hidden])", { timeout: 10_000 }).catch(() => undefined);
      await p.page.waitForSelector("#vmlinux-banner", { timeout: 120_000 });
      assert.equal(await text(p, "#vmlinux-banner"), exp.payload.linux_banner);
      // Debian builds without CONFIG_IKCONFIG: the core finds no embedded .config, and the view says so.
      if (await p.page.isVisible("#config-highlights")) {
        const options = await p.page.$$eval("#config-highlights tr", (rows) => rows.map((r) => (r as HTMLElement).dataset["option"]));
        assert.ok(options.includes("CONFIG_X86_5LEVEL") && options.includes("CONFIG_KEXEC_FILE"), String(options));
      } else {
        assert.match(await text(p, "#no-config"), /No embedded \.config/);
      }
      assert.ok(p.toPage.filter((m) => m.includes('"payloadProgress"')).length >= 2, "progress events");
      await p.page.locator("#section-payload").screenshot({ path: screenshotPath("payload-686-dark") });
      state = p.state();
      assertClean(p);
    } finally {
      await p.page.close();
    }
    // "Restore": a new page gets the saved state back; nothing is decompressed again.
    const again = await openImagePage(context, src, { theme: "dark", state });
    try {
      assert.equal(await text(again, "#vmlinux-banner"), exp.payload.linux_banner);
      assert.equal(await again.page.getAttribute('tr[data-field="init_size"]', "aria-selected"), "true");
      assert.equal(await again.page.locator(".hex-byte.selected").count(), 4);
      assert.ok(!again.fromPage.some((m) => JSON.stringify(m).includes("decompressPayload")));
      assertClean(again);
    } finally {
      await again.page.close();
    }
  });

  it("keeps hostile strings from the image inert", async () => {
    const evil = `<img src=x onerror=alert(1)></script><script>alert(2)</script>`;
    const src = new MemoryByteSource(makeImage({ kernelVersion: evil }), `<img src=x onerror=alert(3)>.bzImage`);
    const p = await openImagePage(context, src, { theme: "dark" });
    try {
      assert.equal(await text(p, "#kernel-version"), evil);
      assert.equal(await p.page.locator("#app img, #app script").count(), 0);
      assert.equal(await text(p, "#file-name"), "<img src=x onerror=alert(3)>.bzImage");
      await p.page.click("#copy-md");
      await p.page.waitForFunction(() => document.getElementById("status")?.textContent === "Header copied as Markdown.");
      assert.ok(p.calls.copied[0]!.includes("- Kernel version: `" + evil + "`"), "file text goes into code spans");
      await p.page.waitForTimeout(200);
      await p.page.screenshot({ path: screenshotPath("hostile-dark"), fullPage: true });
      assertClean(p);
    } finally {
      await p.page.close();
    }
  });

  it("rejects malformed and unknown messages on both sides", async () => {
    const p = await openImagePage(context, open("ipxe.lkrn"), { theme: "light" });
    try {
      const before = await p.page.content();
      await p.post({ foo: 1 });
      await p.post({ messageId: 7, body: { type: "imageLoaded", view: { fileName: "<b>x</b>" } } });
      await p.post({ messageId: 8, body: { type: "runScript", code: "alert(1)" } });
      await p.post({ messageId: 9, body: { type: "actionDone", ok: true, text: "x", extra: 1 } });
      await p.page.waitForTimeout(100);
      assert.equal(p.consoleLines.filter((l) => l.includes("rejected message")).length, 4);
      assert.equal(await p.page.content(), before);
      assert.equal(p.session.receive({ messageId: 1, body: { type: "copyHeader", format: "html" } }), false);
      assert.equal(p.session.receive({ messageId: 2, body: { type: "ready" }, inReplyTo: "x" }), false);
      assert.equal(p.session.receive("ready"), false);
      assert.equal(p.hostLog.length, 3);
      assert.deepEqual(p.calls.copied, []);
    } finally {
      await p.page.close();
    }
  });

  it("shows a UKI's own facts first, then its kernel with the hex strip at UKI file offsets", async () => {
    const evil = `<img src=x onerror=alert(1)> root=/dev/vda1`;
    const kernel = makeImage({ payload: new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0, 0x10, 0, 0, 0]), xloadflags: 0x1f });
    const src = new MemoryByteSource(makeUki({ kernel, cmdline: evil }), "linux.efi");
    const p = await openImagePage(context, src, { theme: "dark" });
    try {
      assert.match(await text(p, "#file-kind"), /^UKI · bzImage · /);
      assert.equal(await text(p, "#uki-stub"), "systemd-stub 257.9-test");
      assert.equal(await text(p, "#uki-cmdline"), evil);
      assert.equal(await p.page.locator("#app img, #app script").count(), 0);
      assert.equal(await text(p, "#uki-uname"), "6.1.0-test");
      assert.match(await text(p, "#uki-initrd"), /gzip/);
      assert.equal(await text(p, "#uki-signature"), "No Authenticode signature");
      assert.equal(await text(p, '#uki-osrel tr[data-key="PRETTY_NAME"] td:nth-child(2)'), "Debian GNU/Linux 12 (bookworm)");
      const names = await p.page.$$eval("#uki-sections tr[data-section]", (rows) => rows.map((r) => (r as HTMLElement).dataset["section"]));
      assert.deepEqual(names, [".text", ".sbat", ".sdmagic", ".osrel", ".cmdline", ".uname", ".linux", ".initrd"]);
      const linuxOff = Number(await text(p, '#uki-sections tr[data-section=".linux"] td:nth-child(2)'));
      // The UKI block precedes the kernel's sections.
      const order = await p.page.$$eval("details.section", (ds) => ds.map((d) => d.id));
      assert.ok(order.indexOf("section-uki") < order.indexOf("section-header"), order.join());
      assert.ok(await p.page.isVisible('[data-verdict="uki.systemctl.l5"]'));
      assert.match(await text(p, '[data-verdict="uki.systemctl.l5"] .verdict-summary'), /refused, reported as an error/);
      assert.match(await text(p, "#verdict-line"), /^kexec of this UKI from a 5-level kernel: /);
      // Selecting xloadflags highlights its two bytes at their offsets in the UKI file.
      await p.page.click('tr[data-field="xloadflags"]');
      const selected = await p.page.$$eval(".hex-byte.selected", (els) => els.map((e) => Number((e as HTMLElement).dataset["offset"])));
      assert.deepEqual(selected, [linuxOff + 0x236, linuxOff + 0x237]);
      assert.equal(await text(p, `.hex-byte[data-offset="${linuxOff + 0x236}"]`), "1f");
      await p.page.screenshot({ path: screenshotPath("uki-synthetic-dark"), fullPage: true });
      assertClean(p);
    } finally {
      await p.page.close();
    }
  });

  it("a real UKI (systemd-boot stub + Debian 6.1 via objcopy) shows the stub and the kernel's expected header", async function () {
    const why = realUkiMissing();
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
    const exp = readJson<Expected>(sharedFixture("bzimage", "vmlinuz-6.1.0-50-amd64.expected.json"));
    const src = openFile(buildRealUki("vmlinuz-6.1.0-50-amd64").file);
    sources.push(src);
    const p = await openImagePage(context, src, { theme: "light" });
    try {
      assert.match(await text(p, "#uki-stub"), /^systemd-stub \d{3}/);
      assert.equal(await text(p, "#uki-cmdline"), UKI_CMDLINE);
      assert.equal(await text(p, "#kernel-version"), exp.setup.decoded.kernel_version_string);
      assert.equal(await text(p, "#signed-by"), "not signed", "the UKI's own signature, not the kernel's");
      assert.match(await text(p, "#pe-signers"), /Debian Secure Boot Signer/);
      for (const f of SAMPLE_FIELDS) {
        const want = exp.setup.values[f];
        if (want === null || want === undefined) continue;
        assert.equal(((await p.page.locator(`tr[data-field="${f}"] td.decimal`).textContent()) ?? "").trim(), String(want), f);
      }
      assert.match(await text(p, "#verdict-line"), /^kexec of this UKI from a 5-level kernel: OK/);
      await p.page.screenshot({ path: screenshotPath("uki-real-6.1-light"), fullPage: true });
      assertClean(p);
    } finally {
      await p.page.close();
    }
  });

  it("falls back kindly for a file without a setup header", async () => {
    // A PE file that is not an EFI-stub kernel: MZ, no HdrS.
    const bytes = new Uint8Array(4096);
    bytes.set([0x4d, 0x5a]);
    const src = new MemoryByteSource(bytes, "shimx64.efi");
    const p = await openImagePage(context, src, { theme: "dark", hexEditorAvailable: true });
    try {
      assert.ok(await p.page.isVisible("#rejected"));
      assert.match(await text(p, "#rejected-reason"), /setup_header\.header/);
      await p.page.click("#open-hex");
      await p.page.click("#open-text");
      await p.page.click("#open-pick");
      await p.page.waitForFunction(() => true);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(p.calls.reopened, ["hex", "text", "pick"]);
      await p.page.screenshot({ path: screenshotPath("rejected-dark"), fullPage: true });
      assertClean(p);
    } finally {
      await p.page.close();
    }
  });
});
