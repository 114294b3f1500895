/** The kdump readiness report's host side (vscode-free): messages validated both ways, real reports pass the page's schema. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runDoctor } from "../../extension/core/scenario/doctor/index";
import { DoctorSession } from "../../extension/views/doctorSession";
import type { Envelope } from "../../extension/protocol/image";
import { DoctorMessageType, doctorReportCheck, parseDoctorFromWebview, parseDoctorToWebview, type DoctorReportView, type DoctorToWebview } from "../../extension/protocol/doctor";

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function session(run: (root: string) => Promise<DoctorReportView>, pick: string | null = null) {
  const out: Envelope<DoctorToWebview>[] = [];
  const logs: string[] = [];
  const copied: string[] = [];
  const s = new DoctorSession("/", {
    post: (m) => {
      // What the host sends must pass the page's own validation.
      const r = parseDoctorToWebview(JSON.parse(JSON.stringify(m)));
      assert.ok(r.ok, r.ok ? "" : r.error);
      out.push(m);
    },
    log: (t) => logs.push(t),
    run,
    pickRoot: () => Promise.resolve(pick),
    copy: (t) => {
      copied.push(t);
      return Promise.resolve();
    },
  });
  return { s, out, logs, copied };
}

describe("doctor report: host session and protocol", () => {
  it("this machine's real report passes the page's schema", async () => {
    const r = await runDoctor("/");
    assert.equal(doctorReportCheck(JSON.parse(JSON.stringify(r)), "report"), null);
  });

  it("answers Ready with busy then the report, copies JSON, and checks another root", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kxi-doctor-host-"));
    try {
      fs.mkdirSync(path.join(dir, "proc"));
      fs.writeFileSync(path.join(dir, "proc", "cmdline"), "quiet\n");
      const { s, out, copied } = session((root) => runDoctor(root), dir);
      s.receive({ messageId: 1, body: { type: DoctorMessageType.DoctorReady } });
      for (let i = 0; i < 50 && !out.some((m) => m.body.type === DoctorMessageType.DoctorReport); i++) await tick();
      assert.equal(out[0]!.body.type, DoctorMessageType.DoctorBusy);
      const rep = out.find((m) => m.body.type === DoctorMessageType.DoctorReport)!;
      assert.equal(rep.inReplyTo, 1);
      s.receive({ messageId: 2, body: { type: DoctorMessageType.DoctorCopyJson } });
      await tick();
      assert.equal((JSON.parse(copied[0]!) as DoctorReportView).root, "/");
      s.receive({ messageId: 4, body: { type: DoctorMessageType.DoctorCopyMarkdown } });
      await tick();
      assert.match(copied[1]!, /^# kdump readiness — this machine/);
      assert.match(copied[1]!, /\| (PASS|WARN|FAIL) \| /);
      s.receive({ messageId: 5, body: { type: DoctorMessageType.DoctorPickRoot } });
      for (let i = 0; i < 50 && s.currentRoot !== dir; i++) await tick();
      for (let i = 0; i < 50 && out.filter((m) => m.body.type === DoctorMessageType.DoctorReport).length < 2; i++) await tick();
      const second = out.filter((m) => m.body.type === DoctorMessageType.DoctorReport)[1]!.body as { report: DoctorReportView };
      assert.equal(second.report.root, path.resolve(dir));
      assert.ok(second.report.checks.some((c) => c.id === "crashkernel-param" && c.status === "fail"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects unknown or malformed page messages without running anything", async () => {
    let runs = 0;
    const { s, out, logs } = session(() => {
      runs++;
      return runDoctor("/");
    });
    s.receive({ messageId: 1, body: { type: "doctorRun", root: "/etc" } });
    s.receive({ messageId: 2, body: { type: DoctorMessageType.DoctorRerun, root: "/" } });
    s.receive("<script>");
    await tick();
    assert.equal(runs, 0);
    assert.equal(out.length, 0);
    assert.ok(logs.length >= 3);
    assert.equal(parseDoctorFromWebview({ messageId: 1, body: { type: DoctorMessageType.DoctorPickRoot } }).ok, true);
  });

  it("a failing run becomes a status line, not a crash", async () => {
    const { s, out } = session(() => Promise.reject(new Error("EACCES")));
    s.receive({ messageId: 1, body: { type: DoctorMessageType.DoctorRerun } });
    for (let i = 0; i < 20 && out.length < 2; i++) await tick();
    const last = out[out.length - 1]!.body;
    assert.equal(last.type, DoctorMessageType.DoctorActionDone);
    assert.match((last as { text: string }).text, /EACCES/);
  });
});
