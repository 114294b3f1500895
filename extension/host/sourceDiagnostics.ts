import * as vscode from "vscode";
import { analyseSource, type Severity, type SourceAnalysis } from "../core/source";
import {
  LINT_MAX_CHARS,
  LINT_SELECTOR,
  LINT_SOURCE,
  debounceFor,
  isKernelSourcePath,
  kernelRootOf,
  kernelVersionFromMakefile,
  parseDisabledRules,
  ruleDocUrl,
} from "../views/sourceLint";

interface Cached {
  version: number;
  generation: number;
  analysis: SourceAnalysis;
}

interface LintConfig {
  enabled: boolean;
  disabled: ReadonlySet<string>;
  unknown: string[];
}

function readConfig(): LintConfig {
  const c = vscode.workspace.getConfiguration("kexecInspector.lint");
  const { disabled, unknown } = parseDisabledRules(c.get<unknown>("disabledRules", []));
  return { enabled: c.get<boolean>("enabled", true), disabled, unknown };
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function documentLength(doc: vscode.TextDocument): number {
  return doc.lineCount === 0 ? 0 : doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
}

/**
 * Problems for the kernel sources the pure analysers understand (extension/core/source): a thin
 * adapter over analyseSource(). Runs on open and, debounced, as you type; only for documents whose
 * path tail (checked first, without reading the text) and content are a recognised kernel file.
 * Holds the per-version analysis that the quick fixes and inlay hints reuse.
 */
export class SourceDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(LINT_SOURCE);
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private readonly cache = new Map<string, Cached>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly waiters = new Map<string, (() => void)[]>();
  /** What the last analysis of a document cost, to stretch the debounce on huge files. */
  private readonly lastCost = new Map<string, number>();
  /** Kernel release by tree root ("6.1"), read from the root's Makefile; a promise while reading. */
  private readonly releases = new Map<string, string | undefined | Promise<void>>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when analyses changed for a reason other than an edit (settings, the tree's Makefile). */
  readonly onDidChangeAnalyses = this.changed.event;
  private config = readConfig();
  /** Bumped on every settings change: cached analyses of older generations are stale. */
  private generation = 0;

  /** Starts listening and lints the open documents; the owner disposes it (context.subscriptions). */
  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidOpenTextDocument((doc) => this.lintNow(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.schedule(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration("kexecInspector.lint")) this.reconfigure();
      }),
    );
    this.warnUnknownRules();
    for (const doc of vscode.workspace.textDocuments) this.lintNow(doc);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const key of [...this.waiters.keys()]) this.wake(key);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.cache.clear();
  }

  /** Cheap gate: settings, scheme/language/pattern, path tail, size. Reads no text. */
  private wanted(doc: vscode.TextDocument): boolean {
    return this.config.enabled && vscode.languages.match(LINT_SELECTOR, doc) > 0 && isKernelSourcePath(doc.uri.path) && documentLength(doc) <= LINT_MAX_CHARS;
  }

  /** The analysis of the document as it is now (cached per version); undefined when it is not linted. */
  analysisFor(doc: vscode.TextDocument): SourceAnalysis | undefined {
    if (!this.wanted(doc)) return undefined;
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version && hit.generation === this.generation) return hit.analysis;
    const t0 = performance.now();
    const analysis = analyseSource(doc.uri.path, doc.getText(), { disabled: this.config.disabled, kernelVersion: this.releaseFor(doc.uri) });
    this.lastCost.set(key, performance.now() - t0);
    this.cache.set(key, { version: doc.version, generation: this.generation, analysis });
    return analysis;
  }

  /**
   * The analysis once the pending (debounced) run for this document is done: lets the inlay hint and
   * code action providers share the diagnostics' run instead of analysing on every keystroke.
   */
  async settledAnalysis(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<SourceAnalysis | undefined> {
    const key = doc.uri.toString();
    if (this.timers.has(key)) {
      await new Promise<void>((resolve) => {
        const list = this.waiters.get(key) ?? [];
        list.push(resolve);
        this.waiters.set(key, list);
        const sub = token.onCancellationRequested(() => {
          sub.dispose();
          resolve();
        });
      });
    }
    if (token.isCancellationRequested || doc.isClosed) return undefined;
    return this.analysisFor(doc);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!this.wanted(doc)) {
      // A document that stopped qualifying (grew past the limit) keeps no stale problems.
      if (this.cache.has(doc.uri.toString())) this.forget(doc.uri);
      return;
    }
    const key = doc.uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    const wait = debounceFor(documentLength(doc), this.lastCost.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.lintNow(doc);
      }, wait),
    );
  }

  private lintNow(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    try {
      if (doc.isClosed) return;
      const analysis = this.analysisFor(doc);
      if (!analysis?.kind) {
        this.collection.delete(doc.uri);
        if (!analysis) this.cache.delete(key);
        return;
      }
      this.collection.set(doc.uri, analysis.findings.map((f) => {
        const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(f.range.start), doc.positionAt(f.range.end)), f.message, SEVERITY[f.severity]);
        d.source = LINT_SOURCE;
        const url = ruleDocUrl(f.rule);
        d.code = url ? { value: f.rule, target: vscode.Uri.parse(url) } : f.rule;
        return d;
      }));
    } catch (e) {
      // The analysers are total on any text; should one throw, the editor keeps working.
      this.log.error(`lint ${doc.uri.fsPath}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      this.collection.delete(doc.uri);
    } finally {
      this.wake(key);
    }
  }

  private wake(key: string): void {
    const list = this.waiters.get(key);
    this.waiters.delete(key);
    for (const resolve of list ?? []) resolve();
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.cache.delete(key);
    this.lastCost.delete(key);
    this.collection.delete(uri);
    this.wake(key);
  }

  private reconfigure(): void {
    this.config = readConfig();
    this.generation++;
    this.warnUnknownRules();
    this.relintAll();
  }

  private relintAll(): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (this.wanted(doc)) this.lintNow(doc);
      else this.forget(doc.uri);
    }
    this.changed.fire();
  }

  private warnUnknownRules(): void {
    if (this.config.unknown.length) {
      this.log.warn(`kexecInspector.lint.disabledRules: ignoring unknown rule id(s) ${this.config.unknown.join(", ")}`);
    }
  }

  /**
   * The kernel release of the tree the file belongs to, from its top-level Makefile (read once per
   * tree, re-read when it changes). Undefined until read, and when there is none: the analysers
   * then assume a current kernel. Reading it re-lints the tree's open files.
   */
  private releaseFor(uri: vscode.Uri): string | undefined {
    const root = kernelRootOf(uri.path);
    if (root === undefined) return undefined;
    const known = this.releases.get(root);
    if (typeof known === "string" || (known === undefined && this.releases.has(root))) return known;
    if (known instanceof Promise) return undefined;
    const rootUri = uri.with({ path: root });
    const makefile = vscode.Uri.joinPath(rootUri, "Makefile");
    const read = async (): Promise<void> => {
      let release: string | undefined;
      try {
        release = kernelVersionFromMakefile(new TextDecoder().decode((await vscode.workspace.fs.readFile(makefile)).subarray(0, 4096)));
      } catch {
        release = undefined;
      }
      const before = this.releases.get(root);
      this.releases.set(root, release);
      if (release !== undefined || typeof before === "string") {
        this.generation++;
        this.relintAll();
      }
    };
    this.releases.set(root, read());
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(rootUri, "Makefile"));
    const reread = (): void => {
      this.releases.set(root, read());
    };
    this.disposables.push(watcher, watcher.onDidChange(reread), watcher.onDidCreate(reread), watcher.onDidDelete(reread));
    return undefined;
  }
}
