/**
 * The doctor over synthetic roots made here (one per distro and report layout, one per failing
 * judgement), the bounded reader's safety rules, and this machine for real.
 */
import { rootWriter, type RootFile } from "../support/machineRoot";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../../extension/cli/main";
import { doctorExitCode, doctorMarkdown, runDoctor, type DoctorReport } from "../../extension/core/scenario/doctor/index";
import { RootFs } from "../../extension/core/scenario/doctor/rootFs";
import { parseBootListing, upstreamVersion } from "../../extension/core/scenario/doctor/facts";
import { supportconfigSections, sosCommandFile } from "../../extension/core/scenario/doctor/layouts";
import { parseKexecCommand, readKdumpConfig } from "../../extension/core/scenario/doctor/kdumpConfig";
import { distroFigure } from "../../extension/core/scenario/doctor/checks";
import { makeImage } from "../support/syntheticImage";

const MiB = 1024 * 1024;
const roots: string[] = [];

/** A root directory made of `files` (path → text, bytes, {size} for a sparse file, or {link}). */
function mkroot(files: Record<string, RootFile>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kxi-doctor-"));
  roots.push(dir);
  const w = rootWriter(dir);
  for (const [p, v] of Object.entries(files)) w(p, v);
  return dir;
}

after(() => {
  for (const d of roots) fs.rmSync(d, { recursive: true, force: true });
});

const check = (r: DoctorReport, id: string) => {
  const c = r.checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id} in ${r.checks.map((x) => x.id).join(", ")}`);
  return c;
};

const cpuinfo = (la57: boolean): string => `processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme de pse tsc msr pae${la57 ? " la57" : ""} sse sse2\n\nprocessor\t: 1\nflags\t\t: fpu vme de pse tsc msr pae${la57 ? " la57" : ""} sse sse2\n`;

/** /proc/iomem as root shows it: RAM below and above 4 GiB, crash region(s) nested in RAM. */
function iomem(crash: [number, number][] = []): string {
  const lines = ["00000000-00000fff : Reserved", "00001000-0009fbff : System RAM", "000a0000-000fffff : Reserved", "00100000-bffdffff : System RAM"];
  lines.push("  01000000-01ffffff : Kernel code");
  for (const [s, e] of crash.filter(([s]) => s < 0xc0000000)) lines.push(`  ${s.toString(16).padStart(8, "0")}-${e.toString(16).padStart(8, "0")} : Crash kernel`);
  lines.push("bffe0000-bfffffff : Reserved", "100000000-23fffffff : System RAM");
  for (const [s, e] of crash.filter(([s]) => s >= 0xc0000000)) lines.push(`  ${s.toString(16)}-${e.toString(16)} : Crash kernel`);
  return lines.join("\n") + "\n";
}

const DEB_BANNER = "Linux version 6.1.0-50-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.123-1 (2025-01-02)\n";

function debianRoot(over: Record<string, string | Uint8Array | { size: number } | { link: string }> = {}): string {
  return mkroot({
    "proc/version": DEB_BANNER,
    "proc/cmdline": "BOOT_IMAGE=/boot/vmlinuz-6.1.0-50-amd64 root=/dev/sda1 ro quiet crashkernel=256M\n",
    "proc/cpuinfo": cpuinfo(false),
    "proc/iomem": iomem([[0xa2000000, 0xb1ffffff]]),
    "sys/kernel/kexec_crash_size": "268435456\n",
    "sys/kernel/kexec_crash_loaded": "1\n",
    "sys/kernel/kexec_loaded": "0\n",
    "sys/kernel/security/lockdown": "[none] integrity confidentiality\n",
    "boot/vmlinuz-6.1.0-50-amd64": makeImage({ kernelVersion: "6.1.0-50-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.123-1" }),
    "boot/initrd.img-6.1.0-50-amd64": { size: 30 * MiB },
    "boot/config-6.1.0-50-amd64": "CONFIG_X86_5LEVEL=y\nCONFIG_KEXEC=y\nCONFIG_KEXEC_FILE=y\nCONFIG_CRASH_DUMP=y\nCONFIG_PROC_VMCORE=y\n",
    "etc/default/kdump-tools": 'USE_KDUMP=1\nKDUMP_KERNEL=/var/lib/kdump/vmlinuz\nKDUMP_INITRD=/var/lib/kdump/initrd.img\nKDUMP_COREDIR="/var/crash"\nKDUMP_CMDLINE_APPEND="reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll nousb"\nKDUMP_KEXEC_ARGS="-s"\n',
    // Absolute links, as kdump-config makes them: resolved inside the root, never on this machine.
    "var/lib/kdump/vmlinuz": { link: "/boot/vmlinuz-6.1.0-50-amd64" },
    "var/lib/kdump/initrd.img": { link: "/boot/initrd.img-6.1.0-50-amd64" },
    ...over,
  });
}

describe("doctor: kdump readiness from a root", () => {
  it("Debian kdump-tools copy: everything ready, the build's upstream version, capture kernel through absolute links", async () => {
    const r = await runDoctor(debianRoot());
    assert.equal(r.layout, "copy");
    assert.deepEqual([r.kernel.release, r.kernel.version], ["6.1.0-50-amd64", "6.1.123"]);
    assert.equal(r.paging.levels, 4);
    assert.equal(r.paging.confidence, "observed");
    assert.deepEqual(r.reservation.ranges.map((x) => [x.start, x.end]), [["0xa2000000", "0xb1ffffff"]]);
    assert.equal(r.reservation.size, 256 * MiB);
    assert.equal(r.kdump?.tool, "kdump-tools");
    assert.equal(r.kdump?.kernel, "/var/lib/kdump/vmlinuz");
    assert.equal(r.kdump?.initrdSize, 30 * MiB);
    assert.deepEqual(r.kdump?.kexecArgs, ["-s"]);
    assert.equal(r.rules.mode, "file");
    // Nothing under a root is executed: no kexec --version, the version is unknown without a package list.
    assert.equal(r.kexecTools.version, null);
    assert.match(r.kexecTools.how, /never executed under --root/);
    for (const id of ["crashkernel-param", "reservation", "reservation-placement", "kdump-service", "capture-config", "capture-loaded", "capture-jump"]) assert.equal(check(r, id).status, "pass", id);
    const size = check(r, "reservation-size");
    assert.equal(size.status, "pass");
    // 32 MiB init_size + 3 × 30 MiB initrd + 16 MiB runtime.
    assert.match(size.detail, /= 138 MiB/);
    assert.match(size.source, /kdumpctl/);
    assert.equal(check(r, "kexec-target:vmlinuz-6.1.0-50-amd64").status, "pass");
    assert.equal(doctorExitCode(r), 0);
    for (const c of r.checks) assert.ok(c.source.length > 0 && c.title.length > 0, c.id);
  });

  it("Fedora kdump-utils: a capture kernel without XLF_5LEVEL under 5-level paging is refused by kexec_file_load (-s); nothing loaded", async () => {
    const rel = "6.11.4-301.fc41.x86_64";
    const dir = mkroot({
      "proc/version": `Linux version ${rel} (mockbuild@fedoraproject.org) (gcc (GCC) 14.2.1) #1 SMP PREEMPT_DYNAMIC Thu Oct 10 12:00:00 UTC 2024\n`,
      "proc/cmdline": `BOOT_IMAGE=(hd0,gpt2)/vmlinuz-${rel} root=UUID=x ro crashkernel=2G-64G:256M,64G-:512M rhgb quiet\n`,
      "proc/cpuinfo": cpuinfo(true),
      "proc/iomem": iomem([[0xa2000000, 0xb1ffffff]]),
      "sys/kernel/kexec_crash_size": "268435456\n",
      "sys/kernel/kexec_crash_loaded": "0\n",
      "sys/kernel/security/lockdown": "[none] integrity confidentiality\n",
      [`boot/vmlinuz-${rel}`]: makeImage({ xloadflags: 0x1f }),
      [`var/lib/kdump/initramfs-${rel}kdump.img`]: { size: 20 * MiB },
      "etc/kdump.conf": "path /var/crash\ncore_collector makedumpfile -l --message-level 7 -d 31\n",
      "etc/sysconfig/kdump": 'KDUMP_KERNELVER=""\nKDUMP_COMMANDLINE_APPEND="irqpoll nr_cpus=1 reset_devices"\nKEXEC_ARGS="-s"\nKDUMP_IMG="vmlinuz"\nKDUMP_IMG_EXT=""\n',
    });
    const r = await runDoctor(dir);
    assert.equal(r.paging.levels, 5);
    assert.match(r.paging.how, /la57/);
    assert.equal(r.kdump?.tool, "kdump-utils");
    assert.equal(r.kdump?.kernel, `/boot/vmlinuz-${rel}`);
    assert.equal(r.kdump?.initrd, `/var/lib/kdump/initramfs-${rel}kdump.img`);
    assert.equal(check(r, "crashkernel-param").status, "pass");
    const jump = check(r, "capture-jump");
    assert.equal(jump.status, "fail");
    assert.match(jump.detail, /cannot handle 5-level paging/);
    assert.match(jump.source, /ee338b9ee282/);
    assert.equal(check(r, "capture-loaded").status, "fail");
    assert.equal(doctorExitCode(r), 3);
  });

  it("SUSE kdump: a reservation too small for kernel + initrd fails with the formula, the kexec_file placement and a fix", async () => {
    const rel = "6.4.0-150600.23.25-default";
    const dir = mkroot({
      "proc/version": `Linux version ${rel} (geeko@buildhost) (gcc (SUSE Linux) 7.5.0) #1 SMP PREEMPT_DYNAMIC Wed Oct  2 12:00:00 UTC 2024 (8c8b5ac)\n`,
      "proc/cmdline": `BOOT_IMAGE=/boot/vmlinuz-${rel} root=/dev/vda2 crashkernel=64M\n`,
      "proc/cpuinfo": cpuinfo(false),
      "proc/iomem": iomem([[0xb0000000, 0xb3ffffff]]),
      "sys/kernel/kexec_crash_size": String(64 * MiB),
      "sys/kernel/kexec_crash_loaded": "0\n",
      [`boot/vmlinuz-${rel}`]: makeImage(),
      [`boot/initrd-${rel}-kdump`]: { size: 40 * MiB },
      "etc/sysconfig/kdump": 'KDUMP_KERNELVER=""\nKDUMP_CPUS=""\nKDUMP_COMMANDLINE_APPEND=""\nKEXEC_OPTIONS=""\nKDUMP_SAVEDIR="file:///var/crash"\n',
    });
    const r = await runDoctor(dir);
    assert.equal(r.kdump?.tool, "suse-kdump");
    assert.equal(r.kdump?.initrd, `/boot/initrd-${rel}-kdump`);
    const size = check(r, "reservation-size");
    assert.equal(size.status, "fail");
    assert.match(size.detail, /PAGE_ALIGN\(init_size/);
    assert.match(size.detail, /cannot place/);
    assert.match(size.fix, /crashkernel=\d+M/);
    assert.equal(doctorExitCode(r), 3);
  });

  it("sosreport: reads sos_commands and the copied /proc, /sys, /etc; explains a 6.12 crashkernel= ≥ RAM from the boot's own e820; never reads this machine", async () => {
    const banner = "Linux version 6.12.117+deb12-amd64 (debian-kernel@lists.debian.org) (x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1~deb12u1 (2026-11-14)";
    const cmd = "console=ttyS0 root=/dev/vda1 crashkernel=2G";
    const dmesg = [
      `[    0.000000] ${banner}`,
      `[    0.000000] Command line: ${cmd}`,
      "[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable",
      "[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved",
      "[    0.000000] BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved",
      "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000003ffdffff] usable",
      "[    0.000000] BIOS-e820: [mem 0x000000003ffe0000-0x000000003fffffff] reserved",
      "[    0.000000] RAMDISK: [mem 0x3e000000-0x3fdfffff]",
      "",
    ].join("\n");
    const dir = mkroot({
      "sos_commands/kernel/uname_-a": "Linux deb12 6.12.117+deb12-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1~deb12u1 (2026-11-14) x86_64 GNU/Linux\n",
      uname: { link: "sos_commands/kernel/uname_-a" },
      "sos_commands/kernel/dmesg": dmesg,
      "sos_commands/boot/ls_-alZR_.boot": [
        "/boot:",
        "total 80000",
        "-rw-r--r--. 1 root root ? 8222656 Nov 14 12:00 vmlinuz-6.12.117+deb12-amd64",
        "-rw-r--r--. 1 root root ? 31457280 Nov 20 08:00 initrd.img-6.12.117+deb12-amd64",
        "",
      ].join("\n"),
      "sos_commands/boot/mokutil_--sb-state": "SecureBoot disabled\n",
      "installed-debs": "ii  kdump-tools   1:1.8.2      amd64  scripts and tools\nii  kexec-tools   1:2.0.25-3+b1 amd64  tools to support fast kexec reboots\n",
      "proc/cmdline": cmd + "\n",
      "sys/kernel/kexec_crash_size": "0\n",
      "sys/kernel/kexec_crash_loaded": "0\n",
      "etc/default/kdump-tools": "USE_KDUMP=1\n",
    });
    const r = await runDoctor(dir);
    assert.equal(r.layout, "sosreport");
    assert.deepEqual([r.kernel.release, r.kernel.version], ["6.12.117+deb12-amd64", "6.12.117"]);
    assert.equal(r.sources["uname"], "/uname");
    assert.equal(r.kexecTools.version, "2.0.25");
    assert.match(r.kexecTools.how, /package list/);
    // No /proc/cpuinfo in this report: the host's own is not read.
    assert.ok(r.lacking.some((l) => l.startsWith("/proc/cpuinfo")));
    assert.notEqual(r.paging.confidence, "observed");
    assert.ok(r.lacking.some((l) => /only a listing/.test(l)));
    const param = check(r, "crashkernel-param");
    assert.equal(param.status, "fail");
    assert.match(param.detail, /6\.12/);
    const res = check(r, "reservation");
    assert.equal(res.status, "fail");
    assert.match(res.title, /No memory reserved/);
    assert.match(res.detail, /boot's own e820 map/);
    assert.equal(check(r, "capture-kernel").status, "warn");
    assert.equal(doctorExitCode(r), 3);
  });

  it("supportconfig: sections of crash.txt, hardware.txt, boot.txt; says it lacks /proc/iomem; 5-level from la57", async () => {
    const sec = (kind: string, title: string, body: string): string => `#==[ ${kind} ]${"=".repeat(38)}#\n# ${title}\n${body}\n\n`;
    const rel = "6.4.0-150600.23.25-default";
    const dir = mkroot({
      "basic-environment.txt": sec("Command", "/usr/bin/uname -a", `Linux sles15 ${rel} #1 SMP PREEMPT_DYNAMIC Wed Oct  2 12:00:00 UTC 2024 (8c8b5ac) x86_64 x86_64 x86_64 GNU/Linux`),
      "crash.txt":
        sec("Command", "/usr/bin/uname -r", rel) +
        sec("Configuration File", "/proc/cmdline", `BOOT_IMAGE=/boot/vmlinuz-${rel} root=/dev/vda2 crashkernel=242M,high crashkernel=72M,low`) +
        sec("Configuration File", "/etc/sysconfig/kdump", 'KDUMP_KERNELVER=""\nKEXEC_OPTIONS=""\nKDUMP_SAVEDIR="file:///var/crash"') +
        sec("Configuration File", "/sys/kernel/kexec_crash_loaded", "1") +
        sec("Configuration File", "/sys/kernel/kexec_crash_size", String(314 * MiB)) +
        sec("Configuration File", "/etc/kdump.conf - File not found", ""),
      "hardware.txt": sec("Configuration File", "/proc/cpuinfo", cpuinfo(true).trim()),
      "boot.txt": sec("Command", "/usr/bin/mokutil --sb-state", "SecureBoot enabled") + sec("Command", "/usr/bin/ls -lR --time-style=long-iso /boot/", `/boot/:\ntotal 1\n-rw-r--r-- 1 root root 14000000 2024-10-02 12:00 vmlinuz-${rel}\n-rw------- 1 root root 40000000 2024-10-03 09:00 initrd-${rel}-kdump`),
      "rpm.txt": "NAME                 DISTRIBUTION                VERSION\nkexec-tools          SUSE Linux Enterprise 15    2.0.27-150600.1.2\n",
    });
    const r = await runDoctor(dir);
    assert.equal(r.layout, "supportconfig");
    assert.equal(r.kernel.release, rel);
    assert.equal(r.paging.levels, 5);
    assert.equal(r.kdump?.tool, "suse-kdump");
    assert.equal(r.kdump?.initrdSize, 40000000);
    assert.equal(r.reservation.size, 314 * MiB);
    assert.equal(r.kexecTools.version, "2.0.27");
    assert.ok(r.lacking.some((l) => /\/proc\/iomem/.test(l)));
    assert.equal(check(r, "capture-loaded").status, "pass");
    const iface = check(r, "load-interface");
    assert.equal(iface.status, "warn");
    assert.match(iface.detail, /Secure Boot is enabled/);
    assert.equal(doctorExitCode(r), 0);
  });

  it("lockdown forbids kexec_load: -c under [integrity] fails with the fix to use -s", async () => {
    const r = await runDoctor(debianRoot({
      "sys/kernel/security/lockdown": "none [integrity] confidentiality\n",
      "etc/default/kdump-tools": 'USE_KDUMP=1\nKDUMP_KEXEC_ARGS="-c"\n',
    }));
    const c = check(r, "load-interface");
    assert.equal(c.status, "fail");
    assert.match(c.detail, /locked down/);
    assert.match(c.fix, /-s/);
    assert.match(c.source, /LOCKDOWN_KEXEC/);
  });

  it("the build options: a capture kernel without CONFIG_PROC_VMCORE, -s on a kernel without CONFIG_KEXEC_FILE", async () => {
    const r = await runDoctor(debianRoot({ "boot/config-6.1.0-50-amd64": "CONFIG_KEXEC=y\n# CONFIG_KEXEC_FILE is not set\nCONFIG_CRASH_DUMP=y\n# CONFIG_PROC_VMCORE is not set\n" }));
    const cfg = check(r, "capture-config");
    assert.equal(cfg.status, "fail");
    assert.match(cfg.title, /CONFIG_PROC_VMCORE/);
    const iface = check(r, "load-interface");
    assert.equal(iface.status, "fail");
    assert.match(iface.detail, /CONFIG_KEXEC_FILE/);
  });

  it("crashkernel=auto (RHEL) that upstream parsing refuses but the kernel reserved is a warning, not a failure", async () => {
    const r = await runDoctor(debianRoot({ "proc/cmdline": "root=/dev/sda1 crashkernel=auto\n" }));
    assert.equal(check(r, "crashkernel-param").status, "warn");
    assert.equal(check(r, "reservation").status, "pass");
  });

  it("the Markdown report keeps one table row per check, whatever the machine's text holds", async () => {
    const r = await runDoctor(debianRoot({ "proc/cmdline": "root=/dev/sda1 a|b\nsecond line\n" }));
    const md = doctorMarkdown(r);
    assert.equal(md.split("\n").filter((l) => /^\| (PASS|WARN|FAIL) \|/.test(l)).length, r.checks.length);
    assert.ok(!/[^\\]\|b/.test(md.split("\n").find((l) => l.includes("a\\|b")) ?? "x|b"));
  });

  it("USE_KDUMP=0 fails the service check", async () => {
    const r = await runDoctor(debianRoot({ "etc/default/kdump-tools": "USE_KDUMP=0\n" }));
    const c = check(r, "kdump-service");
    assert.equal(c.status, "fail");
    assert.match(c.fix, /USE_KDUMP=1/);
  });

  it("a reservation ending above 64 TiB (a pre-5.3 kernel) warns, and a capture kernel without XLF_5LEVEL_ENABLED cannot live there", async () => {
    const T64 = 64 * 1024 * 1024 * MiB;
    const s = T64 - 128 * MiB;
    const e = T64 + 128 * MiB - 1;
    const r = await runDoctor(debianRoot({
      "proc/version": "Linux version 5.2.0-old (x) #1 SMP\n",
      "proc/cpuinfo": cpuinfo(true),
      "proc/cmdline": "root=/dev/sda1 crashkernel=256M,high\n",
      "proc/iomem": iomem() + `${(T64 - 4096 * MiB).toString(16)}-${(T64 + 4096 * MiB - 1).toString(16)} : System RAM\n  ${s.toString(16)}-${e.toString(16)} : Crash kernel\n`,
      "boot/vmlinuz-6.1.0-50-amd64": makeImage({ xloadflags: 0x3f }),
    }));
    const place = check(r, "reservation-placement");
    assert.equal(place.status, "warn");
    assert.match(place.title, /64 TiB/);
    assert.match(place.source, /8ff80fbe7e98/);
    const jump = check(r, "capture-jump");
    assert.equal(jump.status, "fail");
    assert.match(jump.detail, /XLF_5LEVEL_ENABLED/);
  });

  it("a region above 4 GiB with a capture kernel lacking XLF_CAN_BE_LOADED_ABOVE_4G fails the jump check", async () => {
    const r = await runDoctor(debianRoot({
      "proc/iomem": iomem([[0x8f000000, 0x9effffff], [0x200000000, 0x20fffffff]]),
      "sys/kernel/kexec_crash_size": String(256 * MiB),
      "boot/vmlinuz-6.1.0-50-amd64": makeImage({ xloadflags: 0x01 }),
    }));
    assert.equal(check(r, "reservation-placement").status, "pass");
    const c = check(r, "capture-jump");
    assert.equal(c.status, "fail");
    assert.match(c.detail, /above 4 GiB/);
  });

  it("every installed kernel is judged as a kexec -l target; auto mode's silent fallback to kexec_load is named", async () => {
    const r = await runDoctor(debianRoot({
      "proc/cpuinfo": cpuinfo(true),
      "boot/vmlinuz-4.19.0-old": makeImage({ xloadflags: 0x1f }),
    }));
    assert.equal(r.kexecTools.version, null);
    const old = check(r, "kexec-target:vmlinuz-4.19.0-old");
    assert.equal(old.status, "fail");
    assert.match(old.detail, /falls back to kexec_load/);
    assert.equal(check(r, "kexec-target:vmlinuz-6.1.0-50-amd64").status, "pass");
  });

  it("bounded, read-only reading: a FIFO is never opened, links never leave the root, a zeroed /proc/iomem is named", async () => {
    const dir = debianRoot({
      "proc/iomem": "00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n  00000000-00000000 : Crash kernel\n",
      "sys/kernel/kexec_crash_size": "",
      "etc/default/kdump-tools": { link: "../../../../../../../../etc/passwd" },
    });
    const fifo = path.join(dir, "proc", "cpuinfo");
    fs.rmSync(fifo);
    const mk = spawnSync("mkfifo", [fifo]);
    assert.equal(mk.status, 0, String(mk.stderr));
    const before = fs.statSync(path.join(dir, "proc", "version")).mtimeMs;
    const r = await runDoctor(dir);
    const rf = new RootFs(dir);
    assert.deepEqual(rf.readText("/proc/cpuinfo").ok, false);
    assert.equal((rf.readText("/proc/cpuinfo") as { status: string }).status, "not-regular");
    // "../../.." stops at the root: /etc/passwd inside the root does not exist.
    assert.equal((rf.readText("/etc/default/kdump-tools") as { status: string }).status, "missing");
    assert.equal(r.kdump, null);
    const res = check(r, "reservation");
    assert.equal(res.status, "warn");
    assert.match(res.detail, /CAP_SYS_ADMIN/);
    assert.ok(r.lacking.some((l) => l.startsWith("/proc/cpuinfo")));
    assert.equal(fs.statSync(path.join(dir, "proc", "version")).mtimeMs, before);
  });

  it("symlink loops end with an answer; absolute links to the host's files are re-rooted", () => {
    const dir = mkroot({ "etc/a": { link: "b" }, "etc/b": { link: "/etc/a" }, "proc/iomem": { link: "/proc/self/../iomem-real" }, "proc/iomem-real": "x\n" });
    const rf = new RootFs(dir);
    const loop = rf.readText("/etc/a");
    assert.ok(!loop.ok && loop.status === "unreadable" && /too many symbolic links/.test(loop.detail));
    // /proc/self does not exist under the root: the link cannot borrow the host's /proc.
    const r = rf.readText("/proc/iomem");
    assert.ok(!r.ok && r.status === "missing");
    assert.ok(rf.accesses.every((a) => a.path.startsWith("/")));
  });

  it("caps a huge file instead of reading it whole", () => {
    const dir = mkroot({ "var/log/dmesg": { size: 64 * MiB } });
    const r = new RootFs(dir).readText("/var/log/dmesg", 1024);
    assert.ok(r.ok && r.truncated && r.text.length === 1024);
  });
});

describe("doctor: readers", () => {
  it("upstream version from Debian and Ubuntu banners", () => {
    assert.equal(upstreamVersion("6.1.0-50-amd64", DEB_BANNER, null).version, "6.1.123");
    assert.equal(upstreamVersion("6.8.0-45-generic", "Linux version 6.8.0-45-generic #45-Ubuntu SMP", "Ubuntu 6.8.0-45.45-generic 6.8.12\n").version, "6.8.12");
    assert.equal(upstreamVersion("6.11.4-301.fc41.x86_64", "Linux version 6.11.4-301.fc41.x86_64", null).version, "6.11.4");
  });

  it("the distro's own estimate lines (kdumpctl estimate, kdumptool calibrate)", () => {
    assert.equal(distroFigure("Encrypted kdump target requires extra memory\nReserved crashkernel:    256M\nRecommended crashkernel: 320M\n\nKernel image size:   47M\n"), "Reserved crashkernel:    256M; Recommended crashkernel: 320M");
    assert.equal(distroFigure("Low: 72\nHigh: 242\nMIN Low: 72\n"), "Low: 72; High: 242; MIN Low: 72");
  });

  it("supportconfig sections and sos command file names", () => {
    const s = supportconfigSections("header\n#==[ Command ]======#\n# /usr/bin/uname -r\n6.4.0\n\n#==[ Configuration File ]===#\n# /proc/cmdline\nquiet\n");
    assert.deepEqual(s.map((x) => [x.kind, x.title, x.body]), [["Command", "/usr/bin/uname -r", "6.4.0"], ["Configuration File", "/proc/cmdline", "quiet"]]);
    assert.equal(sosCommandFile("kernel", "uname -a"), "/sos_commands/kernel/uname_-a");
    assert.equal(sosCommandFile("boot", "ls -alZR /boot"), "/sos_commands/boot/ls_-alZR_.boot");
    assert.equal(sosCommandFile("kdump", "kdumpctl estimate"), "/sos_commands/kdump/kdumpctl_estimate");
  });

  it("/boot listings of both report kinds", () => {
    assert.deepEqual(parseBootListing("/boot:\n-rw-r--r--. 1 root root system_u:object_r:boot_t:s0 13 Jan  1 00:00 vmlinuz-6.1\n"), [{ name: "vmlinuz-6.1", size: 13 }]);
    assert.deepEqual(parseBootListing("/boot/:\n-rw-r--r-- 1 root root 14 2024-10-02 12:00 initrd-6.4-kdump\nlrwxrwxrwx 1 root root 20 2024-10-02 12:00 vmlinuz -> vmlinuz-6.4\n/boot/grub2:\n-rw-r--r-- 1 root root 5 2024-10-02 12:00 grub.cfg\n"), [
      { name: "initrd-6.4-kdump", size: 14 },
      { name: "vmlinuz", size: 20 },
    ]);
  });

  it("kdump-tools' recorded kexec command wins over the config file", () => {
    const c = parseKexecCommand('/sbin/kexec -p -s --command-line="root=/dev/sda1 nr_cpus=1 irqpoll" --initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz');
    assert.deepEqual([c.crash, c.kernel, c.initrd, c.append], [true, "/var/lib/kdump/vmlinuz", "/var/lib/kdump/initrd.img", "root=/dev/sda1 nr_cpus=1 irqpoll"]);
    const k = readKdumpConfig({ release: "6.1", debian: "USE_KDUMP=1\n", sysconfig: null, kdumpConf: null, kexecCmd: "/sbin/kexec -p -c --initrd=/x /y\n", exists: () => false });
    assert.deepEqual([k?.mode, k?.kernel, k?.initrd], ["load", "/y", "/x"]);
  });
});

describe("doctor on this machine", () => {
  it("runs for real: the CLI prints the JSON contract, reports the reservation state and the paging mode, and exits 3 or 0 accordingly", async () => {
    let out = "";
    let err = "";
    const code = await runCli(["doctor", "--json"], { out: (t) => (out += t), err: (t) => (err += t) });
    assert.equal(err, "");
    const r = JSON.parse(out) as DoctorReport;
    assert.equal(r.root, "/");
    assert.ok(r.paging.levels === 4 || r.paging.levels === 5);
    let cpu = "";
    try {
      cpu = fs.readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      /* not Linux */
    }
    if (cpu) assert.equal(r.paging.levels, /^flags\s*:.*\bla57\b/m.test(cpu) ? 5 : 4);
    assert.ok(Array.isArray(r.reservation.ranges));
    for (const c of r.checks) assert.ok(["pass", "warn", "fail"].includes(c.status));
    let crashSize: string | null = null;
    try {
      crashSize = fs.readFileSync("/sys/kernel/kexec_crash_size", "utf8").trim();
    } catch {
      /* absent */
    }
    let iomemReadable = false;
    try {
      iomemReadable = /^[0-9a-f]+-[0-9a-f]+ : /m.test(fs.readFileSync("/proc/iomem", "utf8")) && !/^0+-0+ : System RAM/m.test(fs.readFileSync("/proc/iomem", "utf8"));
    } catch {
      /* absent */
    }
    if (crashSize === "0" || (crashSize === null && iomemReadable && !/Crash kernel/.test(fs.readFileSync("/proc/iomem", "utf8")))) {
      const res = r.checks.find((c) => c.id === "reservation")!;
      assert.equal(res.status, "fail");
      assert.match(res.title, /No memory reserved/);
      assert.equal(code, 3);
    }
    assert.equal(code, r.checks.some((c) => c.status === "fail") ? 3 : 0);
  });

  it("--root must be a directory; usage errors exit 2", async () => {
    const io = { out: () => undefined, err: () => undefined };
    assert.equal(await runCli(["doctor", "--root", "/nonexistent-kxi"], io), 2);
    assert.equal(await runCli(["doctor", "stray"], io), 2);
  });
});

describe("doctor: hostile roots", () => {
  /** xorshift32: the same garbage on every run. */
  function rng(seed: number): () => number {
    let x = seed >>> 0 || 1;
    return () => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x / 4294967296;
    };
  }
  const FILES = [
    "proc/version", "proc/cmdline", "proc/cpuinfo", "proc/iomem", "sys/kernel/kexec_crash_size", "sys/kernel/kexec_crash_loaded",
    "sys/kernel/security/lockdown", "etc/default/kdump-tools", "etc/sysconfig/kdump", "etc/kdump.conf", "var/log/dmesg",
    "boot/vmlinuz-6.1.0-x", "boot/config-6.1.0-x", "var/crash/kexec_cmd",
  ];
  const PIECES = ["crashkernel=", "0x", "Crash kernel", "System RAM", " : ", "-", "\n", "  ", "la57", "[none]", "KDUMP_KERNEL=/", "USE_KDUMP=1", "BIOS-e820: [mem ", "]", "Linux version 6.12.0 ", "Debian ", "@", ",high", ",low", "G", "M", "\u0000", "ffffffffffffffff", "-s", "-c"];

  it("never throws on garbage in any file (seeded)", async function () {
    this.timeout(120_000);
    const rand = rng(0x5eed);
    for (let n = 0; n < 80; n++) {
      const files: Record<string, string | Uint8Array> = {};
      for (const f of FILES) {
        if (rand() < 0.3) continue;
        if (f.startsWith("boot/vmlinuz")) {
          const img = makeImage({ xloadflags: Math.floor(rand() * 256) });
          for (let i = 0; i < 8; i++) img[Math.floor(rand() * img.length)] = Math.floor(rand() * 256);
          files[f] = img;
          continue;
        }
        let t = "";
        const len = Math.floor(rand() * 40);
        for (let i = 0; i < len; i++) t += rand() < 0.7 ? PIECES[Math.floor(rand() * PIECES.length)]! : Math.floor(rand() * 0x7fffffff).toString(16);
        files[f] = t;
      }
      const r = await runDoctor(mkroot(files));
      assert.ok(r.checks.length > 0);
      for (const c of r.checks) assert.ok(["pass", "warn", "fail"].includes(c.status));
    }
  });
});
