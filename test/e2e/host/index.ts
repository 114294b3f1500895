/**
 * Entry of the mocha suite that runs INSIDE the real VS Code extension host (code-server), loaded
 * through the workbench URL payload `extensionTestsPath` by scripts/e2e/run.mjs. Exports run() like
 * @vscode/test-electron's sample: the promise settles when mocha is done, then the host exits and the
 * workbench calls window.codeAutomationExit(code). A JSON summary also goes to $KEXEC_E2E_RESULTS
 * (a file on the server; the extension host inherits code-server's environment).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import MochaModule from "mocha";

interface Summary {
  passed: number;
  failed: number;
  passes: string[];
  failures: { title: string; err: string }[];
  notes: string[];
}

/** Tests add lines here (timings, what was checked) for the driver to print. */
export const notes: string[] = [];
(globalThis as { kexecE2eNotes?: string[] }).kexecE2eNotes = notes;

export function run(): Promise<void> {
  // mocha 12 is an ES module; require(esm) hands back its namespace, esbuild's interop the default export.
  const ns = MochaModule as unknown as { default?: typeof MochaModule };
  const Mocha = ns.default ?? MochaModule;
  const mocha = new Mocha({ ui: "bdd", timeout: 30000, color: false, reporter: "spec" });
  const dir = __dirname;
  const only = process.env.KEXEC_E2E_GREP;
  if (only) mocha.grep(only);
  // KEXEC_E2E_FILES: comma-separated test files to run (the harness self-check runs only extension.test.js)
  const files = process.env.KEXEC_E2E_FILES?.split(",").map((f) => f.trim()).filter(Boolean);
  for (const f of fs.readdirSync(dir).sort()) {
    if (f.endsWith(".test.js") && (!files || files.includes(f))) mocha.addFile(path.join(dir, f));
  }
  return new Promise((resolve, reject) => {
    const summary: Summary = { passed: 0, failed: 0, passes: [], failures: [], notes };
    const runner = mocha.run((failures) => {
      summary.passed = summary.passes.length;
      summary.failed = failures;
      console.log(`[kexec-e2e host] ${summary.passed} passed, ${summary.failed} failed`);
      const out = process.env.KEXEC_E2E_RESULTS;
      if (out) fs.writeFileSync(out, JSON.stringify(summary, null, 2));
      if (failures > 0) reject(new Error(`${failures} tests failed.`));
      else resolve();
    });
    runner.on("pass", (t) => summary.passes.push(t.fullTitle()));
    runner.on("fail", (t, err: unknown) => {
      const e = err as { stack?: string } | undefined;
      summary.failures.push({ title: t.fullTitle(), err: String(e?.stack ?? err) });
    });
  });
}
