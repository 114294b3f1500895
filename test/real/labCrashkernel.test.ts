import { loadMemoryMap } from "../../extension/core/kexec/loadMemoryMap";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readJson, sharedFixture } from "../fixtures";
import { memoryMapFromText } from "../../extension/core/kexec/readMemoryMap";
import { simulateCrashkernel } from "../../extension/core/kexec/crashkernelReserve";
import { kernelProfile } from "../../extension/core/kexec/kernelProfiles";
import { hex } from "../../extension/core/kexec/ranges";

interface LabCrash {
  case: string;
  paging: 4 | 5;
  crashkernel_param: string;
  cmdline: string;
  crashkernel: { start: string; end: string; name: string }[];
  dmesg_crash_lines: string[];
  kexec_crash_size?: number;
}

const dir = sharedFixture("lab", "crashkernel");
const cases = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

describe("lab: crashkernel reservations of real 6.1 boots", () => {
  it("has every case", () => assert.equal(cases.length, 9));
  for (const f of cases) {
    const lab = readJson<LabCrash>(path.join(dir, f));
    it(`${lab.case}: ${lab.crashkernel_param}`, () => {
      const log = fs.readFileSync(path.join(dir, f.replace(/\.json$/, ".boot.log")), "utf8");
      const map = memoryMapFromText(log, f);
      assert.equal(map.cmdline, lab.cmdline);
      const r = simulateCrashkernel({ map, cmdline: map.cmdline!, profile: kernelProfile(map.kernelRelease ?? "6.1"), pagingLevels: lab.paging });
      assert.deepEqual(
        r.ranges.map((x) => ({ start: hex(x.start), end: hex(x.end), name: x.name })),
        lab.crashkernel,
      );
      assert.deepEqual(r.messages, lab.dmesg_crash_lines);
    });
  }
});

describe("memory maps from vmcores (loadMemoryMap)", () => {
  it("a kdump-compressed dump gives the RAM its bitmap covers, its kernel release and paging mode", () => {
    const file = sharedFixture("vmcore", "vmcore-l4-kdump-zlib-d31");
    const truth = readJson<{ osrelease: string }>(file + ".expected.json");
    const map = loadMemoryMap(file);
    assert.ok(map.systemRam.length > 0);
    assert.ok(map.systemRam.every((r) => r.end > r.start));
    assert.equal(map.kernelRelease, truth.osrelease);
    assert.equal(map.pagingLevels, 4);
  });
});
