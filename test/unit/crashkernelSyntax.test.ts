import assert from "node:assert/strict";
import { memparse, parseCrashkernel, parseCrashkernelOne, findLastCrashkernel, suffixTable } from "../../extension/core/kexec/crashkernelSyntax";
import { defaultLowSize, kernelProfile } from "../../extension/core/kexec/kernelProfiles";
import { GiB, MiB } from "../../extension/core/kexec/ranges";

const k61 = kernelProfile("6.1");
const k519 = kernelProfile("5.19");
const k67 = kernelProfile("6.7");
const k612 = kernelProfile("6.12");
const k617 = kernelProfile("6.17");
const RAM = 4n * 1024n ** 3n - 1n; // just below 4 GiB

describe("crashkernel= syntax: memparse", () => {
  const cases: [string, bigint, number][] = [
    ["256M", 256n << 20n, 4],
    ["256m", 256n << 20n, 4],
    ["4096", 4096n, 4],
    ["64K", 64n << 10n, 3],
    ["1G", 1n << 30n, 2],
    ["2T", 2n << 40n, 2],
    ["1P", 1n << 50n, 2],
    ["1E", 1n << 60n, 2],
    ["0x10000000", 0x10000000n, 10],
    ["0x10M", 16n << 20n, 5],
    ["010M", 8n << 20n, 4], // leading 0 = octal
    ["08", 0n, 1], // octal stops at 8
    ["0x", 0n, 1], // "0" then 'x' left over
    ["16E", 0n, 3], // wraps at 64 bits like the C code
  ];
  for (const [s, v, end] of cases) {
    it(`${s} → ${v}`, () => assert.deepEqual(memparse(s, 0), { value: v, end }));
  }
  it("no digits → end = start", () => assert.equal(memparse("x", 0).end, 0));
  // lib/cmdline.c memparse(): the suffix switch runs on simple_strtoull()'s end even with no digits.
  it("a suffix alone → 0 with the suffix consumed (lib/cmdline.c memparse())", () => assert.deepEqual(memparse("M", 0), { value: 0n, end: 1 }));
});

describe("crashkernel= syntax: forms", () => {
  it("size", () => {
    const r = parseCrashkernelOne("crashkernel=256M", RAM, null, k61);
    assert.deepEqual([r.ret, r.size, r.base, r.form], [0, 256n << 20n, 0n, "simple"]);
  });
  it("size@offset", () => {
    const r = parseCrashkernelOne("a crashkernel=256M@0x20000000 b", RAM, null, k61);
    assert.deepEqual([r.ret, r.size, r.base], [0, 256n << 20n, 0x20000000n]);
  });
  it("ranges with 128 MiB round-up (6.0+) and without (5.19)", () => {
    const c = "crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M";
    assert.equal(parseCrashkernelOne(c, RAM, null, k61).size, 256n << 20n);
    assert.equal(parseCrashkernelOne(c, RAM, null, k519).size, 192n << 20n);
  });
  it("ranges with @offset", () => {
    const r = parseCrashkernelOne("crashkernel=512M-2G:64M,2G-:128M@16M", 3n << 30n, null, k61);
    assert.deepEqual([r.size, r.base], [128n << 20n, 16n << 20n]);
  });
  it("ranges with no match: zero bytes, ret 0", () => {
    const r = parseCrashkernelOne("crashkernel=8G-16G:256M", 2n << 30n, null, k61);
    assert.deepEqual([r.ret, r.size], [0, 0n]);
    assert.equal(r.messages[0]!.text, "crashkernel size resulted in zero bytes");
  });
  it(",high / ,low", () => {
    assert.equal(parseCrashkernelOne("crashkernel=1G,high", RAM, ",high", k61).size, 1n << 30n);
    assert.equal(parseCrashkernelOne("crashkernel=96M,low", RAM, ",low", k61).size, 96n << 20n);
  });
  it(",cma only from 6.17", () => {
    assert.deepEqual(suffixTable(k61), [",high", ",low"]);
    assert.deepEqual(suffixTable(k617), [",high", ",low", ",cma"]);
    const r = parseCrashkernel("crashkernel=256M crashkernel=1G,cma", 8 * GiB, k617, defaultLowSize());
    assert.equal(r.cma, 1n << 30n);
    // Before 6.17 ",cma" is not a known suffix, so the token is the plain entry and is invalid.
    const old = parseCrashkernel("crashkernel=256M crashkernel=1G,cma", 8 * GiB, k612, defaultLowSize());
    assert.equal(old.reserve, false);
    assert.equal(old.messages[0]!.text, "crashkernel: unrecognized char: ,");
  });
});

describe("crashkernel= syntax: last occurrence", () => {
  it("plain: the last token without a known suffix", () => {
    const c = "crashkernel=128M crashkernel=1G,high crashkernel=256M crashkernel=64M,low";
    assert.equal(parseCrashkernelOne(c, RAM, null, k61).size, 256n << 20n);
    assert.equal(parseCrashkernelOne(c, RAM, ",high", k61).size, 1n << 30n);
  });
  it("strstr matches inside other parameters", () => {
    assert.equal(findLastCrashkernel("foo.crashkernel=1M", null, [",high", ",low"]), 16);
  });
  it("absent → -ENOENT", () => assert.equal(parseCrashkernelOne("quiet", RAM, null, k61).ret, -2));
});

describe("crashkernel= syntax: errors with the kernel's text and column", () => {
  const err = (cmd: string, p = k61, ram = RAM): { text: string; column: number } => {
    const r = parseCrashkernelOne(cmd, ram, null, p);
    assert.equal(r.ret, -22, cmd);
    const m = r.messages.find((x) => x.level === "warn")!;
    return { text: m.text, column: m.column };
  };
  it("memory value expected", () => assert.deepEqual(err("crashkernel=x"), { text: "crashkernel: memory value expected", column: 13 }));
  it("unrecognized char (256MB)", () => assert.deepEqual(err("crashkernel=256MB"), { text: "crashkernel: unrecognized char: B", column: 17 }));
  it("ranges: Memory value expected (start)", () => assert.deepEqual(err("crashkernel=x-:1:"), { text: "crashkernel: Memory value expected", column: 13 }));
  it("ranges: '-' expected", () => assert.deepEqual(err("crashkernel=1G:256M"), { text: "crashkernel: '-' expected", column: 15 }));
  it("ranges: Memory value expected (end)", () => assert.deepEqual(err("crashkernel=1G-x:256M"), { text: "crashkernel: Memory value expected", column: 16 }));
  it("ranges: end <= start", () => assert.deepEqual(err("crashkernel=4G-1G:256M"), { text: "crashkernel: end <= start", column: 16 }));
  it("ranges: ':' expected", () => assert.deepEqual(err("crashkernel=1G-4G;256M:"), { text: "crashkernel: ':' expected", column: 18 }));
  it("ranges: size missing, 6.1 vs ≥6.17 text", () => {
    assert.deepEqual(err("crashkernel=1G-4G:x"), { text: "Memory value expected", column: 19 });
    assert.deepEqual(err("crashkernel=1G-4G:x", k617), { text: "crashkernel: Memory value expected", column: 19 });
    // kernel/crash_reserve.c parse_crashkernel_mem(): prefixed from 6.9 (crash_reserve.c split), so 6.12 has it.
    assert.deepEqual(err("crashkernel=1G-4G:x", k612), { text: "crashkernel: Memory value expected", column: 19 });
    assert.deepEqual(err("crashkernel=1G-4G:x", kernelProfile("6.8")), { text: "Memory value expected", column: 19 });
  });
  it("ranges: invalid size (size ≥ rounded RAM, checked on every entry reached)", () => {
    assert.deepEqual(err("crashkernel=1G-2G:8G,2G-:128M"), { text: "crashkernel: invalid size", column: 19 });
  });
  it("ranges: Memory value expected after '@' (the 6.9–6.15 \"crahskernel\" typo, fixed in 6.16 by Colin Ian King's patch)", () => {
    assert.deepEqual(err("crashkernel=1G-:128M@"), { text: "Memory value expected after '@'", column: 22 });
    assert.deepEqual(err("crashkernel=1G-:128M@", k612), { text: "crahskernel: Memory value expected after '@'", column: 22 });
    assert.deepEqual(err("crashkernel=1G-:128M@", kernelProfile("6.15")), { text: "crahskernel: Memory value expected after '@'", column: 22 });
    assert.deepEqual(err("crashkernel=1G-:128M@", kernelProfile("6.16")), { text: "crashkernel: Memory value expected after '@'", column: 22 });
    assert.deepEqual(err("crashkernel=1G-:128M@", k617), { text: "crashkernel: Memory value expected after '@'", column: 22 });
  });
  it("suffix: unrecognized char", () => {
    const r = parseCrashkernelOne("crashkernel=1G,highx", RAM, ",high", k61);
    assert.equal(r.ret, -2, "token does not end with ,high, so it is not selected");
    const r2 = parseCrashkernelOne("crashkernel=1Gx,high", RAM, ",high", k61);
    assert.deepEqual([r2.ret, r2.messages[0]!.text, r2.messages[0]!.column], [-22, "crashkernel: unrecognized char: x", 15]);
  });
});

describe("crashkernel= top-level acceptance per version", () => {
  const dl = defaultLowSize();
  it("≤6.6: invalid plain falls back to ,high", () => {
    const r = parseCrashkernel("crashkernel=256MB crashkernel=512M,high", 8 * GiB, k61, dl);
    assert.deepEqual([r.reserve, r.high, r.size], [true, true, 512n << 20n]);
  });
  it("6.7+: invalid plain does not fall back", () => {
    const r = parseCrashkernel("crashkernel=256MB crashkernel=512M,high", 8 * GiB, k67, dl);
    assert.equal(r.reserve, false);
  });
  it("6.7+: ,high takes ,low or the default low size", () => {
    assert.equal(parseCrashkernel("crashkernel=512M,high", 8 * GiB, k67, dl).lowSize, BigInt(256 * MiB));
    assert.equal(parseCrashkernel("crashkernel=512M,high crashkernel=0,low", 8 * GiB, k67, dl).lowSize, 0n);
    assert.equal(parseCrashkernel("crashkernel=512M,high crashkernel=1x,low", 8 * GiB, k67, dl).reserve, false);
  });
  it("6.12+: size ≥ RAM is rejected", () => {
    assert.equal(parseCrashkernel("crashkernel=2G", 1 * GiB, k61, dl).reserve, true);
    assert.equal(parseCrashkernel("crashkernel=2G", 1 * GiB, k612, dl).reserve, false);
  });
  it("@0 is the same as no @", () => {
    assert.equal(parseCrashkernel("crashkernel=256M@0", 4 * GiB, k61, dl).base, 0n);
  });
});
