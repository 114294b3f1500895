import * as vscode from "vscode";
import { ImageDocument, reopenWith } from "./imageEditorProvider";
import { VmcoreSession, type VmcoreSessionEffects } from "../views/vmcoreSession";
import { getWebviewOptions, htmlFor } from "./webviewOptions";
import { VIEW_TYPES } from "../views/contributions";

/**
 * The vmcore editor. Registered twice (by the activation shim, extension.ts): under kexecInspector.vmcore with priority "default" for
 * dump-looking names (vmcore*, *.vmcore, dump.*, *.kdump), and under kexecInspector.vmcoreAny
 * with priority "option" so "Reopen Editor With…" offers it for any file. A file with such a
 * name that is not a vmcore gets a kind fallback page (text / hex / pick another editor).
 * The document is the image editor's read-only ByteSource document: ranges are read on demand.
 */
export class VmcoreEditorProvider implements vscode.CustomReadonlyEditorProvider<ImageDocument> {
  static readonly viewType = VIEW_TYPES.vmcore;
  static readonly anyFileViewType = VIEW_TYPES.vmcoreAny;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async openCustomDocument(uri: vscode.Uri): Promise<ImageDocument> {
    return ImageDocument.open(uri);
  }

  async resolveCustomEditor(doc: ImageDocument, panel: vscode.WebviewPanel): Promise<void> {
    const webview = panel.webview;
    webview.options = getWebviewOptions(this.context.extensionUri);
    const effects: VmcoreSessionEffects = {
      post: (m) => void webview.postMessage(m),
      log: (text) => this.log.warn(`${doc.uri.toString(true)}: ${text}`),
      reopenWith: (editor) => reopenWith(doc.uri, editor),
      hexEditorAvailable: () => vscode.extensions.getExtension("ms-vscode.hexeditor") !== undefined,
    };
    const session = new VmcoreSession(doc.src, effects);
    const sub = webview.onDidReceiveMessage((m: unknown) => session.receive(m));
    panel.onDidDispose(() => {
      session.dispose();
      sub.dispose();
    });
    webview.html = htmlFor(webview, this.context.extensionUri, "vmcoreEditorMain", "vmcoreEditor.css", vscode.l10n.t("Vmcore inspector"));
  }
}
