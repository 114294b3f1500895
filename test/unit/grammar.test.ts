/**
 * Grammar test runner: loads the TextMate grammars listed in syntaxes/contributes.json with
 * vscode-textmate + vscode-oniguruma (the engine VS Code uses) and checks the scopes of
 * chosen tokens.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as oniguruma from "vscode-oniguruma";
import * as vsctm from "vscode-textmate";
import { repoRoot } from "../fixtures";

interface Contributes {
  languages: { id: string; filenames?: string[]; extensions?: string[]; firstLine?: string }[];
  grammars: { language?: string; scopeName: string; path: string; injectTo?: string[] }[];
}

const contributes = JSON.parse(fs.readFileSync(path.join(repoRoot, "syntaxes", "contributes.json"), "utf8")) as Contributes;

/** A minimal host for the injection: double-quoted shell strings, like GRUB_CMDLINE_LINUX="…". */
const fakeShell = {
  scopeName: "source.shell",
  patterns: [{ begin: '"', end: '"', name: "string.quoted.double.shell" }],
};

let registry: vsctm.Registry;

/** Tokenises `lines` and returns the scope stack of the token covering the n-th occurrence of `needle`. */
async function scopesOf(scope: string, lines: string[], needle: string, occurrence = 0): Promise<string[]> {
  const grammar = await registry.loadGrammar(scope);
  assert.ok(grammar, `grammar ${scope} loads`);
  let state = vsctm.INITIAL;
  let seen = 0;
  for (const line of lines) {
    const r = grammar.tokenizeLine(line, state);
    let from = line.indexOf(needle);
    while (from >= 0) {
      if (seen++ === occurrence) {
        const tok = r.tokens.find((t) => t.startIndex <= from && from < t.endIndex);
        assert.ok(tok, `token at ${from}`);
        return tok.scopes;
      }
      from = line.indexOf(needle, from + 1);
    }
    state = r.ruleStack;
  }
  throw new Error(`${needle} not found`);
}

async function expectScope(scope: string, lines: string[], needle: string, expected: string, occurrence = 0): Promise<void> {
  const scopes = await scopesOf(scope, lines, needle, occurrence);
  assert.ok(scopes.includes(expected), `${JSON.stringify(needle)}: expected ${expected} in ${scopes.join(" ")}`);
}

describe("grammars (vscode-textmate)", () => {
  before(async () => {
    const wasm = fs.readFileSync(path.join(repoRoot, "node_modules", "vscode-oniguruma", "release", "onig.wasm"));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) => {
        if (scopeName === "source.shell") return vsctm.parseRawGrammar(JSON.stringify(fakeShell), "shell.json");
        const g = contributes.grammars.find((x) => x.scopeName === scopeName);
        if (!g) return null;
        const file = path.join(repoRoot, g.path);
        return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
      },
      getInjections: (scopeName: string) => contributes.grammars.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName),
    });
  });

  it("contributes.json: every grammar file exists, is valid JSON with its scopeName, and every language has a grammar", () => {
    for (const g of contributes.grammars) {
      const raw = JSON.parse(fs.readFileSync(path.join(repoRoot, g.path), "utf8")) as { scopeName: string };
      assert.equal(raw.scopeName, g.scopeName);
    }
    for (const l of contributes.languages) assert.ok(contributes.grammars.some((g) => g.language === l.id), l.id);
  });

  describe("/proc/iomem (source.iomem)", () => {
    const iomem = [
      "00000000-00000fff : Reserved",
      "00001000-0009fbff : System RAM",
      "00100000-bffd9fff : System RAM",
      "  01000000-01e0252e : Kernel code",
      "  a5000000-b4ffffff : Crash kernel",
      "fec00000-fec003ff : IOAPIC 0",
      "garbage line",
    ];
    it("addresses, separators and names", async () => {
      await expectScope("source.iomem", iomem, "00100000", "constant.numeric.hex.range.start.iomem");
      await expectScope("source.iomem", iomem, "bffd9fff", "constant.numeric.hex.range.end.iomem");
      await expectScope("source.iomem", iomem, " : ", "punctuation.separator.key-value.iomem");
      await expectScope("source.iomem", iomem, "System RAM", "support.type.system-ram.iomem");
      await expectScope("source.iomem", iomem, "Crash kernel", "keyword.other.crash-kernel.iomem");
      await expectScope("source.iomem", iomem, "Kernel code", "entity.name.section.kernel.iomem");
      await expectScope("source.iomem", iomem, "Reserved", "comment.reserved.iomem");
      await expectScope("source.iomem", iomem, "IOAPIC 0", "string.unquoted.resource-name.iomem");
      await expectScope("source.iomem", iomem, "garbage", "invalid.illegal.line.iomem");
    });
  });

  describe("VMCOREINFO (source.vmcoreinfo)", () => {
    const vi = [
      "OSRELEASE=6.1.0-28-amd64",
      "PAGESIZE=4096",
      "SYMBOL(init_top_pgt)=ffffffff8a40a000",
      "OFFSET(page.flags)=0",
      "NUMBER(phys_base)=-436207616",
      "NUMBER(VMALLOC_START)=0xffffc90000000000",
      "KERNELOFFSET=9200000",
      "SYMBOL(bad)=xyz",
      "no equals sign here",
    ];
    it("key families, names and values", async () => {
      await expectScope("source.vmcoreinfo", vi, "OSRELEASE", "variable.other.key.vmcoreinfo");
      await expectScope("source.vmcoreinfo", vi, "6.1.0-28-amd64", "string.unquoted.value.vmcoreinfo");
      await expectScope("source.vmcoreinfo", vi, "4096", "constant.numeric.decimal.vmcoreinfo");
      await expectScope("source.vmcoreinfo", vi, "SYMBOL", "keyword.other.family.symbol.vmcoreinfo");
      await expectScope("source.vmcoreinfo", vi, "init_top_pgt", "entity.name.function.symbol.vmcoreinfo");
      await expectScope("source.vmcoreinfo", vi, "ffffffff8a40a000", "constant.numeric.hex.address.vmcoreinfo");
      await expectScope("source.vmcoreinfo", vi, "OFFSET", "keyword.other.family.offset.vmcoreinfo");
      await expectScope("source.vmcoreinfo", vi, "page.flags", "entity.name.type.member.vmcoreinfo");
      await expectScope("source.vmcoreinfo", vi, "-436207616", "constant.numeric.decimal.vmcoreinfo");
      await expectScope("source.vmcoreinfo", vi, "0xffffc90000000000", "constant.numeric.decimal.vmcoreinfo");
      await expectScope("source.vmcoreinfo", vi, "9200000", "constant.numeric.hex.vmcoreinfo");
      await expectScope("source.vmcoreinfo", vi, "xyz", "invalid.illegal.value.vmcoreinfo");
      await expectScope("source.vmcoreinfo", vi, "no equals", "invalid.illegal.line.vmcoreinfo");
    });
  });

  describe("kernel command line (source.kernel-cmdline + injection)", () => {
    const line = ["BOOT_IMAGE=/vmlinuz-6.1.0-28-amd64 root=UUID=1234 ro quiet crashkernel=1G-4G:256M,4G-:512M@16M crashkernel=512M,high no5lvl nokaslr"];
    it("crashkernel= values, suffixes and the paging flags", async () => {
      await expectScope("source.kernel-cmdline", line, "crashkernel", "keyword.other.crashkernel.kernel-cmdline");
      await expectScope("source.kernel-cmdline", line, "1G", "constant.numeric.size.kernel-cmdline");
      await expectScope("source.kernel-cmdline", line, ":", "punctuation.separator.key-value.kernel-cmdline");
      await expectScope("source.kernel-cmdline", line, "@", "keyword.operator.offset.kernel-cmdline");
      await expectScope("source.kernel-cmdline", line, "high", "storage.modifier.crashkernel-suffix.kernel-cmdline");
      await expectScope("source.kernel-cmdline", line, "no5lvl", "keyword.other.flag.paging.kernel-cmdline");
      await expectScope("source.kernel-cmdline", line, "nokaslr", "keyword.other.flag.paging.kernel-cmdline");
      await expectScope("source.kernel-cmdline", line, "root", "variable.parameter.kernel-cmdline");
      await expectScope("source.kernel-cmdline", line, "quiet", "variable.parameter.kernel-cmdline");
    });
    it("a malformed crashkernel value is marked invalid", async () => {
      await expectScope("source.kernel-cmdline", ["crashkernel=256M;x"], ";", "invalid.illegal.crashkernel.kernel-cmdline");
    });
    it("is injected into shell strings (GRUB_CMDLINE_LINUX) but not shell code", async () => {
      const grub = ['GRUB_CMDLINE_LINUX="quiet crashkernel=384M,high nokaslr"', "nokaslr=1"];
      await expectScope("source.shell", grub, "crashkernel", "keyword.other.crashkernel.kernel-cmdline");
      await expectScope("source.shell", grub, "384M", "constant.numeric.size.kernel-cmdline");
      await expectScope("source.shell", grub, "nokaslr", "keyword.other.flag.paging.kernel-cmdline");
      const outside = await scopesOf("source.shell", grub, "nokaslr", 1);
      assert.ok(!outside.includes("keyword.other.flag.paging.kernel-cmdline"));
    });
    it("does not fire inside longer words (mycrashkernel=, no5lvl2)", async () => {
      const s1 = await scopesOf("source.kernel-cmdline", ["mycrashkernel=1 no5lvl2"], "crashkernel");
      assert.ok(!s1.includes("keyword.other.crashkernel.kernel-cmdline"));
      const s2 = await scopesOf("source.kernel-cmdline", ["mycrashkernel=1 no5lvl2"], "no5lvl2");
      assert.ok(!s2.includes("keyword.other.flag.paging.kernel-cmdline"));
    });
  });
});
