/** Every input the fuzz harness found failing (test/support/regressionInputs.ts), asserted fixed. */
import { memoryMapFromIomem } from "../../extension/core/kexec/iomem";
import { memoryMapFromBootLog } from "../../extension/core/kexec/bootLog";
import assert from "node:assert/strict";
import { assertNearLinear } from "../support/scaling";
import { parseCrashkernel } from "../../extension/core/kexec/crashkernelSyntax";
import { kernelProfile } from "../../extension/core/kexec/kernelProfiles";
import { MemoryByteSource } from "../../extension/core/io/byteSource";
import { FormatError } from "../../extension/core/io/formatError";
import { openVmcore } from "../../extension/core/formats/vmcore/vmcore";
import { analyseSource } from "../../extension/core/source/index";
import { decompressPayload, detectPayload, initialOutputSize } from "../../extension/core/formats/bzimage/payload";
import { bootparamHugeShift, bootparamManyElse, payloadWithLyingSize, vmcoreWithBadPrintkValues } from "../support/regressionInputs";

function onlyFormatError(fn: () => unknown): FormatError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof FormatError, `expected FormatError, got ${e instanceof Error ? e.stack : String(e)}`);
    return e;
  }
}

describe("fuzz regressions", () => {
  for (const variant of ["size", "offset", "symbol", "logbuf"] as const) {
    it(`printk: unparsable VMCOREINFO ${variant} value is a FormatError naming the key`, () => {
      const v = openVmcore(new MemoryByteSource(vmcoreWithBadPrintkValues(variant), `bad-${variant}`));
      const e = onlyFormatError(() => v.dmesg());
      assert.ok(e, "dmesg must refuse");
      assert.match(e.message, /VMCOREINFO|SYMBOL|SIZE|OFFSET/);
    });
  }

  it("source: a C shift by 2^32 in bootparam.h does not exhaust BigInt", () => {
    const r = analyseSource("arch/x86/include/uapi/asm/bootparam.h", bootparamHugeShift());
    assert.equal(r.kind, "bootparam.h");
  });

  it("source: thousands of #else lines and deep #if nesting stay linear and shallow", () => {
    const r = analyseSource("arch/x86/include/uapi/asm/bootparam.h", bootparamManyElse(8192));
    assert.equal(r.kind, "bootparam.h");
    assertNearLinear("#else lines", (n) => analyseSource("arch/x86/include/uapi/asm/bootparam.h", bootparamManyElse(n)), 1024);
  });

  it("payload: a lying appended size does not size the first output allocation", async () => {
    const p = payloadWithLyingSize();
    const src = new MemoryByteSource(p.bytes, "lying-size");
    const info = detectPayload(src, p.offset, p.length);
    assert.equal(info.compression, "gzip");
    assert.equal(info.appendedSize, 0xffffffff);
    assert.ok(initialOutputSize(info) <= p.length * 32 + (1 << 20));
    // gzip checks ISIZE against the output: the lie is reported, as a FormatError.
    await decompressPayload(src, info, { maxBytes: 1 << 30 }).then(
      (out) => assert.deepEqual(out, p.plain),
      (e: unknown) => assert.ok(e instanceof FormatError, String(e)),
    );
    // And a real large output still grows past the guess.
    assert.equal(initialOutputSize({ appendedSize: 40 << 20, length: 8 << 20 }), 40 << 20);
  });

  it("simulator maps: inverted kernel image ranges (fuzz seed 1 cases 1727, 15787) leave a note, not a TypeError", () => {
    const iomem = ["00000000-0009ffff : System RAM", "00100000-bfffffff : System RAM", "  02000000-01ffffff : Kernel code"].join("\n");
    const m = memoryMapFromIomem(iomem, "inverted.iomem");
    assert.equal(m.reserved.filter((r) => r.what === "kernel image").length, 0);
    assert.ok(m.notes.some((n) => /no valid range/.test(n)));
    const log = ["BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable", "BIOS-e820: [mem 0x0000000000100000-0x00000000bffdffff] usable", "  01000000-00ffffff : Kernel code"].join("\n");
    const b = memoryMapFromBootLog(log, "inverted.boot.log");
    assert.equal(b.reserved.filter((r) => r.what === "kernel image").length, 0);
  });
});

describe("cost regressions, as size scaling (no wall-clock budget)", () => {
  it("crashkernel= over a long command line full of near-misses stays linear (fuzz seed 1 case 322819)", () => {
    const profile = kernelProfile("6.1");
    const cmdline = (n: number): string => "crashkernel=" + "256M,hig ".repeat(n) + "crashkernel=128M";
    assertNearLinear("crashkernel parse", (n) => parseCrashkernel(cmdline(n), 4 * 2 ** 30, profile, 256 * 2 ** 20), 1000);
  });
});
