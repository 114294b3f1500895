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
import { kernelConfigFromText } from "../../extension/core/kexec/kernelConfig";
import { hex } from "../../extension/core/kexec/ranges";

interface Seg {
  mem: string;
  memsz: string;
  bufsz?: string;
}
interface Trial {
  cmd: string;
  rc: number;
  kexec_tools_segments?: Seg[];
  kernel_segments?: Seg[];
  kernel_placement_lines?: string[];
  kexec_tools_placement_lines?: string[];
  stderr?: string;
}
interface LabKexec {
  case: string;
  paging: 4 | 5;
  kexec_tools: string;
  initrd_size?: number;
  crashkernel: { start: string; end: string; name: string }[];
  trials: Record<string, Trial>;
}

/** Each lab: the kernel it booted (--kernel), its image and .config in ../shared/fixtures. */
const LABS = [
  { dir: "lab", kernel: "6.1", image: "vmlinuz-6.1.0-50-amd64", config: "config-6.1.0-50-amd64", cases: [["kexec-load", "l4-pc-4G"], ["kexec-file", "l4-pc-4G"], ["l5-refusal", "refusal-l5-pc-1G"]] },
  { dir: "lab-6.12", kernel: "6.12", image: "vmlinuz-6.12.117+deb12-amd64", config: "config-6.12.117+deb12-amd64", cases: [["kexec-load", "l4-pc-4G"], ["kexec-file", "l4-pc-4G"], ["l5-refusal", "refusal-l5-pc-1G"]] },
  { dir: "lab-7.2", kernel: "7.2", image: "vmlinuz-7.2.13+deb14-amd64", config: "config-7.2.13+deb14-amd64", cases: [["kexec-load", "l4-pc-4G"], ["kexec-file", "l4-pc-4G"], ["trap-2.0.32", "trap-l5-pc-1G"]] },
] as const;

/** The lab's target image, read by our own bzImage parser (the same path as the CLI's --image). */
function readImage(name: string): KexecImage {
  const src = openFile(sharedFixture("bzimage", name));
  try {
    const img = parseBzImage(src);
    return kexecImageFromSetupHeader(img.setupHeader, img.fileSize, name, img.kernelVersion ?? undefined);
  } finally {
    src.close();
  }
}

const XLF: Record<string, number> = { vmlinuz: 0x7f, "vmlinuz-no5l": 0x5f, "vmlinuz-no5l-noen": 0x1f };

function norm(segs: readonly Seg[]): { mem: string; memsz: string }[] {
  return segs.map((s) => ({ mem: hex(Number(s.mem)), memsz: hex(Number(s.memsz)) }));
}
const sorted = (segs: { mem: string; memsz: string }[]): { mem: string; memsz: string }[] => [...segs].sort((a, b) => Number(a.mem) - Number(b.mem));

const toolsVersion = (s: string): string => /(\d+\.\d+\.\d+)/.exec(s)![1]!;

/** The command line a trial passed: --append=… for kexec, the third argument of kexec-file-dbg. */
function trialCmdline(cmd: string): string {
  const a = /--append=(.*)$/.exec(cmd);
  if (a) return a[1]!;
  const d = /kexec-file-dbg (?:-p )?\S+ \S+ (.*)$/.exec(cmd);
  assert.ok(d, cmd);
  return d[1]!.trim();
}

/** The initrd size: recorded, or from kexec -d's "Loaded initrd at … size 0x…" line. */
function initrdSize(lab: LabKexec): number {
  if (lab.initrd_size) return lab.initrd_size;
  for (const t of Object.values(lab.trials)) {
    for (const l of t.kexec_tools_placement_lines ?? []) {
      const m = /Loaded initrd at 0x[0-9a-f]+ size (0x[0-9a-f]+)/.exec(l);
      if (m) return Number(m[1]);
    }
  }
  throw new Error(`${lab.case}: no initrd size`);
}

for (const L of LABS) {
  const img0 = readImage(L.image);
  const config = kernelConfigFromText(fs.readFileSync(sharedFixture("kconfig", L.config), "utf8"), L.config);
  for (const [dir, file] of L.cases) {
    describe(`${L.dir}: ${dir}/${file} (--kernel ${L.kernel})`, () => {
      const lab = readJson<LabKexec>(sharedFixture(L.dir, dir, `${file}.json`));
      const log = fs.readFileSync(sharedFixture(L.dir, dir, `${file}.boot.log`), "utf8");
      const map = memoryMapFromText(log, file);
      const profile = kernelProfile(L.kernel);
      const tools = kexecToolsProfile(toolsVersion(lab.kexec_tools));
      const initrd = initrdSize(lab);

      it("the boot log's crashkernel= reproduces the recorded Crash kernel range", () => {
        const r = simulateCrashkernel({ map, cmdline: map.cmdline!, profile, pagingLevels: lab.paging });
        assert.deepEqual(r.ranges.map((x) => ({ start: hex(x.start), end: hex(x.end), name: x.name })), lab.crashkernel);
        assert.deepEqual(map.crashKernel.map((x) => hex(x.start)), lab.crashkernel.map((x) => x.start));
      });

      for (const [name, t] of Object.entries(lab.trials)) {
        const imageName = name.split(" ")[1] ?? "vmlinuz";
        const image: KexecImage = { ...img0, xloadflags: XLF[imageName] ?? img0.xloadflags };
        const crash = / -p /.test(t.cmd);
        const cmdline = trialCmdline(t.cmd);
        const kt = t.kexec_tools_segments ?? [];
        const ks = t.kernel_segments ?? [];
        const checkLoad = (): void => {
          const r = simulateKexecLoad({ map, image, initrdSize: initrd, crash, cmdline, tools });
          assert.equal(r.accepted, true, r.reason);
          const rm = r.segments.find((s) => s.what.startsWith("real_mode"))!;
          assert.equal(hex(rm.bufsz!), kt.find((s) => s.mem === hex(rm.mem))?.bufsz, "real_mode bufsz");
          assert.deepEqual(norm(r.segments.map((s) => ({ mem: hex(s.mem), memsz: hex(s.memsz) }))), norm(kt));
          const v = jumpVerdicts({ runningPaging: lab.paging, image, kernel: profile, tools, plan: planLoad("kexec_load", tools), attempts: [r] });
          // The target's banner says 6.x: its decompressor switches 5→4 itself (4.17+), XLF_5LEVEL or not.
          const lacks = !(image.xloadflags & 0x20) && lab.paging === 5;
          assert.equal(v.some((x) => x.id === "jump-fails-5level"), false);
          assert.equal(v.some((x) => x.id === "target-switches-paging"), lacks);
        };
        const checkFile = (): ReturnType<typeof simulateKexecFile> => {
          const r = simulateKexecFile({ map, image, initrdSize: initrd, crash, cmdline, profile, runningPaging: lab.paging, config });
          return r;
        };
        if (name.startsWith("load_")) {
          it(`${name}: kexec_load segments match kexec -d`, checkLoad);
        } else if (name.startsWith("auto_")) {
          // kexec-tools ≥ 2.0.27 default mode: kexec_file_load first, kexec_load after a refusal.
          it(`${name}: default mode ${ks.length ? "loads through kexec_file_load" : "falls back to kexec_load"}`, () => {
            assert.equal(tools.autoFileThenLoad, true);
            const f = checkFile();
            assert.equal(f.accepted, ks.length > 0, f.reason);
            if (f.accepted) assert.deepEqual(norm(f.segments.map((s) => ({ mem: hex(s.mem), memsz: hex(s.memsz) }))), norm(ks));
            else {
              assert.ok(t.kernel_placement_lines?.includes(f.reason), f.reason);
              assert.equal(tools.fallbackSilently, true, "the fallback prints nothing");
              checkLoad();
            }
          });
        } else {
          it(`${name}: kexec_file_load ${t.rc === 0 ? "accepts" : "refuses"}${ks.length ? " and places each segment where the kernel printed it" : ""}`, () => {
            const r = checkFile();
            assert.equal(r.accepted, t.rc === 0, r.reason);
            if (t.rc === 0 && ks.length) {
              assert.deepEqual(sorted(norm(r.segments.map((s) => ({ mem: hex(s.mem), memsz: hex(s.memsz) })))), sorted(norm(ks)));
              const bp = r.segments.find((s) => s.what.startsWith("boot_params"))!;
              assert.equal(hex(bp.bufsz!), ks.find((s) => s.mem === hex(bp.mem))?.bufsz, "boot_params bufsz");
              if (crash) {
                const eh = r.segments.find((s) => s.what === "elfcorehdr")!;
                assert.equal(hex(eh.bufsz!), ks.find((s) => s.mem === hex(eh.mem))?.bufsz, "elfcorehdr bufsz");
              }
            } else if (t.rc !== 0) {
              assert.ok((t.kernel_placement_lines ?? []).includes(r.reason) || (t.stderr ?? "").length >= 0, r.reason);
              const v = jumpVerdicts({ runningPaging: lab.paging, image, kernel: profile, tools, plan: planLoad("kexec_file_load", tools), attempts: [r] });
              assert.ok(v.some((x) => x.id === "refused-5level"));
              // With -s there is no fallback, whatever the kexec-tools version.
              if (/ -s /.test(t.cmd)) {
                assert.equal(tools.sOnlyMessage, (t.stderr ?? "").trim().split("\n").pop());
                assert.equal(t.rc, tools.sOnlyExitStatus);
              }
            }
          });
        }
      }
    });
  }
}
