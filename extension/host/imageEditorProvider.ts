import * as vscode from "vscode";
import { MemoryByteSource, openFile, type ByteSource } from "../core/io/byteSource";
import { ImageSession, type SessionEffects } from "../views/imageSession";
import { getWebviewOptions, htmlFor } from "./webviewOptions";
import { settings } from "./settings";
import type { VerdictReporter } from "./verdictReporter";
import { VIEW_TYPES } from "../views/contributions";

/** A file opened read-only: the ByteSource reads ranges on demand and never writes. */
export class ImageDocument implements vscode.CustomDocument {
  private constructor(
    readonly uri: vscode.Uri,
    readonly src: ByteSource,
  ) {}

  static async open(uri: vscode.Uri): Promise<ImageDocument> {
    if (uri.scheme === "file") return new ImageDocument(uri, openFile(uri.fsPath));
    // Other schemes (untitled, remote file systems): read through the workspace API, in memory.
    const bytes = await vscode.workspace.fs.readFile(uri);
    return new ImageDocument(uri, new MemoryByteSource(bytes, uri.path));
  }

  dispose(): void {
    this.src.close();
  }
}

/**
 * The bzImage inspector. Registered twice (by the activation shim, extension.ts): under
 * kexecInspector.image with priority "default" for kernel-looking names, and under
 * kexecInspector.imageAny with priority "option" so "Reopen Editor With…" offers it for any file
 * without hijacking unknown names.
 */
export class ImageEditorProvider implements vscode.CustomReadonlyEditorProvider<ImageDocument> {
  static readonly viewType = VIEW_TYPES.image;
  static readonly anyFileViewType = VIEW_TYPES.imageAny;

  private readonly sessions = new Map<vscode.WebviewPanel, { session: ImageSession; uri: vscode.Uri }>();
  private active: { session: ImageSession; uri: vscode.Uri } | null = null;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly verdicts: VerdictReporter,
  ) {}

  /** The session of the image editor the user last focused, for palette commands. */
  activeSession(): { session: ImageSession; uri: vscode.Uri } | null {
    return this.active;
  }

  async openCustomDocument(uri: vscode.Uri): Promise<ImageDocument> {
    return ImageDocument.open(uri);
  }

  async resolveCustomEditor(doc: ImageDocument, panel: vscode.WebviewPanel): Promise<void> {
    const webview = panel.webview;
    webview.options = getWebviewOptions(this.context.extensionUri);
    const effects: SessionEffects = {
      post: (m) => void webview.postMessage(m),
      log: (text) => this.log.warn(`${doc.uri.toString(true)}: ${text}`),
      copy: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
      // The editor's Simulate button does what the command does: the panel with this image preselected.
      showVerdicts: async (file, verdicts, view) => {
        if ((await vscode.commands.getCommands(true)).includes("kexecInspector.simulate")) {
          await vscode.commands.executeCommand("kexecInspector.simulateKexec", doc.uri);
          return vscode.l10n.t("Opened the simulation panel with this image.");
        }
        return this.verdicts.show(file, verdicts, view);
      },
      reopenWith: (editor) => this.reopen(doc.uri, editor),
      hexEditorAvailable: () => vscode.extensions.getExtension("ms-vscode.hexeditor") !== undefined,
      maxDecompressedBytes: () => settings.maxDecompressedBytes(),
    };
    const session = new ImageSession(doc.src, effects);
    const entry = { session, uri: doc.uri };
    this.sessions.set(panel, entry);
    if (panel.active) this.active = entry;
    const subs = [
      webview.onDidReceiveMessage((m: unknown) => session.receive(m)),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) this.active = entry;
      }),
    ];
    panel.onDidDispose(() => {
      session.dispose();
      this.sessions.delete(panel);
      if (this.active === entry) this.active = null;
      for (const s of subs) s.dispose();
    });
    webview.html = htmlFor(webview, this.context.extensionUri, "imageEditorMain", "imageEditor.css", vscode.l10n.t("Kernel image inspector"));
  }

  private async reopen(uri: vscode.Uri, editor: "text" | "hex" | "pick"): Promise<void> {
    return reopenWith(uri, editor);
  }
}

/** Opens `uri` in the text editor, the Hex Editor, or VS Code's "Reopen Editor With…" picker. */
export async function reopenWith(uri: vscode.Uri, editor: "text" | "hex" | "pick"): Promise<void> {
  if (editor === "pick") {
    await vscode.commands.executeCommand("workbench.action.reopenWithEditor", uri);
    return;
  }
  // "default" is VS Code's built-in text editor.
  const viewType = editor === "hex" ? "hexEditor.hexedit" : "default";
  await vscode.commands.executeCommand("vscode.openWith", uri, viewType);
}
