/** Failure-message knowledge: every pattern the issue names (and the extras) is explained. */
import * as assert from "node:assert/strict";
import { explainFailure, FAILURE_PATTERNS } from "../../extension/core/kexec/explainFailure";
import { readJson, sharedFixture } from "../fixtures";

const CASES: [string, string, RegExp][] = [
  ["kexec-bzImage64: bzImage cannot handle 5-level paging mode.", "kexec-file-5level", /XLF_5LEVEL/],
  ["kexec-bzImage64: Not a bzImage64. XLF_KERNEL_64 is not set.", "not-bzimage64", /32-bit/],
  ["kexec-bzImage64: XLF_CAN_BE_LOADED_ABOVE_4G is not set.", "not-above-4g", /RELOCATABLE/],
  ["locate_hole failed", "locate-hole-failed", /Crash kernel range/],
  ["Could not find a free area of memory of 0x3f97000 bytes...", "could-not-find-free-area", /0x3f97000 byte \(63\.6 MiB\)/],
  ["crashkernel reservation failed - No suitable area found.", "crashkernel-no-suitable-area", /16 MiB-aligned/],
  ["crashkernel reservation failed - memory is in use.", "crashkernel-in-use", /fixed base/],
  ["crashkernel reservation failed - something new", "crashkernel-reservation-failed", /something new/],
  ["cannot allocate crashkernel (size:0x80000000)", "crashkernel-cannot-allocate", /0x80000000 byte \(2048\.0 MiB\)/],
  ["Cannot reserve 256MB crashkernel low memory, please try smaller size.", "crashkernel-low-failed", /low area/],
  ["crashkernel: unrecognized char: Q", "crashkernel-syntax", /unrecognized char: Q/],
  ["crahskernel: Memory value expected after '@'", "crashkernel-syntax", /after '@'/],
  ["syscall kexec_file_load not available.", "kexec-file-not-available", /for any reason/],
  ["kexec_file_load failed: Exec format error", "kexec-file-failed", /ENOEXEC/],
  ["Memory for crashkernel is not reserved", "crash-not-reserved", /reserved nothing/],
  ["Kernel command line too long for kernel!", "cmdline-too-long", /cmdline_size/],
  ["Lockdown: kexec: kexec of unsigned images is restricted; see man kernel_lockdown.7", "lockdown", /locked down/],
  ["Cannot determine the file type of /boot/initrd.img", "unknown-file-type", /initrd\.img/],
  ["kexec_load: entry = 0x3ffd7690 flags = 0x3e0000", "kexec-load-after-refusal", /called kexec_load/],
  ["kexec_load failed: Operation not permitted", "kexec-load-eperm", /locked down/],
  ["kexec-bzImage64: Appending elfcorehdr=<addr> to command line exceeds maximum allowed length", "cmdline-no-room-elfcorehdr", /30 bytes/],
];

describe("explainFailure", () => {
  for (const [line, id, cause] of CASES) {
    it(`${id}: ${line.slice(0, 60)}`, () => {
      const r = explainFailure(`[   12.345678] ${line}`);
      assert.equal(r.length, 1, JSON.stringify(r.map((x) => x.id)));
      const e = r[0]!;
      assert.equal(e.id, id);
      assert.match(e.cause, cause);
      assert.ok(e.check.length > 0 && e.fix.length > 0 && e.rule && e.source, "cause, check, fix, rule and source");
      assert.equal(e.line, 1);
    });
  }

  it("covers every pattern in the table", () => {
    const ids = new Set(CASES.map((c) => c[1]));
    for (const p of FAILURE_PATTERNS) assert.ok(ids.has(p.id), `no test for ${p.id}`);
  });

  it("reads the lab's 5-level refusal as one failure: stderr + kmsg", () => {
    interface Run { stderr: string; kmsg: string }
    const lab = readJson<{ runs?: Record<string, Run> } & Record<string, unknown>>(sharedFixture("lab", "l5-refusal", "refusal-l5-pc-1G.json"));
    const runs = JSON.stringify(lab);
    assert.ok(runs.includes("syscall kexec_file_load not available."));
    const text = "syscall kexec_file_load not available.\n[   37.596301] kexec-bzImage64: bzImage cannot handle 5-level paging mode.";
    const r = explainFailure(text);
    assert.deepEqual(r.map((e) => e.id), ["kexec-file-not-available", "kexec-file-5level"]);
    assert.match(r[0]!.cause, /not a missing syscall/);
    assert.equal(r[1]!.line, 2);
    assert.deepEqual(r[1]!.simulate, { focus: "kexec", paging: 5, iface: "kexec_file_load" });
  });

  it("reads kexec-tools 2.0.32 (lab-7.2 trap-2.0.32): -s alone, and the default mode's silent fallback", () => {
    interface Trial { stderr: string; kmsg: string; rc: number }
    const lab = readJson<{ trials: Record<string, Trial> }>(sharedFixture("lab-7.2", "trap-2.0.32", "trap-l5-pc-1G.json"));
    const s = lab.trials["file_l vmlinuz-no5l"]!;
    assert.equal(s.rc, 253);
    const sOnly = explainFailure(`${s.stderr}\n${s.kmsg}`);
    assert.deepEqual(sOnly.map((e) => e.id), ["kexec-file-not-available", "kexec-file-5level"]);
    assert.match(sOnly[0]!.cause, /not a missing syscall/);
    const auto = lab.trials["auto_l vmlinuz-no5l"]!;
    assert.equal(auto.rc, 0);
    assert.ok(!auto.stderr.includes("not available"), "the fallback prints nothing of its own");
    const fb = explainFailure(`${auto.kmsg}\n${auto.stderr}`);
    assert.deepEqual(fb.map((e) => e.id), ["kexec-file-5level", "kexec-load-after-refusal"]);
    assert.match(fb[1]!.cause, /without printing anything/);
    assert.equal(fb[1]!.simulate?.kexecTools, "2.0.32");
  });

  it("reports a pattern once and ignores unknown lines", () => {
    assert.deepEqual(explainFailure("hello\nlocate_hole failed\nlocate_hole failed\n"), explainFailure("locate_hole failed").map((e) => ({ ...e, line: 2 })));
    assert.deepEqual(explainFailure("all good\n"), []);
  });
});
