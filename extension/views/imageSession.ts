/**
 * One open image and its conversation with one webview, free of the vscode API: the provider
 * plugs in the effects (clipboard, reopen, verdict display) and the webview tests plug in fakes.
 * Only header, PE and certificate ranges are read when the session opens; the payload is read
 * and decompressed only on a DecompressPayload request.
 */
import type { ByteSource } from "../core/io/byteSource";
import { DocumentSession } from "./documentSession";
import { isFormatError } from "../core/io/formatError";
import { parseKernelImage, type UkiInfo } from "../core/formats/bzimage/uki";
import type { BzImage } from "../core/formats/bzimage/model";
import { decompressPayload } from "../core/formats/bzimage/payload";
import { inspectVmlinux } from "../core/formats/bzimage/vmlinux";
import { verdictsFor } from "../core/scenario/imageReport";
import type { ImageVerdict } from "../core/kexec/imageVerdicts";
import {
  MessageType,
  parseFromWebview,
  type Envelope,
  type FromWebviewMessage,
  type ImageView,
  type ToWebviewMessage,
} from "../protocol/image";
import { buildImageView, buildVmlinuxView } from "./imageView";
import { headerAsJson, headerAsMarkdown } from "./headerExport";

export interface SessionEffects {
  post(m: Envelope<ToWebviewMessage>): void;
  log(text: string): void;
  copy(text: string): Promise<void>;
  /** Shows the verdicts to the user; returns a one-line status for the webview. */
  showVerdicts(file: string, verdicts: ImageVerdict[], view: ImageView): Promise<string>;
  reopenWith(editor: "text" | "hex" | "pick"): Promise<void>;
  hexEditorAvailable(): boolean;
  /** Cap on decompressed bytes (setting). */
  maxDecompressedBytes(): number;
}

/** For a UKI, `img` is the kernel in its .linux and `uki` the UKI's own facts. */
export type OpenResult = { ok: true; img: BzImage; uki: UkiInfo | null; view: ImageView } | { ok: false; reason: string; offset: number | null; field: string | null };

/** Parses an image (bzImage or UKI) for the editor; any FormatError becomes a rejection the webview can show kindly. */
export function openImage(src: ByteSource): OpenResult {
  try {
    const { img, uki } = parseKernelImage(src);
    return { ok: true, img, uki, view: buildImageView(src, img, img.payload !== null, uki) };
  } catch (e) {
    if (isFormatError(e)) return { ok: false, reason: e.message, offset: e.offset, field: e.field };
    throw e;
  }
}

export class ImageSession extends DocumentSession<ToWebviewMessage, FromWebviewMessage, OpenResult> {
  constructor(
    src: ByteSource,
    private readonly fx: SessionEffects,
  ) {
    super(src, fx, parseFromWebview);
  }

  protected open(): OpenResult {
    return openImage(this.src);
  }

  protected async dispatch(m: FromWebviewMessage, id: number): Promise<void> {
    switch (m.type) {
      case MessageType.Ready: {
        const r = this.result();
        if (r.ok) this.handler.sendReply(id, { type: MessageType.ImageLoaded, view: r.view });
        else this.handler.sendReply(id, { type: MessageType.ImageRejected, ...this.rejection(r, this.fx.hexEditorAvailable()) });
        return;
      }
      case MessageType.DecompressPayload:
        return this.decompress(id);
      case MessageType.CancelPayload:
        this.abort?.abort();
        return;
      case MessageType.CopyHeader: {
        const r = this.result();
        if (!r.ok) return this.done(id, false, "Nothing to copy: no setup header.");
        await this.fx.copy(m.format === "json" ? headerAsJson(r.view) : headerAsMarkdown(r.view));
        return this.done(id, true, m.format === "json" ? "Header copied as JSON." : "Header copied as Markdown.");
      }
      case MessageType.Simulate: {
        const r = this.result();
        if (!r.ok) return this.done(id, false, "No setup header: nothing to simulate.");
        const text = await this.fx.showVerdicts(this.src.name, verdictsFor(r.img), r.view);
        return this.done(id, true, text);
      }
      case MessageType.ReopenWith:
        await this.fx.reopenWith(m.editor);
        return this.done(id, true, "");
    }
  }

  private done(id: number, ok: boolean, text: string): void {
    this.handler.sendReply(id, { type: MessageType.ActionDone, ok, text });
  }

  private async decompress(id: number): Promise<void> {
    const r = this.result();
    if (!r.ok || !r.img.payload) {
      this.handler.sendReply(id, { type: MessageType.PayloadFailed, cancelled: false, reason: "This image has no payload_offset/payload_length (protocol < 2.08)." });
      return;
    }
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    let last = 0;
    try {
      const bytes = await decompressPayload(this.src, r.img.payload, {
        maxBytes: this.fx.maxDecompressedBytes(),
        signal: abort.signal,
        onProgress: (p) => {
          // A few dozen progress messages are plenty for a bar.
          const now = Date.now();
          if (now - last < 100 && p.inputBytes < p.inputTotal) return;
          last = now;
          this.handler.send({ type: MessageType.PayloadProgress, done: p.inputBytes, total: p.inputTotal });
        },
      });
      const info = inspectVmlinux(bytes);
      this.handler.sendReply(id, { type: MessageType.PayloadResult, vmlinux: buildVmlinuxView(info) });
    } catch (e) {
      const cancelled = abort.signal.aborted;
      this.handler.sendReply(id, { type: MessageType.PayloadFailed, cancelled, reason: cancelled ? "Cancelled." : e instanceof Error ? e.message : String(e) });
    } finally {
      if (this.abort === abort) this.abort = null;
    }
  }
}
