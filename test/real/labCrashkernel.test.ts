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
  dmesg_cma_lines?: string[];
  kexec_crash_size?: number;
  iomem?: string;
}

/** Each lab with the kernel it booted, as --kernel takes it. */
const LABS = [
  { dir: "lab", kernel: "6.1", count: 9 },
  { dir: "lab-6.12", kernel: "6.12", count: 5 },
  { dir: "lab-7.2", kernel: "7.2", count: 3 },
] as const;

for (const L of LABS) {
  const dir = sharedFixture(L.dir, "crashkernel");
  const cases = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  describe(`${L.dir}: crashkernel reservations of real boots (--kernel ${L.kernel})`, () => {
    it("has every case", () => assert.equal(cases.length, L.count));
    for (const f of cases) {
      const lab = readJson<LabCrash>(path.join(dir, f));
      it(`${lab.case}: ${lab.crashkernel_param}`, () => {
        const log = fs.readFileSync(path.join(dir, f.replace(/\.json$/, ".boot.log")), "utf8");
        const map = memoryMapFromText(log, f);
        assert.equal(map.cmdline, lab.cmdline);
        for (const profile of [kernelProfile(L.kernel), kernelProfile(map.kernelRelease!)]) {
          const r = simulateCrashkernel({ map, cmdline: map.cmdline!, profile, pagingLevels: lab.paging });
          assert.deepEqual(
            r.ranges.map((x) => ({ start: hex(x.start), end: hex(x.end), name: x.name })),
            lab.crashkernel,
          );
          // dmesg: the crashkernel lines, and the CMA lines (mm/cma.c, kernel/crash_reserve.c) in order.
          assert.deepEqual(r.messages.filter((m) => /crashkernel|Crash kernel/i.test(m) && !/^cma: /.test(m)), lab.dmesg_crash_lines);
          const cmaLines = (lab.dmesg_cma_lines ?? []).filter((m) => !/^Memory: /.test(m));
          assert.deepEqual(r.messages.filter((m) => /^cma: |crashkernel CMA/.test(m)), cmaLines);
          // /sys/kernel/kexec_crash_size: never the CMA area.
          if (lab.kexec_crash_size !== undefined) assert.equal(r.kexecCrashSize, lab.kexec_crash_size);
          // The CMA area is not in /proc/iomem, and the boot log's "cma: Reserved" line is read back.
          const iomemCrash = (lab.iomem ?? "").split("\n").filter((l) => l.endsWith(": Crash kernel")).map((l) => l.trim().split(" ")[0]!.split("-").map((x) => Number.parseInt(x, 16)));
          for (const c of r.cma) assert.ok(!iomemCrash.some(([s, e]) => s! <= c.end && c.start <= e!), "CMA area listed as Crash kernel in /proc/iomem");
          assert.deepEqual(map.crashCma ?? [], r.cma);
        }
      });
    }
  });
}

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
