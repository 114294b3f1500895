import * as vscode from "vscode";
import { ImageEditorProvider } from "./imageEditorProvider";
import { ImageCommands } from "./imageCommands";
import { SimulationPanel } from "./simulationPanel";
import { VmcoreEditorProvider } from "./vmcoreEditorProvider";
import { VerdictReporter } from "./verdictReporter";
import { XloadflagsHoverProvider } from "./xloadflagsHoverProvider";
import { SourceDiagnostics } from "./sourceDiagnostics";
import { SourceCodeActionProvider } from "./sourceCodeActions";
import { SourceInlayHintsProvider } from "./sourceInlayHints";

/** Registers the providers; each owns its disposables through context.subscriptions. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("Kexec Inspector", { log: true });
  context.subscriptions.push(log);
  const verdicts = new VerdictReporter(log);
  const editors = ImageEditorProvider.register(context, log, verdicts);
  const simulation = SimulationPanel.register(context, log, editors);
  ImageCommands.register(context, editors, verdicts, simulation);
  VmcoreEditorProvider.register(context, log);
  XloadflagsHoverProvider.register(context);
  const lint = SourceDiagnostics.register(context, log);
  SourceCodeActionProvider.register(context, lint);
  SourceInlayHintsProvider.register(context, lint);
}

export function deactivate(): void {
  /* everything is in context.subscriptions */
}
