/**
 * Real UKIs for tests, built the ordinary way: systemd-boot's linuxx64.efi.stub (Debian package
 * systemd-boot-efi) plus a shared Debian kernel added as .linux by objcopy, as mkinitcpio and the
 * Arch wiki do. Written to the ignored .cache/uki/, never committed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { cacheDir, sharedFixture } from "../fixtures";

export const STUB = "/usr/lib/systemd/boot/efi/linuxx64.efi.stub";
export const UKI_CMDLINE = "root=/dev/vda1 ro console=ttyS0 quiet";
export const UKI_OSREL = 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="13"\nPRETTY_NAME="Debian GNU/Linux 13 (trixie)"\n';

/** Why real UKIs cannot be built here, or null when they can. */
export function realUkiMissing(): string | null {
  if (!fs.existsSync(STUB)) return `${STUB} is missing (apt-get install systemd-boot-efi)`;
  if (spawnSync("objcopy", ["--version"]).status !== 0) return "objcopy is missing (apt-get install binutils)";
  return null;
}

/** Builds (once) a UKI around the shared fixture `kernel` into .cache/uki/. */
export function buildRealUki(kernel: string): { file: string; initrd: Buffer } {
  const dir = cacheDir("uki");
  const parts = path.join(dir, "parts");
  fs.mkdirSync(parts, { recursive: true });
  const initrd = gzipSync(Buffer.from("070701" + "0".repeat(104) + "TRAILER!!!\0"));
  const write = (name: string, data: string | Buffer): string => {
    const p = path.join(parts, name);
    fs.writeFileSync(p, data);
    return p;
  };
  const osrel = write("osrel", UKI_OSREL);
  const cmdline = write("cmdline", UKI_CMDLINE);
  const uname = write(`uname-${kernel}`, kernel.replace(/^vmlinuz-/, ""));
  const initrdFile = write("initrd", initrd);
  const out = path.join(dir, `${kernel}.efi`);
  if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(STUB).mtimeMs) {
    const tmp = `${out}.${process.pid}.tmp`;
    const r = spawnSync("objcopy", [
      "--add-section", `.osrel=${osrel}`, "--change-section-vma", ".osrel=0x20000",
      "--add-section", `.cmdline=${cmdline}`, "--change-section-vma", ".cmdline=0x30000",
      "--add-section", `.uname=${uname}`, "--change-section-vma", ".uname=0x40000",
      "--add-section", `.linux=${sharedFixture("bzimage", kernel)}`, "--change-section-vma", ".linux=0x2000000",
      "--add-section", `.initrd=${initrdFile}`, "--change-section-vma", ".initrd=0x3000000",
      STUB, tmp,
    ], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`objcopy failed: ${r.stderr}`);
    fs.renameSync(tmp, out);
  }
  return { file: out, initrd };
}
