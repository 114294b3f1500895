import * as vscode from "vscode";
import { openFile } from "../core/io/byteSource";
import { verdictsFor } from "../core/scenario/imageReport";
import { openImage, type OpenResult } from "../views/imageSession";
import { headerAsJson, headerAsMarkdown } from "../views/headerExport";
import type { ImageEditorProvider } from "./imageEditorProvider";
import type { VerdictReporter } from "./verdictReporter";
import type { SimulationPanel } from "./simulationPanel";
import { imageFromBzImage } from "../views/simulationMachine";
import type { CommandHandler } from "../views/contributions";

/**
 * Palette and explorer commands over an image: copy the header, simulate kexec. They act on
 * the URI they are given (explorer context menu) or on the focused image editor. The activation
 * shim registers the ids and forwards to handlers().
 */
export class ImageCommands {
  constructor(
    private readonly editors: ImageEditorProvider,
    private readonly verdicts: VerdictReporter,
    private readonly simulation?: SimulationPanel,
  ) {}

  handlers(): Record<"kexecInspector.copyHeaderAsMarkdown" | "kexecInspector.copyHeaderAsJson" | "kexecInspector.simulateKexec", CommandHandler> {
    return {
      "kexecInspector.copyHeaderAsMarkdown": (uri) => this.copy(uri as vscode.Uri | undefined, "markdown"),
      "kexecInspector.copyHeaderAsJson": (uri) => this.copy(uri as vscode.Uri | undefined, "json"),
      "kexecInspector.simulateKexec": (uri) => this.simulate(uri as vscode.Uri | undefined),
    };
  }

  /** Parses the target image, or explains why there is none. */
  private async target(uri: vscode.Uri | undefined): Promise<{ uri: vscode.Uri; result: OpenResult } | null> {
    if (uri instanceof vscode.Uri && uri.scheme === "file") {
      const src = openFile(uri.fsPath);
      try {
        return { uri, result: openImage(src) };
      } finally {
        src.close();
      }
    }
    const active = this.editors.activeSession();
    if (active) return { uri: active.uri, result: active.session.result() };
    await vscode.window.showInformationMessage(vscode.l10n.t("Open a kernel image (bzImage, vmlinuz) in the Kexec Inspector first, or run this from the Explorer context menu."));
    return null;
  }

  async copy(uri: vscode.Uri | undefined, format: "markdown" | "json"): Promise<void> {
    const t = await this.target(uri);
    if (!t) return;
    if (!t.result.ok) {
      await vscode.window.showWarningMessage(vscode.l10n.t("No setup header to copy: {0}", t.result.reason));
      return;
    }
    await vscode.env.clipboard.writeText(format === "json" ? headerAsJson(t.result.view) : headerAsMarkdown(t.result.view));
    vscode.window.setStatusBarMessage(vscode.l10n.t("Setup header copied."), 3000);
  }

  async simulate(uri: vscode.Uri | undefined): Promise<void> {
    const t = await this.target(uri);
    if (!t) return;
    if (!t.result.ok) {
      await vscode.window.showWarningMessage(vscode.l10n.t("Cannot simulate kexec: {0}", t.result.reason));
      return;
    }
    // The simulation panel, with this image preselected; the static verdicts without it.
    if (this.simulation) {
      const file = t.uri.fsPath || t.uri.toString();
      await this.simulation.openWithImage(imageFromBzImage(t.result.img, file, { kind: "file", path: file }, t.result.uki));
      return;
    }
    await this.verdicts.show(t.uri.fsPath || t.uri.toString(), verdictsFor(t.result.img), t.result.view);
  }
}
