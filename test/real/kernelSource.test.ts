/**
 * Acceptance: the analysers on real Linux 6.1 sources (Debian linux-source-6.1, fetched at
 * test time into .cache/kernel-source by scripts/fetch-kernel-source.mjs, never committed).
 * Clean files give zero findings; each mutation gives its finding at the right line, and
 * applying its quick fix gives a clean file again.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../fixtures";
import { analyseSource, applyEdits } from "../../extension/core/source/index";
import { lintCommand } from "../../extension/cli/commands/lint";

let root = "";

function read(rel: string): string {
  return fs.readFileSync(path.join(root, rel), "utf8");
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `fixture lacks ${JSON.stringify(needle)}`);
  return text.slice(0, i).split("\n").length;
}

function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  assert.notEqual(out, text, `mutation ${String(from)} did not apply`);
  return out;
}

/** Runs analysis, checks the one expected finding, applies its first fix, expects a clean result. */
function mutateAndFix(rel: string, mutated: string, rule: string, line: number): void {
  const r = analyseSource(rel, mutated);
  const hits = r.findings.filter((f) => f.rule === rule);
  assert.equal(hits.length, 1, `expected one ${rule}, got ${JSON.stringify(r.findings.map((f) => [f.rule, f.line]))}`);
  assert.equal(hits[0]!.line, line);
  assert.equal(hits[0]!.severity, "warning");
  const fix = hits[0]!.fixes[0];
  assert.ok(fix, "the finding offers a quick fix");
  const fixed = applyEdits(mutated, fix.edits);
  assert.deepEqual(analyseSource(rel, fixed).findings.map((f) => f.rule), []);
}

describe("kernel source analysers on Linux 6.1 (Debian linux-source-6.1)", function () {
  this.timeout(400_000);

  before(function () {
    const script = path.join(repoRoot, "scripts", "fetch-kernel-source.mjs");
    try {
      root = execFileSync(process.execPath, [script, "--quiet"], { encoding: "utf8", timeout: 360_000 }).trim();
    } catch (e) {
      // No network/apt: skip rather than fail; the unit fragments still run.
      console.warn(`kernel source unavailable: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
      this.skip();
    }
  });

  const files = [
    ["arch/x86/boot/header.S", "header.S"],
    ["arch/x86/include/uapi/asm/bootparam.h", "bootparam.h"],
    ["arch/x86/kernel/setup.c", "setup.c"],
    ["arch/x86/kernel/kexec-bzimage64.c", "kexec-bzimage64.c"],
    ["kernel/crash_core.c", "crash_core.c"],
  ] as const;
  for (const [rel, kind] of files) {
    it(`clean ${rel}: recognised as ${kind}, zero findings`, () => {
      const r = analyseSource(rel, read(rel));
      assert.equal(r.kind, kind);
      assert.deepEqual(r.findings.map((f) => `${f.rule}:${f.line}`), []);
    });
  }

  it("arch/x86/include/asm/kexec.h is not one of the analysed files", () => {
    assert.equal(analyseSource("arch/x86/include/asm/kexec.h", read("arch/x86/include/asm/kexec.h")).kind, null);
  });

  it("header.S: the inline hint shows 0x7f / 0x3f / 0x04 on the xloadflags .word line", () => {
    const text = read("arch/x86/boot/header.S");
    const r = analyseSource("arch/x86/boot/header.S", text);
    assert.equal(r.hints.length, 1);
    assert.equal(r.hints[0]!.line, lineOf(text, ".word XLF0 | XLF1"));
    assert.match(r.hints[0]!.label, /0x7f \(x86_64, X86_5LEVEL=y\) · 0x3f \(X86_5LEVEL=n\) · 0x04 \(i386\)/);
  });

  it("header.S without XLF56 in the xloadflags word → xlf-5level-missing; fix re-adds it", () => {
    const text = read("arch/x86/boot/header.S");
    const mutated = replaceOnce(text, "XLF4 | XLF56", "XLF4");
    mutateAndFix("arch/x86/boot/header.S", mutated, "xlf-5level-missing", lineOf(mutated, ".word XLF0 | XLF1"));
  });

  it("setup.c with CRASH_ADDR_HIGH_MAX raised to MAXMEM → crash-high-max-above-64t; fix restores SZ_64T", () => {
    const text = read("arch/x86/kernel/setup.c");
    const mutated = replaceOnce(text, /(# define CRASH_ADDR_HIGH_MAX\s+)SZ_64T/, "$1MAXMEM");
    mutateAndFix("arch/x86/kernel/setup.c", mutated, "crash-high-max-above-64t", lineOf(mutated, "MAXMEM"));
  });

  it("kexec-bzimage64.c without the 5-level refusal → kexec-probe-5level; fix restores it", () => {
    const text = read("arch/x86/kernel/kexec-bzimage64.c");
    const mutated = replaceOnce(text, /\tif \(!\(header->xloadflags & XLF_5LEVEL\) && pgtable_l5_enabled\(\)\) \{\n[^}]*\}\n\n/, "");
    mutateAndFix("arch/x86/kernel/kexec-bzimage64.c", mutated, "kexec-probe-5level", lineOf(mutated, "static int bzImage64_probe("));
  });

  it("bootparam.h with two XLF bits of the same value → bootparam-bit-overlap; fix restores the bit", () => {
    const text = read("arch/x86/include/uapi/asm/bootparam.h");
    const mutated = replaceOnce(text, /(#define XLF_5LEVEL_ENABLED\s+)\(1<<6\)/, "$1(1<<5)");
    mutateAndFix("arch/x86/include/uapi/asm/bootparam.h", mutated, "bootparam-bit-overlap", lineOf(mutated, "#define XLF_5LEVEL_ENABLED"));
  });

  it("lint CLI: mutated copies on disk → JSON findings with 1-based lines, exit 0", async () => {
    const dir = path.join(repoRoot, ".cache", "kernel-source", "mutated", "arch", "x86", "kernel");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "setup.c");
    const text = replaceOnce(read("arch/x86/kernel/setup.c"), /(# define CRASH_ADDR_HIGH_MAX\s+)SZ_64T/, "$1MAXMEM");
    fs.writeFileSync(file, text);
    const out: string[] = [];
    const code = await lintCommand.run(["--json", file, path.join(root, "arch/x86/boot/header.S")], { out: (t) => out.push(t), err: (t) => out.push(t) });
    assert.equal(code, 0);
    const records = JSON.parse(out.join("")) as { file: string; line: number; column: number; rule: string }[];
    assert.equal(records.length, 1);
    assert.deepEqual({ ...records[0], message: undefined, severity: undefined }, {
      file,
      line: lineOf(text, "MAXMEM"),
      column: text.split("\n")[lineOf(text, "MAXMEM") - 1]!.indexOf("MAXMEM") + 1,
      rule: "crash-high-max-above-64t",
      message: undefined,
      severity: undefined,
    });
  });
});
