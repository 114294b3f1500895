import type { ByteSource } from "../core/io/byteSource";
import { MessageHandler, type Envelope } from "../protocol/image";

/** What every document session needs from its host: a transport and a log. */
export interface SessionTransport<TOut extends { type: string }> {
  post(m: Envelope<TOut>): void;
  log(text: string): void;
}

/**
 * The vscode-free half of a custom editor: one per webview over one read-only document. Parses the
 * document lazily on the first Ready and keeps the result (hide/restore sends Ready again), routes
 * validated messages to dispatch(), and aborts long work on dispose.
 */
export abstract class DocumentSession<TOut extends { type: string }, TIn extends { type: string }, TOpen> {
  readonly handler: MessageHandler<TOut, TIn>;
  protected abort: AbortController | null = null;
  private opened: TOpen | null = null;

  constructor(
    protected readonly src: ByteSource,
    transport: SessionTransport<TOut>,
    parse: (raw: unknown) => { ok: true; envelope: Envelope<TIn> } | { ok: false; error: string },
  ) {
    this.handler = new MessageHandler<TOut, TIn>(
      (m) => transport.post(m),
      parse,
      (m, id) => void this.dispatch(m, id).catch((e: unknown) => transport.log(`error handling ${m.type}: ${String(e)}`)),
      transport.log,
    );
  }

  /** Parses the document (never throws for bad input: the result says why). */
  protected abstract open(): TOpen;
  protected abstract dispatch(m: TIn, id: number): Promise<void>;

  result(): TOpen {
    this.opened ??= this.open();
    return this.opened;
  }

  /** What every editor's "Rejected" reply says about a file it cannot show. */
  protected rejection(r: { reason: string; offset: number | null; field: string | null }, hexEditorAvailable: boolean): { fileName: string; reason: string; offset: number | null; field: string | null; hexEditorAvailable: boolean } {
    return { fileName: this.src.name, reason: r.reason, offset: r.offset, field: r.field, hexEditorAvailable };
  }

  receive(raw: unknown): boolean {
    return this.handler.receive(raw);
  }

  /** Stops running work; the ByteSource belongs to the document and stays open. */
  dispose(): void {
    this.abort?.abort();
  }
}
