/** The pure parts of the image editor host: protocol checks, page HTML, header export, verdict line. */
import * as assert from "node:assert/strict";
import { MemoryByteSource, openFile } from "../../extension/core/io/byteSource";
import { MessageHandler, MessageType, parseFromWebview, parseToWebview, type Envelope, type FromWebviewMessage, type ToWebviewMessage } from "../../extension/protocol/image";
import { contentSecurityPolicy, makeNonce, webviewHtml } from "../../extension/views/webviewHtml";
import { headerAsJson, headerAsMarkdown } from "../../extension/views/headerExport";
import { openImage } from "../../extension/views/imageSession";
import { sharedFixture } from "../fixtures";
import { makeImage } from "../support/syntheticImage";

describe("image editor host (pure)", () => {
  it("builds a page with a strict CSP, a nonce on both scripts and no inline content", () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9]{20,}$/);
    const html = webviewHtml({ cspSource: "https://x.vscode-cdn.net", nonce, scriptUri: "https://x.vscode-cdn.net/a.js", toolkitUri: "https://x.vscode-cdn.net/t.js", styleUri: "https://x.vscode-cdn.net/a.css", title: "T" });
    assert.equal(contentSecurityPolicy("S", "N"), "default-src 'none'; script-src 'nonce-N'; style-src S; img-src S blob:; font-src S");
    assert.ok(html.includes(`content="default-src 'none'; script-src 'nonce-${nonce}'; style-src https://x.vscode-cdn.net;`));
    assert.equal(html.match(/<script /g)?.length, 2);
    assert.equal(html.match(new RegExp(`nonce="${nonce}"`, "g"))?.length, 2);
    assert.ok(!/\sstyle=|<style|\son\w+=|http:\/\/|\bhttps:\/\/(?!x\.vscode-cdn\.net)/.test(html));
    assert.throws(() => webviewHtml({ cspSource: "s", nonce: "a'b", scriptUri: "", toolkitUri: "", styleUri: "", title: "" }));
  });

  it("validates every message and rejects unknown types, extra keys and bad values", () => {
    assert.ok(parseFromWebview({ messageId: 1, body: { type: "ready" } }).ok);
    assert.ok(parseFromWebview({ messageId: 1, body: { type: "copyHeader", format: "json" } }).ok);
    for (const bad of [null, "ready", { body: { type: "ready" } }, { messageId: 1.5, body: { type: "ready" } }, { messageId: 1, body: { type: "ready", x: 1 } }, { messageId: 1, body: { type: "nope" } }, { messageId: 1, body: { type: "copyHeader", format: "html" } }, { messageId: 1, body: { type: "ready" }, extra: true }, { messageId: 1, body: { type: "__proto__" } }]) {
      assert.equal(parseFromWebview(bad).ok, false, JSON.stringify(bad));
    }
    assert.ok(parseToWebview({ messageId: 3, inReplyTo: 1, body: { type: "payloadProgress", done: 1, total: 2 } }).ok);
    assert.equal(parseToWebview({ messageId: 3, body: { type: "payloadProgress", done: Number.NaN, total: 2 } }).ok, false);
    assert.equal(parseToWebview({ messageId: 3, body: { type: "ready" } }).ok, false, "direction matters");
  });

  it("the real image views pass the webview's own check", () => {
    for (const name of ["vmlinuz-6.1.0-50-amd64", "vmlinuz-6.1.0-50-686", "ipxe.lkrn"]) {
      const src = openFile(sharedFixture("bzimage", name));
      try {
        const r = openImage(src);
        assert.ok(r.ok);
        const env = JSON.parse(JSON.stringify({ messageId: 1, inReplyTo: 1, body: { type: MessageType.ImageLoaded, view: r.view } })) as unknown;
        const parsed = parseToWebview(env);
        assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
        // Only the header, PE and certificate ranges were read.
        assert.ok(src.bytesRead < 512 * 1024, `${name}: ${src.bytesRead} bytes read`);
      } finally {
        src.close();
      }
    }
  });

  it("pairs requests and replies by inReplyTo, and hands other messages to onMessage", async () => {
    const events: string[] = [];
    let host: MessageHandler<ToWebviewMessage, FromWebviewMessage> | null = null;
    const view = new MessageHandler<FromWebviewMessage, ToWebviewMessage>((m) => host!.receive(m), parseToWebview, (m) => events.push(m.type), () => undefined);
    host = new MessageHandler<ToWebviewMessage, FromWebviewMessage>(
      (m: Envelope<ToWebviewMessage>) => view.receive(JSON.parse(JSON.stringify(m))),
      parseFromWebview,
      (m, id) => {
        host!.send({ type: MessageType.PayloadProgress, done: 1, total: 2 });
        host!.sendReply(id, { type: MessageType.ActionDone, ok: true, text: m.type });
      },
      () => undefined,
    );
    const r = await view.sendRequest({ type: MessageType.Simulate });
    assert.deepEqual(r, { type: MessageType.ActionDone, ok: true, text: "simulate" });
    assert.deepEqual(events, ["payloadProgress"]);
  });

  it("copies the header as Markdown and JSON with the CLI's field names", () => {
    const r = openImage(new MemoryByteSource(makeImage({ xloadflags: 0x1f, kernelVersion: "6.1 `x` | y" }), "a.bzImage"));
    assert.ok(r.ok);
    const md = headerAsMarkdown(r.view);
    assert.match(md, /^## Setup header of `a\.bzImage`/);
    assert.match(md, /- Kernel version: ``6\.1 `x` \| y``/);
    assert.match(md, /\| 0x0236 \| 2 \| xloadflags \| 0x001f \| 31 \| 2\.12 \|/);
    assert.match(md, /refused by kexec_file_load — and kexec-tools would fall back to kexec_load/);
    const json = JSON.parse(headerAsJson(r.view)) as { setupHeader: Record<string, unknown>; xloadflags: { bits: string[] } };
    assert.equal(json.setupHeader["xloadflags"], 31);
    assert.equal(Object.keys(json.setupHeader).length, 39);
    assert.deepEqual(json.xloadflags.bits, ["XLF_KERNEL_64", "XLF_CAN_BE_LOADED_ABOVE_4G", "XLF_EFI_HANDOVER_32", "XLF_EFI_HANDOVER_64", "XLF_EFI_KEXEC"]);
  });

  it("rejects a file without a setup header with the core's reason", () => {
    const r = openImage(new MemoryByteSource(new Uint8Array(4096), "zeros"));
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, /boot_flag/);
  });
});
