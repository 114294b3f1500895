/** The 7.x BIOS-e820 line format ("  System RAM", "  device reserved", "[gap …]") reads like the old one. */
import * as assert from "node:assert/strict";
import { memoryMapFromBootLog } from "../../extension/core/kexec/bootLog";

describe("boot log: BIOS-e820 lines as 7.x prints them", () => {
  it("two spaces before the type, gap lines ignored", () => {
    const text = [
      "[    0.000000] Linux version 7.2.13+deb14-amd64 (x) #1 SMP",
      "[    0.000000] Command line: crashkernel=256M",
      "[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff]  System RAM",
      "[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff]  device reserved",
      "[    0.000000] BIOS-e820: [gap 0x00000000000a0000-0x00000000000effff]",
      "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x00000000bffdffff]  System RAM",
    ].join("\n");
    const m = memoryMapFromBootLog(text, "7x.log");
    assert.deepEqual(m.firmware.map((e) => e.type), ["System RAM", "device reserved", "System RAM"]);
    assert.deepEqual(m.systemRam, [{ start: 0x1000, end: 0x9fbff }, { start: 0x100000, end: 0xbffdffff }]);
  });
});
