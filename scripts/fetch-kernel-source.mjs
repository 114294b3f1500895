#!/usr/bin/env node
// Fetches the few Linux 6.1 files the source-analyser acceptance tests read, from Debian's
// linux-source-6.1 package, into the ignored cache .cache/kernel-source/ (never committed).
// Usage: node scripts/fetch-kernel-source.mjs [--quiet]; prints the tree root on stdout.
// Cached: a second run only checks the files exist. Bounded: every step has a timeout.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const cache = path.join(here, "..", ".cache", "kernel-source");
const root = path.join(cache, "linux-source-6.1");
export const KERNEL_FILES = [
  "arch/x86/boot/header.S",
  "arch/x86/include/uapi/asm/bootparam.h",
  "arch/x86/kernel/setup.c",
  "arch/x86/kernel/kexec-bzimage64.c",
  "kernel/crash_core.c",
  "arch/x86/include/asm/kexec.h",
  "include/linux/crash_core.h",
  "arch/x86/include/asm/pgtable_64_types.h",
];
const quiet = process.argv.includes("--quiet");
const log = (m) => quiet || process.stderr.write(m + "\n");
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], timeout: 240_000, maxBuffer: 1 << 20, ...opts });

export function fetchKernelSource() {
  if (KERNEL_FILES.every((f) => fs.existsSync(path.join(root, f)))) return root;
  fs.mkdirSync(cache, { recursive: true });
  let deb = fs.readdirSync(cache).find((f) => /^linux-source-6\.1_.*_all\.deb$/.test(f));
  if (!deb) {
    log("downloading linux-source-6.1 (≈140 MB) with apt-get download …");
    try {
      run("apt-get", ["download", "linux-source-6.1"], { cwd: cache });
    } catch {
      // A missing package list is the usual cause on a fresh machine.
      run("apt-get", ["update"], { timeout: 300_000 });
      run("apt-get", ["download", "linux-source-6.1"], { cwd: cache });
    }
    deb = fs.readdirSync(cache).find((f) => /^linux-source-6\.1_.*_all\.deb$/.test(f));
    if (!deb) throw new Error("apt-get download linux-source-6.1 produced no .deb");
  }
  // .deb = ar(data.tar.xz = usr/src/linux-source-6.1.tar.xz); stream both layers, keep only our files.
  log(`extracting ${KERNEL_FILES.length} files from ${deb} …`);
  const work = path.join(cache, "tmp");
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  run("ar", ["x", path.join(cache, deb), "data.tar.xz"], { cwd: work });
  const members = KERNEL_FILES.map((f) => `linux-source-6.1/${f}`);
  run("sh", ["-c", `tar xJf data.tar.xz -O ./usr/src/linux-source-6.1.tar.xz | tar xJf - -C "${cache}" ${members.map((m) => `'${m}'`).join(" ")}`], { cwd: work });
  fs.rmSync(work, { recursive: true, force: true });
  for (const f of KERNEL_FILES) if (!fs.existsSync(path.join(root, f))) throw new Error(`missing after extraction: ${f}`);
  return root;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(fetchKernelSource() + "\n");
}
