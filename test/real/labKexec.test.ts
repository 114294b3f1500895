import { openFile } from "../../extension/core/io/byteSource";
import { parseBzImage } from "../../extension/core/formats/bzimage/bzImage";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { readJson, sharedFixture } from "../fixtures";
import { memoryMapFromText } from "../../extension/core/kexec/readMemoryMap";
import { kernelProfile, kexecToolsProfile } from "../../extension/core/kexec/kernelProfiles";
import { kexecImageFromSetupHeader, type KexecImage } from "../../extension/core/kexec/kexecImage";
import { simulateKexecLoad } from "../../extension/core/kexec/kexecToolsPlacement";
import { simulateKexecFile } from "../../extension/core/kexec/kexecFilePlacement";
import { simulateCrashkernel } from "../../extension/core/kexec/crashkernelReserve";
import { planLoad } from "../../extension/core/kexec/loaderChoice";
import { jumpVerdicts } from "../../extension/core/kexec/jumpVerdicts";
import { hex } from "../../extension/core/kexec/ranges";

interface Seg {
  mem: string;
  memsz: string;
}
interface Trial {
  cmd: string;
  rc: number;
  after: string;
  kexec_tools_segments: Seg[];
  kernel_segments: Seg[];
  kernel_placement_lines: string[];
}
interface LabKexec {
  case: string;
  paging: 4 | 5;
  kexec_tools: string;
  initrd_size: number;
  crashkernel: { start: string; end: string; name: string }[];
  trials: Record<string, Trial>;
  images?: Record<string, string>;
}

/** The lab's target image, read by our own bzImage parser (the same path as the CLI's --image). */
function baseImage(): KexecImage {
  const src = openFile(sharedFixture("bzimage", "vmlinuz-6.1.0-50-amd64"));
  try {
    const img = parseBzImage(src);
    return kexecImageFromSetupHeader(img.setupHeader, img.fileSize, "vmlinuz-6.1.0-50-amd64", img.kernelVersion ?? undefined);
  } finally {
    src.close();
  }
}

const XLF: Record<string, number> = { vmlinuz: 0x7f, "vmlinuz-no5l": 0x5f, "vmlinuz-no5l-noen": 0x1f };

function norm(segs: Seg[]): { mem: string; memsz: string }[] {
  return segs.map((s) => ({ mem: hex(Number(s.mem)), memsz: hex(Number(s.memsz)) }));
}

const toolsVersion = (s: string): string => /(\d+\.\d+\.\d+)/.exec(s)![1]!;

for (const [dir, file] of [
  ["kexec-load", "l4-pc-4G"],
  ["kexec-file", "l4-pc-4G"],
  ["l5-refusal", "refusal-l5-pc-1G"],
] as const) {
  describe(`lab: ${dir}/${file}`, () => {
    const lab = readJson<LabKexec>(sharedFixture("lab", dir, `${file}.json`));
    const log = fs.readFileSync(sharedFixture("lab", dir, `${file}.boot.log`), "utf8");
    const map = memoryMapFromText(log, file);
    const profile = kernelProfile(map.kernelRelease ?? "6.1");
    const tools = kexecToolsProfile(toolsVersion(lab.kexec_tools));
    const img0 = baseImage();

    it("the boot log's crashkernel= reproduces the recorded Crash kernel range", () => {
      const r = simulateCrashkernel({ map, cmdline: map.cmdline!, profile, pagingLevels: lab.paging });
      assert.deepEqual(r.ranges.map((x) => ({ start: hex(x.start), end: hex(x.end), name: x.name })), lab.crashkernel);
      assert.deepEqual(map.crashKernel.map((x) => hex(x.start)), lab.crashkernel.map((x) => x.start));
    });

    for (const [name, t] of Object.entries(lab.trials)) {
      const imageName = name.split(" ")[1] ?? "vmlinuz";
      const image: KexecImage = { ...img0, xloadflags: XLF[imageName] ?? img0.xloadflags };
      const crash = / -p /.test(t.cmd);
      const cmdline = /--append=(.*)$/.exec(t.cmd)![1]!;
      if (name.startsWith("load_")) {
        it(`${name}: kexec_load segments match kexec -d`, () => {
          const r = simulateKexecLoad({ map, image, initrdSize: lab.initrd_size, crash, cmdline, tools });
          assert.equal(r.accepted, true, r.reason);
          if (!crash) {
            const rm = r.segments.find((s) => s.what.startsWith("real_mode"))!;
            assert.equal(hex(rm.bufsz!), (t.kexec_tools_segments.find((s) => s.mem === hex(rm.mem)) as Seg & { bufsz: string }).bufsz);
          }
          assert.deepEqual(norm(r.segments.map((s) => ({ mem: hex(s.mem), memsz: hex(s.memsz) }))), norm(t.kexec_tools_segments));
          const v = jumpVerdicts({ runningPaging: lab.paging, image, kernel: profile, tools, plan: planLoad("kexec_load", tools), attempts: [r] });
          // The target's banner says 6.1: its decompressor switches 5→4 itself (4.17+), XLF_5LEVEL or not.
          const lacks = !(image.xloadflags & 0x20) && lab.paging === 5;
          assert.equal(v.some((x) => x.id === "jump-fails-5level"), false);
          assert.equal(v.some((x) => x.id === "target-switches-paging"), lacks);
        });
      } else {
        it(`${name}: kexec_file_load ${t.rc === 0 ? "accepts and places" : "refuses"}`, () => {
          const r = simulateKexecFile({ map, image, initrdSize: lab.initrd_size, crash, cmdline, profile, runningPaging: lab.paging });
          assert.equal(r.accepted, t.rc === 0, r.reason);
          if (t.rc === 0) {
            assert.deepEqual(norm(r.segments.map((s) => ({ mem: hex(s.mem), memsz: hex(s.memsz) }))), norm(t.kernel_segments));
            const bp = r.segments.find((s) => s.what.startsWith("boot_params"))!;
            const rec = t.kernel_segments.find((s) => s.mem === hex(bp.mem)) as (Seg & { bufsz: string }) | undefined;
            assert.equal(hex(bp.bufsz!), rec?.bufsz, "boot_params bufsz");
          } else {
            assert.ok(t.kernel_placement_lines.includes(r.reason), r.reason);
            const v = jumpVerdicts({ runningPaging: lab.paging, image, kernel: profile, tools, plan: planLoad("kexec_file_load", tools), attempts: [r] });
            assert.ok(v.some((x) => x.id === "refused-5level"));
            // kexec-tools 2.0.25 predates the auto mode: -s fails without a fallback.
            assert.equal(v.some((x) => x.id === "silent-fallback"), false);
          }
        });
      }
    }
  });
}
