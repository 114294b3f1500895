/**
 * One open vmcore and its conversation with one webview, free of the vscode API: the provider
 * plugs in the effects (reopen, hex editor probe) and the webview tests plug in fakes.
 * Opening reads headers, notes and at most 1 MiB of bitmap; bigger address spaces get their
 * memory ranges on a ScanRanges request (steps, progress, cancel). The kernel log is read on a
 * LoadLog request, then rendered and sent in chunks with a yield between them, so the extension
 * host stays responsive and a CancelLog is honoured between chunks.
 */
import type { ByteSource } from "../core/io/byteSource";
import { DocumentSession } from "./documentSession";
import { isFormatError } from "../core/io/formatError";
import { openVmcore, type Vmcore } from "../core/formats/vmcore/vmcore";
import type { KernelLog } from "../core/formats/vmcore/printk";
import type { Envelope } from "../protocol/image";
import {
  LOG_CHUNK_LINES,
  parseVmcoreFromWebview,
  VmcoreMessageType,
  type LogDoneMessage,
  type VmcoreFromWebview,
  type VmcoreToWebview,
  type VmcoreView,
} from "../protocol/vmcore";
import { beyondView, buildVmcoreView, rangesView, rawTextLines, recordLines } from "./vmcoreView";

export interface VmcoreSessionEffects {
  post(m: Envelope<VmcoreToWebview>): void;
  log(text: string): void;
  reopenWith(editor: "text" | "hex" | "pick"): Promise<void>;
  hexEditorAvailable(): boolean;
  /** Gives the event loop a turn between chunks (tests may slow it down). Default: setImmediate. */
  yieldNow?(): Promise<void>;
}

export type VmcoreOpenResult = { ok: true; vmcore: Vmcore; view: VmcoreView } | { ok: false; reason: string; offset: number | null; field: string | null };

/** Opens a dump for the editor; a FormatError becomes a rejection the webview can show kindly. */
export function openVmcoreView(src: ByteSource): VmcoreOpenResult {
  try {
    const vmcore = openVmcore(src);
    return { ok: true, vmcore, view: buildVmcoreView(src, vmcore) };
  } catch (e) {
    if (isFormatError(e)) return { ok: false, reason: e.message, offset: e.offset, field: e.field };
    throw e;
  }
}

/** The rendered log, kept once complete so hide/restore does not read the dump again. */
interface RenderedLog {
  lines: string[];
  levels: number[];
  done: Omit<LogDoneMessage, "type" | "token">;
}

class Cancelled extends Error {}

const immediate = (): Promise<void> => new Promise((r) => setImmediate(r));

export class VmcoreSession extends DocumentSession<VmcoreToWebview, VmcoreFromWebview, VmcoreOpenResult> {
  private rendered: RenderedLog | null = null;

  constructor(
    src: ByteSource,
    private readonly fx: VmcoreSessionEffects,
  ) {
    super(src, fx, parseVmcoreFromWebview);
  }

  protected open(): VmcoreOpenResult {
    return openVmcoreView(this.src);
  }

  protected async dispatch(m: VmcoreFromWebview, id: number): Promise<void> {
    switch (m.type) {
      case VmcoreMessageType.VmcoreReady: {
        const r = this.result();
        if (r.ok) this.handler.sendReply(id, { type: VmcoreMessageType.VmcoreLoaded, view: r.view });
        else this.handler.sendReply(id, { type: VmcoreMessageType.VmcoreRejected, ...this.rejection(r, this.fx.hexEditorAvailable()) });
        return;
      }
      case VmcoreMessageType.LoadLog:
        return this.loadLog(id, m.token);
      case VmcoreMessageType.CancelLog:
        this.abort?.abort();
        return;
      case VmcoreMessageType.ScanRanges:
        return this.scanRanges(id, m.token);
      case VmcoreMessageType.CancelRanges:
        this.rangeAbort?.abort();
        return;
      case VmcoreMessageType.VmcoreReopenWith:
        await this.fx.reopenWith(m.editor);
        this.handler.sendReply(id, { type: VmcoreMessageType.VmcoreActionDone, ok: true, text: "" });
        return;
    }
  }

  private rangeAbort: AbortController | null = null;

  override dispose(): void {
    this.rangeAbort?.abort();
    super.dispose();
  }

  /**
   * Computes the memory ranges in steps of 1 MiB of bitmap, giving the event loop a turn every
   * ~30 ms, reporting progress at most every 100 ms and honouring a CancelRanges between steps.
   * Memory stays one step's bitmap plus the (capped) range list, whatever the address space.
   */
  private async scanRanges(id: number, token: number): Promise<void> {
    const r = this.result();
    if (!r.ok) {
      this.handler.sendReply(id, { type: VmcoreMessageType.RangesFailed, token, cancelled: false, reason: "Not a vmcore." });
      return;
    }
    this.rangeAbort?.abort();
    const abort = new AbortController();
    this.rangeAbort = abort;
    const yieldNow = this.fx.yieldNow ?? immediate;
    let last = 0;
    try {
      const scan = r.vmcore.rangeScanner();
      await yieldNow();
      while (!scan.done) {
        if (abort.signal.aborted) throw new Cancelled("Cancelled.");
        const t = Date.now();
        do scan.step();
        while (!scan.done && Date.now() - t < 30);
        const now = Date.now();
        if (now - last >= 100 || scan.done) {
          last = now;
          this.handler.send({ type: VmcoreMessageType.RangesProgress, token, scanned: scan.scanned, end: scan.end });
        }
        await yieldNow();
      }
      if (abort.signal.aborted) throw new Cancelled("Cancelled.");
      this.handler.sendReply(id, { type: VmcoreMessageType.RangesDone, token, ...rangesView(scan.result()), beyondFourLevel: beyondView(r.vmcore.beyondFourLevel()) });
    } catch (e) {
      const cancelled = abort.signal.aborted;
      this.handler.sendReply(id, { type: VmcoreMessageType.RangesFailed, token, cancelled, reason: cancelled ? "Cancelled." : e instanceof Error ? e.message : String(e) });
      if (!cancelled && !isFormatError(e)) this.fx.log(`memory ranges: ${String(e)}`);
    } finally {
      if (this.rangeAbort === abort) this.rangeAbort = null;
    }
  }

  private async loadLog(id: number, token: number): Promise<void> {
    const r = this.result();
    if (!r.ok) {
      this.handler.sendReply(id, { type: VmcoreMessageType.LogFailed, token, cancelled: false, reason: "Not a vmcore." });
      return;
    }
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const yieldNow = this.fx.yieldNow ?? immediate;
    const check = (): void => {
      if (abort.signal.aborted) throw new Cancelled("Cancelled.");
    };
    let last = 0;
    const progress = (phase: "read" | "format", done: number, total: number): void => {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      this.handler.send({ type: VmcoreMessageType.LogProgress, token, phase, done, total });
    };
    try {
      // Let a CancelLog that is already queued arrive before the (synchronous) ring walk.
      await yieldNow();
      check();
      let rendered = this.rendered;
      if (!rendered) {
        progress("read", 0, 1);
        const log: KernelLog = r.vmcore.readKernelLog((done, total) => progress("read", done, total));
        check();
        rendered = await this.render(log, token, progress, check, yieldNow);
        this.rendered = rendered;
      } else {
        // Already rendered (restore, second request): resend in chunks.
        for (let first = 0; first < rendered.lines.length; first += LOG_CHUNK_LINES) {
          check();
          this.sendChunk(token, first, rendered.lines.slice(first, first + LOG_CHUNK_LINES), rendered.levels.slice(first, first + LOG_CHUNK_LINES));
          progress("format", Math.min(rendered.lines.length, first + LOG_CHUNK_LINES), rendered.lines.length);
          await yieldNow();
        }
      }
      check();
      this.handler.sendReply(id, { type: VmcoreMessageType.LogDone, token, ...rendered.done });
    } catch (e) {
      const cancelled = abort.signal.aborted;
      this.handler.sendReply(id, {
        type: VmcoreMessageType.LogFailed,
        token,
        cancelled,
        reason: cancelled ? "Cancelled." : e instanceof Error ? e.message : String(e),
      });
      if (!cancelled && !isFormatError(e)) this.fx.log(`kernel log: ${String(e)}`);
    } finally {
      if (this.abort === abort) this.abort = null;
    }
  }

  /** Formats records in batches, sending each batch as it is ready and yielding in between. */
  private async render(
    log: KernelLog,
    token: number,
    progress: (phase: "read" | "format", done: number, total: number) => void,
    check: () => void,
    yieldNow: () => Promise<void>,
  ): Promise<RenderedLog> {
    const lines: string[] = [];
    const levels: number[] = [];
    let sent = 0;
    const flush = (): void => {
      while (lines.length - sent >= LOG_CHUNK_LINES) {
        this.sendChunk(token, sent, lines.slice(sent, sent + LOG_CHUNK_LINES), levels.slice(sent, sent + LOG_CHUNK_LINES));
        sent += LOG_CHUNK_LINES;
      }
    };
    if (log.rawText) {
      for (const l of rawTextLines(log)) {
        lines.push(l);
        levels.push(-1);
      }
    } else {
      const total = log.records.length;
      for (let i = 0; i < total; i++) {
        const rec = log.records[i]!;
        for (const l of recordLines(rec)) {
          lines.push(l);
          levels.push(rec.level & 7);
        }
        if ((i & 1023) === 1023) {
          flush();
          progress("format", i + 1, total);
          await yieldNow();
          check();
        }
      }
      progress("format", total, total);
    }
    flush();
    if (sent < lines.length) this.sendChunk(token, sent, lines.slice(sent), levels.slice(sent));
    const warnings = [...log.warnings];
    if (log.failed !== undefined && log.failed > 0n) warnings.push(`printk_ringbuffer.fail = ${log.failed}: some records were lost`);
    return { lines, levels, done: { kind: log.kind, records: log.rawText ? 0 : log.records.length, lines: lines.length, warnings } };
  }

  private sendChunk(token: number, first: number, lines: string[], levels: number[]): void {
    this.handler.send({ type: VmcoreMessageType.LogChunk, token, first, lines, levels });
  }
}
