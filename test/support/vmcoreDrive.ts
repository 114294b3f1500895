/** Drives a VmcoreSession the way the webview does, checking every message it posts against the protocol. */
import * as assert from "node:assert/strict";
import type { ByteSource } from "../../extension/core/io/byteSource";
import type { Envelope } from "../../extension/protocol/image";
import { parseVmcoreToWebview, type VmcoreToWebview } from "../../extension/protocol/vmcore";
import { VmcoreSession } from "../../extension/views/vmcoreSession";

export interface Driven {
  session: VmcoreSession;
  got: VmcoreToWebview[];
  replies: Map<number, VmcoreToWebview>;
  logs: string[];
  ask(body: unknown, id: number): Promise<VmcoreToWebview>;
}

export function driveVmcore(src: ByteSource, yieldNow?: () => Promise<void>): Driven {
  const got: VmcoreToWebview[] = [];
  const replies = new Map<number, VmcoreToWebview>();
  const logs: string[] = [];
  const waiters = new Map<number, (m: VmcoreToWebview) => void>();
  const session = new VmcoreSession(src, {
    post: (m: Envelope<VmcoreToWebview>) => {
      const p = parseVmcoreToWebview(JSON.parse(JSON.stringify(m)));
      assert.ok(p.ok, p.ok ? "" : p.error);
      got.push(m.body);
      if (m.inReplyTo !== undefined) {
        replies.set(m.inReplyTo, m.body);
        waiters.get(m.inReplyTo)?.(m.body);
      }
    },
    log: (t) => logs.push(t),
    reopenWith: async () => undefined,
    hexEditorAvailable: () => false,
    ...(yieldNow ? { yieldNow } : {}),
  });
  const ask = (body: unknown, id: number): Promise<VmcoreToWebview> =>
    new Promise((resolve) => {
      waiters.set(id, resolve);
      assert.ok(session.receive({ messageId: id, body }));
    });
  return { session, got, replies, logs, ask };
}
