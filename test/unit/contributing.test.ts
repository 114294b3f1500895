/** CONTRIBUTING.md's recipes name files and symbols: each must exist, so a recipe cannot rot silently. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../fixtures";

const text = fs.readFileSync(path.join(repoRoot, "CONTRIBUTING.md"), "utf8");

describe("CONTRIBUTING.md recipes", () => {
  it("every repository path it names exists", () => {
    const paths = [...text.matchAll(/`((?:extension|webview|test|scripts)\/[\w./-]+)`/g)].map((m) => m[1]!);
    assert.ok(paths.length > 20, "the recipes name their files");
    const missing = paths.filter((p) => !fs.existsSync(path.join(repoRoot, p)));
    assert.deepEqual(missing, []);
  });

  it("the symbols it points at are defined where it says", () => {
    const at = (file: string, re: RegExp): void => assert.match(fs.readFileSync(path.join(repoRoot, file), "utf8"), re, `${re} in ${file}`);
    at("extension/core/knowledge/xloadflags.ts", /const BIT_ROWS = \[/);
    at("extension/core/knowledge/kernelRules.ts", /export const KERNEL_RULES/);
    at("extension/core/knowledge/kernelRelease.ts", /export function hasChange/);
    at("extension/core/kexec/kernelProfiles.ts", /export function ruleActive/);
    at("extension/core/formats/vmcore/vmcore.ts", /export function openVmcore/);
    at("extension/core/source/rules.ts", /export const SOURCE_RULES/);
    at("extension/core/scenario/simulate.ts", /export function simulate\(/);
    at("test/support/scaling.ts", /export function assertNearLinear/);
  });

  it("the package scripts it tells people to run exist", () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    for (const m of text.matchAll(/`npm run ([\w:-]+)`/g)) assert.ok(scripts[m[1]!], `npm run ${m[1]}`);
  });
});
