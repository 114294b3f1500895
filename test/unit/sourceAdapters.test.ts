/**
 * The pure half of the kernel-source lint adapters (extension/views/sourceLint.ts) and the manifest
 * contributions they rely on. The vscode-facing half (diagnostics, quick fixes, inlay hints) runs in
 * the real extension host: test/e2e/host/sourceDiagnostics.test.ts.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { analyseSource, applyEdits, SOURCE_RULES } from "../../extension/core/source";
import {
  HINT_SELECTOR,
  LINT_MAX_CHARS,
  LINT_RULE_IDS,
  LINT_SELECTOR,
  debounceFor,
  findingsTouching,
  groupFixes,
  isKernelSourcePath,
  kernelRootOf,
  kernelVersionFromMakefile,
  parseDisabledRules,
  ruleDocUrl,
} from "../../extension/views/sourceLint";
import { repoRoot } from "../fixtures";
import { HEADER_S_FRAGMENT } from "../support/headerSFragment";

const HEADER_S = HEADER_S_FRAGMENT;

interface Manifest {
  activationEvents?: string[];
  contributes: {
    languages?: { id: string }[];
    grammars?: { language?: string; scopeName: string; path: string }[];
    configuration: { properties: Record<string, { type?: string; default?: unknown; items?: { enum?: string[]; enumDescriptions?: string[] } }> };
  };
}
const read = (f: string): string => fs.readFileSync(path.join(repoRoot, f), "utf8");

describe("source lint adapters (pure)", () => {
  it("parses kexecInspector.lint.disabledRules: known ids kept, unknown reported, junk ignored", () => {
    const r = parseDisabledRules(["crash-align", " xlf-5level-missing ", "no-such-rule", "no-such-rule", 7, "", null]);
    assert.deepEqual([...r.disabled].sort(), ["crash-align", "xlf-5level-missing"]);
    assert.deepEqual(r.unknown, ["no-such-rule"]);
    for (const v of [undefined, null, "crash-align", { "crash-align": true }, 3]) assert.equal(parseDisabledRules(v).disabled.size, 0);
  });

  it("disabling a rule through the parsed setting removes its findings", () => {
    const all = analyseSource("linux/arch/x86/boot/header.S", HEADER_S);
    assert.deepEqual([...new Set(all.findings.map((f) => f.rule))].sort(), ["xlf-5level-enabled-without-5level", "xlf-5level-missing"]);
    const some = analyseSource("linux/arch/x86/boot/header.S", HEADER_S, { disabled: parseDisabledRules(["xlf-5level-missing"]).disabled });
    assert.deepEqual(some.findings.map((f) => f.rule), ["xlf-5level-enabled-without-5level"]);
  });

  it("gates documents by path tail before reading text (any separator, any tree root)", () => {
    for (const p of ["/src/linux/arch/x86/boot/header.S", "C:\\src\\linux\\arch\\x86\\kernel\\setup.c", "arch/x86/include/uapi/asm/bootparam.h", "/k/kernel/crash_reserve.c", "/k/arch/x86/kernel/kexec-bzimage64.c"]) {
      assert.ok(isKernelSourcePath(p), p);
    }
    for (const p of ["/src/foo/header.S", "/k/arch/x86/boot/header.s", "/k/arch/x86/boot/header.S.orig", "/k/notarch/x86/boot/header.S", "/k/kernel/setup.c"]) {
      assert.ok(!isKernelSourcePath(p), p);
    }
  });

  it("finds the kernel tree root and its release from the top-level Makefile", () => {
    assert.equal(kernelRootOf("/home/u/linux/arch/x86/boot/header.S"), "/home/u/linux");
    assert.equal(kernelRootOf("/home/u/linux/kernel/crash_core.c"), "/home/u/linux");
    assert.equal(kernelRootOf("/arch/x86/boot/header.S"), "/");
    assert.equal(kernelRootOf("/home/u/x.c"), undefined);
    const mk = "VERSION = 5\nPATCHLEVEL = 2\nSUBLEVEL = 21\nEXTRAVERSION =\nNAME = Bobtail Squid\n";
    assert.equal(kernelVersionFromMakefile(mk), "5.2");
    assert.equal(kernelVersionFromMakefile("VERSION = 6\nPATCHLEVEL = 10\n"), "6.10");
    assert.equal(kernelVersionFromMakefile("all:\n\techo VERSION = 6\n"), undefined);
    assert.equal(kernelVersionFromMakefile(""), undefined);
  });

  it("links every rule to a commit or a kernel document", () => {
    for (const r of SOURCE_RULES) {
      const url = ruleDocUrl(r.id);
      assert.ok(url && /^https:\/\/(git\.kernel\.org\/linus\/[0-9a-f]{12,40}|docs\.kernel\.org\/\S+\.html)$/.test(url), `${r.id}: ${url}`);
    }
    assert.equal(ruleDocUrl("kexec-probe-5level"), "https://git.kernel.org/linus/ee338b9ee2822e65a85750da6129946c14962410");
    assert.equal(ruleDocUrl("crash-align"), "https://docs.kernel.org/admin-guide/kdump/kdump.html");
    assert.equal(ruleDocUrl("header-protocol-version"), "https://docs.kernel.org/arch/x86/boot.html");
    assert.equal(ruleDocUrl("nope"), undefined);
  });

  it("debounces edits: short on real files, longer on huge ones and after a slow analysis, capped", () => {
    assert.equal(debounceFor(20 * 1024), 201);
    assert.ok(debounceFor(2 * 1024 * 1024) > debounceFor(20 * 1024));
    assert.equal(debounceFor(20 * 1024, 400), 800);
    assert.equal(debounceFor(LINT_MAX_CHARS, 5000), 2000);
  });

  it("groups fixes shared by several findings into one action that resolves them all", () => {
    const a = analyseSource("linux/arch/x86/boot/header.S", HEADER_S);
    const groups = groupFixes(a.findings);
    assert.equal(groups.length, 1);
    const g = groups[0]!;
    assert.equal(g.fix.title, "Set XLF56 to XLF_5LEVEL");
    assert.equal(g.findings.length, 2);
    const fixed = applyEdits(HEADER_S, g.fix.edits);
    assert.match(fixed, /^#define XLF56 XLF_5LEVEL$/m);
    assert.deepEqual(analyseSource("linux/arch/x86/boot/header.S", fixed).findings, []);
    // The quick-fix lookup by cursor: on the finding's range, at its edges, not elsewhere.
    const f = a.findings[0]!;
    assert.equal(findingsTouching(a.findings, f.range.start, f.range.start).length, 2);
    assert.equal(findingsTouching(a.findings, f.range.end, f.range.end).length, 2);
    assert.equal(findingsTouching(a.findings, 0, 3).length, 0);
  });

  it("has the computed xloadflags word as the inline hint at the end of the .word line", () => {
    const a = analyseSource("linux/arch/x86/boot/header.S", HEADER_S);
    assert.equal(a.hints.length, 1);
    const h = a.hints[0]!;
    assert.equal(HEADER_S.slice(h.offset, h.offset + 1), "\n");
    assert.match(HEADER_S.slice(HEADER_S.lastIndexOf("\n", h.offset - 1) + 1, h.offset), /\.word XLF0 \| XLF56$/);
    assert.match(h.label, /0x61 \(x86_64, X86_5LEVEL=y\).*0x41 \(X86_5LEVEL=n\).*0x00 \(i386\)/);
  });

  it("selectors cover C, C++, arch/x86 assembly and headers on disk, whatever the language id", () => {
    assert.ok(LINT_SELECTOR.every((f) => f.scheme === "file"));
    assert.ok(LINT_SELECTOR.some((f) => f.language === "c") && LINT_SELECTOR.some((f) => f.language === "cpp"));
    assert.ok(LINT_SELECTOR.some((f) => f.pattern === "**/arch/x86/**/*.S") && LINT_SELECTOR.some((f) => f.pattern === "**/*.h"));
    assert.deepEqual(HINT_SELECTOR.map((f) => f.pattern), ["**/arch/x86/boot/header.S"]);
  });

  describe("package.json contributions", () => {
    const pkg = JSON.parse(read("package.json")) as Manifest;
    const nls = JSON.parse(read("package.nls.json")) as Record<string, string>;

    it("offers every rule id (and only those) in kexecInspector.lint.disabledRules, each described", () => {
      const p = pkg.contributes.configuration.properties["kexecInspector.lint.disabledRules"];
      assert.ok(p, "kexecInspector.lint.disabledRules missing");
      assert.equal(p.type, "array");
      assert.deepEqual(p.default, []);
      assert.deepEqual(p.items?.enum, [...LINT_RULE_IDS]);
      assert.equal(p.items?.enumDescriptions?.length, LINT_RULE_IDS.length);
      for (const d of p.items?.enumDescriptions ?? []) {
        const key = /^%(.+)%$/.exec(d)?.[1];
        assert.ok(key && nls[key]?.trim(), `${d} has no package.nls.json text`);
      }
      const en = pkg.contributes.configuration.properties["kexecInspector.lint.enabled"];
      assert.equal(en?.type, "boolean");
      assert.equal(en?.default, true);
    });

    it("contributes the languages and grammars of syntaxes/contributes.json, and the .vsix keeps the grammar files", () => {
      const syn = JSON.parse(read("syntaxes/contributes.json")) as Manifest["contributes"];
      for (const l of syn.languages ?? []) assert.deepEqual(pkg.contributes.languages?.find((x) => x.id === l.id), l, `language ${l.id}`);
      for (const g of syn.grammars ?? []) assert.deepEqual(pkg.contributes.grammars?.find((x) => x.scopeName === g.scopeName), g, `grammar ${g.scopeName}`);
      const ignore = read(".vscodeignore").split("\n").map((l) => l.trim());
      for (const g of pkg.contributes.grammars ?? []) {
        const rel = g.path.replace(/^\.\//, "");
        assert.ok(fs.existsSync(path.join(repoRoot, rel)), `${g.path} missing`);
        // .vscodeignore starts with "**": a file ships only if a "!" pattern lets it back in.
        assert.ok(ignore.some((l) => l.startsWith("!") && globMatch(l.slice(1), rel)), `${rel} is not let back in by .vscodeignore`);
      }
    });

    it("activates for a kernel tree anywhere in the workspace", () => {
      assert.ok(pkg.activationEvents?.includes("workspaceContains:**/arch/x86/boot/header.S"));
      assert.ok(pkg.activationEvents?.includes("onLanguage:c"));
    });
  });
});

/** Enough of the .vscodeignore glob dialect for these paths: `**`, `*`. */
function globMatch(glob: string, p: string): boolean {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*\*\/?/g, "§").replace(/\*/g, "[^/]*").replace(/§/g, ".*");
  return new RegExp(`^${re}$`).test(p);
}
