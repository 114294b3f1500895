import assert from "node:assert/strict";
import { jumpVerdicts } from "../../extension/core/kexec/jumpVerdicts";
import { planLoad } from "../../extension/core/kexec/loaderChoice";
import { simulate } from "../../extension/core/scenario/simulate";
import { kernelProfile, kexecToolsProfile } from "../../extension/core/kexec/kernelProfiles";
import { syntheticImage } from "../../extension/core/kexec/kexecImage";
import { simulateKexecFile } from "../../extension/core/kexec/kexecFilePlacement";
import { simulateKexecLoad } from "../../extension/core/kexec/kexecToolsPlacement";
import type { MemoryMap } from "../../extension/core/kexec/memoryMap";
import { GiB, PiB, TiB, hex } from "../../extension/core/kexec/ranges";
import { MemoryByteSource } from "../../extension/core/io/byteSource";
import { memoryMapFromVmcore } from "../../extension/core/kexec/vmcoreMap";

function map(ram: [number, number][], crash: [number, number][] = []): MemoryMap {
  return {
    kind: "json",
    file: "<test>",
    firmware: ram.map(([start, end]) => ({ start, end, type: "usable" })),
    systemRam: ram.map(([start, end]) => ({ start: Math.max(start, 0x1000), end })),
    reserved: [],
    crashKernel: crash.map(([start, end]) => ({ start, end })),
    notes: [],
  };
}

const huge = map([[0, 0x9fbff], [0x100000, 0x7fffffff], [4 * GiB, 4 * PiB - 1]]);
const noen = syntheticImage({ xloadflags: 0x3f }); // XLF_5LEVEL without XLF_5LEVEL_ENABLED
const tools25 = kexecToolsProfile("2.0.25");

describe("kexec_load (kexec-tools) placement", () => {
  it("normal load goes to the top of the highest RAM: above 64 TiB on a 4 PiB machine", () => {
    const r = simulateKexecLoad({ map: huge, image: noen, initrdSize: 0x2da536, crash: false, cmdline: "quiet", tools: tools25 });
    assert.equal(r.accepted, true);
    const k = r.segments.find((s) => s.what === "kernel")!;
    assert.ok(k.mem > 64 * TiB);
    const v = jumpVerdicts({ runningPaging: 5, image: noen, kernel: kernelProfile("6.1"), tools: tools25, plan: planLoad("kexec_load", tools25), attempts: [r] });
    assert.ok(v.some((x) => x.id === "above-64t-4level-target"));
    const ok = jumpVerdicts({ runningPaging: 5, image: syntheticImage(), kernel: kernelProfile("6.1"), tools: tools25, plan: planLoad("kexec_load", tools25), attempts: [r] });
    assert.deepEqual(ok.map((x) => x.id), ["ok"]);
  });
  it("crash load is confined to the last Crash kernel range", () => {
    const m = map([[0, 0x9fbff], [0x100000, 0xbffdffff], [4 * GiB, 8 * GiB - 1]], [[0xaf000000, 0xbeffffff], [0x1e0000000, 0x1ffffffff]]);
    const r = simulateKexecLoad({ map: m, image: syntheticImage(), initrdSize: 0x100000, crash: true, cmdline: "irqpoll", tools: tools25 });
    assert.equal(r.accepted, true);
    for (const s of r.segments) assert.ok(s.mem >= 0x1e0000000 && s.mem + s.memsz <= 0x200000000, hex(s.mem));
  });
  it("crash load without a Crash kernel range is refused", () => {
    const r = simulateKexecLoad({ map: map([[0x100000, 0x3fffffff]]), image: syntheticImage(), crash: true, cmdline: "", tools: tools25 });
    assert.equal(r.reason, "Memory for crashkernel is not reserved");
  });
  it("pref_address is honoured from 2.0.30", () => {
    const small = map([[0, 0x9fbff], [0x100000, 0x04ffffff]]);
    const img = syntheticImage({ initSize: 0x3000000, prefAddress: 0x2000000 });
    assert.equal(simulateKexecLoad({ map: small, image: img, crash: false, cmdline: "", tools: tools25 }).accepted, true);
    const r = simulateKexecLoad({ map: small, image: img, crash: false, cmdline: "", tools: kexecToolsProfile("2.0.30") });
    assert.equal(r.accepted, false);
  });
  it("a non-relocatable 64-bit kernel takes the i386 path below 0x37FFFFFF", () => {
    const img = syntheticImage({ xloadflags: 0x1, relocatable: true });
    const r = simulateKexecLoad({ map: huge, image: img, crash: false, cmdline: "", tools: tools25 });
    assert.equal(r.loader, "bzImage (i386)");
    const k = r.segments.find((s) => s.what === "kernel")!;
    assert.ok(k.mem + k.memsz <= 0x38000000);
  });
  it("command line longer than cmdline_size is refused: \"Cannot load <file>\" (the reason is a -d line, kexec-bzImage64.c dbgprintf)", () => {
    const r = simulateKexecLoad({ map: huge, image: syntheticImage({ cmdlineSize: 10 }), crash: false, cmdline: "x".repeat(20), tools: tools25 });
    assert.equal(r.reason, "Cannot load <synthetic>");
    assert.ok(r.log.includes("Kernel command line too long for kernel!"));
  });
});

describe("kexec_file_load placement", () => {
  it("≤6.7 walks RAM bottom-up: the kernel stays low", () => {
    const r = simulateKexecFile({ map: huge, image: noen, initrdSize: 0x100000, crash: false, cmdline: "quiet", profile: kernelProfile("6.1"), runningPaging: 5 });
    assert.equal(r.accepted, true);
    assert.ok(r.segments.every((s) => s.mem < 4 * GiB));
  });
  it("6.8+ walks RAM top-down: the kernel lands above 64 TiB, flagged for a 4-level target", () => {
    const r = simulateKexecFile({ map: huge, image: noen, initrdSize: 0x100000, crash: false, cmdline: "quiet", profile: kernelProfile("6.12"), runningPaging: 5 });
    const k = r.segments.find((s) => s.what === "kernel")!;
    assert.ok(k.mem > 64 * TiB);
    // Fixed off-by-one: the purgatory sits at the very top.
    assert.equal(hex(r.segments.find((s) => s.what === "purgatory")!.mem), hex(4 * PiB - 0x5000));
    const v = jumpVerdicts({ runningPaging: 5, image: noen, kernel: kernelProfile("6.12"), tools: tools25, plan: planLoad("kexec_file_load", tools25), attempts: [r] });
    assert.ok(v.some((x) => x.id === "above-64t-4level-target"));
  });
  it("refusals carry the kernel's message", () => {
    const p = kernelProfile("6.1");
    const cases: [Partial<ReturnType<typeof syntheticImage>>, string][] = [
      [{ fileSize: 512 }, "kexec-bzImage64: File is too short to be a bzImage"],
      [{ hasHdrS: false }, "kexec-bzImage64: Not a bzImage"],
      [{ bootFlag: 0 }, "kexec-bzImage64: No x86 boot sector present"],
      [{ protocolVersion: 0x020b }, "kexec-bzImage64: Must be at least protocol version 2.12"],
      [{ loadflags: 0 }, "kexec-bzImage64: zImage not a bzImage"],
      [{ xloadflags: 0x7e }, "kexec-bzImage64: Not a bzImage64. XLF_KERNEL_64 is not set."],
      [{ xloadflags: 0x7d }, "kexec-bzImage64: XLF_CAN_BE_LOADED_ABOVE_4G is not set."],
      [{ xloadflags: 0x1f }, "kexec-bzImage64: bzImage cannot handle 5-level paging mode."],
    ];
    for (const [over, msg] of cases) {
      const r = simulateKexecFile({ map: huge, image: syntheticImage(over), crash: false, cmdline: "", profile: p, runningPaging: 5 });
      assert.deepEqual([r.accepted, r.reason], [false, msg]);
    }
    // Before 5.3 there is no 5-level check.
    assert.equal(simulateKexecFile({ map: huge, image: syntheticImage({ xloadflags: 0x1f }), crash: false, cmdline: "", profile: kernelProfile("4.19"), runningPaging: 5 }).accepted, true);
  });
});

describe("jump verdicts (through simulate)", () => {
  // A target from before the 4.17 trampoline: no XLF_5LEVEL and no way out of 5-level paging.
  const img = syntheticImage({ xloadflags: 0x1f, kernelVersion: "4.14.336 (builder@host) #1 SMP" });
  const ids = (over: Partial<Parameters<typeof simulate>[0]>): string[] =>
    simulate({ map: huge, image: img, kernel: "6.1", iface: "auto", crash: false, runningPaging: 5, ...over }).verdicts.map((x) => x.id);
  it("kexec-tools ≥2.0.27 silently falls back to kexec_load after the 5-level refusal", () => {
    const r = simulate({ map: huge, image: img, kernel: "6.1", kexecTools: "2.0.27", iface: "auto", crash: false, runningPaging: 5 });
    assert.deepEqual(r.verdicts.map((x) => x.id), ["refused-5level", "silent-fallback"]);
    assert.equal(r.verdicts[1]!.severity, "error");
    assert.deepEqual(r.load!.attempts.map((a) => [a.interface, a.accepted, a.errno]), [["kexec_file_load", false, "ENOEXEC"], ["kexec_load", true, null]]);
    for (const x of r.verdicts) assert.ok(x.source.length > 0 && x.rule.length > 0);
  });
  it("-s keeps the refusal and kexec-tools prints only its EFALLBACK line (kexec/kexec.c main())", () => {
    assert.deepEqual(ids({ kexecTools: "2.0.27", iface: "kexec_file_load" }), ["refused-5level", "refused-5level-message"]);
  });
  it("under lockdown the fallback's kexec_load fails with EPERM (kernel/kexec.c kexec_load_check())", () => {
    const r = simulate({ map: huge, image: img, kernel: "6.1", kexecTools: "2.0.27", iface: "auto", crash: false, runningPaging: 5, lockdown: true });
    assert.equal(r.load!.final.errno, "EPERM");
    assert.deepEqual(r.verdicts.map((x) => x.id), ["refused-5level", "fallback-locked-down"]);
  });
  it("kexec_load from 5-level to a pre-4.17 target: load ok, jump fails", () => {
    assert.deepEqual(ids({ iface: "kexec_load" }), ["jump-fails-5level"]);
  });
  it("4-level running kernel: fine", () => {
    assert.deepEqual(ids({ iface: "kexec_file_load", runningPaging: 4 }), ["ok"]);
  });
  it("32-bit kernel", () => {
    const r = simulate({ map: huge, image: syntheticImage({ xloadflags: 0 }), kernel: "6.1", iface: "kexec_file_load", crash: false, runningPaging: 4 });
    assert.equal(r.verdicts[0]!.id, "not-64bit");
  });
});

describe("5→4-level verdicts by release (issue 13 items 1 and 2)", () => {
  const small = map([[0, 0x9fbff], [0x100000, 0xbffdffff]]);
  const verdicts = (image: ReturnType<typeof syntheticImage>, kernel: string, over: Partial<Parameters<typeof simulate>[0]> = {}) =>
    simulate({ map: small, image, kernel, iface: "kexec_load", crash: false, runningPaging: 5, ...over }).verdicts;
  const ids = (...a: Parameters<typeof verdicts>): string[] => verdicts(...a).map((v) => v.id);

  // pgtable_64.c: the 5→4 trampoline exists from 4.17 (e9d0e6330eb8, 194a9749c73d); header.S only
  // advertises it with XLF_5LEVEL from 5.3 (f2d08c5d3bcf). A 4.19 target switches by itself.
  it("a 4.17–5.2 target without XLF_5LEVEL switches to 4-level itself after kexec_load", () => {
    const t419 = syntheticImage({ xloadflags: 0x1f, kernelVersion: "4.19.0-27-amd64 (debian-kernel@lists.debian.org) #1 SMP Debian 4.19.316-1 (2024-06-25)" });
    const v = ids(t419, "6.1.0-50-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.120-1");
    assert.deepEqual(v, ["target-switches-paging", "ok"]);
    // kexec_file_load still refuses it (bzImage64_probe() reads the bit, not the version) ...
    const f = simulate({ map: small, image: t419, kernel: "6.1.120", iface: "kexec_file_load", crash: false, runningPaging: 5 });
    assert.equal(f.load!.final.accepted, false);
    // ... and the 2.0.27+ fallback is then a working load, reported as a warning, not an error.
    const a = simulate({ map: small, image: t419, kernel: "6.1.120", kexecTools: "2.0.32", iface: "auto", crash: false, runningPaging: 5 });
    assert.deepEqual(a.verdicts.map((x) => [x.id, x.severity]), [["refused-5level", "error"], ["silent-fallback", "warning"], ["target-switches-paging", "info"]]);
  });

  // d0ceea662d45 (6.13; 6.12.5, 6.6.66) sets bit 58 in ident_map.c's top-level entries;
  // eb2266312507 (6.19; 6.18.2, 6.17.13, 6.12.63, 6.6.120, 6.1.160) masks it in the target.
  const noen = (banner: string) => syntheticImage({ xloadflags: 0x3f, kernelVersion: banner });
  it("running 6.12.5+ (5-level) into a 4-level-only target without the fix: silent triple fault", () => {
    const v = verdicts(noen("6.12.62 (root@vm) #1 SMP"), "6.12.117+deb12-amd64");
    assert.deepEqual(v.map((x) => x.id), ["transition-5to4-fault"]);
    assert.match(v[0]!.message, /6\.12\.117\+deb12-amd64.*bit 58.*6\.12\.62 < 6\.12\.63/s);
    assert.match(v[0]!.source, /d0ceea662d45.*eb2266312507/s);
  });
  it("the same target with the fix, or a running kernel without the bit: no transition verdict", () => {
    assert.deepEqual(ids(noen("6.12.63 (root@vm) #1 SMP"), "6.12.117+deb12-amd64"), ["ok"]);
    assert.deepEqual(ids(noen("6.1.160 (root@vm) #1 SMP"), "6.13.2"), ["ok"]);
    assert.deepEqual(ids(noen("6.12.62 (root@vm) #1 SMP"), "6.12.4"), ["ok"]); // 6.12.4 < 6.12.5: no bit
    assert.deepEqual(ids(noen("6.12.62 (root@vm) #1 SMP"), "6.1.0-50-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.120-1"), ["ok"]); // 6.1.120 has no backport
  });
  it("no5lvl on the target's command line makes a 5-level-capable target switch too", () => {
    const full = syntheticImage({ xloadflags: 0x7f, kernelVersion: "6.6.100 (root@vm) #1 SMP" });
    assert.deepEqual(ids(full, "6.13.1"), ["ok"]);
    assert.deepEqual(ids(full, "6.13.1", { append: "console=ttyS0 no5lvl" }), ["transition-5to4-fault"]);
  });
  it("a vendor release hides the stable level: depends on your vendor's backports", () => {
    const v = verdicts(noen("5.14.0-427.13.1.el9_4.x86_64 (mockbuild@host) #1 SMP PREEMPT_DYNAMIC"), "5.14.0-503.11.1.el9_5.x86_64");
    assert.deepEqual(v.map((x) => x.id), ["transition-5to4-unknown"]);
    assert.match(v[0]!.message, /vendor's backports/);
    assert.equal(v[0]!.severity, "warning");
  });
});

describe("vmcore memory map (the vmcore reader's PT_LOADs)", () => {
  it("reads PT_LOADs and separates the kernel text mapping", () => {
    const phnum = 3;
    const buf = new Uint8Array(64 + 56 * phnum);
    const dv = new DataView(buf.buffer);
    buf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
    dv.setUint16(16, 4, true); // ET_CORE
    dv.setUint16(18, 62, true); // EM_X86_64
    dv.setBigUint64(0x20, 64n, true);
    dv.setUint16(0x36, 56, true);
    dv.setUint16(0x38, phnum, true);
    const ph = (i: number, type: number, vaddr: bigint, paddr: bigint, memsz: bigint) => {
      const o = 64 + i * 56;
      dv.setUint32(o, type, true);
      dv.setBigUint64(o + 16, vaddr, true);
      dv.setBigUint64(o + 24, paddr, true);
      dv.setBigUint64(o + 40, memsz, true);
    };
    ph(0, 4, 0n, 0n, 0n);
    ph(1, 1, 0xffffffff81000000n, 0x1000000n, 0x3430000n);
    ph(2, 1, 0xffff888000100000n, 0x100000n, 0x2df00000n);
    const m = memoryMapFromVmcore(new MemoryByteSource(buf, "vmcore"));
    assert.deepEqual(m.systemRam, [{ start: 0x100000, end: 0x2dffffff }]);
    assert.equal(m.reserved[0]!.what, "kernel image");
  });
});
