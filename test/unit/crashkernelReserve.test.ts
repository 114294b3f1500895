import assert from "node:assert/strict";
import { simulateCrashkernel } from "../../extension/core/kexec/crashkernelReserve";
import { kernelProfile } from "../../extension/core/kexec/kernelProfiles";
import type { MemoryMap } from "../../extension/core/kexec/memoryMap";
import { memoryMapFromText } from "../../extension/core/kexec/readMemoryMap";
import { GiB, MiB, PiB, TiB, hex } from "../../extension/core/kexec/ranges";

function map(ram: [number, number][], reserved: [number, number][] = []): MemoryMap {
  return {
    kind: "json",
    file: "<test>",
    firmware: [],
    systemRam: ram.map(([start, end]) => ({ start, end })),
    reserved: reserved.map(([start, end]) => ({ start, end, what: "test", source: "test" })),
    crashKernel: [],
    notes: [],
  };
}

const pc8g = map([[0x1000, 0x9efff], [0x100000, 0xbffdffff], [0x100000000, 0x23fffffff]]);
const run = (m: MemoryMap, cmdline: string, v: string, paging: 4 | 5 = 4) =>
  simulateCrashkernel({ map: m, cmdline, profile: kernelProfile(v), pagingLevels: paging });

describe("crashkernel reservation per version", () => {
  it("4.19: plain X only below 896 MiB", () => {
    const r = run(pc8g, "crashkernel=256M", "4.19");
    assert.equal(hex(r.ranges[0]!.start), "0x28000000");
    assert.match(r.messages[0]!, /^Reserving 256MB of memory at 640MB/);
  });
  it("6.1: plain X lands below 4 GiB", () => {
    const r = run(pc8g, "crashkernel=256M", "6.1");
    assert.equal(hex(r.ranges[0]!.start), "0xaf000000");
  });
  it("6.1: plain X that does not fit low falls back high and gets a low area", () => {
    const r = run(pc8g, "crashkernel=3584M", "6.1");
    assert.equal(r.ranges.length, 2);
    assert.equal(r.ranges[1]!.role, "main");
    assert.ok(r.ranges[1]!.start >= 4 * GiB);
    assert.match(r.messages[0]!, /^Reserving 256MB of low memory at/);
  });
  it("6.1: ,low 0 disables the low area; explicit ,low is honoured for plain fallback", () => {
    assert.equal(run(pc8g, "crashkernel=1G,high crashkernel=0,low", "6.1").ranges.length, 1);
    const r = run(pc8g, "crashkernel=3584M crashkernel=64M,low", "6.1");
    assert.equal(r.ranges[0]!.end - r.ranges[0]!.start + 1, 64 * MiB);
  });
  it("6.7: plain fallback ignores ,low and uses the default", () => {
    const r = run(pc8g, "crashkernel=3584M crashkernel=64M,low", "6.7");
    assert.equal(r.ranges[0]!.end - r.ranges[0]!.start + 1, 256 * MiB);
    assert.match(r.messages[r.messages.length - 1]!, /^crashkernel reserved: 0x0000000/);
    assert.ok(r.notes.some((n) => n.includes("ignored")));
  });
  it("6.7: ,high fails high then falls back low", () => {
    const m = map([[0x1000, 0x9efff], [0x100000, 0xbffdffff]]);
    const r = run(m, "crashkernel=256M,high", "6.7");
    assert.equal(hex(r.ranges[0]!.start), "0xaf000000");
  });
  it("@offset: 1 MiB alignment up to 6.6, 16 MiB from 6.7", () => {
    assert.equal(hex(run(pc8g, "crashkernel=64M@0x21000000", "6.1").ranges[0]!.start), "0x21000000");
    assert.equal(hex(run(pc8g, "crashkernel=64M@0x20100000", "6.1").ranges[0]!.start), "0x20100000");
    const r = run(pc8g, "crashkernel=64M@0x20100000", "6.7");
    assert.deepEqual(r.ranges, []);
    assert.deepEqual(r.messages, ["crashkernel reservation failed - memory is in use."]);
  });
  it("@offset over a reservation: memory is in use", () => {
    const m = map([[0x100000, 0x7fffffff]], [[0x21000000, 0x21000fff]]);
    assert.deepEqual(run(m, "crashkernel=256M@512M", "6.1").messages, ["crashkernel reservation failed - memory is in use."]);
  });
  it("failures: No suitable area / cannot allocate / zero bytes", () => {
    const m = map([[0x100000, 0x3fffffff]]);
    assert.deepEqual(run(m, "crashkernel=2G", "6.1").messages, ["crashkernel reservation failed - No suitable area found."]);
    assert.deepEqual(run(m, "crashkernel=2G", "6.7").messages, ["cannot allocate crashkernel (size:0x80000000)"]);
    assert.deepEqual(run(m, "crashkernel=2G", "6.12").messages, []);
    assert.deepEqual(run(m, "crashkernel=4G-:256M", "6.1").messages, ["crashkernel size resulted in zero bytes"]);
  });
  it("6.17: ,cma reserves CMA areas after the main one", () => {
    const r = run(pc8g, "crashkernel=256M crashkernel=512M,cma", "6.17");
    assert.equal(r.cma.length, 1);
    assert.match(r.messages[r.messages.length - 1]!, /^crashkernel CMA reserved: 512 MB in 1 ranges/);
  });
});

describe("crashkernel above 64 TiB (synthetic 5-level maps)", () => {
  const big = map([[0x100000, 0x7fffffff], [4 * GiB, 4 * PiB - 1]]);
  it("5.3+: ,high stays below 64 TiB even with 4 PiB of RAM", () => {
    const r = run(big, "crashkernel=1G,high", "6.1", 5);
    const main = r.ranges.find((x) => x.role === "main")!;
    assert.equal(hex(main.end), hex(64 * TiB - 1));
  });
  it("5.2 (MAXMEM): ,high lands at the top of 4 PiB in 5-level mode and is flagged", () => {
    const r = run(big, "crashkernel=1G,high", "5.2", 5);
    const main = r.ranges.find((x) => x.role === "main")!;
    assert.equal(hex(main.end), hex(4 * PiB - 1));
    assert.ok(r.notes.some((n) => n.includes("above 64 TiB")));
  });
  it("5.2 (MAXMEM) in 4-level mode stops at 64 TiB", () => {
    const r = run(big, "crashkernel=1G,high", "5.2", 4);
    assert.equal(hex(r.ranges.find((x) => x.role === "main")!.end), hex(64 * TiB - 1));
  });
  it("6.7+: ,high window [4G, 64T)", () => {
    const r = run(big, "crashkernel=1G,high", "6.12", 5);
    assert.equal(hex(r.ranges.find((x) => x.role === "main")!.end), hex(64 * TiB - 1));
    assert.match(r.messages.join("\n"), /crashkernel reserved: 0x00003fffc0000000 - 0x0000400000000000 \(1024 MB\)/);
  });
});

describe("memory-map readers", () => {
  it("iomem: non-root dump is refused with a clear error", () => {
    assert.throws(() => memoryMapFromText("00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n", "iomem"), /CAP_SYS_ADMIN/);
  });
  it("iomem: System RAM, Crash kernel and kernel image", () => {
    const m = memoryMapFromText(
      "00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\n00100000-bffdffff : System RAM\n  01000000-01e01d31 : Kernel code\n  0330d000-043fffff : Kernel bss\n  af000000-beffffff : Crash kernel\n",
      "iomem",
    );
    assert.equal(m.kind, "iomem");
    assert.equal(m.systemRam.length, 2);
    assert.deepEqual(m.crashKernel, [{ start: 0xaf000000, end: 0xbeffffff }]);
    assert.deepEqual(m.reserved.map((r) => [r.start, r.end]), [[0x1000000, 0x43fffff]]);
  });
  it("JSON map with hex strings", () => {
    const m = memoryMapFromText(JSON.stringify({ e820: [["0x0", "0x9fbff", "usable"], ["0x100000", "0x3fffffff", "usable"]], reserved: [{ start: "0x3f000000", end: "0x3fffffff", what: "initrd" }], cmdline: "crashkernel=128M" }), "m.json");
    const r = simulateCrashkernel({ map: m, cmdline: m.cmdline!, profile: kernelProfile("6.1") });
    assert.equal(hex(r.ranges[0]!.start), "0x37000000");
  });
  it("boot log: old BIOS-e820 format, end exclusive", () => {
    const m = memoryMapFromText("Linux version 4.19.0\nBIOS-e820: 0000000000000000 - 000000000009fc00 (usable)\nBIOS-e820: 0000000000100000 - 0000000040000000 (usable)\n", "old.log");
    assert.deepEqual(m.systemRam, [{ start: 0x1000, end: 0x9fbff }, { start: 0x100000, end: 0x3fffffff }]);
  });
  it("garbage is a FormatError", () => assert.throws(() => memoryMapFromText("hello", "x"), /memory map/));
});
