/**
 * The activation shim (extension/host/extension.ts) registers from contributions.ts what package.json
 * contributes, and stays small: it must not pull the core into dist/extension.js.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { repoRoot } from "../fixtures";
import { COMMAND_IDS, VIEW_TYPES } from "../../extension/views/contributions";

interface Manifest {
  activationEvents?: string[];
  contributes?: { commands?: { command: string }[]; customEditors?: { viewType: string }[] };
}
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as Manifest;

describe("activation shim", () => {
  it("registers every contributed command and nothing else", () => {
    assert.deepEqual([...COMMAND_IDS].sort(), (pkg.contributes?.commands ?? []).map((c) => c.command).sort());
  });

  it("registers every contributed custom editor, and the simulation panel's serializer", () => {
    const ours = Object.values(VIEW_TYPES) as string[];
    for (const e of pkg.contributes?.customEditors ?? []) assert.ok(ours.includes(e.viewType), e.viewType);
    assert.ok((pkg.activationEvents ?? []).includes(`onWebviewPanel:${VIEW_TYPES.simulation}`));
  });

  it("bundles small (< 30 KiB minified) and without the core's parsers, simulator or analysers", async function () {
    this.timeout(20000);
    const r = await esbuild.build({
      entryPoints: [path.join(repoRoot, "extension/host/extension.ts")],
      bundle: true, minify: true, write: false, metafile: true, platform: "node", format: "cjs", target: "node20",
      external: ["vscode", "./hostMain.js"], logLevel: "silent", absWorkingDir: repoRoot,
    });
    const bytes = r.outputFiles[0]!.contents.length;
    assert.ok(bytes < 30 * 1024, `dist/extension.js would be ${bytes} bytes`);
    const inputs = Object.keys(r.metafile.inputs).map((f) => f.replace(/\\/g, "/"));
    const allowed = /^extension\/host\/(extension|settings)\.ts$|^extension\/views\/contributions\.ts$|^extension\/core\/source\/(recognise|hover|scan)\.ts$|^extension\/core\/knowledge\/|^extension\/core\/io\/hex\.ts$/;
    assert.deepEqual(inputs.filter((f) => !allowed.test(f)), []);
  });
});
