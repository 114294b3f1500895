/**
 * The kdump readiness report's conversation with its page, free of vscode: validates every
 * message, runs the core's doctor on the chosen root and posts the report. The panel
 * (doctorPanel.ts) supplies the runner, the folder picker, the clipboard and the simulation panel;
 * tests supply fakes.
 */
import { MessageHandler, type Envelope } from "../protocol/image";
import { doctorMarkdown } from "../core/scenario/doctor/doctor";
import { DoctorMessageType, parseDoctorFromWebview, type CheckSimulationView, type CheckView, type DoctorFromWebview, type DoctorReportView, type DoctorToWebview } from "../protocol/doctor";

export interface DoctorHost {
  post(m: Envelope<DoctorToWebview>): void;
  log(text: string): void;
  /** Runs the doctor on a root ("/" = this machine). */
  run(root: string): Promise<DoctorReportView>;
  /** A root chosen by the user; null when cancelled. */
  pickRoot(): Promise<string | null>;
  copy(text: string): Promise<void>;
  /**
   * Opens the simulation panel on the inputs the core put behind a check; resolves to the status
   * line (what was opened, or what could not be loaded).
   */
  openSimulation(sim: CheckSimulationView, check: CheckView): Promise<{ ok: boolean; text: string }>;
  /** The page's root changed (for the panel title and the saved state). */
  rootChanged?(root: string): void;
}

export class DoctorSession {
  private readonly handler: MessageHandler<DoctorToWebview, DoctorFromWebview>;
  private report: DoctorReportView | null = null;
  private running = 0;

  constructor(
    private root: string,
    private readonly host: DoctorHost,
  ) {
    this.handler = new MessageHandler<DoctorToWebview, DoctorFromWebview>(
      (m) => host.post(m),
      parseDoctorFromWebview,
      (m, id) => void this.onMessage(m, id),
      (t) => host.log(t),
    );
  }

  get currentRoot(): string {
    return this.root;
  }

  receive(raw: unknown): boolean {
    return this.handler.receive(raw);
  }

  /** Check another root (a command while the panel is open). */
  async setRoot(root: string): Promise<void> {
    this.root = root;
    this.host.rootChanged?.(root);
    await this.runAndPost(undefined);
  }

  private async onMessage(m: DoctorFromWebview, id: number): Promise<void> {
    switch (m.type) {
      case DoctorMessageType.DoctorReady:
      case DoctorMessageType.DoctorRerun:
        await this.runAndPost(id);
        return;
      case DoctorMessageType.DoctorPickRoot: {
        const root = await this.host.pickRoot();
        if (root === null) {
          this.handler.sendReply(id, { type: DoctorMessageType.DoctorActionDone, ok: true, text: "" });
          return;
        }
        this.root = root;
        this.host.rootChanged?.(root);
        await this.runAndPost(id);
        return;
      }
      case DoctorMessageType.DoctorCopyJson:
      case DoctorMessageType.DoctorCopyMarkdown: {
        if (!this.report) {
          this.handler.sendReply(id, { type: DoctorMessageType.DoctorActionDone, ok: false, text: "No report yet." });
          return;
        }
        const json = m.type === DoctorMessageType.DoctorCopyJson;
        await this.host.copy(json ? JSON.stringify(this.report, null, 2) : doctorMarkdown(this.report));
        this.handler.sendReply(id, { type: DoctorMessageType.DoctorActionDone, ok: true, text: json ? "Report copied as JSON." : "Report copied as Markdown." });
        return;
      }
      case DoctorMessageType.DoctorOpenSimulation: {
        // The page names a check; the inputs are this session's own report's, never the page's.
        const check = this.report?.checks.find((c) => c.id === m.id) ?? null;
        if (!check?.simulate) {
          this.handler.sendReply(id, { type: DoctorMessageType.DoctorActionDone, ok: false, text: `No simulation behind "${m.id}" in the current report.` });
          return;
        }
        try {
          const r = await this.host.openSimulation(check.simulate, check);
          this.handler.sendReply(id, { type: DoctorMessageType.DoctorActionDone, ok: r.ok, text: r.text });
        } catch (e) {
          const text = `The simulation could not be opened: ${e instanceof Error ? e.message : String(e)}`;
          this.host.log(text);
          this.handler.sendReply(id, { type: DoctorMessageType.DoctorActionDone, ok: false, text });
        }
        return;
      }
    }
  }

  private async runAndPost(inReplyTo: number | undefined): Promise<void> {
    const seq = ++this.running;
    const root = this.root;
    this.handler.send({ type: DoctorMessageType.DoctorBusy, text: root === "/" ? "Checking this machine…" : `Checking ${root}…` });
    try {
      const report = await this.host.run(root);
      if (seq !== this.running) return; // a newer run owns the page
      this.report = report;
      const body: DoctorToWebview = { type: DoctorMessageType.DoctorReport, report };
      if (inReplyTo === undefined) this.handler.send(body);
      else this.handler.sendReply(inReplyTo, body);
    } catch (e) {
      if (seq !== this.running) return;
      const text = `The check failed: ${e instanceof Error ? e.message : String(e)}`;
      this.host.log(text);
      const body: DoctorToWebview = { type: DoctorMessageType.DoctorActionDone, ok: false, text };
      if (inReplyTo === undefined) this.handler.send(body);
      else this.handler.sendReply(inReplyTo, body);
    }
  }
}
