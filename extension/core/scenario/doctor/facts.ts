/**
 * The facts the doctor judges, read from a root (this machine, a copy, a sosreport or a
 * supportconfig), each with the file it came from; what the input lacks is listed, never
 * guessed and never read from "/" instead.
 */
import { parseBzImage } from "../../formats/bzimage/bzImage";
import { openFile } from "../../io/byteSource";
import { isFormatError } from "../../io/formatError";
import { memoryMapFromBootLog } from "../../kexec/bootLog";
import { memoryMapFromIomem } from "../../kexec/iomem";
import { kexecImageFromSetupHeader, type KexecImage } from "../../kexec/kexecImage";
import type { MemoryMap } from "../../kexec/memoryMap";
import type { AddrRange } from "../../kexec/ranges";
import { readKdumpConfig, type KdumpConfig } from "./kdumpConfig";
import { detectLayout, sosCommandFile, SupportconfigReader, type Layout } from "./layouts";
import { decidePaging, type PagingDecision } from "./paging";
import { LOG_CAP, RootFs } from "./rootFs";
import * as path from "node:path";
import { FormatError } from "../../io/formatError";

/** Kernel images larger than this are not parsed (a bzImage is 5–20 MiB). */
const IMAGE_CAP = 256 * 1024 * 1024;

export interface KernelIdentity {
  release: string | null;
  /** Upstream version the build is based on ("6.1.123"), when the banner says it. */
  version: string | null;
  banner: string | null;
  how: string;
}

export interface BootFile {
  /** Machine path ("/boot/vmlinuz-6.1.0-50-amd64"). */
  path: string;
  release: string | null;
  size: number | null;
  /** Only listed (sosreport / supportconfig listing), not present as a file. */
  listedOnly: boolean;
}

export interface ImageFacts {
  path: string;
  /** The path after following links inside the root (for messages). */
  resolved: string | null;
  image: KexecImage | null;
  signed: boolean | null;
  problem: string | null;
}

export interface IomemFacts {
  from: string;
  /** The file on this host (under the root, links followed inside it), for a simulation to read again. */
  file: string | null;
  /** Non-root view: every address reads as zero. */
  zeroed: boolean;
  map: MemoryMap | null;
  crash: AddrRange[];
  problem: string | null;
}

export interface MachineFacts {
  root: string;
  layout: Layout;
  kernel: KernelIdentity;
  cmdline: string | null;
  paging: PagingDecision;
  config: { from: string; text: string } | null;
  iomem: IomemFacts | null;
  crashSize: number | null;
  crashLoaded: boolean | null;
  kexecLoaded: boolean | null;
  lockdown: { mode: "none" | "integrity" | "confidentiality"; how: string } | null;
  secureBoot: { enabled: boolean; how: string } | null;
  /** `file`: the log as a file on this host (null when it is a section of a supportconfig file). */
  bootLog: { from: string; file: string | null; map: MemoryMap | null; problem: string | null; text: string } | null;
  kernels: BootFile[];
  initrds: BootFile[];
  configs: string[];
  kdump: KdumpConfig | null;
  kexecTools: { version: string | null; how: string };
  /** Output of the distro's own estimate, when the report carries it (kdumpctl estimate, kdumptool calibrate). */
  distroEstimate: { from: string; text: string } | null;
  /** Every installed kernel the input holds as a file, read as a loader would. */
  images: ImageFacts[];
  /** The capture kernel and initrd the kdump service loads (or would load). */
  capture: {
    kernel: ImageFacts | null;
    kernelPath: string | null;
    initrdPath: string | null;
    initrdSize: number | null;
    how: string;
    /** The capture kernel's release and its /boot/config-<release>, when present. */
    release: string | null;
    config: { from: string; text: string } | null;
  };
  /** Facts the input does not hold, one sentence each. */
  lacking: string[];
  /** Where each fact came from. */
  from: Record<string, string>;
}

export interface GatherOptions {
  /** `kexec --version` of this machine's own binary (live only; never run under --root). */
  kexecVersion?: () => Promise<string | null>;
  /**
   * A boot log to use instead of the root's (a host path, e.g. `journalctl -k -b > boot.log`):
   * it explains a failed reservation from the boot's own e820 map. Read bounded, like the root.
   */
  bootLog?: string;
}

const RELEASE_RE = /^\d+\.\d+/;

/** Upstream version from a banner: "Debian 6.1.123-1", Ubuntu's version_signature "… 6.8.12", else the release. */
export function upstreamVersion(release: string | null, banner: string | null, signature: string | null): { version: string | null; how: string } {
  const sig = signature ? /\s(\d+\.\d+(?:\.\d+)?)\s*$/.exec(signature.trim()) : null;
  if (sig) return { version: sig[1]!, how: "/proc/version_signature (Ubuntu) names the upstream stable version" };
  // The last "Debian X.Y.Z-N" is the kernel's (the first ones name the compiler's package).
  const debs = banner ? [...banner.matchAll(/\bDebian (\d+\.\d+(?:\.\d+)?)[-+~]/g)] : [];
  const deb = debs.length ? debs[debs.length - 1]! : null;
  if (deb) return { version: deb[1]!, how: "the banner's \"Debian X.Y.Z-N\" names the upstream stable version" };
  const rel = release ? /^(\d+\.\d+(?:\.\d+)?)/.exec(release) : null;
  if (rel) return { version: rel[1]!, how: "the release's leading version (the banner names no other)" };
  return { version: null, how: "no release known" };
}

function bool01(t: string | null): boolean | null {
  if (t === null) return null;
  const v = t.trim();
  return v === "1" ? true : v === "0" ? false : null;
}

function parseLockdown(t: string): "none" | "integrity" | "confidentiality" | null {
  const m = /\[(none|integrity|confidentiality)\]/.exec(t);
  return (m?.[1] as "none" | "integrity" | "confidentiality" | undefined) ?? null;
}

/** `ls -l`-style listing lines → names and sizes (sos "ls -alZR /boot", supportconfig "ls -lR --time-style=long-iso /boot/"). */
export function parseBootListing(text: string): { name: string; size: number }[] {
  const out: { name: string; size: number }[] = [];
  let dir = "/boot";
  for (const line of text.split(/\r?\n/)) {
    const d = /^(\/boot[^:]*):\s*$/.exec(line);
    if (d) {
      dir = d[1]!.replace(/\/$/, "");
      continue;
    }
    if (!/^[-l]/.test(line)) continue;
    const m = /\s(\d+)\s+(?:\w{3}\s+\d+\s+[\d:]+|\d{4}-\d\d-\d\d\s+\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:\s+[+-]\d{4})?)\s+(.+?)(?:\s+->\s+.*)?$/.exec(line);
    if (!m) continue;
    if (dir !== "/boot") continue;
    out.push({ name: m[2]!, size: Number(m[1]) });
  }
  return out;
}

function releaseOfBootName(name: string): string | null {
  const m = /^(?:vmlinuz|vmlinux|config|System\.map|initrd\.img|initramfs|initrd)-(.+?)(?:\.img)?$/.exec(name);
  if (!m) return null;
  return m[1]!.replace(/kdump$/, "").replace(/-kdump$/, "");
}

/** The host path of a machine file under the root (links followed inside it), or null. */
function hostFile(fs: RootFs, machinePath: string | undefined): string | null {
  if (machinePath === undefined) return null;
  const r = fs.resolve(machinePath);
  return r.ok && r.st.isFile() ? r.real : null;
}

/** Reads one kernel image under the root into the loader's view (header only). */
export function readImage(fs: RootFs, machinePath: string): ImageFacts {
  const st = fs.statFile(machinePath);
  if (!st.ok) return { path: machinePath, resolved: null, image: null, signed: null, problem: st.detail };
  if (st.size > IMAGE_CAP) return { path: machinePath, resolved: st.real, image: null, signed: null, problem: `${machinePath}: ${st.size} bytes, larger than a kernel image` };
  let src;
  try {
    src = openFile(st.real);
  } catch (e) {
    return { path: machinePath, resolved: st.real, image: null, signed: null, problem: e instanceof Error ? e.message : String(e) };
  }
  try {
    const img = parseBzImage(src);
    return {
      path: machinePath,
      resolved: st.real,
      image: kexecImageFromSetupHeader(img.setupHeader, img.fileSize, machinePath, img.kernelVersion ?? undefined),
      signed: img.pe ? img.pe.signed : false,
      problem: null,
    };
  } catch (e) {
    // Whatever a hostile file makes the parser say, it is one image's problem, not the report's.
    return { path: machinePath, resolved: st.real, image: null, signed: null, problem: e instanceof Error ? e.message : String(e) };
  } finally {
    src.close();
  }
}

export async function gatherFacts(root: string, opts: GatherOptions = {}): Promise<MachineFacts> {
  const fs = new RootFs(root);
  const layout = detectLayout(fs);
  const from: Record<string, string> = {};
  const lacking: string[] = [];
  const sc = layout === "supportconfig" ? new SupportconfigReader(fs) : null;

  /** The first source that answers: machine paths (live/copy/sosreport) or supportconfig sections. */
  const pick = (key: string, paths: readonly string[], scFind?: () => { text: string; from: string } | null, cap?: number): string | null => {
    if (sc && scFind) {
      const r = scFind();
      if (r) {
        from[key] = r.from;
        return r.text;
      }
      return null;
    }
    for (const p of paths) {
      const t = fs.text(p, cap);
      if (t !== null) {
        from[key] = p;
        return t;
      }
    }
    return null;
  };
  const scCmd = (files: string[], cmd: string) => () => sc!.find(files, "Command", cmd);
  const scFile = (files: string[], p: string) => () => sc!.find(files, "Configuration File", p);

  // Kernel identity.
  const procVersion = pick("banner", ["/proc/version"], scCmd(["basic-environment.txt", "boot.txt"], "uname -a"));
  const unameA = layout === "sosreport" ? pick("uname", ["/uname", sosCommandFile("kernel", "uname -a")]) : null;
  const signature = layout === "supportconfig" ? null : fs.text("/proc/version_signature");
  let release: string | null = null;
  let banner: string | null = null;
  const bannerText = procVersion ?? unameA;
  if (bannerText) {
    banner = bannerText.trim().split(/\r?\n/)[0] ?? null;
    const v = /Linux version (\S+)/.exec(banner ?? "");
    const u = /^Linux \S+ (\S+) /.exec(banner ?? "");
    release = v?.[1] ?? u?.[1] ?? null;
  }
  if (!release && layout === "live") {
    const r = fs.text("/proc/sys/kernel/osrelease");
    if (r) {
      release = r.trim();
      from["release"] = "/proc/sys/kernel/osrelease";
    }
  }
  if (!release && sc) {
    const r = sc.find(["crash.txt", "kdump.txt"], "Command", "uname -r");
    if (r) release = r.text.trim().split(/\s+/)[0] ?? null;
  }
  if (release && !RELEASE_RE.test(release)) release = null;
  if (!banner) lacking.push(layout === "supportconfig" ? "uname -a (basic-environment.txt / boot.txt)" : "/proc/version (the exact build)");
  if (layout === "sosreport" && !procVersion) lacking.push("/proc/version: sos does not copy it on x86; the build comes from \"uname -a\"");
  const up = upstreamVersion(release, banner, signature);
  const kernel: KernelIdentity = { release, version: up.version, banner, how: up.how };

  const cmdline = pick("cmdline", ["/proc/cmdline"], scFile(["crash.txt", "kdump.txt", "boot.txt", "hardware.txt"], "/proc/cmdline"))?.trim().split(/\r?\n/)[0]?.trim() ?? null;
  if (cmdline === null) lacking.push("/proc/cmdline");

  const cpuinfo = pick("cpuinfo", ["/proc/cpuinfo"], scFile(["hardware.txt"], "/proc/cpuinfo"));
  if (cpuinfo === null) lacking.push("/proc/cpuinfo (the running paging mode)");

  // /boot.
  const kernels: BootFile[] = [];
  const initrds: BootFile[] = [];
  const configs: string[] = [];
  let bootNames: { name: string; size: number | null; listedOnly: boolean }[] = [];
  const bootDir = layout === "supportconfig" ? null : fs.list("/boot");
  if (bootDir) {
    bootNames = bootDir.map((n) => {
      const st = fs.resolve(`/boot/${n}`);
      return { name: n, size: st.ok && st.st.isFile() ? st.st.size : null, listedOnly: false };
    });
    from["boot"] = "/boot";
  } else {
    let listing: string | null = null;
    if (layout === "sosreport") {
      const dir = fs.list("/sos_commands/boot") ?? [];
      const f = dir.find((n) => /^ls_-[a-zA-Z]*_\.boot$/.test(n));
      if (f) listing = pick("boot", [`/sos_commands/boot/${f}`]);
    } else if (sc) {
      listing = pick("boot", [], scCmd(["boot.txt"], "ls -lR --time-style=long-iso /boot/"));
    }
    if (listing) bootNames = parseBootListing(listing).map((x) => ({ ...x, listedOnly: true }));
    lacking.push(listing ? "the /boot files themselves (only a listing): kernel headers cannot be read" : "/boot (installed kernels, initrds, configs)");
  }
  for (const b of bootNames) {
    const p = `/boot/${b.name}`;
    const rel = releaseOfBootName(b.name);
    if (/^vmlinuz-/.test(b.name)) kernels.push({ path: p, release: rel, size: b.size, listedOnly: b.listedOnly });
    else if (/^(initrd\.img-|initramfs-|initrd-)/.test(b.name)) initrds.push({ path: p, release: rel, size: b.size, listedOnly: b.listedOnly });
    else if (/^config-/.test(b.name)) configs.push(p);
  }
  let config: { from: string; text: string } | null = null;
  if (release && layout !== "supportconfig") {
    const p = `/boot/config-${release}`;
    const t = fs.text(p);
    if (t !== null) config = { from: p, text: t };
    else lacking.push(`${p} (the running kernel's build options)`);
  }

  // Boot log (for explaining a failed reservation).
  let bootLog: MachineFacts["bootLog"] = null;
  let logText: string | null;
  if (opts.bootLog !== undefined) {
    const abs = path.resolve(opts.bootLog);
    const r = new RootFs(path.dirname(abs)).readText("/" + path.basename(abs), LOG_CAP);
    if (!r.ok) throw new FormatError(opts.bootLog, 0, "boot log", "a readable regular file", r.detail);
    logText = r.text;
    from["bootLog"] = abs;
  } else {
    logText =
      layout === "sosreport"
        ? pick("bootLog", [sosCommandFile("kernel", "dmesg"), "/var/log/dmesg"], undefined, LOG_CAP)
        : sc
          ? pick("bootLog", [], scCmd(["boot.txt"], "dmesg -T"), LOG_CAP)
          : pick("bootLog", ["/var/log/dmesg", "/var/log/boot.msg"], undefined, LOG_CAP);
  }
  if (logText !== null) {
    // dmesg -T prints "[Wed Dec  2 05:00:00 2026] …": make it look like a plain dmesg line.
    const text = logText.replace(/^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\] ?/gm, "[    0.000000] ");
    let map: MemoryMap | null = null;
    let problem: string | null = null;
    try {
      map = memoryMapFromBootLog(text, from["bootLog"] ?? "boot log");
    } catch (e) {
      if (!isFormatError(e)) throw e;
      problem = e.message;
    }
    // A file of its own (not a supportconfig section): a simulation can read it again.
    const file = opts.bootLog !== undefined ? from["bootLog"]! : sc ? null : hostFile(fs, from["bootLog"]);
    bootLog = { from: from["bootLog"] ?? "boot log", file, map, problem, text };
    if (map?.kernelRelease && release && map.kernelRelease !== release) {
      lacking.push(`a boot log of the running kernel: ${bootLog.from} is from ${map.kernelRelease}, not ${release}`);
    }
  } else lacking.push(layout === "live" ? "a saved boot log (/var/log/dmesg): the doctor does not run dmesg" : "the kernel log (dmesg)");

  const paging = decidePaging({ cpuinfo, cmdline, config: config?.text ?? null, release, bootLogSays5: bootLog?.map?.pagingLevels === 5 });

  // /proc/iomem.
  let iomem: IomemFacts | null = null;
  const iomemText = sc ? null : pick("iomem", ["/proc/iomem"]);
  if (iomemText !== null) {
    const f = from["iomem"]!;
    try {
      const map = memoryMapFromIomem(iomemText, f);
      iomem = { from: f, file: hostFile(fs, f), zeroed: false, map, crash: map.crashKernel, problem: null };
    } catch (e) {
      if (!isFormatError(e)) throw e;
      const zeroed = /00000000-00000000/.test(e.message);
      // A zeroed view still names its entries: "Crash kernel" appears even without addresses.
      const crashNamed = /:\s*Crash kernel\s*$/m.test(iomemText);
      iomem = { from: f, file: null, zeroed, map: null, crash: [], problem: zeroed ? `${f} shows every address as 0: it was read without CAP_SYS_ADMIN (run as root)${crashNamed ? "; it does list a \"Crash kernel\" entry" : ""}` : e.message };
    }
  } else lacking.push(layout === "supportconfig" ? "/proc/iomem (supportconfig does not collect it)" : "/proc/iomem");

  const sysKdump = ["crash.txt", "kdump.txt"];
  const crashSizeText = pick("crashSize", ["/sys/kernel/kexec_crash_size"], scFile(sysKdump, "/sys/kernel/kexec_crash_size"));
  const crashSize = crashSizeText !== null && /^\s*\d+\s*$/.test(crashSizeText) ? Number(crashSizeText.trim()) : null;
  if (crashSizeText === null) lacking.push("/sys/kernel/kexec_crash_size (absent: a kernel without CONFIG_CRASH_DUMP/KEXEC, or not collected)");
  const crashLoaded = bool01(pick("crashLoaded", ["/sys/kernel/kexec_crash_loaded"], scFile(sysKdump, "/sys/kernel/kexec_crash_loaded")));
  if (crashLoaded === null) lacking.push("/sys/kernel/kexec_crash_loaded");
  const kexecLoaded = bool01(pick("kexecLoaded", ["/sys/kernel/kexec_loaded"], scFile(sysKdump, "/sys/kernel/kexec_loaded")));

  // Lockdown and Secure Boot.
  let lockdown: MachineFacts["lockdown"] = null;
  const ld = sc ? null : pick("lockdown", ["/sys/kernel/security/lockdown"]);
  if (ld !== null) {
    const mode = parseLockdown(ld);
    if (mode) lockdown = { mode, how: `${from["lockdown"]}: ${ld.trim()}` };
  }
  if (!lockdown && bootLog) {
    const m = /Kernel is locked down from (.+?); see man kernel_lockdown/.exec(bootLog.text);
    if (m) lockdown = { mode: "integrity", how: `boot log: "Kernel is locked down from ${m[1]}" (integrity at least; confidentiality not distinguishable)` };
  }
  if (!lockdown) lacking.push("/sys/kernel/security/lockdown (lockdown mode)");
  let secureBoot: MachineFacts["secureBoot"] = null;
  const efiVar = "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";
  const sbBytes = sc ? null : fs.readBytes(efiVar, 64);
  if (sbBytes && sbBytes.ok && sbBytes.bytes.length >= 5) {
    secureBoot = { enabled: sbBytes.bytes[4] === 1, how: `${efiVar} (5th byte ${sbBytes.bytes[4]})` };
  } else {
    const mok = pick("secureBoot", layout === "sosreport" ? [sosCommandFile("boot", "mokutil --sb-state")] : [], scCmd(["boot.txt"], "mokutil --sb-state"));
    const m = mok ? /SecureBoot (enabled|disabled)/i.exec(mok) : null;
    if (m) secureBoot = { enabled: m[1]!.toLowerCase() === "enabled", how: `mokutil --sb-state (${from["secureBoot"]})` };
    else if (bootLog && /secureboot: Secure boot (enabled|disabled)/.test(bootLog.text)) {
      const en = /secureboot: Secure boot enabled/.test(bootLog.text);
      secureBoot = { enabled: en, how: "boot log \"secureboot: Secure boot …\"" };
    }
  }

  // kdump service configuration.
  const debian = pick("kdumpTools", ["/etc/default/kdump-tools"]);
  const sysconfig = pick("sysconfigKdump", ["/etc/sysconfig/kdump"], scFile(sysKdump, "/etc/sysconfig/kdump"));
  const kdumpConf = pick("kdumpConf", ["/etc/kdump.conf"], scFile(sysKdump, "/etc/kdump.conf"));
  let kexecCmd: string | null = null;
  if (debian !== null) {
    const dir = /^KDUMP_COREDIR="?([^"\s]+)"?/m.exec(debian)?.[1] ?? "/var/crash";
    kexecCmd = pick("kexecCmd", [`${dir.replace(/\/$/, "")}/kexec_cmd`]);
  }
  const kdump = readKdumpConfig({ release, debian, sysconfig, kdumpConf, kexecCmd, exists: (p) => fs.exists(p) });
  if (!kdump) lacking.push("a kdump service configuration (/etc/default/kdump-tools, /etc/kdump.conf, /etc/sysconfig/kdump)");

  // kexec-tools.
  let kexecTools: MachineFacts["kexecTools"] = { version: null, how: "unknown" };
  if (layout === "live" && opts.kexecVersion) {
    const v = await opts.kexecVersion();
    kexecTools = v ? { version: v, how: "kexec --version of this machine's kexec" } : { version: null, how: "kexec --version did not answer (kexec-tools not installed?)" };
  } else {
    const lists = sc
      ? [{ text: fs.text("/rpm.txt", LOG_CAP), from: "rpm.txt" }]
      : [
          { text: fs.text("/installed-rpms", LOG_CAP), from: "installed-rpms" },
          { text: fs.text("/installed-debs", LOG_CAP), from: "installed-debs" },
          { text: fs.text(sosCommandFile("dpkg", "dpkg -l"), LOG_CAP), from: "sos_commands/dpkg/dpkg_-l" },
        ];
    for (const l of lists) {
      if (!l.text) continue;
      const m = /^(?:ii\s+)?kexec-tools(?:[-\s]+(?:\d+:)?|\s.*?\s)(\d+\.\d+\.\d+)/m.exec(l.text);
      if (m) {
        kexecTools = { version: m[1]!, how: `package list (${l.from}); the binary was not run` };
        break;
      }
    }
    if (!kexecTools.version) {
      kexecTools = { version: null, how: layout === "live" ? "not asked" : "not in the report's package list; never executed under --root" };
      lacking.push("the kexec-tools version");
    }
  }

  let distroEstimate: MachineFacts["distroEstimate"] = null;
  const est =
    layout === "sosreport"
      ? pick("distroEstimate", [sosCommandFile("kdump", "kdumpctl estimate"), sosCommandFile("kdump", "kdump-config show")])
      : sc
        ? pick("distroEstimate", [], scCmd(sysKdump, "kdumptool calibrate"))
        : null;
  if (est) distroEstimate = { from: from["distroEstimate"]!, text: est };

  // Installed kernels and the capture kernel.
  const images: ImageFacts[] = kernels.filter((k) => !k.listedOnly).map((k) => readImage(fs, k.path));
  let kernelPath = kdump?.kernel ?? (release ? `/boot/vmlinuz-${release}` : null);
  let how = kdump ? `${kdump.tool}: ${kdump.how}` : "no kdump configuration: assuming the running kernel's /boot/vmlinuz-$(uname -r), as every kdump service does by default";
  if (kdump && kdump.kernel === null && release) {
    kernelPath = `/boot/vmlinuz-${release}`;
    how += " → the running kernel";
  }
  let captureImage: ImageFacts | null = null;
  if (kernelPath) {
    const listed = kernels.find((k) => k.path === kernelPath && k.listedOnly);
    if (listed) captureImage = { path: kernelPath, resolved: null, image: null, signed: null, problem: `${kernelPath} is only listed in the report, not included` };
    else captureImage = images.find((i) => i.path === kernelPath) ?? readImage(fs, kernelPath);
  }
  let initrdPath = kdump?.initrd ?? null;
  let initrdSize: number | null = null;
  if (!initrdPath && release) initrdPath = null;
  if (initrdPath) {
    const st = fs.statFile(initrdPath);
    if (st.ok) initrdSize = st.size;
    else {
      const listed = initrds.find((i) => i.path === initrdPath);
      if (listed?.size != null) initrdSize = listed.size;
    }
  }

  // The capture kernel's release: the file a link leads to (vmlinuz-<release>), else its version string.
  let captureRelease: string | null = null;
  if (captureImage?.resolved) captureRelease = /vmlinuz-(.+)$/.exec(captureImage.resolved)?.[1] ?? null;
  if (!captureRelease && captureImage?.image?.kernelVersion) captureRelease = captureImage.image.kernelVersion.split(/\s+/)[0] ?? null;
  if (!captureRelease && kernelPath) captureRelease = /vmlinuz-(.+)$/.exec(kernelPath)?.[1] ?? null;
  let captureConfig: { from: string; text: string } | null = null;
  if (captureRelease) {
    if (captureRelease === release && config) captureConfig = config;
    else if (layout !== "supportconfig") {
      const p = `/boot/config-${captureRelease}`;
      const t = fs.text(p);
      if (t !== null) captureConfig = { from: p, text: t };
    }
  }

  return {
    root: fs.root,
    layout,
    kernel,
    cmdline,
    paging,
    config,
    iomem,
    crashSize,
    crashLoaded,
    kexecLoaded,
    lockdown,
    secureBoot,
    bootLog,
    kernels,
    initrds,
    configs,
    kdump,
    kexecTools,
    distroEstimate,
    images,
    capture: { kernel: captureImage, kernelPath, initrdPath, initrdSize, how, release: captureRelease, config: captureConfig },
    lacking,
    from,
  };
}

export { RootFs };
