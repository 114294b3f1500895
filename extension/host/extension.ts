import * as vscode from "vscode";
import { ImageEditorProvider } from "./imageEditorProvider";
import { ImageCommands } from "./imageCommands";
import { VerdictReporter } from "./verdictReporter";
import { XloadflagsHoverProvider } from "./xloadflagsHoverProvider";

/** Registers the providers; each owns its disposables through context.subscriptions. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("Kexec Inspector", { log: true });
  context.subscriptions.push(log);
  const verdicts = new VerdictReporter(log);
  const editors = ImageEditorProvider.register(context, log, verdicts);
  ImageCommands.register(context, editors, verdicts);
  XloadflagsHoverProvider.register(context);
}

export function deactivate(): void {
  /* everything is in context.subscriptions */
}
