/**
 * `dmesg` follows the machine's makedumpfile: 1.7.2's layout by default, the caller column of
 * 1.7.5+ (makedumpfile commit 48bb1e0) when the installed makedumpfile is that new, or --format.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UsageError } from "../../extension/cli/args";
import { dmesgCommand, dmesgFormatFor, machineMakedumpfileVersion } from "../../extension/cli/commands/dmesg";
import { sharedFixture } from "../fixtures";

/** A stand-in makedumpfile that answers `-v` like the real one does. */
function fakeMakedumpfile(version: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kxi-mdf-"));
  const bin = path.join(dir, "makedumpfile");
  fs.writeFileSync(bin, `#!/bin/sh\necho "makedumpfile: version ${version} (released on 20 Oct 2022)"\n`, { mode: 0o755 });
  return bin;
}

async function run(argv: string[], env?: string): Promise<{ code: number; out: string; err: string }> {
  const old = process.env.KEXEC_INSPECTOR_MAKEDUMPFILE;
  if (env !== undefined) process.env.KEXEC_INSPECTOR_MAKEDUMPFILE = env;
  let out = "";
  let err = "";
  try {
    const code = await dmesgCommand.run(argv, { out: (t) => (out += t), err: (t) => (err += t + "\n") });
    return { code, out, err };
  } finally {
    if (old === undefined) delete process.env.KEXEC_INSPECTOR_MAKEDUMPFILE;
    else process.env.KEXEC_INSPECTOR_MAKEDUMPFILE = old;
  }
}

describe("dmesg: which makedumpfile layout", () => {
  const dump = sharedFixture("vmcore", "vmcore-l4-kdump-zlib-d31");
  const want = fs.readFileSync(`${dump}.makedumpfile-dmesg.txt`, "latin1");

  it("1.7.5 and later print the caller column; older and absent makedumpfile do not", () => {
    assert.equal(dmesgFormatFor("1.7.2"), "1.7.2");
    assert.equal(dmesgFormatFor("1.7.4"), "1.7.2");
    assert.equal(dmesgFormatFor("1.7.5"), "1.7.5");
    assert.equal(dmesgFormatFor("1.7.9"), "1.7.5");
    assert.equal(dmesgFormatFor(null), "1.7.2");
  });
  it("reads the version the way makedumpfile prints it (-v)", () => {
    const old = process.env.KEXEC_INSPECTOR_MAKEDUMPFILE;
    process.env.KEXEC_INSPECTOR_MAKEDUMPFILE = fakeMakedumpfile("1.7.9");
    try {
      assert.equal(machineMakedumpfileVersion(), "1.7.9");
      process.env.KEXEC_INSPECTOR_MAKEDUMPFILE = path.join(os.tmpdir(), "no-such-makedumpfile-here");
      assert.equal(machineMakedumpfileVersion(), null);
    } finally {
      if (old === undefined) delete process.env.KEXEC_INSPECTOR_MAKEDUMPFILE;
      else process.env.KEXEC_INSPECTOR_MAKEDUMPFILE = old;
    }
  });
  it("the default is byte-identical to makedumpfile 1.7.2 on a 1.7.2 machine, silently", async () => {
    const r = await run([dump], fakeMakedumpfile("1.7.2"));
    assert.equal(r.code, 0);
    assert.equal(r.out, want);
    assert.equal(r.err, "");
  });
  it("on a ≥ 1.7.5 machine the default follows it and says so on stderr", async () => {
    const r = await run([dump], fakeMakedumpfile("1.7.9"));
    assert.equal(r.code, 0);
    assert.match(r.err, /makedumpfile 1\.7\.9 .*caller ids/);
    // The 6.1 ring buffer records printk_info.caller_id: every record gets "[      T<pid>] " / "[      C<cpu>] ".
    const first = r.out.split("\n")[0]!;
    assert.match(first, /^\[\s*\d+\.\d{6}\] \[\s*[TC]\d+\] Linux version /);
    // Without the column (and its indent on continuation lines) it is the 1.7.2 text.
    const strip = r.out.replace(/^(\[\s*\d+\.\d{6}\] )\[ *[TC]\d+\] /gm, "$1").replace(/^ {26}/gm, " ".repeat(15));
    assert.equal(strip, want);
  });
  it("--format 1.7.2 wins over the machine; bad values are usage errors", async () => {
    const r = await run([dump, "--format", "1.7.2"], fakeMakedumpfile("1.7.9"));
    assert.equal(r.err, "");
    assert.equal(r.out, want);
    await assert.rejects(run([dump, "--format", "2.0"]), UsageError);
    await assert.rejects(run([dump, "--format", "1.7.2", "--caller"]), UsageError);
  });
});
