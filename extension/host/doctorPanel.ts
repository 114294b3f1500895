import * as vscode from "vscode";
import { doctorPanelStateCheck, type DoctorPanelState, type DoctorReportView } from "../protocol/doctor";
import { liveKexecVersion, runDoctor } from "../core/scenario/doctor/index";
import { DoctorSession } from "../views/doctorSession";
import { getWebviewOptions, htmlFor } from "./webviewOptions";
import { VIEW_TYPES, type CommandHandler } from "../views/contributions";
import type { SimulationPanel } from "./simulationPanel";

/**
 * "Kexec Inspector: Check kdump Readiness…": this machine, or a folder holding an extracted
 * sosreport, supportconfig or a copy of a machine's files. One report panel at a time; a
 * serializer revives it (and re-runs the check) after a reload. The check is the core's doctor,
 * the same as `kexec-inspector doctor`.
 */
export class DoctorPanel implements vscode.WebviewPanelSerializer {
  static readonly viewType = VIEW_TYPES.doctor;
  private current: { panel: vscode.WebviewPanel; session: DoctorSession } | null = null;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    /** Opens the simulation behind a check ("Simulate" on a check item). */
    private readonly simulation?: SimulationPanel,
  ) {}

  handlers(): Record<"kexecInspector.checkKdump", CommandHandler> {
    return { "kexecInspector.checkKdump": (uri) => this.command(uri as vscode.Uri | undefined) };
  }

  deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const s: DoctorPanelState | null = state !== undefined && state !== null && doctorPanelStateCheck(state, "state") === null ? (state as DoctorPanelState) : null;
    this.show(s?.root ?? "/", panel);
    return Promise.resolve();
  }

  private async command(uri?: vscode.Uri): Promise<void> {
    // From the explorer's folder context menu: that folder.
    const root = uri instanceof vscode.Uri && uri.scheme === "file" ? uri.fsPath : await this.pickRoot();
    if (root === null) return;
    if (this.current) {
      this.current.panel.reveal();
      await this.current.session.setRoot(root);
      return;
    }
    this.show(root);
  }

  private async pickRoot(): Promise<string | null> {
    type Item = vscode.QuickPickItem & { value: "machine" | "folder" };
    const pick = await vscode.window.showQuickPick<Item>(
      [
        { label: "$(vm) " + vscode.l10n.t("This machine"), detail: vscode.l10n.t("/proc, /sys, /etc, /boot of the machine VS Code's extension host runs on (run as root for /proc/iomem)"), value: "machine" },
        { label: "$(folder-opened) " + vscode.l10n.t("A folder…"), detail: vscode.l10n.t("an extracted sosreport, a supportconfig, or a copy of a machine's files"), value: "folder" },
      ],
      { title: vscode.l10n.t("Check kdump readiness of…") },
    );
    if (!pick) return null;
    if (pick.value === "machine") return "/";
    const uris = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, title: vscode.l10n.t("Choose the extracted sosreport, supportconfig or copy") });
    return uris?.[0]?.fsPath ?? null;
  }

  private run(root: string): Promise<DoctorReportView> {
    return runDoctor(root, root === "/" ? { kexecVersion: () => liveKexecVersion() } : {});
  }

  private title(root: string): string {
    return root === "/" ? vscode.l10n.t("kdump Readiness") : vscode.l10n.t("kdump Readiness: {0}", root.split(/[\\/]/).filter(Boolean).pop() ?? root);
  }

  private show(root: string, panel?: vscode.WebviewPanel): void {
    const p = panel ?? vscode.window.createWebviewPanel(DoctorPanel.viewType, this.title(root), vscode.ViewColumn.Active, getWebviewOptions(this.context.extensionUri));
    p.webview.options = getWebviewOptions(this.context.extensionUri);
    p.title = this.title(root);
    const session = new DoctorSession(root, {
      post: (m) => void p.webview.postMessage(m),
      log: (text) => this.log.warn(`kdump readiness: ${text}`),
      run: (r) => this.run(r),
      pickRoot: () => this.pickRoot(),
      copy: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
      openSimulation: (sim, check) =>
        Promise.resolve(this.simulation ? this.simulation.openFromDoctor(sim, check.title) : { ok: false, text: vscode.l10n.t("The simulation panel is not available.") }),
      rootChanged: (r) => {
        p.title = this.title(r);
      },
    });
    this.current = { panel: p, session };
    const sub = p.webview.onDidReceiveMessage((m: unknown) => session.receive(m));
    p.onDidDispose(() => {
      sub.dispose();
      if (this.current?.panel === p) this.current = null;
    });
    p.webview.html = htmlFor(p.webview, this.context.extensionUri, "doctorReportMain", "doctorReport.css", vscode.l10n.t("kdump readiness"));
  }
}
