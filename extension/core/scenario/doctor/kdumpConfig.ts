/**
 * The kdump service's configuration: which kernel and initrd it loads as the capture kernel,
 * what it appends to the command line and which kexec options it passes. Read, never sourced.
 * - Debian/Ubuntu kdump-tools: /etc/default/kdump-tools (USE_KDUMP, KDUMP_KERNEL default
 *   /var/lib/kdump/vmlinuz, KDUMP_INITRD default /var/lib/kdump/initrd.img — symlinks kdump-config
 *   makes to /boot/vmlinuz-$(uname -r) and its kdump initrd; KDUMP_CMDLINE_APPEND,
 *   KDUMP_KEXEC_ARGS); kdump-config records the command it ran in $KDUMP_COREDIR/kexec_cmd.
 * - Fedora/RHEL kdump-utils (github.com/rhkdump/kdump-utils): /etc/kdump.conf and
 *   /etc/sysconfig/kdump (KDUMP_KERNELVER, KDUMP_IMG "vmlinuz", KDUMP_IMG_EXT,
 *   KDUMP_COMMANDLINE_APPEND, KEXEC_ARGS — "-s" by default on x86_64, gen-kdump-sysconfig.sh);
 *   kernel /boot/$KDUMP_IMG-$KVER$KDUMP_IMG_EXT, initrd /boot/initramfs-${KVER}kdump.img, or
 *   /var/lib/kdump/initramfs-${KVER}kdump.img when /boot is not writable (kdump-lib.sh
 *   prepare_kdump_bootinfo()).
 * - SUSE kdump: /etc/sysconfig/kdump (KDUMP_KERNELVER, KDUMP_COMMANDLINE_APPEND, KEXEC_OPTIONS);
 *   kernel /boot/vmlinuz-$KVER, initrd /boot/initrd-$KVER-kdump.
 */

export type KdumpTool = "kdump-tools" | "kdump-utils" | "suse-kdump";

/** KEY=value lines of a shell fragment (quotes removed; no expansion). */
export function shellVars(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!.trim();
    if (v.startsWith('"')) v = v.slice(1, v.indexOf('"', 1) >= 0 ? v.indexOf('"', 1) : undefined);
    else if (v.startsWith("'")) v = v.slice(1, v.indexOf("'", 1) >= 0 ? v.indexOf("'", 1) : undefined);
    else v = v.replace(/\s+#.*$/, "");
    out.set(m[1]!, v);
  }
  return out;
}

export type KexecMode = "file" | "load" | "auto";

/** The interface option among kexec arguments: -s/--kexec-file-syscall, -c/--kexec-syscall, -a/--kexec-syscall-auto. */
export function kexecModeFromArgs(args: readonly string[]): KexecMode | null {
  let mode: KexecMode | null = null;
  for (const a of args) {
    if (a === "-s" || a === "--kexec-file-syscall") mode = "file";
    else if (a === "-c" || a === "--kexec-syscall") mode = "load";
    else if (a === "-a" || a === "--kexec-syscall-auto") mode = "auto";
    else if (/^-[a-zA-Z]+$/.test(a) && !a.startsWith("--")) {
      // Bundled short options ("-ps").
      if (a.includes("s")) mode = "file";
      if (a.includes("c")) mode = "load";
      if (a.includes("a")) mode = "auto";
    }
  }
  return mode;
}

/** Splits a command line as a shell would for simple quoting. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|([^\s"']+)/g;
  let m: RegExpExecArray | null;
  let last = -1;
  while ((m = re.exec(s))) {
    const piece = m[1] ?? m[2] ?? m[3] ?? "";
    if (last === m.index && out.length) out[out.length - 1] += piece;
    else out.push(piece);
    last = re.lastIndex;
  }
  return out;
}

export interface KexecCommand {
  args: string[];
  crash: boolean;
  kernel: string | null;
  initrd: string | null;
  append: string | null;
}

/** A recorded "kexec -p …" command (kdump-tools' kexec_cmd). */
export function parseKexecCommand(line: string): KexecCommand {
  const args = splitArgs(line.trim());
  let kernel: string | null = null;
  let initrd: string | null = null;
  let append: string | null = null;
  let crash = false;
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    const val = (name: string): string | null => (a.startsWith(name + "=") ? a.slice(name.length + 1) : a === name ? (args[++i] ?? null) : null);
    if (a === "-p" || a === "--load-panic" || (/^-[a-zA-Z]+$/.test(a) && a.includes("p"))) crash = true;
    let v: string | null;
    if ((v = val("--initrd")) !== null || (v = val("--ramdisk")) !== null) initrd = v;
    else if ((v = val("--command-line")) !== null || (v = val("--append")) !== null) append = v;
    else if (!a.startsWith("-")) kernel = a;
  }
  return { args: args.slice(1), crash, kernel, initrd, append };
}

export interface KdumpConfig {
  tool: KdumpTool;
  /** Files the configuration came from. */
  files: string[];
  enabled: boolean | null;
  /** Capture kernel path on the machine (may be a symlink); null: the running kernel. */
  kernel: string | null;
  initrd: string | null;
  /** How the paths were decided. */
  how: string;
  append: string | null;
  kexecArgs: string[];
  /** The interface option in those arguments, null when none is given (kexec-tools' default). */
  mode: KexecMode | null;
}

export interface KdumpConfigInput {
  release: string | null;
  debian: string | null;
  sysconfig: string | null;
  kdumpConf: string | null;
  kexecCmd: string | null;
  /** Whether a machine path exists (for Fedora's /boot vs /var/lib/kdump initrd). */
  exists: (p: string) => boolean;
}

export function readKdumpConfig(i: KdumpConfigInput): KdumpConfig | null {
  if (i.debian !== null) {
    const v = shellVars(i.debian);
    const cmd = i.kexecCmd ? parseKexecCommand(i.kexecCmd.split(/\r?\n/).find((l) => /\bkexec\b/.test(l)) ?? "") : null;
    const argsText = v.get("KDUMP_KEXEC_ARGS") ?? "";
    const args = cmd ? cmd.args.filter((a) => /^-/.test(a) && !/^--(initrd|ramdisk|command-line|append)=/.test(a)) : splitArgs(argsText);
    const kernel = cmd?.kernel ?? v.get("KDUMP_KERNEL") ?? "/var/lib/kdump/vmlinuz";
    const initrd = cmd?.initrd ?? v.get("KDUMP_INITRD") ?? "/var/lib/kdump/initrd.img";
    return {
      tool: "kdump-tools",
      files: ["/etc/default/kdump-tools", ...(cmd ? ["/var/crash/kexec_cmd"] : [])],
      enabled: v.has("USE_KDUMP") ? v.get("USE_KDUMP") === "1" : null,
      kernel,
      initrd,
      how: cmd
        ? "the command kdump-config last ran (/var/crash/kexec_cmd)"
        : `KDUMP_KERNEL / KDUMP_INITRD in /etc/default/kdump-tools${v.has("KDUMP_KERNEL") ? "" : " (defaults /var/lib/kdump/vmlinuz, /var/lib/kdump/initrd.img)"}`,
      append: cmd?.append ?? v.get("KDUMP_CMDLINE_APPEND") ?? null,
      kexecArgs: args,
      mode: kexecModeFromArgs(args),
    };
  }
  if (i.sysconfig === null && i.kdumpConf === null) return null;
  const v = shellVars(i.sysconfig ?? "");
  const suse = i.kdumpConf === null && (v.has("KEXEC_OPTIONS") || v.has("KDUMP_SAVEDIR") || v.has("KDUMP_CPUS"));
  const kver = v.get("KDUMP_KERNELVER") || i.release;
  if (suse) {
    const args = splitArgs(v.get("KEXEC_OPTIONS") ?? "");
    return {
      tool: "suse-kdump",
      files: ["/etc/sysconfig/kdump"],
      enabled: null,
      kernel: kver ? `/boot/vmlinuz-${kver}` : null,
      initrd: kver ? `/boot/initrd-${kver}-kdump` : null,
      how: `KDUMP_KERNELVER in /etc/sysconfig/kdump (${v.get("KDUMP_KERNELVER") ? "set" : "empty: the running kernel"})`,
      append: v.get("KDUMP_COMMANDLINE_APPEND") ?? null,
      kexecArgs: args,
      mode: kexecModeFromArgs(args),
    };
  }
  const img = v.get("KDUMP_IMG") || "vmlinuz";
  const ext = v.get("KDUMP_IMG_EXT") ?? "";
  const args = splitArgs(v.get("KEXEC_ARGS") ?? "");
  let initrd: string | null = null;
  if (kver) {
    const boot = `/boot/initramfs-${kver}kdump.img`;
    const state = `/var/lib/kdump/initramfs-${kver}kdump.img`;
    initrd = !i.exists(boot) && i.exists(state) ? state : boot;
  }
  return {
    tool: "kdump-utils",
    files: [...(i.kdumpConf !== null ? ["/etc/kdump.conf"] : []), ...(i.sysconfig !== null ? ["/etc/sysconfig/kdump"] : [])],
    enabled: null,
    kernel: kver ? `/boot/${img}-${kver}${ext}` : null,
    initrd,
    how: `KDUMP_KERNELVER/KDUMP_IMG in /etc/sysconfig/kdump (${v.get("KDUMP_KERNELVER") ? "set" : "empty: the running kernel"}), as kdumpctl's prepare_kdump_bootinfo() does`,
    append: v.get("KDUMP_COMMANDLINE_APPEND") ?? null,
    kexecArgs: args,
    mode: kexecModeFromArgs(args),
  };
}
