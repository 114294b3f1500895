/**
 * Typed messages between the extension host and the image inspector webview (and, later, the
 * vmcore editor and simulation panel). One discriminated union each way, wrapped in an envelope
 * with messageId / inReplyTo so either side can await a reply. Every incoming message is checked
 * against a schema before it is used: a webview is an untrusted peer, and so is the host from
 * the webview's point of view when the page is reloaded or mixed up with another one.
 * Imports nothing: both the node host and the browser bundles compile it.
 */

export const enum MessageType {
  //#region to webview
  /** Reply to Ready: the parsed image, as plain data. */
  ImageLoaded = "imageLoaded",
  /** Reply to Ready: the file has no usable setup header. */
  ImageRejected = "imageRejected",
  /** Event while a DecompressPayload request runs. */
  PayloadProgress = "payloadProgress",
  /** Reply to DecompressPayload. */
  PayloadResult = "payloadResult",
  /** Reply to DecompressPayload when it failed or was cancelled. */
  PayloadFailed = "payloadFailed",
  /** Reply to CopyHeader / Simulate / ReopenWith: what happened, for a status line. */
  ActionDone = "actionDone",
  //#endregion

  //#region from webview
  /** The page script is up; asks for the image. */
  Ready = "ready",
  /** Decompress the payload now (it is never read before the user asks). */
  DecompressPayload = "decompressPayload",
  /** Abort the running decompression. */
  CancelPayload = "cancelPayload",
  /** Copy the setup header to the clipboard. */
  CopyHeader = "copyHeader",
  /** Run the kexec verdicts for this image. */
  Simulate = "simulate",
  /** Open the file with another editor (fallback for files without a setup header). */
  ReopenWith = "reopenWith",
  //#endregion
}

// ---------------------------------------------------------------------------------------------
// Data carried by the messages. JSON-safe: numbers are safe integers, 64-bit values are hex strings.

export interface FieldRow {
  name: string;
  offset: number;
  size: number;
  /** Protocol word that introduced the field (0 = every image). */
  since: number;
  /** "2.12", or "all" for since = 0. */
  sinceText: string;
  present: boolean;
  /** Raw stored value; null past EOF. 8-byte fields may exceed 2^53 and are carried as hex. */
  raw: number | null;
  rawHex: string | null;
  meaning: string;
  kexec: string | null;
}

export interface XlfBitRow {
  bit: number;
  name: string;
  set: boolean;
  status: "mainline" | "proposed";
  sinceProtocol: string;
  sinceKernel: string;
  meaning: string;
  setWhen: string;
  kexec: string;
}

export type VerdictOutcome = "ok" | "refused" | "fails" | "risk" | "info";

export interface VerdictRow {
  id: string;
  path: string;
  running: string;
  outcome: VerdictOutcome;
  summary: string;
  reason: string;
  rule: string;
  source: string;
}

export interface NoteRow {
  severity: "error" | "warning" | "info";
  offset: number | null;
  field: string | null;
  message: string;
}

export interface CertificateRow {
  subject: string;
  issuer: string;
  serial: string;
}

export interface PeView {
  machine: string;
  format: string;
  subsystem: string;
  entryPoint: number;
  imageBase: string;
  sizeOfImage: number;
  sections: { name: string; virtualAddress: number; virtualSize: number; rawOffset: number; rawSize: number }[];
  securityDirectory: { offset: number; size: number } | null;
  signed: boolean;
  signers: string[];
  digestAlgorithm: string | null;
  certificates: CertificateRow[];
}

/** A Unified Kernel Image's own facts; the kernel in its .linux fills the rest of ImageView. */
export interface UkiView {
  /** From .sdmagic; null when the stub does not say. */
  stub: { name: string; version: string } | null;
  sections: { name: string; offset: number; size: number; virtualAddress: number; virtualSize: number; rawSize: number; known: boolean }[];
  linux: { offset: number; size: number };
  cmdline: string | null;
  cmdlineSize: number | null;
  /** .osrel in file order. */
  osrel: { key: string; value: string }[] | null;
  uname: string | null;
  initrd: { offset: number; size: number; compression: string } | null;
  sbat: { component: string; generation: string; vendor: string; vendorPackage: string; vendorVersion: string; url: string }[] | null;
  signature: { signed: boolean; signers: string[]; digestAlgorithm: string | null };
  /** Other sections systemd-stub uses, by name (".pcrsig", ".dtb", …). */
  extras: string[];
  verdicts: VerdictRow[];
  notes: NoteRow[];
}

export interface SummaryView {
  kernelVersion: string | null;
  protocol: string | null;
  architecture: string;
  signedBy: string[];
  codec: string | null;
  /** The one-line answer to "can a 5-level kernel kexec this?". */
  verdictLine: string;
  verdictOutcome: VerdictOutcome;
}

export interface ImageView {
  fileName: string;
  fileSize: number;
  kind: "bzImage" | "zImage" | "old";
  summary: SummaryView;
  fields: FieldRow[];
  /** The hex strip covers [stripStart, headerEnd). */
  stripStart: number;
  headerEnd: number;
  /** Bytes of the strip, lowercase hex, two digits per byte. */
  stripHex: string;
  loadflags: { value: number; bits: string[] };
  xloadflags: { value: number; bits: XlfBitRow[]; unknownBits: number } | null;
  kernelInfo: { offset: number; header: string; magicOk: boolean; size: number; sizeTotal: number; setupTypeMax: number } | null;
  pe: PeView | null;
  payload: { compression: string; offset: number; length: number; uncompressedSize: number | null } | null;
  verdicts: VerdictRow[];
  notes: NoteRow[];
  /** Whether the host can decompress now (false while the codec module is missing). */
  canDecompress: boolean;
  /** Set for a Unified Kernel Image: every offset above is then an offset in the UKI file. */
  uki: UkiView | null;
}

export interface ConfigHighlight {
  name: string;
  /** "y", "m", a value, or null when "is not set". */
  value: string | null;
  /** False when the option does not appear in the .config at all. */
  listed: boolean;
}

export interface VmlinuxView {
  size: number;
  banner: string | null;
  /** Null when the kernel has no embedded config (CONFIG_IKCONFIG off). */
  config: ConfigHighlight[] | null;
  elf: string | null;
}

// ---------------------------------------------------------------------------------------------
// Messages.

/** Reply to Ready with the image. */
export interface ImageLoadedMessage {
  type: MessageType.ImageLoaded;
  view: ImageView;
}
/** Reply to Ready when there is nothing to inspect. */
export interface ImageRejectedMessage {
  type: MessageType.ImageRejected;
  fileName: string;
  reason: string;
  offset: number | null;
  field: string | null;
  hexEditorAvailable: boolean;
}
/** Decompression progress (bytes of input consumed / total input). */
export interface PayloadProgressMessage {
  type: MessageType.PayloadProgress;
  done: number;
  total: number;
}
export interface PayloadResultMessage {
  type: MessageType.PayloadResult;
  vmlinux: VmlinuxView;
}
export interface PayloadFailedMessage {
  type: MessageType.PayloadFailed;
  cancelled: boolean;
  reason: string;
}
export interface ActionDoneMessage {
  type: MessageType.ActionDone;
  ok: boolean;
  text: string;
}

export interface ReadyMessage {
  type: MessageType.Ready;
}
export interface DecompressPayloadMessage {
  type: MessageType.DecompressPayload;
}
export interface CancelPayloadMessage {
  type: MessageType.CancelPayload;
}
export interface CopyHeaderMessage {
  type: MessageType.CopyHeader;
  format: "markdown" | "json";
}
export interface SimulateMessage {
  type: MessageType.Simulate;
}
export interface ReopenWithMessage {
  type: MessageType.ReopenWith;
  editor: "text" | "hex" | "pick";
}

export type ToWebviewMessage =
  | ImageLoadedMessage
  | ImageRejectedMessage
  | PayloadProgressMessage
  | PayloadResultMessage
  | PayloadFailedMessage
  | ActionDoneMessage;

export type FromWebviewMessage =
  | ReadyMessage
  | DecompressPayloadMessage
  | CancelPayloadMessage
  | CopyHeaderMessage
  | SimulateMessage
  | ReopenWithMessage;

export interface Envelope<T> {
  messageId: number;
  inReplyTo?: number;
  body: T;
}

// ---------------------------------------------------------------------------------------------
// Schemas: tiny combinators whose static type is checked against the interfaces above, so a
// field added to a message without a check does not compile.

/** Returns null when valid, else the path and what was wrong. */
export type Check<T> = ((x: unknown, path: string) => string | null) & { readonly __type?: T };

const fail = (path: string, what: string): string => `${path}: expected ${what}`;

export const str: Check<string> = (x, p) => (typeof x === "string" ? null : fail(p, "string"));
export const bool: Check<boolean> = (x, p) => (typeof x === "boolean" ? null : fail(p, "boolean"));
/** Finite numbers only: NaN and Infinity never come from the core. */
export const num: Check<number> = (x, p) => (typeof x === "number" && Number.isFinite(x) ? null : fail(p, "finite number"));
export function lit<const L extends string>(...values: L[]): Check<L> {
  return (x, p) => (typeof x === "string" && (values as string[]).includes(x) ? null : fail(p, values.join(" | ")));
}
export function nullable<T>(c: Check<T>): Check<T | null> {
  return (x, p) => (x === null ? null : c(x, p));
}
export function arr<T>(c: Check<T>, max = 100_000): Check<T[]> {
  return (x, p) => {
    if (!Array.isArray(x)) return fail(p, "array");
    if (x.length > max) return fail(p, `at most ${max} items`);
    for (let i = 0; i < x.length; i++) {
      const e = c(x[i], `${p}[${i}]`);
      if (e) return e;
    }
    return null;
  };
}
type Shape<T> = { [K in keyof T]-?: Check<T[K]> };
/** Object with exactly these keys (optional keys may be missing); extra keys are rejected. */
export function obj<T>(shape: Shape<T>, optional: readonly (keyof T)[] = []): Check<T> {
  const keys = Object.keys(shape) as (keyof T & string)[];
  return (x, p) => {
    if (typeof x !== "object" || x === null || Array.isArray(x)) return fail(p, "object");
    const o = x as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!(k in shape)) return `${p}.${k}: unexpected key`;
    for (const k of keys) {
      if (!(k in o) && optional.includes(k)) continue;
      const e = shape[k](o[k], `${p}.${k}`);
      if (e) return e;
    }
    return null;
  };
}
const hexString: Check<string> = (x, p) => (typeof x === "string" && /^(?:[0-9a-f]{2})*$/.test(x) ? null : fail(p, "lowercase hex bytes"));
export const hexNumber: Check<string> = (x, p) => (typeof x === "string" && /^0x[0-9a-f]+$/.test(x) ? null : fail(p, "0x… hex"));
const outcome = lit<VerdictOutcome>("ok", "refused", "fails", "risk", "info");

const fieldRow = obj<FieldRow>({
  name: str, offset: num, size: num, since: num, sinceText: str, present: bool,
  raw: nullable(num), rawHex: nullable(hexNumber), meaning: str, kexec: nullable(str),
});
const xlfBitRow = obj<XlfBitRow>({
  bit: num, name: str, set: bool, status: lit("mainline", "proposed"), sinceProtocol: str,
  sinceKernel: str, meaning: str, setWhen: str, kexec: str,
});
const verdictRow = obj<VerdictRow>({ id: str, path: str, running: str, outcome, summary: str, reason: str, rule: str, source: str });
const noteRow = obj<NoteRow>({ severity: lit("error", "warning", "info"), offset: nullable(num), field: nullable(str), message: str });
const peView = obj<PeView>({
  machine: str, format: str, subsystem: str, entryPoint: num, imageBase: hexNumber, sizeOfImage: num,
  sections: arr(obj({ name: str, virtualAddress: num, virtualSize: num, rawOffset: num, rawSize: num }), 96),
  securityDirectory: nullable(obj({ offset: num, size: num })),
  signed: bool, signers: arr(str), digestAlgorithm: nullable(str),
  certificates: arr(obj<CertificateRow>({ subject: str, issuer: str, serial: str })),
});
const ukiView = obj<UkiView>({
  stub: nullable(obj({ name: str, version: str })),
  sections: arr(obj({ name: str, offset: num, size: num, virtualAddress: num, virtualSize: num, rawSize: num, known: bool }), 96),
  linux: obj({ offset: num, size: num }),
  cmdline: nullable(str), cmdlineSize: nullable(num),
  osrel: nullable(arr(obj({ key: str, value: str }), 1000)),
  uname: nullable(str),
  initrd: nullable(obj({ offset: num, size: num, compression: str })),
  sbat: nullable(arr(obj({ component: str, generation: str, vendor: str, vendorPackage: str, vendorVersion: str, url: str }), 64)),
  signature: obj({ signed: bool, signers: arr(str), digestAlgorithm: nullable(str) }),
  extras: arr(str, 96),
  verdicts: arr(verdictRow), notes: arr(noteRow),
});
export const imageViewCheck = obj<ImageView>({
  fileName: str, fileSize: num, kind: lit("bzImage", "zImage", "old"),
  summary: obj<SummaryView>({
    kernelVersion: nullable(str), protocol: nullable(str), architecture: str, signedBy: arr(str),
    codec: nullable(str), verdictLine: str, verdictOutcome: outcome,
  }),
  fields: arr(fieldRow, 256), stripStart: num, headerEnd: num, stripHex: hexString,
  loadflags: obj({ value: num, bits: arr(str) }),
  xloadflags: nullable(obj({ value: num, bits: arr(xlfBitRow, 16), unknownBits: num })),
  kernelInfo: nullable(obj({ offset: num, header: str, magicOk: bool, size: num, sizeTotal: num, setupTypeMax: num })),
  pe: nullable(peView),
  payload: nullable(obj({ compression: str, offset: num, length: num, uncompressedSize: nullable(num) })),
  verdicts: arr(verdictRow), notes: arr(noteRow), canDecompress: bool,
  uki: nullable(ukiView),
});
const vmlinuxView = obj<VmlinuxView>({
  size: num, banner: nullable(str), config: nullable(arr(obj<ConfigHighlight>({ name: str, value: nullable(str), listed: bool }))), elf: nullable(str),
});

const toWebviewChecks: { [K in ToWebviewMessage["type"]]: Check<Extract<ToWebviewMessage, { type: K }>> } = {
  [MessageType.ImageLoaded]: obj<ImageLoadedMessage>({ type: lit(MessageType.ImageLoaded), view: imageViewCheck }),
  [MessageType.ImageRejected]: obj<ImageRejectedMessage>({
    type: lit(MessageType.ImageRejected), fileName: str, reason: str, offset: nullable(num), field: nullable(str), hexEditorAvailable: bool,
  }),
  [MessageType.PayloadProgress]: obj<PayloadProgressMessage>({ type: lit(MessageType.PayloadProgress), done: num, total: num }),
  [MessageType.PayloadResult]: obj<PayloadResultMessage>({ type: lit(MessageType.PayloadResult), vmlinux: vmlinuxView }),
  [MessageType.PayloadFailed]: obj<PayloadFailedMessage>({ type: lit(MessageType.PayloadFailed), cancelled: bool, reason: str }),
  [MessageType.ActionDone]: obj<ActionDoneMessage>({ type: lit(MessageType.ActionDone), ok: bool, text: str }),
};

const fromWebviewChecks: { [K in FromWebviewMessage["type"]]: Check<Extract<FromWebviewMessage, { type: K }>> } = {
  [MessageType.Ready]: obj<ReadyMessage>({ type: lit(MessageType.Ready) }),
  [MessageType.DecompressPayload]: obj<DecompressPayloadMessage>({ type: lit(MessageType.DecompressPayload) }),
  [MessageType.CancelPayload]: obj<CancelPayloadMessage>({ type: lit(MessageType.CancelPayload) }),
  [MessageType.CopyHeader]: obj<CopyHeaderMessage>({ type: lit(MessageType.CopyHeader), format: lit("markdown", "json") }),
  [MessageType.Simulate]: obj<SimulateMessage>({ type: lit(MessageType.Simulate) }),
  [MessageType.ReopenWith]: obj<ReopenWithMessage>({ type: lit(MessageType.ReopenWith), editor: lit("text", "hex", "pick") }),
};

export function checkEnvelope<T extends { type: string }>(
  raw: unknown,
  checks: Record<string, Check<T>>,
): { ok: true; envelope: Envelope<T> } | { ok: false; error: string } {
  if (typeof raw !== "object" || raw === null) return { ok: false, error: "message: expected object" };
  const e = raw as Record<string, unknown>;
  for (const k of Object.keys(e)) if (k !== "messageId" && k !== "inReplyTo" && k !== "body") return { ok: false, error: `message.${k}: unexpected key` };
  if (!Number.isSafeInteger(e["messageId"])) return { ok: false, error: "message.messageId: expected integer" };
  if ("inReplyTo" in e && !Number.isSafeInteger(e["inReplyTo"])) return { ok: false, error: "message.inReplyTo: expected integer" };
  const body = e["body"];
  const type = typeof body === "object" && body !== null ? (body as Record<string, unknown>)["type"] : undefined;
  if (typeof type !== "string" || !Object.prototype.hasOwnProperty.call(checks, type)) {
    return { ok: false, error: `message.body.type: unknown (${typeof type === "string" ? type.slice(0, 40) : typeof type})` };
  }
  const err = checks[type]!(body, `message.body(${type})`);
  return err ? { ok: false, error: err } : { ok: true, envelope: raw as Envelope<T> };
}

export function parseToWebview(raw: unknown): { ok: true; envelope: Envelope<ToWebviewMessage> } | { ok: false; error: string } {
  return checkEnvelope<ToWebviewMessage>(raw, toWebviewChecks as Record<string, Check<ToWebviewMessage>>);
}

export function parseFromWebview(raw: unknown): { ok: true; envelope: Envelope<FromWebviewMessage> } | { ok: false; error: string } {
  return checkEnvelope<FromWebviewMessage>(raw, fromWebviewChecks as Record<string, Check<FromWebviewMessage>>);
}

// ---------------------------------------------------------------------------------------------

/**
 * One side of the conversation. Host and webview instantiate it with the type parameters
 * flipped. Incoming raw messages go through `receive`, which validates, resolves pending
 * requests by inReplyTo, and hands everything else to `onMessage`.
 */
export class MessageHandler<TOut extends { type: string }, TIn extends { type: string }> {
  private nextId = 1;
  private readonly pending = new Map<number, (m: TIn) => void>();

  constructor(
    private readonly post: (m: Envelope<TOut>) => void,
    private readonly parse: (raw: unknown) => { ok: true; envelope: Envelope<TIn> } | { ok: false; error: string },
    private readonly onMessage: (m: TIn, messageId: number) => void,
    private readonly log: (text: string) => void,
  ) {}

  send(body: TOut, inReplyTo?: number): number {
    const messageId = this.nextId++;
    this.post(inReplyTo === undefined ? { messageId, body } : { messageId, inReplyTo, body });
    return messageId;
  }

  sendReply(inReplyTo: number, body: TOut): void {
    this.send(body, inReplyTo);
  }

  /** Sends and resolves with the first message whose inReplyTo names it. */
  sendRequest(body: TOut): Promise<TIn> {
    return new Promise((resolve) => {
      // Registered before posting: a synchronous transport may reply inside post().
      this.pending.set(this.nextId, resolve);
      this.send(body);
    });
  }

  /** Returns false (and logs) for a message that fails validation. */
  receive(raw: unknown): boolean {
    const r = this.parse(raw);
    if (!r.ok) {
      this.log(`rejected message: ${r.error}`);
      return false;
    }
    const { inReplyTo, body, messageId } = r.envelope;
    if (inReplyTo !== undefined) {
      const waiter = this.pending.get(inReplyTo);
      if (waiter) {
        this.pending.delete(inReplyTo);
        waiter(body);
        return true;
      }
    }
    this.onMessage(body, messageId);
    return true;
  }
}
