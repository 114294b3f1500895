// Builds the folders VS Code opens: the e2e workspace (shared fixtures only) and the demo workspace
// of `npm start` (this machine's kernel and memory map when readable). Everything lands in the ignored
// .cache/: fixtures from ../shared are symlinked (never copied into the repository).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, SHARED } from "./lib.mjs";

const TEMPLATE = path.join(ROOT, "test/e2e/workspace");

export const FIXTURES = {
  vmlinuz: path.join(SHARED, "fixtures/bzimage/vmlinuz-6.1.0-50-amd64"),
  vmcore: path.join(SHARED, "fixtures/vmcore/vmcore-l4-kdump-zlib-d31"),
  bootLog: path.join(SHARED, "fixtures/lab/crashkernel/pc-4G-256M.boot.log"),
  bootLogExpected: path.join(SHARED, "fixtures/lab/crashkernel/pc-4G-256M.json"),
};

function link(target, file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  fs.symlinkSync(target, file);
}

function copyTemplate(ws) {
  fs.cpSync(TEMPLATE, ws, { recursive: true });
}

/**
 * A machine for the doctor ("Check kdump Readiness…"): a plain copy of a Debian machine's /proc, /sys, /etc and
 * /boot, made here. Its kernel is a copy of the fixture image (the doctor re-roots links, so a symlink out of the
 * folder would not resolve), under a name no other step opens. Returns what the UI step expects to see.
 */
export function makeDoctorRoot(dir) {
  const release = "6.1.0-50-cloud-amd64";
  const w = (p, v) => {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), v);
  };
  w("proc/version", `Linux version ${release} (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.123-1 (2025-01-02)\n`);
  w("proc/cmdline", `BOOT_IMAGE=/boot/vmlinuz-${release} root=/dev/vda1 ro quiet crashkernel=256M\n`);
  w("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme de pse tsc msr pae sse sse2\n");
  w("proc/iomem", [
    "00000000-00000fff : Reserved", "00001000-0009fbff : System RAM", "000a0000-000fffff : Reserved",
    "00100000-bffdffff : System RAM", "  01000000-01ffffff : Kernel code", "  af000000-beffffff : Crash kernel",
    "bffe0000-bfffffff : Reserved", "100000000-13fffffff : System RAM", "",
  ].join("\n"));
  w("sys/kernel/kexec_crash_size", `${256 * 1024 * 1024}\n`);
  w("sys/kernel/kexec_crash_loaded", "1\n");
  w("etc/default/kdump-tools", `USE_KDUMP=1\nKDUMP_KERNEL=/boot/vmlinuz-${release}\nKDUMP_INITRD=/boot/initrd.img-${release}\nKDUMP_KEXEC_ARGS="-s"\n`);
  fs.mkdirSync(path.join(dir, "boot"), { recursive: true });
  fs.copyFileSync(FIXTURES.vmlinuz, path.join(dir, "boot", `vmlinuz-${release}`));
  w(`boot/initrd.img-${release}`, new Uint8Array(2 * 1024 * 1024));
  return { captureKernel: `vmlinuz-${release}`, crashRange: ["af000000", "beffffff"] };
}

/** The e2e workspace: the template sources plus symlinks to the shared fixtures. Throws when a fixture is missing. */
export function makeE2eWorkspace(ws) {
  fs.rmSync(ws, { recursive: true, force: true });
  fs.mkdirSync(ws, { recursive: true });
  copyTemplate(ws);
  for (const [k, f] of Object.entries(FIXTURES)) if (!fs.existsSync(f)) throw new Error(`missing shared fixture (${k}): ${f}`);
  link(FIXTURES.vmlinuz, path.join(ws, "vmlinuz-6.1.0-50-amd64"));
  link(FIXTURES.vmcore, path.join(ws, "vmcore-l4-kdump-zlib-d31"));
  link(FIXTURES.bootLog, path.join(ws, "boot-logs/pc-4G-256M.boot.log"));
  const doctor = makeDoctorRoot(path.join(ws, "doctor-root"));
  return {
    workspace: ws,
    files: {
      vmlinuz: "vmlinuz-6.1.0-50-amd64",
      vmcore: "vmcore-l4-kdump-zlib-d31",
      bootLog: "boot-logs/pc-4G-256M.boot.log",
      headerS: "linux/arch/x86/boot/header.S",
      cSample: "samples/probe-5level.c",
      doctorRoot: "doctor-root",
      doctorRootAbs: path.join(ws, "doctor-root"),
    },
    doctor,
  };
}

function readable(f) {
  try { fs.accessSync(f, fs.constants.R_OK); fs.closeSync(fs.openSync(f, "r")); return true; } catch { return false; }
}

/** A synthetic bzImage made by the project's own test support (no kernel binary involved). */
export function syntheticImage(file) {
  const code = `
    import { makeImage } from ${JSON.stringify(path.join(ROOT, "test/support/syntheticImage.ts"))};
    import * as fs from "node:fs";
    import * as zlib from "node:zlib";
    const payload = new Uint8Array(zlib.gzipSync(Buffer.concat([Buffer.from("\\x7fELF"), Buffer.alloc(8192)])));
    fs.writeFileSync(${JSON.stringify(file)}, makeImage({ kernelVersion: "6.1.0-synthetic (kexec-inspector demo)", kernelInfo: true, xloadflags: 0x7f, payload }));`;
  const tsx = path.join(ROOT, "node_modules/.bin/tsx");
  const r = spawnSync(tsx, ["--eval", code], { cwd: ROOT, encoding: "utf8", timeout: 60000 });
  return r.status === 0 && fs.existsSync(file);
}

/**
 * The demo workspace (.cache/demo-workspace): a kernel image (this machine's /boot/vmlinuz-* when readable,
 * else the shared Debian fixture, else a synthetic image), this machine's memory map (/proc/iomem copy),
 * a vmcore and a lab boot log from ../shared when present, and the header.S / C samples.
 * Returns { workspace, notes: string[] } — notes say where each file came from.
 */
export function makeDemoWorkspace(ws) {
  fs.rmSync(ws, { recursive: true, force: true });
  fs.mkdirSync(ws, { recursive: true });
  copyTemplate(ws);
  const notes = [];

  // 1. a kernel image
  let boot = [];
  try { boot = fs.readdirSync("/boot").filter((f) => /^vmlinuz-/.test(f)).sort().reverse(); } catch { /* no /boot */ }
  const mine = boot.map((f) => path.join("/boot", f)).find(readable);
  if (mine) {
    link(mine, path.join(ws, path.basename(mine)));
    notes.push(`${path.basename(mine)}: this machine's kernel (symlink to ${mine})`);
  } else if (fs.existsSync(FIXTURES.vmlinuz)) {
    link(FIXTURES.vmlinuz, path.join(ws, path.basename(FIXTURES.vmlinuz)));
    notes.push(`${path.basename(FIXTURES.vmlinuz)}: Debian 6.1 amd64 kernel from ../shared/fixtures (no readable /boot/vmlinuz-* here)`);
  } else if (syntheticImage(path.join(ws, "vmlinuz-synthetic"))) {
    notes.push("vmlinuz-synthetic: a synthetic bzImage made by the project (no /boot/vmlinuz-* and no shared fixture)");
  } else {
    notes.push("no kernel image: /boot/vmlinuz-* unreadable, ../shared/fixtures absent, synthetic generation failed");
  }

  // 2. this machine's memory map
  try {
    const iomem = fs.readFileSync("/proc/iomem", "utf8");
    fs.writeFileSync(path.join(ws, "this-machine.iomem"), iomem);
    const zeroed = iomem.split("\n").filter(Boolean).every((l) => /^\s*0+-0+ :/.test(l));
    notes.push(zeroed
      ? "this-machine.iomem: copy of /proc/iomem — ADDRESSES ARE ZEROED because it was read without root (run `sudo cat /proc/iomem > this-machine.iomem` for real ones)"
      : "this-machine.iomem: copy of this machine's /proc/iomem");
  } catch (e) {
    notes.push(`no memory map: /proc/iomem unreadable (${e.code ?? e.message})`);
  }

  // 3. a vmcore and a lab boot log
  if (fs.existsSync(FIXTURES.vmcore)) {
    link(FIXTURES.vmcore, path.join(ws, path.basename(FIXTURES.vmcore)));
    notes.push(`${path.basename(FIXTURES.vmcore)}: kdump-compressed (zlib) vmcore of a Debian 6.1 guest, from ../shared/fixtures`);
  } else {
    notes.push("no vmcore: ../shared/fixtures/vmcore is absent");
  }
  if (fs.existsSync(FIXTURES.bootLog)) {
    link(FIXTURES.bootLog, path.join(ws, "boot-logs", path.basename(FIXTURES.bootLog)));
    notes.push(`boot-logs/${path.basename(FIXTURES.bootLog)}: a lab boot with crashkernel=256M (try "Kexec Inspector: Simulate crashkernel Reservation…")`);
  }
  notes.push("linux/arch/x86/boot/header.S: header.S excerpt with a deliberate xloadflags mistake (hover XLF_5LEVEL; see Problems)");
  notes.push("samples/probe-5level.c: the 5-level check of bzImage64_probe() (hover XLF_5LEVEL)");

  fs.writeFileSync(path.join(ws, "README-demo.md"),
    "# Kexec Inspector demo workspace\n\nMade by `npm start` in .cache/demo-workspace (rebuilt on every start; do not keep work here).\n\n" +
    notes.map((n) => `- ${n}`).join("\n") + "\n");
  return { workspace: ws, notes };
}
