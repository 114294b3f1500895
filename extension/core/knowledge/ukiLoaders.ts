/**
 * Who loads a Unified Kernel Image for kexec, and how: one row per loader and version range, each
 * with the code it was read from. The verdict rules (kexec/ukiVerdicts.ts) read these rows; views
 * only render the verdicts. Versions are "from" inclusive, "until" exclusive.
 *
 * Read for this table:
 * - kexec-tools (git.kernel.org/pub/scm/utils/kernel/kexec/kexec-tools.git, mirror horms/kexec-tools):
 *   kexec/kexec-uki.c, kexec/kexec.c (do_kexec_file_load, my_load, the EFALLBACK retry),
 *   kexec/arch/x86_64/kexec-bzImage64.c (bzImage64_load, do_bzImage64_load, bzImage64_load_file),
 *   `git tag --contains` for each commit below.
 * - systemd: src/shared/reboot-util.c (kexec_maybe_decompress_kernel, extract_uki,
 *   pe_section_to_memfd), src/shared/pe-binary.c (pe_is_uki), src/systemctl/systemctl-start-special.c
 *   (load_kexec_kernel before the change), pull requests #41390 and #42234.
 */
import { compareVersions } from "./kernelRelease";

export type UkiLoader = "kexec_file_load" | "kexec-tools" | "systemctl kexec";
export type Confidence = "read" | "inferred";

export interface UkiLoaderRow {
  id: string;
  loader: UkiLoader;
  /** First version the row covers (inclusive); null = every earlier one. */
  from: string | null;
  /** First version it no longer covers; null = up to the newest read. */
  until: string | null;
  /** Whether this loader takes the kernel out of `.linux` itself. */
  unwraps: boolean;
  /** What kexec_file_load receives as the kernel. */
  kernel: string;
  /** Which initrd the new kernel gets. */
  initrd: string;
  /** Which command line the new kernel gets. */
  cmdline: string;
  /** What happens when kexec_file_load refuses the (extracted) kernel, e.g. the 5-level refusal. */
  onRefusal: "error" | "kexec_load with the UKI's own bytes" | "see kexec-tools";
  behaviour: string;
  source: string;
  /** Commits (or pull requests) the row rests on, abbreviated ids as `git log --oneline` prints them. */
  commits: string[];
  confidence: Confidence;
}

export const KEXEC_TOOLS_UKI_FIRST = "2.0.30";
export const KEXEC_TOOLS_UKI_X86_FD_FIX = "2.0.31";
export const SYSTEMD_DIRECT_FILE_LOAD = "261";

export const UKI_LOADER_ROWS: readonly UkiLoaderRow[] = [
  {
    id: "syscall",
    loader: "kexec_file_load",
    from: null,
    until: null,
    unwraps: false,
    kernel: "the UKI file itself",
    initrd: "whatever initrd_fd the caller passes",
    cmdline: "whatever the caller passes",
    onRefusal: "error",
    behaviour:
      "x86-64 kexec_file_load has one image loader, bzImage64; its probe wants \"HdrS\" at 0x202 of the file it is given. A UKI starts with the stub's PE header, so the probe fails and the syscall returns ENOEXEC. An in-kernel UKI loader was posted in 2023 (Jan Hendrik Farr, \"x86/kexec: UKI Support\") and not merged.",
    source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_probe(); lore.kernel.org/lkml/20230911052535.335770-1-kernel@jfarr.cc",
    commits: [],
    confidence: "read",
  },
  {
    id: "kexec-tools.none",
    loader: "kexec-tools",
    from: null,
    until: KEXEC_TOOLS_UKI_FIRST,
    unwraps: false,
    kernel: "nothing: no probe accepts the file",
    initrd: "—",
    cmdline: "—",
    onRefusal: "error",
    behaviour:
      "No file type's probe accepts a UKI: kexec prints \"Cannot determine the file type of FILE\" in kexec_file_load mode (EFAILED, no fallback) and in kexec_load mode alike.",
    source: "kexec-tools kexec/kexec.c do_kexec_file_load() and my_load(); kexec/arch/x86_64/kexec-x86_64.c file_type[]",
    commits: ["0c72c44"],
    confidence: "read",
  },
  {
    id: "kexec-tools.2.0.30",
    loader: "kexec-tools",
    from: KEXEC_TOOLS_UKI_FIRST,
    until: KEXEC_TOOLS_UKI_X86_FD_FIX,
    unwraps: false,
    kernel: "the UKI file itself (on x86-64 nothing sets info->kernel_fd)",
    initrd: ".initrd (SizeOfRawData bytes, via a temporary file) unless --initrd is given",
    cmdline: "--append / --command-line / --reuse-cmdline only; .cmdline is not read",
    onRefusal: "kexec_load with the UKI's own bytes",
    behaviour:
      "uki_image_probe() (new in 2.0.30) recognises the UKI and probes .linux, but on x86-64 kexec_file_load still receives the UKI's fd and refuses it with ENOEXEC; the default auto mode then retries with kexec_load, where uki_image_load() passes the UKI's own bytes (not .linux) to bzImage64_load().",
    source: "kexec-tools kexec/kexec-uki.c at v2.0.30; commit c3a991a (\"Create a temporary file to hold .linux section in uki_probe()\") explains the x86-64 fd problem",
    commits: ["0c72c44", "fb9302e", "c3a991a"],
    confidence: "read",
  },
  {
    id: "kexec-tools.unwrap",
    loader: "kexec-tools",
    from: KEXEC_TOOLS_UKI_X86_FD_FIX,
    until: null,
    unwraps: true,
    kernel: ".linux, SizeOfRawData bytes (FileAlignment padding included) via a temporary file; VirtualSize only after e18a71f, which no release up to 2.0.32 contains",
    initrd: ".initrd via a temporary file unless --initrd is given",
    cmdline: "--append / --command-line / --reuse-cmdline only; .cmdline is not read",
    onRefusal: "kexec_load with the UKI's own bytes",
    behaviour:
      "kexec_file_load mode (the first try of the default auto mode) loads the kernel from .linux and the initrd from .initrd. When the kernel refuses the extracted kernel with ENOEXEC (the 5-level refusal is one), auto mode retries with kexec_load, and there uki_image_load() hands the UKI's own bytes to bzImage64_load(): it either refuses them or loads the stub as if it were a kernel, never the kernel in .linux.",
    source: "kexec-tools kexec/kexec-uki.c uki_image_probe()/uki_image_load(), kexec/kexec.c (EFALLBACK on ENOEXEC), kexec/arch/x86_64/kexec-bzImage64.c bzImage64_load_file() (implicit_initrd_fd) and do_bzImage64_load()",
    commits: ["c3a991a", "99d32ff", "455f55c", "e18a71f"],
    confidence: "read",
  },
  {
    id: "systemctl.exec-kexec",
    loader: "systemctl kexec",
    from: null,
    until: SYSTEMD_DIRECT_FILE_LOAD,
    unwraps: false,
    kernel: "whatever kexec-tools makes of the UKI",
    initrd: "the boot entry's initrd (--initrd), else kexec-tools' choice",
    cmdline: "the boot entry's options as --append (for a type #2 entry, the UKI's .cmdline as systemd's bootspec reads it)",
    onRefusal: "see kexec-tools",
    behaviour:
      "load_kexec_kernel() runs /usr/sbin/kexec --load KERNEL --append OPTIONS [--initrd INITRD] for the default boot entry: the kexec-tools rows decide, in their default auto mode.",
    source: "systemd src/systemctl/systemctl-start-special.c load_kexec_kernel() before PR #41390",
    commits: ["4bb2e9d"],
    confidence: "read",
  },
  {
    id: "systemctl.file-load",
    loader: "systemctl kexec",
    from: SYSTEMD_DIRECT_FILE_LOAD,
    until: null,
    unwraps: true,
    kernel: ".linux, VirtualSize bytes (MIN(VirtualSize, SizeOfRawData) in later trees) via a memfd",
    initrd: ".initrd via a memfd",
    cmdline: "the boot entry's options (for a type #2 entry, the UKI's .cmdline as systemd's bootspec reads it)",
    onRefusal: "error",
    behaviour:
      "systemctl calls kexec_file_load itself, without kexec-tools. On ENOEXEC (EINVAL too after #42234, for arm64) it unwraps: kexec_maybe_decompress_kernel() → extract_uki(), which accepts only what pe_is_uki() accepts (subsystem EFI_APPLICATION with both .osrel and .linux), copies .linux and .initrd into memfds and calls kexec_file_load again. systemctl itself has no kexec_load path: a second refusal is reported as an error. Not read: the call site in systemctl-start-special.c after #41390; #42234's description says systemctl falls back to running /usr/sbin/kexec when the unwrap path is not taken, so with kexec-tools installed that fallback (and the kexec-tools rows) may still apply.",
    source: "systemd src/shared/reboot-util.c extract_uki(); src/shared/pe-binary.c pe_is_uki(); PR #41390 (commit e107c7ead0, opened 2026-03-27, after v260) and #42234",
    commits: ["e107c7ead0"],
    confidence: "inferred",
  },
];

export function ukiLoaderRow(id: string): UkiLoaderRow {
  const r = UKI_LOADER_ROWS.find((x) => x.id === id);
  if (!r) throw new Error(`no UKI loader row ${id}`);
  return r;
}

export { compareVersions };

/** The row for `loader` at `version`. */
export function ukiLoaderRowFor(loader: Exclude<UkiLoader, "kexec_file_load">, version: string): UkiLoaderRow {
  const r = UKI_LOADER_ROWS.find(
    (x) => x.loader === loader && (x.from === null || compareVersions(version, x.from) >= 0) && (x.until === null || compareVersions(version, x.until) < 0),
  );
  if (!r) throw new Error(`no UKI loader row for ${loader} ${version}`);
  return r;
}
