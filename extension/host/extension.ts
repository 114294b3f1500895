/**
 * The activation shim (dist/extension.js). Activation must stay cheap, so this registers everything
 * VS Code needs at once as forwarding objects and loads the main bundle (dist/hostMain.js: the
 * providers and the whole pure core) on first real use: a custom editor or the simulation panel
 * opening, a command, a hover over a name we know, a kernel source file being open. It imports
 * only contributions.ts (ids, selectors, the path gate), settings.ts and the hover's name list
 * (HOVER_NAMES: +11 KiB and ~0.3 ms here, measured, against loading the main bundle, ~35 ms, on
 * the first hover in any C file); build.mjs keeps `require("./hostMain.js")` a runtime require.
 */
import * as vscode from "vscode";
import type { HostMain } from "./hostMain";
import { COMMAND_IDS, HINT_SELECTOR, HOVER_SELECTOR, LINT_SELECTOR, VIEW_TYPES, isKernelSourcePath } from "../views/contributions";
import { settings } from "./settings";
import { HOVER_NAMES } from "../core/source/hover";

let context: vscode.ExtensionContext | undefined;
let main: HostMain | undefined;
/** Listeners that wait for a kernel source file to be opened; disposed once the main bundle is loaded. */
let waiting: vscode.Disposable[] = [];
/** The inlay hints provider's change event, fed by the real provider once it exists. */
let hintsChanged: vscode.EventEmitter<void> | undefined;

function load(): HostMain {
  if (main) return main;
  if (!context) throw new Error("Kexec Inspector is not active");
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the main bundle, loaded on first use (see above)
  const m = require("./hostMain.js") as typeof import("./hostMain");
  main = m.createHostMain(context);
  for (const d of waiting.splice(0)) d.dispose();
  context.subscriptions.push(main.inlayHints.onDidChangeInlayHints(() => hintsChanged?.fire()));
  return main;
}

type Method = (...args: unknown[]) => unknown;
type Args<F> = F extends (...args: infer A) => unknown ? A : never;

/**
 * A forwarding object for one of the main bundle's providers: each listed method loads the main
 * bundle and calls the same method on the real provider. With `wanted`, calls it rejects return
 * undefined (nothing to provide) while the main bundle is not loaded yet, instead of loading it.
 */
function forward<P extends keyof HostMain, K extends keyof HostMain[P] & string>(
  part: P,
  methods: readonly K[],
  wanted?: (...args: Args<HostMain[P][K]>) => boolean,
): Pick<HostMain[P], K> {
  const out: Record<string, Method> = {};
  for (const name of methods) {
    out[name] = (...args) => {
      if (!main && wanted && !wanted(...(args as Args<HostMain[P][K]>))) return undefined;
      const target = load()[part];
      return (target[name] as Method).apply(target, args);
    };
  }
  return out as Pick<HostMain[P], K>;
}

/** Could the document be one of the analysed kernel files: the path tail first, then the selector. Reads no text. */
function maybeKernelSource(doc: vscode.TextDocument): boolean {
  return isKernelSourcePath(doc.uri.path) && vscode.languages.match(LINT_SELECTOR, doc) > 0;
}

/**
 * Could the real hover answer here: a name hoverAt() knows, or a number on a line that (or whose
 * line above) mentions xloadflags. Reads one or two lines.
 */
function maybeHover(doc: vscode.TextDocument, pos: vscode.Position): boolean {
  if (!settings.hoversEnabled()) return false;
  const range = doc.getWordRangeAtPosition(pos, /\w+/);
  if (!range) return false;
  const word = doc.getText(range);
  if (HOVER_NAMES.has(word)) return true;
  if (!/^\d/.test(word)) return false;
  return /xloadflags/i.test((pos.line > 0 ? doc.lineAt(pos.line - 1).text + "\n" : "") + doc.lineAt(pos.line).text);
}

export function activate(ctx: vscode.ExtensionContext): void {
  context = ctx;
  hintsChanged = new vscode.EventEmitter<void>();
  // No retainContextWhenHidden: the webviews keep their state through getState/setState.
  const editorOptions = { supportsMultipleEditorsPerDocument: true };
  const image = forward("imageEditor", ["openCustomDocument", "resolveCustomEditor"]);
  const vmcore = forward("vmcoreEditor", ["openCustomDocument", "resolveCustomEditor"]);
  // The lint runs on open and as you type: hand over to the main bundle once a kernel file is open.
  waiting = [
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (maybeKernelSource(doc)) load();
    }),
  ];
  ctx.subscriptions.push(
    hintsChanged,
    { dispose: () => waiting.splice(0).forEach((d) => d.dispose()) },
    vscode.window.registerCustomEditorProvider(VIEW_TYPES.image, image, editorOptions),
    vscode.window.registerCustomEditorProvider(VIEW_TYPES.imageAny, image, editorOptions),
    vscode.window.registerCustomEditorProvider(VIEW_TYPES.vmcore, vmcore, editorOptions),
    vscode.window.registerCustomEditorProvider(VIEW_TYPES.vmcoreAny, vmcore, editorOptions),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPES.simulation, forward("simulation", ["deserializeWebviewPanel"])),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPES.doctor, forward("doctor", ["deserializeWebviewPanel"])),
    ...COMMAND_IDS.map((id) => vscode.commands.registerCommand(id, (...args: unknown[]) => load().commands[id](...args))),
    vscode.languages.registerHoverProvider(HOVER_SELECTOR, forward("hover", ["provideHover"], maybeHover)),
    vscode.languages.registerCodeActionsProvider(LINT_SELECTOR, forward("codeActions", ["provideCodeActions"], maybeKernelSource), {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
    vscode.languages.registerInlayHintsProvider(HINT_SELECTOR, { ...forward("inlayHints", ["provideInlayHints"]), onDidChangeInlayHints: hintsChanged.event }),
  );
  if (vscode.workspace.textDocuments.some(maybeKernelSource)) load();
}

export function deactivate(): void {
  /* everything is in context.subscriptions, including what the main bundle added */
  main = undefined;
  context = undefined;
}
