/**
 * Source analysers on fragments written for these tests from ../shared/spec (no kernel text):
 * older-kernel shapes, each rule, fixes, hovers, disabled rules, recognition and speed.
 */
import assert from "node:assert/strict";
import { assertNearLinear } from "../support/scaling";
import { analyseSource, applyEdits, hoverAt, recogniseKernelFile, SOURCE_RULES } from "../../extension/core/source/index";
import { lintCommand } from "../../extension/cli/commands/lint";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const HEADER = "arch/x86/boot/header.S";
const BOOTPARAM = "arch/x86/include/uapi/asm/bootparam.h";
const SETUP = "arch/x86/kernel/setup.c";
const RESERVE_H = "arch/x86/include/asm/crash_reserve.h";
const CORE_H = "arch/x86/include/asm/crash_core.h";
const BZ64 = "arch/x86/kernel/kexec-bzimage64.c";

/** A header.S shaped like boot-protocol.md §4.1 describes, with the pieces as parameters. */
function headerS(o: { version?: string; five?: boolean; word?: string; xlf56?: string; extraLabel?: string } = {}): string {
  const five = o.five ?? true;
  return [
    "\t.ascii\t\"HdrS\"\t\t# magic",
    `\t.word\t${o.version ?? (five ? "0x020f" : "0x020d")}\t\t# protocol`,
    "relocatable_kernel:\t.byte 1",
    "xloadflags:",
    "#ifdef CONFIG_X86_64",
    "# define XLF0 XLF_KERNEL_64",
    "#else",
    "# define XLF0 0",
    "#endif",
    "#if defined(CONFIG_RELOCATABLE) && defined(CONFIG_X86_64)",
    "# define XLF1 XLF_CAN_BE_LOADED_ABOVE_4G",
    "#else",
    "# define XLF1 0",
    "#endif",
    "#ifdef CONFIG_EFI_STUB",
    "# ifdef CONFIG_EFI_MIXED",
    "#  define XLF23 (XLF_EFI_HANDOVER_32|XLF_EFI_HANDOVER_64)",
    "# else",
    "#  ifdef CONFIG_X86_64",
    "#   define XLF23 XLF_EFI_HANDOVER_64",
    "#  else",
    "#   define XLF23 XLF_EFI_HANDOVER_32",
    "#  endif",
    "# endif",
    "#else",
    "# define XLF23 0",
    "#endif",
    "#if defined(CONFIG_X86_64) && defined(CONFIG_EFI) && defined(CONFIG_KEXEC)",
    "# define XLF4 XLF_EFI_KEXEC",
    "#else",
    "# define XLF4 0",
    "#endif",
    ...(five
      ? [
          "#ifdef CONFIG_X86_64",
          "#ifdef CONFIG_X86_5LEVEL",
          `#define XLF56 ${o.xlf56 ?? "(XLF_5LEVEL|XLF_5LEVEL_ENABLED)"}`,
          "#else",
          "#define XLF56 XLF_5LEVEL",
          "#endif",
          "#else",
          "#define XLF56 0",
          "#endif",
        ]
      : []),
    `\t\t\t.word ${o.word ?? (five ? "XLF0 | XLF1 | XLF23 | XLF4 | XLF56" : "XLF0 | XLF1 | XLF23 | XLF4")}`,
    "cmdline_size:\t.long COMMAND_LINE_SIZE-1",
    ...(five ? ["kernel_info_offset:\t.long ZO_kernel_info"] : []),
    ...(o.extraLabel ? [o.extraLabel] : []),
    "",
  ].join("\n");
}

function rules(p: string, text: string, opts = {}): string[] {
  return analyseSource(p, text, opts).findings.map((f) => f.rule);
}

function fixAll(p: string, text: string): string {
  const f = analyseSource(p, text).findings.find((x) => x.fixes.length);
  assert.ok(f, "a fixable finding");
  return applyEdits(text, f.fixes[0]!.edits);
}

describe("source analysers: recognition", () => {
  it("needs both the path tail and kernel content", () => {
    assert.equal(recogniseKernelFile("/src/linux/arch/x86/boot/header.S", headerS()), "header.S");
    assert.equal(recogniseKernelFile("C:\\linux\\arch\\x86\\boot\\header.S", headerS()), "header.S");
    assert.equal(recogniseKernelFile("/tmp/header.S", headerS()), null);
    assert.equal(recogniseKernelFile(HEADER, "nothing to see"), null);
    assert.equal(recogniseKernelFile("arch/arm64/kernel/setup.c", "setup_arch"), null);
    assert.equal(analyseSource("/tmp/header.S", headerS({ word: "XLF0" })).findings.length, 0);
  });
  it("every rule id is unique and has a source", () => {
    const ids = SOURCE_RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const r of SOURCE_RULES) assert.ok(r.source.length > 5, r.id);
  });
});

describe("source analysers: header.S", () => {
  it("a 5.5+ shaped header is clean and hints 0x7f / 0x3f / 0x04", () => {
    const r = analyseSource(HEADER, headerS());
    assert.deepEqual(r.findings, []);
    assert.match(r.hints[0]!.label, /0x7f .*0x3f .*0x04/);
  });
  it("pre-5.3 header (no 5-level bits, protocol 2.13, CONFIG_KEXEC) is clean; hint 0x1f / 0x04", () => {
    const r = analyseSource(HEADER, headerS({ five: false }));
    assert.deepEqual(r.findings, []);
    assert.equal(r.hints[0]!.label, " = 0x1f (x86_64, X86_5LEVEL=y) · 0x04 (i386)");
  });
  it("XLF56 dropped from the word → xlf-5level-missing on the .word line, fix appends it", () => {
    const text = headerS({ word: "XLF0 | XLF1 | XLF23 | XLF4" });
    const f = analyseSource(HEADER, text).findings;
    assert.deepEqual(f.map((x) => x.rule), ["xlf-5level-missing"]);
    assert.equal(f[0]!.line, text.split("\n").findIndex((l) => l.includes(".word XLF0")) + 1);
    assert.match(f[0]!.message, /a 5-level kernel cannot kexec into this one/);
    assert.deepEqual(rules(HEADER, fixAll(HEADER, text)), []);
  });
  it("a 5-level build whose XLF56 lacks XLF_5LEVEL → finding on that #define, fix restores it", () => {
    const text = headerS({ xlf56: "XLF_5LEVEL_ENABLED" });
    const f = analyseSource(HEADER, text).findings;
    assert.ok(f.some((x) => x.rule === "xlf-5level-missing"));
    assert.ok(f.every((x) => x.line === text.split("\n").findIndex((l) => l.includes("#define XLF56 XLF_5LEVEL_ENABLED")) + 1));
    assert.deepEqual(rules(HEADER, fixAll(HEADER, text)), []);
  });
  it("XLF_5LEVEL_ENABLED on a CONFIG_X86_5LEVEL=n build → xlf-5level-enabled-without-5level", () => {
    const text = headerS().replace("#define XLF56 XLF_5LEVEL\n", "#define XLF56 (XLF_5LEVEL|XLF_5LEVEL_ENABLED)\n");
    assert.deepEqual(rules(HEADER, text), ["xlf-5level-enabled-without-5level"]);
    assert.deepEqual(rules(HEADER, fixAll(HEADER, text)), []);
  });
  it("XLF_5LEVEL_ENABLED on 32-bit builds is flagged too", () => {
    const text = headerS().replace("#define XLF56 0", "#define XLF56 XLF_5LEVEL_ENABLED");
    assert.ok(rules(HEADER, text).includes("xlf-5level-enabled-without-5level"));
  });
  it("unknown or proposed XLF names and stray numeric bits → xlf-unknown-bit", () => {
    assert.deepEqual(rules(HEADER, headerS({ word: "XLF0 | XLF1 | XLF23 | XLF4 | XLF56 | XLF_MEM_ENCRYPTION" })).filter((r) => r === "xlf-unknown-bit").length > 0, true);
    assert.ok(rules(HEADER, headerS({ word: "XLF0 | XLF1 | XLF23 | XLF4 | XLF56 | 0x100" })).includes("xlf-unknown-bit"));
    assert.ok(rules(HEADER, headerS({ word: "XLF0 | XLF1 | XLF23 | XLF4 | XLF56 | XLF_FANCY" })).includes("xlf-unknown-bit"));
  });
  it("two terms setting the same bit → xlf-duplicate-bit", () => {
    assert.ok(rules(HEADER, headerS({ word: "XLF0 | XLF1 | XLF23 | XLF4 | XLF56 | XLF_KERNEL_64" })).includes("xlf-duplicate-bit"));
  });
  it("kernel_info_offset under protocol 2.13 → header-protocol-version with a fix to 0x020f", () => {
    const text = headerS({ version: "0x020d" });
    const f = analyseSource(HEADER, text).findings.filter((x) => x.rule === "header-protocol-version");
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /kernel_info_offset.*2\.15/);
    assert.equal(f[0]!.fixes[0]!.edits[0]!.newText, "0x020f");
    assert.deepEqual(rules(HEADER, fixAll(HEADER, text)), []);
  });
  it("xloadflags under protocol 2.11 needs 2.12 (old header shape)", () => {
    const f = analyseSource(HEADER, headerS({ five: false, version: "0x020b", extraLabel: "xloadflags:" })).findings;
    assert.ok(f.some((x) => x.rule === "header-protocol-version" && /2\.12|2\.13/.test(x.message)));
  });
  it("a protocol newer than the table is info only", () => {
    const f = analyseSource(HEADER, headerS({ version: "0x0210" })).findings;
    assert.deepEqual(f.map((x) => [x.rule, x.severity]), [["header-protocol-version", "info"]]);
  });
  it("disabled rules are dropped", () => {
    const text = headerS({ word: "XLF0 | XLF1 | XLF23 | XLF4" });
    assert.deepEqual(rules(HEADER, text, { disabled: new Set(["xlf-5level-missing"]) }), []);
  });
});

describe("source analysers: bootparam.h", () => {
  const bp = (xlf6 = "(1<<6)", extra = ""): string =>
    ["#define LOADED_HIGH\t(1<<0)", "#define KASLR_FLAG\t(1<<1)", "#define XLF_KERNEL_64\t\t\t(1<<0)", "#define XLF_CAN_BE_LOADED_ABOVE_4G\t(1<<1)", "#define XLF_EFI_HANDOVER_32\t\t(1<<2)", "#define XLF_EFI_HANDOVER_64\t\t(1<<3)", "#define XLF_EFI_KEXEC\t\t\t(1<<4)", "#define XLF_5LEVEL\t\t\t(1<<5)", `#define XLF_5LEVEL_ENABLED\t\t${xlf6}`, extra, ""].join("\n");
  it("the mainline bit values are clean", () => assert.deepEqual(rules(BOOTPARAM, bp()), []));
  it("a wrong value for a known bit → bootparam-bit-value with a fix", () => {
    const text = bp("0x80");
    assert.deepEqual(rules(BOOTPARAM, text), ["bootparam-bit-value"]);
    assert.deepEqual(rules(BOOTPARAM, fixAll(BOOTPARAM, text)), []);
  });
  it("XLF_MEM_ENCRYPTION is recognised as the proposed bit 7 (info)", () => {
    const f = analyseSource(BOOTPARAM, bp(undefined, "#define XLF_MEM_ENCRYPTION\t\t(1<<7)")).findings;
    assert.deepEqual(f.map((x) => [x.rule, x.severity]), [["bootparam-bit-unknown", "info"]]);
    assert.match(f[0]!.message, /proposed/);
  });
  it("an unknown XLF name on a taken bit → overlap + unknown", () => {
    assert.deepEqual(rules(BOOTPARAM, bp(undefined, "#define XLF_SHINY (1<<3)")).sort(), ["bootparam-bit-overlap", "bootparam-bit-unknown"]);
  });
});

describe("source analysers: crash reservation constants", () => {
  const setup = (high: string, low = "SZ_4G", align = "SZ_16M"): string =>
    [
      "/* crash reservation, pre-6.7 layout: constants and code in setup.c */",
      `#define CRASH_ALIGN\t\t${align}`,
      "#ifdef CONFIG_X86_32",
      "# define CRASH_ADDR_LOW_MAX\tSZ_512M",
      "# define CRASH_ADDR_HIGH_MAX\tSZ_512M",
      "#else",
      `# define CRASH_ADDR_LOW_MAX\t${low}`,
      `# define CRASH_ADDR_HIGH_MAX\t${high}`,
      "#endif",
      "static void __init reserve_crashkernel(void)",
      "{",
      "\tbase = memblock_phys_alloc_range(size, CRASH_ALIGN, CRASH_ALIGN, CRASH_ADDR_HIGH_MAX);",
      "}",
      "void __init setup_arch(char **cmdline_p) { reserve_crashkernel(); }",
      "",
    ].join("\n");
  it("pre-6.9 setup.c with SZ_64T is clean", () => assert.deepEqual(rules(SETUP, setup("SZ_64T")), []));
  it("pre-5.3 MAXMEM → crash-high-max-above-64t at the define; fix to SZ_64T", () => {
    const text = setup("MAXMEM");
    const f = analyseSource(SETUP, text).findings;
    assert.deepEqual(f.map((x) => [x.rule, x.line]), [["crash-high-max-above-64t", 8]]);
    assert.equal(f[0]!.fixes[0]!.edits[0]!.newText, "SZ_64T");
    assert.deepEqual(rules(SETUP, fixAll(SETUP, text)), []);
  });
  it("a literal above 64 TiB (1ULL << 52) is flagged; exactly 64 TiB is not", () => {
    assert.deepEqual(rules(SETUP, setup("(1ULL << 52)")), ["crash-high-max-above-64t"]);
    assert.deepEqual(rules(SETUP, setup("(1ULL << 46)")), []);
  });
  it("the x86_32 branch is not judged by x86_64 limits", () => {
    assert.deepEqual(rules(SETUP, setup("SZ_64T").replace("# define CRASH_ADDR_HIGH_MAX\tSZ_512M", "# define CRASH_ADDR_HIGH_MAX\tMAXMEM")), []);
  });
  it("the 896 MiB low limit of ≤5.1 and a non-16 MiB CRASH_ALIGN are flagged with fixes", () => {
    const low = analyseSource(SETUP, setup("SZ_64T", "(896UL << 20)")).findings;
    assert.deepEqual(low.map((x) => x.rule), ["crash-low-max"]);
    assert.match(low[0]!.message, /pre-5\.2/);
    assert.deepEqual(rules(SETUP, setup("SZ_64T", "SZ_4G", "SZ_2M")), ["crash-align"]);
    assert.deepEqual(rules(SETUP, fixAll(SETUP, setup("SZ_64T", "SZ_4G", "SZ_2M"))), []);
  });
  it("MAXMEM as a bound inside the reservation code is flagged", () => {
    const text = setup("SZ_64T").replace("CRASH_ALIGN, CRASH_ADDR_HIGH_MAX);", "CRASH_ALIGN, MAXMEM);");
    assert.deepEqual(rules(SETUP, text), ["crash-high-max-above-64t"]);
    assert.deepEqual(rules(SETUP, fixAll(SETUP, text)), []);
  });
  const reserveH = (high: string): string =>
    ["#ifndef _X86_CRASH_RESERVE_H", "#define _X86_CRASH_RESERVE_H", "#define CRASH_ALIGN SZ_16M", "#ifdef CONFIG_X86_32", "# define CRASH_ADDR_LOW_MAX SZ_512M", "# define CRASH_ADDR_HIGH_MAX SZ_512M", "#else", "# define CRASH_ADDR_LOW_MAX SZ_4G", `# define CRASH_ADDR_HIGH_MAX ${high}`, "#endif", "#endif", ""].join("\n");
  it("6.9+ asm/crash_reserve.h and 6.7 asm/crash_core.h: clean, and MAXMEM flagged", () => {
    assert.deepEqual(rules(RESERVE_H, reserveH("SZ_64T")), []);
    assert.deepEqual(rules(RESERVE_H, reserveH("MAXMEM")), ["crash-high-max-above-64t"]);
    assert.deepEqual(rules(CORE_H, reserveH("MAXMEM")), ["crash-high-max-above-64t"]);
  });
  it("generic kernel/crash_reserve.c: a MAXMEM search bound is flagged", () => {
    const c = ["int __init reserve_crashkernel_generic(unsigned long long size)", "{", "\tsearch_end = MAXMEM;", "\treturn 0;", "}", ""].join("\n");
    assert.deepEqual(rules("kernel/crash_reserve.c", c), ["crash-high-max-above-64t"]);
    assert.deepEqual(rules("kernel/crash_reserve.c", c.replace("MAXMEM", "CRASH_ADDR_HIGH_MAX")), []);
  });
});

describe("source analysers: kexec-bzimage64.c", () => {
  const probe = (fiveLevel: string | null, drop: string | null = null): string =>
    [
      "static int bzImage64_probe(const char *buf, unsigned long len)",
      "{",
      "\tint ret = -ENOEXEC;",
      "\tstruct setup_header *hdr = (void *)(buf + 0x1f1);",
      "\tif (len < 1024) return ret;",
      "\tif (memcmp(&hdr->header, \"HdrS\", 4)) return ret;",
      "\tif (hdr->boot_flag != 0xAA55) return ret;",
      "\tif (hdr->version < 0x020C) return ret;",
      "\tif (!(hdr->loadflags & LOADED_HIGH)) return ret;",
      "\tif (!(hdr->xloadflags & XLF_KERNEL_64)) return ret;",
      "\tif (!(hdr->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G)) return ret;",
      ...(fiveLevel ? [fiveLevel] : []),
      "\t/* all checks passed */",
      "\tret = 0;",
      "\treturn ret;",
      "}",
      "const struct kexec_file_ops kexec_bzImage64_ops = { .probe = bzImage64_probe };",
      "",
    ]
      .filter((l) => !drop || !l.includes(drop))
      .join("\n");
  const refusal = "\tif (!(hdr->xloadflags & XLF_5LEVEL) && pgtable_l5_enabled()) { pr_err(\"no\\n\"); return ret; }";
  it("a probe with every check is clean", () => assert.deepEqual(rules(BZ64, probe(refusal)), []));
  it("no 5-level refusal → kexec-probe-5level; the fix uses the local header name", () => {
    const text = probe(null);
    const f = analyseSource(BZ64, text).findings;
    assert.deepEqual(f.map((x) => [x.rule, x.line]), [["kexec-probe-5level", 1]]);
    const fixed = applyEdits(text, f[0]!.fixes[0]!.edits);
    assert.match(fixed, /hdr->xloadflags & XLF_5LEVEL\) && pgtable_l5_enabled\(\)/);
    assert.ok(fixed.indexOf("pgtable_l5_enabled") < fixed.indexOf("/* all checks passed */"));
    assert.deepEqual(rules(BZ64, fixed), []);
  });
  it("a refusal that only logs (no return) still counts as missing", () => {
    assert.deepEqual(rules(BZ64, probe("\tif (!(hdr->xloadflags & XLF_5LEVEL) && pgtable_l5_enabled()) pr_warn(\"hm\\n\");")), ["kexec-probe-5level"]);
  });
  it("a pre-5.3 tree (kernelVersion 5.2) is not expected to refuse", () => {
    assert.deepEqual(rules(BZ64, probe(null), { kernelVersion: "5.2" }), []);
  });
  it("each removed header check → kexec-probe-check-removed", () => {
    for (const drop of ["HdrS", "0xAA55", "0x020C", "LOADED_HIGH", "XLF_KERNEL_64", "XLF_CAN_BE_LOADED_ABOVE_4G"]) {
      assert.deepEqual(rules(BZ64, probe(refusal, drop)), ["kexec-probe-check-removed"], drop);
    }
  });
});

describe("source analysers: hoverAt", () => {
  const at = (text: string, needle: string, lang = "c"): ReturnType<typeof hoverAt> => hoverAt(text, text.indexOf(needle) + 1, lang);
  it("XLF names, loadflags names, xloadflags, CRASH_* and setup-header fields", () => {
    assert.match(at("if (x & XLF_5LEVEL)", "XLF_5LEVEL")!.markdown, /bit 5[\s\S]*f2d08c5d3bcf/);
    assert.equal(at("x & XLF_5LEVEL_ENABLED", "XLF_5LEVEL_ENABLED")!.kind, "xloadflags-bit");
    assert.equal(at("#define LOADED_HIGH (1<<0)", "LOADED_HIGH")!.kind, "loadflags-bit");
    const xl = at("xloadflags:", "xloadflags", "asm")!;
    assert.equal(xl.kind, "xloadflags");
    assert.match(xl.markdown, /0x236[\s\S]*XLF_5LEVEL_ENABLED/);
    assert.match(at("# define CRASH_ADDR_HIGH_MAX SZ_64T", "CRASH_ADDR_HIGH_MAX")!.markdown, /SZ_64T[\s\S]*8ff80fbe7e98/);
    assert.match(at("kernel_info_offset:\t.long 0", "kernel_info_offset", "asm")!.markdown, /2\.15/);
    assert.equal(at("int version = 3;", "version"), null);
    assert.equal(at("hdr->version < 0x020C", "version")!.kind, "setup-header-field");
    assert.equal(at("plain words here", "words"), null);
  });
  it("numeric xloadflags words decode into bit names", () => {
    const h = at("xloadflags:\n\t.word 0x7f\n", "0x7f", "asm")!;
    assert.equal(h.kind, "xloadflags-value");
    assert.match(h.title, /XLF_KERNEL_64 \| .*XLF_5LEVEL \| XLF_5LEVEL_ENABLED/);
    const d = at("#define MY_XLOADFLAGS 0x1f\n", "0x1f")!;
    assert.match(d.markdown, /no XLF_5LEVEL/);
    assert.equal(at("hdr.xloadflags = 0x3;", "0x3")!.kind, "xloadflags-value");
    assert.equal(at("#define FOO 0x7f", "0x7f"), null);
  });
});

describe("lint CLI command", () => {
  const io = (): { out: string[]; err: string[]; io: { out: (t: string) => void; err: (t: string) => void } } => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (t) => out.push(t), err: (t) => err.push(t) } };
  };
  let dir = "";
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lint-"));
    fs.mkdirSync(path.join(dir, "arch/x86/boot"), { recursive: true });
    fs.writeFileSync(path.join(dir, HEADER), headerS({ word: "XLF0 | XLF1 | XLF23 | XLF4" }));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("readable lines without --json; exit 0 with findings", async () => {
    const c = io();
    assert.equal(await lintCommand.run([path.join(dir, HEADER)], c.io), 0);
    assert.match(c.out.join(""), /header\.S:\d+:\d+: warning \[xlf-5level-missing\]/);
  });
  it("--json gives the records; --disable removes a rule", async () => {
    const c = io();
    assert.equal(await lintCommand.run(["--json", path.join(dir, HEADER)], c.io), 0);
    const rec = JSON.parse(c.out.join("")) as { rule: string; line: number; column: number }[];
    assert.deepEqual(Object.keys(rec[0]!), ["file", "line", "column", "rule", "severity", "message"]);
    const d = io();
    assert.equal(await lintCommand.run(["--json", "--disable", "xlf-5level-missing", path.join(dir, HEADER)], d.io), 0);
    assert.deepEqual(JSON.parse(d.out.join("")), []);
  });
  it("exit 1 for an unreadable file, usage errors for no files / unknown rules", async () => {
    const c = io();
    assert.equal(await lintCommand.run(["--json", path.join(dir, "missing.S")], c.io), 1);
    assert.match(c.err.join(""), /missing\.S/);
    await assert.rejects(lintCommand.run([], io().io), /at least one FILE/);
    await assert.rejects(lintCommand.run(["--disable", "nope", "x"], io().io), /unknown rule/);
  });
});

describe("source analysers: cost", () => {
  it("files with long lines and unclosed comments cost linear time (8× the file ≤ 24× the time)", () => {
    const big = (n: number): string => headerS() + ("/* " + "x".repeat(5000) + "\n#define XLF9 (" + "(".repeat(200) + "\n").repeat(n) + "/*" + "a".repeat(1700 * n);
    assertNearLinear("source analysers", (n) => {
      const text = big(n) + "\nHdrS xloadflags XLF_ CRASH_ bzImage64_probe setup_arch";
      for (const p of [HEADER, BOOTPARAM, SETUP, BZ64]) analyseSource(p, text);
    }, 25);
  });
});
