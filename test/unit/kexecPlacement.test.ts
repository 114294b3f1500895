import assert from "node:assert/strict";
import { jumpVerdicts } from "../../extension/core/kexec/jumpVerdicts";
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
const tools27 = kexecToolsProfile("2.0.27");

describe("kexec_load (kexec-tools) placement", () => {
  it("normal load goes to the top of the highest RAM: above 64 TiB on a 4 PiB machine", () => {
    const r = simulateKexecLoad({ map: huge, image: noen, initrdSize: 0x2da536, crash: false, cmdline: "quiet", tools: tools25 });
    assert.equal(r.accepted, true);
    const k = r.segments.find((s) => s.what === "kernel")!;
    assert.ok(k.mem > 64 * TiB);
    const v = jumpVerdicts({ runningPaging: 5, image: noen, iface: "kexec_load", kernel: kernelProfile("6.1"), tools: tools25, segments: r.segments });
    assert.ok(v.some((x) => x.id === "above-64t-4level-target"));
    const ok = jumpVerdicts({ runningPaging: 5, image: syntheticImage(), iface: "kexec_load", kernel: kernelProfile("6.1"), tools: tools25, segments: r.segments });
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
    const v = jumpVerdicts({ runningPaging: 5, image: noen, iface: "kexec_file_load", kernel: kernelProfile("6.12"), tools: tools25, segments: r.segments });
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

describe("jump verdicts", () => {
  const img = syntheticImage({ xloadflags: 0x1f });
  it("kexec-tools ≥2.0.27 silently falls back to kexec_load after the 5-level refusal", () => {
    const v = jumpVerdicts({ runningPaging: 5, image: img, iface: "kexec_file_load", kernel: kernelProfile("6.1"), tools: tools27 });
    assert.deepEqual(v.map((x) => x.id), ["refused-5level", "silent-fallback"]);
    for (const x of v) assert.ok(x.source.length > 0 && x.rule.length > 0);
  });
  it("kexec_load from 5-level to a target without XLF_5LEVEL: load ok, jump fails", () => {
    const v = jumpVerdicts({ runningPaging: 5, image: img, iface: "kexec_load", kernel: kernelProfile("6.1"), tools: tools25 });
    assert.deepEqual(v.map((x) => x.id), ["jump-fails-5level"]);
  });
  it("4-level running kernel: fine", () => {
    assert.deepEqual(jumpVerdicts({ runningPaging: 4, image: img, iface: "kexec_file_load", kernel: kernelProfile("6.1"), tools: tools25 }).map((x) => x.id), ["ok"]);
  });
  it("32-bit kernel", () => {
    const v = jumpVerdicts({ runningPaging: 4, image: syntheticImage({ xloadflags: 0 }), iface: "kexec_file_load", kernel: kernelProfile("6.1"), tools: tools25 });
    assert.equal(v[0]!.id, "not-64bit");
  });
});

describe("vmcore memory map (tiny ELF reader)", () => {
  it("reads PT_LOADs and separates the kernel text mapping", () => {
    const phnum = 3;
    const buf = new Uint8Array(64 + 56 * phnum);
    const dv = new DataView(buf.buffer);
    buf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
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
    ph(0, 4, 0n, 0n, 0x100n);
    ph(1, 1, 0xffffffff81000000n, 0x1000000n, 0x3430000n);
    ph(2, 1, 0xffff888000100000n, 0x100000n, 0x2df00000n);
    const m = memoryMapFromVmcore(new MemoryByteSource(buf, "vmcore"));
    assert.deepEqual(m.systemRam, [{ start: 0x100000, end: 0x2dffffff }]);
    assert.equal(m.reserved[0]!.what, "kernel image");
  });
});
