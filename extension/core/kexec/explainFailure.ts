/**
 * Failure-message knowledge: kexec-tools stderr and kernel log lines → likely cause, what to
 * check, a fix, the rule and its source, and how to reproduce it in the simulator. Pure: the
 * simulation panel, the CLI and tests use the same table. Rules and messages come from
 * ../shared/spec/{kexec,crashkernel,paging}.md and the lab captures in ../shared/fixtures/lab.
 */

/** Settings that make the simulator reproduce the failure (the panel applies them). */
export interface SimulationHint {
  /** Which part of the simulation shows it. */
  focus: "crashkernel" | "kexec";
  paging?: 4 | 5;
  iface?: "auto" | "kexec_load" | "kexec_file_load";
  crash?: boolean;
  /** A kexec-tools version that shows the behaviour (e.g. the auto-mode fallback). */
  kexecTools?: string;
}

export interface FailureExplanation {
  /** Stable id of the pattern, e.g. "kexec-file-5level". */
  id: string;
  title: string;
  /** The input line that matched, trimmed (timestamp and prefix kept). */
  matched: string;
  /** 1-based line number in the pasted text. */
  line: number;
  cause: string;
  check: string[];
  fix: string[];
  rule: string;
  source: string;
  simulate: SimulationHint | null;
}

interface Pattern {
  id: string;
  re: RegExp;
  title: string;
  cause(m: RegExpExecArray, all: string): string;
  check: string[];
  fix: string[];
  rule: string;
  source: string;
  simulate: SimulationHint | null;
}

const FIVE_LEVEL = /bzImage cannot handle 5-level paging mode/;

/** Every known pattern, most specific first (a line is explained by the first match). */
export const FAILURE_PATTERNS: readonly Pattern[] = [
  {
    id: "kexec-file-5level",
    re: /bzImage cannot handle 5-level paging mode\.?/,
    title: "kexec_file_load refused the image: the running kernel uses 5-level paging",
    cause: () =>
      "The running kernel has CR4.LA57 on (5-level paging) and the target bzImage lacks XLF_5LEVEL (xloadflags bit 5), so bzImage64_probe() returns -ENOEXEC. Every x86_64 kernel from 5.3 sets that bit, with or without CONFIG_X86_5LEVEL, so the target is older than 5.3: from 4.17 to 5.2 its decompressor can still switch to 4-level paging itself (the bit did not exist yet); before 4.17 it faults when entered with LA57 set.",
    check: [
      "The target's xloadflags: open it in the Kexec Inspector image editor (XLF_5LEVEL is bit 5, 0x20).",
      "That the running kernel really uses 5-level paging: the kernel clears the la57 flag in /proc/cpuinfo when it runs 4-level (`grep -o la57 /proc/cpuinfo`); CONFIG_X86_5LEVEL exists only before 6.16 (commit 7212b58d6d71 made 5-level support unconditional).",
      "How kexec was run: without -s, kexec-tools ≥ 2.0.27 silently retries with kexec_load, which has no such check, and the jump then faults.",
    ],
    fix: [
      "Kexec a target from 5.3 or later: header.S sets XLF_5LEVEL on every x86_64 build from 5.3 (commit f2d08c5d3bcf).",
      "A 4.17–5.2 target switches paging by itself: load it with kexec_load (`kexec -c`), which does not check the bit.",
      "Or boot the running kernel with `no5lvl` (4-level paging) so the check does not apply.",
      "Keep `-s` (kexec_file_load only) so the refusal stays an error instead of becoming a failed jump.",
    ],
    rule: "bzImage64_probe(): reject if !(xloadflags & XLF_5LEVEL) && pgtable_l5_enabled()",
    source: "arch/x86/kernel/kexec-bzimage64.c; commit ee338b9ee2822e65a85750da6129946c14962410 (v5.3); arch/x86/boot/header.S, commit f2d08c5d3bcf (v5.3); arch/x86/boot/compressed/pgtable_64.c (4.17)",
    simulate: { focus: "kexec", paging: 5, iface: "kexec_file_load" },
  },
  {
    id: "kexec-file-not-available",
    re: /(?:syscall )?kexec_file_load not available\.?/,
    title: "kexec-tools says kexec_file_load is \"not available\"",
    cause: (_m, all) =>
      FIVE_LEVEL.test(all)
        ? "Here it is the kernel's refusal of the image (the \"bzImage cannot handle 5-level paging mode.\" line in the same text), not a missing syscall: with -s, kexec-tools 2.0.25 reports the kernel's -ENOEXEC as \"syscall kexec_file_load not available.\"."
        : "Despite the wording, kexec-tools 2.0.25 prints this when kexec_file_load fails for any reason, including the kernel refusing the image (-ENOEXEC). The real reason is in the kernel log, prefixed \"kexec-bzImage64:\" or \"kexec_file:\". It can also mean CONFIG_KEXEC_FILE is off.",
    check: [
      "The kernel log right after the attempt: `dmesg | grep -E 'kexec|bzImage64'` (e.g. \"bzImage cannot handle 5-level paging mode.\").",
      "CONFIG_KEXEC_FILE=y in /boot/config-$(uname -r).",
      "Under Secure Boot lockdown, that the image is signed by a key the kernel trusts.",
    ],
    fix: [
      "Fix what the kernel log names (for the 5-level refusal: a target with XLF_5LEVEL, or `no5lvl` on the running kernel).",
      "Paste the dmesg lines here too: each is explained on its own.",
    ],
    rule: "kexec-tools reports a failed kexec_file_load as \"not available\" (observed: rc 253 with the kernel's 5-level refusal in dmesg)",
    source: "kexec-tools kexec/kexec.c main(), do_kexec_file_load() (EFALLBACK); seen with 2.0.25 and 2.0.32 in real boots",
    simulate: { focus: "kexec", paging: 5, iface: "kexec_file_load" },
  },
  {
    id: "kexec-file-failed",
    re: /kexec_file_load failed: (.+)$/,
    title: "kexec_file_load failed",
    cause: (m) =>
      /exec format/i.test(m[1]!)
        ? "ENOEXEC: the kernel's bzImage64 loader refused the image (probe checks: HdrS, protocol ≥ 2.12, LOADED_HIGH, XLF_KERNEL_64, XLF_CAN_BE_LOADED_ABOVE_4G, XLF_5LEVEL under 5-level paging)."
        : /not permitted|key was rejected|required key/i.test(m[1]!)
          ? "The kernel rejected the image's signature (lockdown / KEXEC_SIG)."
          : /address/i.test(m[1]!)
            ? "EADDRNOTAVAIL: a segment found no hole (for kdump: the Crash kernel area is too small)."
            : `The kernel answered "${m[1]!.trim()}".`,
    check: ["The kernel log line printed by the loader: `dmesg | grep -E 'kexec|bzImage64'`."],
    fix: ["Fix what the kernel log names; the simulator shows which probe check or placement fails."],
    rule: "bzImage64_probe() / kexec_add_buffer() error codes",
    source: "arch/x86/kernel/kexec-bzimage64.c, kernel/kexec_file.c",
    simulate: { focus: "kexec", iface: "kexec_file_load" },
  },
  {
    id: "not-bzimage64",
    re: /(?:Not a bzImage64\. )?XLF_KERNEL_64 is not set\.?/,
    title: "kexec_file_load refused the image: it is not a 64-bit kernel",
    cause: () =>
      "The target's xloadflags lacks XLF_KERNEL_64 (bit 0): it is a 32-bit (i386) kernel, or a header older than protocol 2.12. x86_64 has only the bzImage64 file loader, so kexec_file_load cannot load it at all.",
    check: ["The image's architecture and xloadflags in the image editor (XLF_KERNEL_64 = 0x1).", "That the right file was given (vmlinuz of the 64-bit kernel, not a 686 build)."],
    fix: [
      "Kexec a 64-bit kernel.",
      "Or use kexec_load (`kexec -c`): kexec-tools' i386 bzImage loader enters it through the 32-bit entry point, below 0x37FFFFFF.",
    ],
    rule: "bzImage64_probe(): xloadflags & XLF_KERNEL_64",
    source: "arch/x86/kernel/kexec-bzimage64.c",
    simulate: { focus: "kexec", iface: "kexec_file_load" },
  },
  {
    id: "not-above-4g",
    re: /XLF_CAN_BE_LOADED_ABOVE_4G is not set\.?/,
    title: "kexec_file_load refused the image: it cannot be loaded above 4 GiB",
    cause: () => "The target lacks XLF_CAN_BE_LOADED_ABOVE_4G (bit 1): a 64-bit kernel built without CONFIG_RELOCATABLE, or an old header.",
    check: ["The image's xloadflags in the image editor (bit 1, 0x2).", "CONFIG_RELOCATABLE in the target's config."],
    fix: ["Build the target with CONFIG_RELOCATABLE=y.", "Or use kexec_load (`kexec -c`): kexec-tools falls back to its i386 loader below 0x37FFFFFF."],
    rule: "bzImage64_probe(): xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G",
    source: "arch/x86/kernel/kexec-bzimage64.c",
    simulate: { focus: "kexec", iface: "kexec_file_load" },
  },
  {
    id: "could-not-find-free-area",
    re: /Could not find a free area of memory of (0x[0-9a-fA-F]+) bytes/,
    title: "kexec-tools found no hole for a segment",
    cause: (m) =>
      `locate_hole() found no free RAM range for a ${m[1]} byte (${mib(m[1]!)}) segment. For kdump (kexec -p) every segment must fit inside the last "Crash kernel" range of /proc/iomem; for a normal load, into RAM minus the segments already placed.`,
    check: [
      "For kdump: the Crash kernel range size (`grep 'Crash kernel' /proc/iomem`) against kernel init_size + initrd + purgatory + boot_params + ELF headers.",
      "The initrd size: a large initramfs is the usual culprit.",
      "--mem-min / --mem-max options, which shrink the search window.",
    ],
    fix: [
      "Reserve more: a larger crashkernel= (e.g. 512M, or the ranges form 1G-:512M).",
      "Make the kdump initramfs smaller (dracut --hostonly, fewer modules).",
    ],
    rule: "locate_hole(size, align, min, max): first (bottom-up) or last (top-down) free RAM range that fits",
    source: "kexec-tools kexec/kexec.c locate_hole()",
    simulate: { focus: "kexec", iface: "kexec_load", crash: true },
  },
  {
    id: "locate-hole-failed",
    re: /locate_hole failed/,
    title: "kexec-tools could not place a segment (locate_hole failed)",
    cause: () =>
      "add_buffer() died because locate_hole() found no room for a segment (the \"Could not find a free area of memory\" line before it gives the size). For kdump the room is the Crash kernel range only.",
    check: [
      "The Crash kernel range (`grep 'Crash kernel' /proc/iomem`): present, and large enough for the kernel's init_size (see the image editor) plus the initrd.",
      "The initrd size and the kernel's init_size.",
    ],
    fix: ["Increase crashkernel= and reboot.", "Shrink the kdump initramfs."],
    rule: "add_buffer() → locate_hole() → die(\"locate_hole failed\")",
    source: "kexec-tools kexec/kexec.c add_buffer_phys_virt()",
    simulate: { focus: "kexec", iface: "kexec_load", crash: true },
  },
  {
    id: "crash-not-reserved",
    re: /Memory for crashkernel is not reserved/,
    title: "kdump load without a Crash kernel area",
    cause: () => "kexec -p found no \"Crash kernel\" entry in /proc/iomem: the running kernel reserved nothing (no crashkernel=, or the reservation failed at boot).",
    check: ["`grep crashkernel /proc/cmdline`.", "`dmesg | grep -i crashkernel` for the reservation message or its failure."],
    fix: ["Add crashkernel=… to the running kernel's command line and reboot; simulate the value first."],
    rule: "crashdump-x86.c: the crash load uses the last \"Crash kernel\" range",
    source: "kexec-tools kexec/arch/i386/crashdump-x86.c",
    simulate: { focus: "crashkernel" },
  },
  {
    id: "crashkernel-no-suitable-area",
    re: /crashkernel reservation failed - No suitable area found\.?/,
    title: "crashkernel= found no free area (≤ 6.6)",
    cause: () =>
      "reserve_crashkernel() found no 16 MiB-aligned free range of the requested size: below 4 GiB (896 MiB before 5.2) and, from 5.2, not in [4 GiB, 64 TiB) either. Usually the size is too large for the RAM, or memory below 4 GiB is fragmented by firmware holes.",
    check: ["The requested size against System RAM (the simulator prints both).", "The e820 map: large reserved holes below 4 GiB."],
    fix: ["A smaller size, or crashkernel=X,high (plus ,low) to reserve above 4 GiB."],
    rule: "memblock_phys_alloc_range(size, CRASH_ALIGN, …) top-down within CRASH_ADDR_LOW_MAX, then CRASH_ADDR_HIGH_MAX",
    source: "arch/x86/kernel/setup.c reserve_crashkernel() (≤ 6.6)",
    simulate: { focus: "crashkernel" },
  },
  {
    id: "crashkernel-in-use",
    re: /crashkernel reservation failed - memory is in use\.?/,
    title: "crashkernel=X@BASE: the base is not free",
    cause: () =>
      "A fixed base was requested and [BASE, BASE+X) is already reserved (kernel image, initrd, firmware) or not RAM, or BASE is not aligned (1 MiB up to 6.6, 16 MiB from 6.7).",
    check: ["Where the kernel and initrd sit (Kernel code… and RAMDISK lines).", "BASE alignment."],
    fix: ["Drop @BASE and let the kernel choose, or pick a free, aligned base (the simulator shows the free ranges)."],
    rule: "fixed base: memblock_phys_alloc_range(size, align, base, base + size) must return base",
    source: "arch/x86/kernel/setup.c; kernel/crash_reserve.c reserve_crashkernel_generic()",
    simulate: { focus: "crashkernel" },
  },
  {
    id: "crashkernel-reservation-failed",
    re: /crashkernel reservation failed - (.+)$/,
    title: "crashkernel reservation failed",
    cause: (m) => `The kernel could not reserve the crash kernel area: "${m[1]!.trim()}".`,
    check: ["The crashkernel= value against the memory map (simulate it)."],
    fix: ["Try a smaller size, ,high, or a different base; the simulator shows the kernel's result for each."],
    rule: "reserve_crashkernel()",
    source: "arch/x86/kernel/setup.c",
    simulate: { focus: "crashkernel" },
  },
  {
    id: "crashkernel-cannot-allocate",
    re: /cannot allocate crashkernel (?:\(size:(0x[0-9a-fA-F]+)\))?/,
    title: "crashkernel= found no free area (6.7+)",
    cause: (m) =>
      `reserve_crashkernel_generic() found no ${m[1] ? `${m[1]} byte (${mib(m[1])}) ` : ""}area: it tries [0, 4 GiB) then [4 GiB, 64 TiB) for crashkernel=X (the reverse for ,high). From 6.12 a size ≥ System RAM is rejected before this point.`,
    check: ["The requested size against System RAM.", "Free RAM below 64 TiB."],
    fix: ["A smaller size."],
    rule: "reserve_crashkernel_generic(): search windows and fallbacks",
    source: "kernel/crash_reserve.c",
    simulate: { focus: "crashkernel" },
  },
  {
    id: "crashkernel-low-failed",
    re: /(?:Cannot reserve \d+MB crashkernel low memory|cannot allocate crashkernel low memory)/,
    title: "The low crash area (below 4 GiB) could not be reserved",
    cause: () =>
      "The main area went above 4 GiB, so a low area is needed for DMA/swiotlb (default max(swiotlb + 8 MiB, 256 MiB)), and no free range below 4 GiB holds it. The main area is released again.",
    check: ["crashkernel=…,low on the command line.", "Free memory below 4 GiB."],
    fix: ["A smaller crashkernel=Y,low (e.g. 96M), or crashkernel=0,low if the dump kernel needs no low DMA memory."],
    rule: "reserve_crashkernel_low(): low area for a main area ≥ 4 GiB",
    source: "arch/x86/kernel/setup.c reserve_crashkernel_low(); kernel/crash_reserve.c",
    simulate: { focus: "crashkernel" },
  },
  {
    id: "crashkernel-syntax",
    re: /cra(?:sh|hs)kernel: (unrecognized char: ?.?|[Mm]emory value expected(?: after '@')?)/,
    title: "crashkernel= does not parse",
    cause: (m) => `The kernel's crashkernel= parser stopped: "${m[1]!.trim()}". Nothing is reserved.`,
    check: ["The crashkernel= value: sizes need a K/M/G suffix or bytes, ranges look like 512M-2G:64M,2G-:128M, a base follows @."],
    fix: ["Type the value into the simulator's crashkernel= field: it shows the kernel's message and the column as you type."],
    rule: "parse_crashkernel_simple/_mem/_suffix() and memparse()",
    source: "kernel/crash_core.c / kernel/crash_reserve.c",
    simulate: { focus: "crashkernel" },
  },
  {
    id: "cmdline-too-long",
    re: /(?:Kernel )?command line too long/i,
    title: "The command line does not fit the target's cmdline_size",
    cause: () =>
      "The --append text (plus the NUL, and for kexec_file 30 bytes of room for elfcorehdr=) exceeds the target's cmdline_size from its setup header.",
    check: ["cmdline_size in the image editor.", "The length of --append / --reuse-cmdline."],
    fix: ["Shorten the command line."],
    rule: "cmdline_len > cmdline_size (kexec-tools and bzImage64_load())",
    source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_load(); kexec-tools kexec-bzImage64.c",
    simulate: { focus: "kexec" },
  },
  {
    id: "lockdown",
    re: /(?:Lockdown: .*kexec|kexec.*(?:is restricted|kernel_lockdown))/,
    title: "Kernel lockdown blocks the load",
    cause: () => "The running kernel is locked down (Secure Boot): kexec_load is refused, and kexec_file_load needs a signature the kernel trusts.",
    check: ["`cat /sys/kernel/security/lockdown`.", "The image's Authenticode signature (image editor, PE section)."],
    fix: ["Use kexec_file_load (`kexec -s`) with a signed kernel."],
    rule: "security_locked_down(LOCKDOWN_KEXEC)",
    source: "kernel/kexec.c, kernel/kexec_file.c",
    simulate: { focus: "kexec", iface: "kexec_file_load" },
  },
  {
    id: "unknown-file-type",
    re: /Cannot determine the file type of (.+)$/,
    title: "kexec-tools does not recognize the image",
    cause: (m) => `No kexec-tools loader accepted ${m[1]!.trim()}: no HdrS setup header with LOADED_HIGH, not an ELF, not multiboot.`,
    check: ["The file in the image editor (is there a setup header?)."],
    fix: ["Pass the bzImage (vmlinuz), not vmlinux.gz or an initrd."],
    rule: "kexec-tools probes each file type in order",
    source: "kexec-tools kexec/arch/x86_64/kexec-x86_64.c",
    simulate: { focus: "kexec", iface: "kexec_load" },
  },
  // kexec-tools 2.0.27–2.0.32 default mode (lab-7.2 trap-2.0.32): after the kernel's refusal the
  // load goes through kexec_load without a word; only `kexec -d` shows it.
  {
    id: "kexec-load-after-refusal",
    re: /kexec_load: entry = (0x[0-9a-fA-F]+) flags = (0x[0-9a-fA-F]+)/,
    title: "The image was loaded with kexec_load",
    cause: (m, all) =>
      FIVE_LEVEL.test(all)
        ? `The kernel refused the image through kexec_file_load (the "bzImage cannot handle 5-level paging mode." line), and kexec-tools ≥ 2.0.27 in its default mode then loaded it through kexec_load (entry ${m[1]}) without printing anything: the load succeeds, and \`kexec -e\` runs a target whose decompressor cannot take 5-level paging.`
        : `kexec-tools placed the segments itself and called kexec_load (entry ${m[1]}, flags ${m[2]}): no kernel-side checks of the image (XLF_5LEVEL) apply.`,
    check: [
      "Whether the kernel log has \"kexec-bzImage64: bzImage cannot handle 5-level paging mode.\" just before: then this was the silent fallback.",
      "`kexec --version`: 2.0.27 and later try kexec_file_load first and fall back on ENOEXEC, EINVAL, ENOSYS or ENOTSUP.",
    ],
    fix: ["Load with `kexec -s` so a refusal stays an error (it prints only \"syscall kexec_file_load not available.\", exit 253).", "Kexec a target with XLF_5LEVEL set, or run the current kernel with `no5lvl`."],
    rule: "kexec-tools main(): do_kexec_file_load() returns EFALLBACK, main() retries with my_load() (kexec_load)",
    source: "kexec-tools kexec/kexec.c main(), do_kexec_file_load(); commit 29fe5067ed07 \"kexec: make -a the default\" (v2.0.27)",
    simulate: { focus: "kexec", paging: 5, iface: "auto", kexecTools: "2.0.32" },
  },
  {
    id: "kexec-load-eperm",
    re: /kexec_load failed: Operation not permitted/,
    title: "kexec_load was refused with EPERM",
    cause: () =>
      "The kernel answered EPERM: it is locked down (Secure Boot or lockdown=), where only kexec_file_load with a signed image is allowed; or the caller lacks CAP_SYS_BOOT; or kernel.kexec_load_disabled is set.",
    check: ["`cat /sys/kernel/security/lockdown`.", "`sysctl kernel.kexec_load_disabled`.", "That kexec runs as root (CAP_SYS_BOOT)."],
    fix: ["Use kexec_file_load (`kexec -s`) with an image signed by a key the kernel trusts."],
    rule: "kexec_load_check(): security_locked_down(LOCKDOWN_KEXEC) and kexec_load_disabled → -EPERM",
    source: "kernel/kexec.c kexec_load_check(); security/lockdown/lockdown.c",
    simulate: { focus: "kexec", iface: "kexec_load" },
  },
  {
    id: "cmdline-no-room-elfcorehdr",
    re: /Appending elfcorehdr=<addr> (?:to command line exceeds maximum allowed length|exceeds cmdline size)/,
    title: "No room left in cmdline_size for elfcorehdr=",
    cause: () =>
      "bzImage64_load() keeps 30 bytes (MAX_ELFCOREHDR_STR_LEN) of the target's cmdline_size free for \"elfcorehdr=0x… \" on every kexec_file load, crash or not; the command line plus that room is too long. Before 6.12 this was a pr_debug line and the syscall just failed with EINVAL.",
    check: ["cmdline_size in the image editor.", "The length of --append / --reuse-cmdline."],
    fix: ["Shorten the command line by at least the difference."],
    rule: "cmdline_len + MAX_ELFCOREHDR_STR_LEN > header->cmdline_size → -EINVAL",
    source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_load()",
    simulate: { focus: "kexec", iface: "kexec_file_load" },
  },
];

function mib(hexText: string): string {
  const n = Number.parseInt(hexText, 16);
  if (!Number.isFinite(n)) return hexText;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}

/**
 * Explains each line of kexec stderr / dmesg that matches a known pattern, in the order the
 * lines appear; a pattern is reported once (its first line). Unknown lines are ignored.
 */
export function explainFailure(text: string): FailureExplanation[] {
  const out: FailureExplanation[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    for (const p of FAILURE_PATTERNS) {
      const m = p.re.exec(line);
      if (!m) continue;
      if (!seen.has(p.id)) {
        seen.add(p.id);
        out.push({
          id: p.id,
          title: p.title,
          matched: line.length > 300 ? line.slice(0, 300) + "…" : line,
          line: i + 1,
          cause: p.cause(m, text),
          check: [...p.check],
          fix: [...p.fix],
          rule: p.rule,
          source: p.source,
          simulate: p.simulate && { ...p.simulate },
        });
      }
      break;
    }
  }
  return out;
}

/** The fallback trap in one sentence, for reports: when a 5-level refusal meets auto mode. */
export const FALLBACK_TRAP =
  "kexec-tools ≥ 2.0.27 without -s/-c tries kexec_file_load first and, on -ENOEXEC, silently retries with kexec_load, which has no 5-level check: the load succeeds and the jump faults in the target's decompressor.";
