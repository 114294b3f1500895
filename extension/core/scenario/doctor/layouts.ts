/**
 * Where each fact lives in the layouts the doctor reads: this machine or a plain copy (the
 * machine's own paths), an extracted sosreport, and a SUSE supportconfig. Layouts were read
 * from the collectors themselves:
 * - sos (github.com/sosreport/sos, sos/report/plugins): kdump.py copies /proc/cmdline,
 *   /sys/kernel/kexec_{loaded,crash_loaded,crash_size}, /etc/kdump.conf, /etc/sysconfig/kdump,
 *   /etc/default/kdump-tools, /var/crash/kexec_cmd and runs "kdumpctl estimate"; kernel.py runs
 *   "uname -a" (root symlink "uname") and "dmesg" and copies /boot/config-$(uname -r);
 *   processor.py copies /proc/cpuinfo; pci.py /proc/iomem; boot.py lists /boot ("ls -alZR
 *   /boot") and runs "mokutil --sb-state". Command output lands in sos_commands/<plugin>/ under
 *   a name made by _mangle_command() (spaces → "_", "/" → ".").
 * - supportconfig (github.com/openSUSE/supportutils, bin/supportconfig + supportconfig.rc):
 *   *.txt files of sections opened by "#==[ Command ]===…#" or "#==[ Configuration File ]===…#"
 *   followed by "# <command or path>"; crash.txt (crash_info) holds /proc/cmdline,
 *   /etc/sysconfig/kdump, /sys/kernel/kexec_*, /etc/kdump.conf and "kdumptool calibrate";
 *   basic-environment.txt and boot.txt "uname -a"; boot.txt "mokutil --sb-state",
 *   "ls -lR --time-style=long-iso /boot/" and "dmesg -T"; hardware.txt /proc/cpuinfo.
 *   It holds no /proc/iomem, no /boot/config-*, no kernel images and no lockdown state.
 */
import type { RootFs } from "./rootFs";
import { LOG_CAP } from "./rootFs";

export type Layout = "live" | "copy" | "sosreport" | "supportconfig";

export function detectLayout(fs: RootFs): Layout {
  if (fs.isLive) return "live";
  const top = fs.list("/") ?? [];
  if (top.includes("sos_commands")) return "sosreport";
  if (top.includes("basic-environment.txt") || (top.includes("crash.txt") && top.includes("boot.txt")) || top.includes("supportconfig.txt")) return "supportconfig";
  return "copy";
}

export interface Section {
  kind: string;
  /** The "# …" line after the header: the command (with its absolute path) or the file. */
  title: string;
  body: string;
}

const HEADER = /^#==\[ (.+?) \]=*#\s*$/;

/** Splits a supportconfig *.txt file into its sections. */
export function supportconfigSections(text: string): Section[] {
  const out: Section[] = [];
  let cur: { kind: string; title: string | null; lines: string[] } | null = null;
  const flush = (): void => {
    if (cur) out.push({ kind: cur.kind, title: cur.title ?? "", body: cur.lines.join("\n").replace(/\n+$/, "") });
  };
  for (const line of text.split(/\r?\n/)) {
    const h = HEADER.exec(line);
    if (h) {
      flush();
      cur = { kind: h[1]!, title: null, lines: [] };
      continue;
    }
    if (!cur) continue;
    if (cur.title === null && line.startsWith("# ")) {
      cur.title = line.slice(2).trim();
      continue;
    }
    cur.lines.push(line);
  }
  flush();
  return out;
}

/** "/usr/bin/uname -a" matches "uname -a"; "/proc/cmdline" matches "/proc/cmdline". */
function titleIs(title: string, want: string): boolean {
  if (title === want) return true;
  if (want.startsWith("/")) return title === want || title.startsWith(want + " ");
  return title.replace(/^\S*\//, "") === want;
}

export class SupportconfigReader {
  private readonly cache = new Map<string, Section[] | null>();
  constructor(private readonly fs: RootFs) {}

  sections(file: string): Section[] | null {
    if (!this.cache.has(file)) {
      const t = this.fs.text("/" + file, LOG_CAP);
      this.cache.set(file, t === null ? null : supportconfigSections(t));
    }
    return this.cache.get(file)!;
  }

  /** A command's output or a configuration file's content; "File not found" sections are null. */
  find(files: readonly string[], kind: "Command" | "Configuration File", title: string): { text: string; from: string } | null {
    for (const f of files) {
      const s = this.sections(f)?.find((x) => x.kind === kind && titleIs(x.title, title));
      if (!s) continue;
      if (/ - File not found$/.test(s.title) || /^ERROR: Command not found/.test(s.body)) continue;
      return { text: s.body + "\n", from: `${f}: ${kind === "Command" ? "command" : "file"} ${title}` };
    }
    return null;
  }
}

/** sos's file name for a command's output (sos/report/plugins/__init__.py _mangle_command()). */
export function sosCommandFile(plugin: string, command: string): string {
  let m = command.replace(/^\/(usr\/|)(bin|sbin)\//, "");
  m = m.replace(/[^\w\-./]+/g, "_");
  m = m.replace(/\//g, ".").replace(/^[ ._-]+|[ ._-]+$/g, "");
  return `/sos_commands/${plugin}/${m}`;
}
