/**
 * Version gates and build-dependent sizes, each checked against the simulator's behaviour and
 * citing the kernel / kexec-tools source it follows (issue 13 items 3–7, issue 17 profiles).
 */
import assert from "node:assert/strict";
import { simulateCrashkernel } from "../../extension/core/kexec/crashkernelReserve";
import { parseCrashkernel } from "../../extension/core/kexec/crashkernelSyntax";
import { kernelConfigFromText } from "../../extension/core/kexec/kernelConfig";
import { KERNEL_RULES, KEXEC_TOOLS_RULES, kernelProfile, kexecToolsProfile, parseKernelVersion, ruleActive } from "../../extension/core/kexec/kernelProfiles";
import { syntheticImage } from "../../extension/core/kexec/kexecImage";
import { simulateKexecFile } from "../../extension/core/kexec/kexecFilePlacement";
import { simulateKexecLoad } from "../../extension/core/kexec/kexecToolsPlacement";
import { memoryMapFromJson } from "../../extension/core/kexec/jsonMap";
import type { MemoryMap } from "../../extension/core/kexec/memoryMap";
import { FormatError } from "../../extension/core/io/formatError";
import { GiB, MiB, hex } from "../../extension/core/kexec/ranges";

const G = (n: number): string => hex(n * GiB);
/** A QEMU "pc" map with `gib` GiB of RAM (3 GiB below the PCI hole, the rest from 4 GiB). */
function pc(gib: number, extra: Record<string, unknown> = {}): MemoryMap {
  const e820: [string, string, string][] = [
    ["0x0", "0x9fbff", "usable"],
    ["0x100000", hex(Math.min(gib, 3) * GiB - 0x20001), "usable"],
  ];
  if (gib > 3) e820.push([G(4), hex((gib + 1) * GiB - 1), "usable"]);
  return memoryMapFromJson(JSON.stringify({ e820, ...extra }), "pc.json");
}

describe("kernel versions: X.Y.Z plus distro build", () => {
  it("parseKernelVersion keeps major/minor and adds patch, build and the raw string", () => {
    assert.deepEqual(parseKernelVersion("7.2.13+deb14-amd64"), { major: 7, minor: 2, patch: 13, raw: "7.2.13+deb14-amd64", build: "+deb14-amd64" });
    assert.deepEqual(parseKernelVersion("6.1"), { major: 6, minor: 1, patch: 0, raw: "6.1", build: "" });
    assert.equal(parseKernelVersion("6.1.0-50-amd64")!.build, "-50-amd64");
  });
  it("a backported rule applies from its stable patch level in that distro's builds only", () => {
    const bp = [{ rule: "size-ge-ram-rejected", distro: "deb12", major: 6, minor: 1, patch: 200, source: "example" }];
    assert.equal(ruleActive("size-ge-ram-rejected", parseKernelVersion("6.1.200+deb12-amd64")!, bp), true);
    assert.equal(ruleActive("size-ge-ram-rejected", parseKernelVersion("6.1.199+deb12-amd64")!, bp), false);
    assert.equal(ruleActive("size-ge-ram-rejected", parseKernelVersion("6.1.200")!, bp), false);
    // The lab's Debian 6.1.0-50 (6.1.176) has no such backport: pc-1G-2G printed "No suitable area found."
    assert.equal(ruleActive("size-ge-ram-rejected", parseKernelVersion("6.1.0-50-amd64")!), false);
  });
  it("7.x gets its own profile: 5-level unconditional (7212b58d6d71, 6.16), 7.0 e820 names, CMA", () => {
    const p = kernelProfile("7.2");
    assert.equal(p.family, "7.0+");
    assert.equal(p.fiveLevelUnconditional, true);
    assert.equal(p.e820RamName, "System RAM");
    assert.equal(p.cmaSuffix, true);
    assert.equal(p.kexecFile.khoAndCma, true);
    assert.equal(kernelProfile("6.17").family, "6.17–6.19");
    assert.equal(kernelProfile("6.15").fiveLevelUnconditional, false);
  });
  it("every rule has a first release, a public source and how it was verified", () => {
    for (const r of [...KERNEL_RULES, ...KEXEC_TOOLS_RULES]) {
      assert.ok(parseKernelVersion(r.since), r.id);
      assert.ok(r.source.length > 10 && !/\.md\b|§/.test(r.source), `${r.id}: ${r.source}`);
      assert.ok(r.verified === "real boot" || r.verified === "source reading", r.id);
      assert.ok(r.evidence.length > 0, r.id);
    }
    // Every lab-verified kernel rule applies to a kernel that was booted (6.1, 6.12 or 7.2).
    for (const r of KERNEL_RULES.filter((x) => x.verified === "real boot")) {
      assert.ok(["6.1", "6.12", "7.2"].some((v) => ruleActive(r.id, parseKernelVersion(v)!)) || /6\.1\b|pc-1G-2G|8G-384M/.test(r.evidence), r.id);
    }
  });
});

describe("issue 13 item 3: version gates", () => {
  it("low area for a main area exactly at 4 GiB from 6.7 (1dd11e977360 '>=', merged for 6.7-rc6)", () => {
    // RAM [4 GiB, 4.5 GiB): crashkernel=512M,high lands exactly at CRASH_ADDR_LOW_MAX.
    const map = memoryMapFromJson(JSON.stringify({ e820: [["0x0", "0x9fbff", "usable"], ["0x100000", "0xbffdffff", "usable"], [G(4), hex(4.5 * GiB - 1), "usable"]] }), "m.json");
    const r = simulateCrashkernel({ map, cmdline: "crashkernel=512M,high", profile: kernelProfile("6.7") });
    assert.equal(r.ranges.find((x) => x.role === "main")!.start, 4 * GiB);
    assert.ok(r.messages.some((m) => m.startsWith("crashkernel low memory reserved:")), r.messages.join("|"));
    assert.equal(kernelProfile("6.7").lowThresholdInclusive, true);
  });
  it("kexec_file top-down off-by-one fixed in 6.8 (18d565ea95fe, locate_mem_hole_top_down())", () => {
    const map = pc(4, { crashKernel: [{ start: "0xae000000", end: "0xbdffffff" }] });
    const run = (v: string): number =>
      simulateKexecFile({ map, image: syntheticImage(), crash: true, cmdline: "quiet", profile: kernelProfile(v), runningPaging: 4 }).segments.find((s) => s.what === "purgatory")!.mem;
    // 6.1 lab (kexec-file file_p): purgatory 0x5000 at 0xbdffa000, one page below the top.
    assert.equal(run("6.7"), 0xbdffa000);
    assert.equal(run("6.8"), 0xbdffb000);
  });
  it("kexec_file normal loads walk System RAM highest-first from 6.8 (b3ba234171cd)", () => {
    const map = pc(4);
    const k = (v: string): number => simulateKexecFile({ map, image: syntheticImage(), crash: false, cmdline: "quiet", profile: kernelProfile(v), runningPaging: 4 }).segments.find((s) => s.what === "kernel")!.mem;
    assert.ok(k("6.7") < 4 * GiB);
    assert.ok(k("6.8") >= 4 * GiB);
  });
  it("\"crashkernel: Memory value expected\" is in 6.12 (kernel/crash_reserve.c, 6.9+)", () => {
    const r = parseCrashkernel("crashkernel=1G-:x", 4 * GiB, kernelProfile("6.12"), 256 * MiB);
    assert.equal(r.messages[0]!.text, "crashkernel: Memory value expected");
  });
});

describe("issue 13 item 4: crashkernel=…,cma (6.17, mm/cma.c cma_alloc_mem())", () => {
  const run = (map: MemoryMap, cmdline: string, v = "6.17") => simulateCrashkernel({ map, cmdline, profile: kernelProfile(v) });
  it("bottom-up from 4 GiB when memory reaches above 4 GiB + size", () => {
    const r = run(pc(8), "crashkernel=256M crashkernel=1G,cma");
    assert.deepEqual(r.cma, [{ start: 4 * GiB, end: 5 * GiB - 1 }]);
    assert.deepEqual(r.messages.slice(-2), ["cma: Reserved 1024 MiB at 0x0000000100000000", "crashkernel CMA reserved: 1024 MB in 1 ranges"]);
    // Not a Crash kernel range and not in kexec_crash_size.
    assert.equal(r.kexecCrashSize, 256 * MiB);
  });
  it("pageblock (2 MiB) alignment of the size", () => {
    const r = run(pc(8), "crashkernel=256M crashkernel=1025M,cma");
    assert.equal(r.cma[0]!.end - r.cma[0]!.start + 1, 1026 * MiB);
    assert.ok(r.messages.includes("cma: Reserved 1026 MiB at 0x0000000100000000"));
    assert.ok(r.messages.includes("crashkernel CMA reserved: 1025 MB in 1 ranges"));
  });
  it("top-down below the end of memory when it does not reach 4 GiB + size", () => {
    const r = run(pc(3), "crashkernel=256M crashkernel=512M,cma");
    assert.equal(r.cma.length, 1);
    assert.ok(r.cma[0]!.end < 3 * GiB && r.cma[0]!.start % (2 * MiB) === 0);
    assert.ok(r.cma[0]!.start > r.ranges[0]!.end || r.cma[0]!.end < r.ranges[0]!.start);
  });
  it("runs even when the main reservation failed (arch_reserve_crashkernel() calls both)", () => {
    const r = run(pc(8), "crashkernel=256M@0x1000 crashkernel=1G,cma");
    assert.deepEqual(r.ranges, []);
    assert.equal(r.cma.length, 1);
  });
  it("before 6.17 ,cma is not a known suffix: the token counts as the plain form", () => {
    const r = run(pc(8), "crashkernel=1G,cma", "6.16");
    assert.deepEqual(r.cma, []);
  });
});

describe("a kexec_file crash load and the ,cma area (≥6.17, arch/x86/kernel/crash.c)", () => {
  it("the capture kernel gets the CMA area as RAM; its ELF headers leave it out", () => {
    const map = pc(8);
    const ck = simulateCrashkernel({ map, cmdline: "crashkernel=256M crashkernel=1G,cma", profile: kernelProfile("7.2") });
    const r = simulateKexecFile({ map, image: syntheticImage(), crash: true, cmdline: "quiet", profile: kernelProfile("7.2"), runningPaging: 4, crashRanges: ck.ranges, cmaRanges: ck.cma });
    assert.equal(r.accepted, true, r.reason);
    const cma = ck.cma[0]!;
    const inside = (list: { start: number; end: number }[]) => list.some((x) => x.start <= cma.start && cma.end <= x.end);
    const touches = (list: { start: number; end: number }[]) => list.some((x) => x.start <= cma.end && cma.start <= x.end);
    assert.ok(inside(r.dumpKernel!.ram), "CMA given to the capture kernel as RAM");
    assert.equal(touches(r.dumpKernel!.elfLoads), false, "CMA not described by the ELF headers");
    // crashk_res minus the ELF headers is RAM for it too; crashk_res is not dumped.
    const main = ck.ranges[0]!;
    assert.ok(r.dumpKernel!.ram.some((x) => x.start <= main.end && main.start <= x.end));
    assert.equal(r.dumpKernel!.elfLoads.some((x) => x.start <= main.end && main.start <= x.end), false);
  });
});

describe("issue 13 item 5: the kexec_file backup segment before 5.5 (7c321eb2b843)", () => {
  const map = pc(4, { crashKernel: [{ start: "0xae000000", end: "0xbdffffff" }] });
  const segs = (v: string) => simulateKexecFile({ map, image: syntheticImage(), crash: true, cmdline: "quiet", profile: kernelProfile(v), runningPaging: 4 }).segments;
  it("5.4: a 640 KiB-sized backup segment first, bottom-up, then the ELF headers after it", () => {
    const s = segs("5.4");
    assert.deepEqual(s.slice(0, 2).map((x) => [x.what, hex(x.mem), hex(x.memsz)]), [
      ["backup", "0xae000000", "0x9f000"],
      ["elfcorehdr", "0xae09f000", "0x1000"],
    ]);
  });
  it("5.5: no backup segment; the ELF headers start the area", () => {
    const s = segs("5.5");
    assert.equal(s.some((x) => x.what === "backup"), false);
    assert.equal(s[0]!.mem, 0xae000000);
  });
});

describe("issue 13 item 6", () => {
  it("crashkernel=M (a suffix alone) is size 0 without a message, as memparse() consumes the suffix (lib/cmdline.c)", () => {
    for (const v of ["6.1", "6.12"]) {
      const r = simulateCrashkernel({ map: pc(4), cmdline: "crashkernel=M", profile: kernelProfile(v) });
      assert.deepEqual(r.ranges, []);
      assert.deepEqual(r.messages, []);
      assert.deepEqual(r.errors, []);
    }
    // A letter that is not a suffix still gets the kernel's warning.
    assert.equal(simulateCrashkernel({ map: pc(4), cmdline: "crashkernel=x", profile: kernelProfile("6.1") }).messages[0], "crashkernel: memory value expected");
  });
  it("kexec-tools < 2.0.25 adds no setup_data segment (6cd3e9493e2c \"i386: pass rng seed via setup_data\")", () => {
    const load = (t: string) => simulateKexecLoad({ map: pc(4), image: syntheticImage(), crash: false, cmdline: "quiet", tools: kexecToolsProfile(t) }).segments;
    assert.equal(load("2.0.24").some((s) => s.what === "setup_data"), false);
    assert.equal(load("2.0.25").find((s) => s.what === "setup_data")!.mem, 0x100000);
  });
  it("the kernel's own command-line messages (arch/x86/kernel/kexec-bzimage64.c bzImage64_load())", () => {
    const img = syntheticImage({ cmdlineSize: 40 });
    const f = (cmd: string, v: string) => simulateKexecFile({ map: pc(4), image: img, crash: false, cmdline: cmd, profile: kernelProfile(v), runningPaging: 4 }).reason;
    assert.equal(f("x".repeat(40), "6.12"), "kexec-bzImage64: Kernel command line too long");
    assert.equal(f("x".repeat(20), "6.12"), "kexec-bzImage64: Appending elfcorehdr=<addr> to command line exceeds maximum allowed length");
    assert.equal(f("x".repeat(20), "6.1"), "kexec-bzImage64: Appending elfcorehdr=<addr> exceeds cmdline size");
  });
  it("under lockdown kexec_load fails with EPERM (kernel/kexec.c kexec_load_check())", () => {
    const r = simulateKexecLoad({ map: pc(4), image: syntheticImage(), crash: false, cmdline: "quiet", tools: kexecToolsProfile("2.0.25"), lockdown: true });
    assert.equal(r.accepted, false);
    assert.equal(r.reason, "kexec_load failed: Operation not permitted");
  });
});

describe("issue 13 item 7: elfcorehdr size from the kernel .config (arch/x86/kernel/crash.c crash_load_segments(), ea53ad9cf73b)", () => {
  const map = pc(4, { crashKernel: [{ start: "0xad000000", end: "0xbcffffff" }] });
  const eh = (config?: string, v = "6.12") => {
    const r = simulateKexecFile({ map, image: syntheticImage(), crash: true, cmdline: "quiet", profile: kernelProfile(v), runningPaging: 4, config: config === undefined ? undefined : kernelConfigFromText(config, "config") });
    return { seg: r.segments.find((s) => s.what === "elfcorehdr")!, notes: r.notes ?? [] };
  };
  it("CRASH_HOTPLUG + MEMORY_HOTPLUG: 2 + NR_CPUS_DEFAULT + CRASH_MAX_MEMORY_RANGES headers (Debian 6.12: memsz 0xe1000)", () => {
    const { seg } = eh("CONFIG_CRASH_HOTPLUG=y\nCONFIG_MEMORY_HOTPLUG=y\nCONFIG_NR_CPUS_DEFAULT=8192\nCONFIG_CRASH_MAX_MEMORY_RANGES=8192\n");
    assert.equal(seg.memsz, 0xe1000);
    assert.equal(seg.bufsz, 0x1000);
  });
  it("CRASH_HOTPLUG without MEMORY_HOTPLUG: the RAM ranges + 2 + NR_CPUS_DEFAULT", () => {
    // RAM above 1 MiB minus the crash area: 3 ranges; (3 + 2 + 512) * 56 + 64 = 0x7178 → 0x8000.
    const { seg } = eh("CONFIG_CRASH_HOTPLUG=y\n# CONFIG_MEMORY_HOTPLUG is not set\nCONFIG_NR_CPUS_DEFAULT=512\n");
    assert.equal(seg.memsz, 0x8000);
  });
  it("without CRASH_HOTPLUG the header is its own size", () => {
    const { seg } = eh("# CONFIG_CRASH_HOTPLUG is not set\n");
    assert.equal(seg.memsz, 0x1000);
  });
  it("no .config: distro defaults assumed, and said", () => {
    const { seg, notes } = eh(undefined);
    assert.equal(seg.memsz, 0xe1000);
    assert.ok(notes.some((n) => /No kernel \.config given: assumed/.test(n)));
  });
  it("before 6.6 the size never depends on the config", () => {
    assert.equal(eh("CONFIG_CRASH_HOTPLUG=y\nCONFIG_MEMORY_HOTPLUG=y\n", "6.1").seg.memsz, 0x1000);
  });
  it("a malformed .config is a FormatError naming the line", () => {
    assert.throws(() => kernelConfigFromText("CONFIG_A=y\nnot a config line\n", "cfg"), (e: unknown) => e instanceof FormatError && e.field === "line 2");
  });
});
