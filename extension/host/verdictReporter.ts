import * as vscode from "vscode";
import type { ImageVerdict } from "../core/kexec/imageVerdicts";
import type { ImageView } from "../protocol/image";

/**
 * "Simulate kexec with this image" until the simulation panel exists: the core's static
 * verdicts for both paging modes, written to the output channel, with the summary line in a
 * notification.
 */
export class VerdictReporter {
  constructor(private readonly out: vscode.LogOutputChannel) {}

  async show(file: string, verdicts: readonly ImageVerdict[], view: ImageView): Promise<string> {
    const mark: Record<ImageVerdict["outcome"], string> = { ok: "OK     ", refused: "REFUSED", fails: "FAILS  ", risk: "RISK   ", info: "INFO   " };
    this.out.info(`kexec verdicts for ${file} (${view.summary.kernelVersion ?? "no version string"}, protocol ${view.summary.protocol ?? "none"})`);
    for (const v of verdicts) {
      this.out.info(`  ${mark[v.outcome]} ${v.summary}`);
      this.out.info(`          ${v.reason}`);
      this.out.info(`          rule: ${v.rule} — ${v.source}`);
    }
    const line = view.summary.verdictLine;
    const details = vscode.l10n.t("Show All Verdicts");
    // Not awaited: the webview gets its status line now, the toast stays until dismissed.
    void Promise.resolve(
      view.summary.verdictOutcome === "ok" ? vscode.window.showInformationMessage(line, details) : vscode.window.showWarningMessage(line, details),
    ).then((pick) => {
      if (pick === details) this.out.show(true);
    });
    return vscode.l10n.t("{0} verdicts written to the Kexec Inspector output.", verdicts.length);
  }
}
