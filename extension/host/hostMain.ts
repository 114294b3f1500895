import * as vscode from "vscode";
import { ImageEditorProvider } from "./imageEditorProvider";
import { ImageCommands } from "./imageCommands";
import { SimulationPanel } from "./simulationPanel";
import { DoctorPanel } from "./doctorPanel";
import { VmcoreEditorProvider } from "./vmcoreEditorProvider";
import { VerdictReporter } from "./verdictReporter";
import { XloadflagsHoverProvider } from "./xloadflagsHoverProvider";
import { SourceDiagnostics } from "./sourceDiagnostics";
import { SourceCodeActionProvider } from "./sourceCodeActions";
import { SourceInlayHintsProvider } from "./sourceInlayHints";
import type { CommandHandler, CommandId } from "../views/contributions";

/** The real providers, for the activation shim (extension.ts) to forward to. */
export interface HostMain {
  imageEditor: ImageEditorProvider;
  vmcoreEditor: VmcoreEditorProvider;
  simulation: SimulationPanel;
  doctor: DoctorPanel;
  commands: Record<CommandId, CommandHandler>;
  hover: XloadflagsHoverProvider;
  codeActions: SourceCodeActionProvider;
  inlayHints: SourceInlayHintsProvider;
}

/**
 * The main bundle (dist/hostMain.js), loaded by the activation shim on first real use: constructs
 * the providers without registering them (the shim registered forwarding objects at activation).
 * Constructing the diagnostics starts their listeners and lints the open documents. Everything
 * disposable goes to context.subscriptions, which VS Code disposes on deactivate.
 */
export function createHostMain(context: vscode.ExtensionContext): HostMain {
  const log = vscode.window.createOutputChannel("Kexec Inspector", { log: true });
  context.subscriptions.push(log);
  const verdicts = new VerdictReporter(log);
  const imageEditor = new ImageEditorProvider(context, log, verdicts);
  const simulation = new SimulationPanel(context, log, imageEditor);
  const imageCommands = new ImageCommands(imageEditor, verdicts, simulation);
  const doctor = new DoctorPanel(context, log, simulation);
  const lint = new SourceDiagnostics(log);
  const inlayHints = new SourceInlayHintsProvider(lint);
  context.subscriptions.push(lint, inlayHints);
  return {
    imageEditor,
    vmcoreEditor: new VmcoreEditorProvider(context, log),
    simulation,
    doctor,
    commands: { ...imageCommands.handlers(), ...simulation.handlers(), ...doctor.handlers() },
    hover: new XloadflagsHoverProvider(),
    codeActions: new SourceCodeActionProvider(lint),
    inlayHints,
  };
}
