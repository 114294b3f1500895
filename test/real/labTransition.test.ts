/**
 * The two real 5→4-level kexec boots of ../shared/fixtures/lab-transition: Debian 6.12.117
 * running 5-level (so with _PAGE_NOPTISHADOW, d0ceea662d45 backported in 6.12.5) kexec_loads a
 * 4-level-only target (xloadflags 0x23). The target with eb2266312507 boots; without it, it
 * triple-faults. The verdict reads the running kernel's banner and the target's.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import type { KexecImage } from "../../extension/core/kexec/kexecImage";
import { readTargetImage } from "../../extension/core/scenario/targetImage";
import { memoryMapFromText } from "../../extension/core/kexec/readMemoryMap";
import { simulate } from "../../extension/core/scenario/simulate";
import { readJson, sharedFixture } from "../fixtures";

interface TransitionCase {
  source: { uname: string; paging: number | null };
  target: { xloadflags: string; setup_header_kernel_version: string };
  kexec_tools: string;
  result: string;
  triple_fault_logged?: boolean;
  target_banner_seen: boolean;
}

/** The target as the CLI and the panel read it (scenario/targetImage.ts). */
const image = (name: string): KexecImage => readTargetImage(sharedFixture("lab-transition", name)).image;

for (const which of ["fixed", "unfixed"] as const) {
  describe(`lab-transition: 6.12.117 (5-level) → tgt-${which}`, () => {
    const base = `deb6.12.117-l5-tgt-${which}-load`;
    const lab = readJson<TransitionCase>(sharedFixture("lab-transition", `${base}.json`));
    const serial = fs.readFileSync(sharedFixture("lab-transition", `${base}.serial.log`), "utf8");
    // The source's own boot, up to the jump (after it, the target prints its own e820 table).
    const sourceBoot = serial.slice(0, serial.indexOf("kexec_core: Starting new kernel"));
    const map = memoryMapFromText(sourceBoot, `${base}.serial.log`);
    const banner = /Linux version (.*)/.exec(sourceBoot)![1]!;
    const tgt = image(`tgt-${which}`);

    it("the image is what the lab recorded", () => {
      assert.equal("0x" + tgt.xloadflags.toString(16), lab.target.xloadflags);
      assert.equal(tgt.kernelVersion, lab.target.setup_header_kernel_version);
      assert.equal(lab.target_banner_seen, which === "fixed");
    });

    it(which === "fixed" ? "the target carries the fix by release: no transition verdict, as the boot showed" : "a target released before the fix (6.12.62) gets the triple-fault verdict the boot showed", () => {
      // tgt-unfixed is the 6.12.117 tree with the fix reverted: it stands for a release before it.
      const target = which === "fixed" ? tgt : { ...tgt, kernelVersion: "6.12.62 (root@vm) #1 SMP" };
      const r = simulate({ map, image: target, kernel: "6.12.117+deb12-amd64", runningBanner: banner, kexecTools: "2.0.25", iface: "auto", crash: false, runningPaging: 5, append: "console=ttyS0 earlyprintk=serial,ttyS0" });
      assert.equal(r.load!.final.interface, "kexec_load");
      assert.equal(r.load!.final.accepted, true);
      const ids = r.verdicts.map((v) => v.id);
      if (which === "fixed") {
        assert.match(lab.result, /target booted/);
        assert.deepEqual(ids, ["ok"]);
      } else {
        assert.match(lab.result, /triple fault/);
        assert.deepEqual(ids, ["transition-5to4-fault"]);
        assert.match(r.verdicts[0]!.message, /Starting new kernel/);
      }
    });
  });
}

describe("lab-7.2 trap-2.0.32: the silent fallback into a 7.2 target without XLF_5LEVEL (real boot)", () => {
  interface TrapCase { paging: string; target_booted: string | boolean; target_paging_observed: string | number; images: Record<string, string> | string }
  const dir = sharedFixture("lab-7.2", "trap-2.0.32");
  const lab = readJson<TrapCase>(`${dir}/trap-l5-pc-1G.json`);
  const log = fs.readFileSync(`${dir}/trap-l5-pc-1G.boot.log`, "utf8");
  const map = memoryMapFromText(log, "trap-l5-pc-1G.boot.log");
  // The lab's /vmlinuz-no5l: the 7.2.13 image with XLF_5LEVEL cleared (0x5f: XLF_5LEVEL_ENABLED kept).
  const target = { ...readTargetImage(sharedFixture("bzimage", "vmlinuz-7.2.13+deb14-amd64")).image, xloadflags: 0x5f };

  it("kexec_file_load refuses, kexec_load loads, and the target keeps 5-level paging: a warning, not a fault", () => {
    assert.equal(String(lab.target_booted).toLowerCase(), "true");
    assert.equal(String(lab.target_paging_observed), "5");
    const r = simulate({ map, image: target, kernel: "7.2", runningBanner: /Linux version (.*)/.exec(log)![1]!, kexecTools: "2.0.32", iface: "auto", crash: false, runningPaging: 5 });
    assert.deepEqual(r.load!.attempts.map((a) => [a.interface, a.accepted, a.errno]), [["kexec_file_load", false, "ENOEXEC"], ["kexec_load", true, null]]);
    const v = Object.fromEntries(r.verdicts.map((x) => [x.id, x]));
    assert.equal(v["refused-5level"]?.severity, "error");
    assert.equal(v["silent-fallback"]?.severity, "warning");
    assert.match(v["silent-fallback"]!.message, /keeps 5-level paging/);
    assert.ok(!r.verdicts.some((x) => x.id.startsWith("transition-") || x.id === "jump-fails-5level"), r.verdicts.map((x) => x.id).join(", "));
  });
});
