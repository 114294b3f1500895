/**
 * The doctor's judgements over the gathered facts: each check is pass/warn/fail with the reason,
 * the fix and the public source of the rule. Every kernel or kexec-tools rule comes from the
 * core (crashkernel parsing and reservation, kexec_file probe and placement, kexec-tools
 * placement, jump verdicts); this file only decides which question to ask and words the answer.
 */
import { simulateCrashkernel } from "../../kexec/crashkernelReserve";
import { parseCrashkernel } from "../../kexec/crashkernelSyntax";
import { simulate } from "../simulate";
import type { Verdict } from "../../kexec/jumpVerdicts";
import { DEFAULT_KERNEL, defaultLowSize, kernelProfile, kexecToolsProfile, type KernelProfile, type KexecToolsProfile } from "../../kexec/kernelProfiles";
import { XLF_5LEVEL_ENABLED, XLF_CAN_BE_LOADED_ABOVE_4G, type KexecImage } from "../../kexec/kexecImage";
import { memblockPhysMemSize, type MemoryMap } from "../../kexec/memoryMap";
import type { PlacementResult } from "../../kexec/placement";
import { GiB, MiB, PAGE_SIZE, alignUp, hex, rangeSize, type AddrRange } from "../../kexec/ranges";
import { FOUR_LEVEL_LIMIT } from "../../knowledge/pagingModes";
import { IMAGE_VERDICT_DEFAULTS } from "../../kexec/imageVerdicts";
import type { MachineFacts } from "./facts";
import type { KexecMode } from "./kdumpConfig";

export type CheckStatus = "pass" | "warn" | "fail";

export interface Check {
  id: string;
  status: CheckStatus;
  title: string;
  detail: string;
  fix: string;
  source: string;
  /** The simulation behind this judgement, to open in the simulation panel; null when there is none. */
  simulate: CheckSimulation | null;
}

/**
 * The inputs of the simulation a check stands on, as the simulation panel takes them (and the
 * CLI's `crashkernel` / `kexec-load --iface …` flags): JSON-safe, paths are files on this host
 * (under the root). Decided here, so the panel opens on the same question the doctor asked.
 */
export interface CheckSimulation {
  /** "crashkernel": the reservation alone; "load": a kexec -l / -p of `image`. */
  what: "crashkernel" | "load";
  /** The memory map file: the root's /proc/iomem or its boot log; null when the input holds neither as a file. */
  memmap: string | null;
  /** The running kernel's command line, for a map that carries none (/proc/iomem), as the panel does for this machine. */
  cmdline: string | null;
  /** The kernel image to load (host path); null for "crashkernel". */
  image: string | null;
  /** Running kernel version whose rules apply (the doctor's). */
  kernel: string;
  kexecTools: string;
  paging: 4 | 5;
  /** kexec-tools' interface choice: auto (no option), file (-s), load (-c). */
  iface: KexecMode;
  /** kexec -p (a capture kernel) instead of kexec -l. */
  crash: boolean;
  /** crashkernel= tokens to reserve with ("" = none: the map's own Crash kernel lines, if any). */
  crashkernel: string;
  /** The target's command line (--append). */
  append: string;
  initrdSize: number | null;
}

/** Runtime allowance for the capture kernel and its user space (kdumpctl's runtime_size). */
export const RUNTIME_ALLOWANCE = 16 * MiB;
/** kdumpctl counts the initrd three times: loaded, unpacked into tmpfs, and working room. */
export const INITRD_FACTOR = 3;

const mib = (n: number): string => `${Math.round((n / MiB) * 10) / 10} MiB`;
const SRC = {
  param: "Documentation/admin-guide/kernel-parameters.txt (crashkernel=); kernel/crash_reserve.c parse_crashkernel() (kernel/crash_core.c before 6.9)",
  reserve: "kernel/crash_reserve.c reserve_crashkernel_generic() (6.7+), arch/x86/kernel/setup.c reserve_crashkernel() (≤6.6)",
  sysfs: "kernel/ksysfs.c kexec_crash_size_show(), kexec_crash_loaded_show(); Documentation/ABI/testing/sysfs-kernel-kexec-kdump",
  cap64t: "commit 8ff80fbe7e9870078b1cc3c2cdd8f3f223b333a9 (x86/kdump/64: Restrict kdump kernel reservation to <64TB, v5.3)",
  estimate: "kdump-utils kdumpctl do_estimate(): kernel + modules + 3 × initramfs + 16M runtime (github.com/rhkdump/kdump-utils); kdump_get_arch_recommend_crashkernel() x86_64 \"2G-64G:256M,64G-:512M\"",
  lockdownLoad: "kernel/kexec.c kexec_load_check(): security_locked_down(LOCKDOWN_KEXEC) → -EPERM (\"kexec_load: Disable at runtime if the kernel is locked down\", lockdown series, v5.4)",
  lockdownFile: "kernel/kexec_file.c kimage_validate_signature(): an image whose signature does not verify is refused when the kernel is locked down (LOCKDOWN_KEXEC)",
  auto: "kexec-tools commit 29fe5067ed07452bcbbbe5fcd0b4e4215f598014 (\"kexec: make -a the default\", v2.0.27)",
};

export interface Plan {
  profile: KernelProfile;
  profileHow: string;
  tools: KexecToolsProfile;
  toolsKnown: boolean;
  /** How the capture kernel is loaded: the service's option, or kexec-tools' default. */
  mode: KexecMode;
  modeHow: string;
  /** The map placement and reservation questions use (iomem first, then the boot log). */
  map: MemoryMap | null;
  ranges: AddrRange[];
  reservedSize: number | null;
}

export function plan(f: MachineFacts): Plan {
  const v = f.kernel.version ?? f.kernel.release;
  let profile: KernelProfile;
  let profileHow: string;
  try {
    profile = kernelProfile(v ?? DEFAULT_KERNEL);
    profileHow = v ? `kernel rules of ${v} (${f.kernel.how})` : `running kernel unknown: rules of ${DEFAULT_KERNEL}`;
    // Enterprise kernels carry backports (RHEL 9's 5.14 has the 6.0 128M round-up, for one): say so.
    if (f.kernel.release && /\.el\d|-default$|-azure$|-aws$|-gcp$/.test(f.kernel.release)) profileHow += "; a vendor kernel: its backports may differ from upstream";
  } catch {
    profile = kernelProfile(DEFAULT_KERNEL);
    profileHow = `"${v}" is not a kernel version: rules of ${DEFAULT_KERNEL}`;
  }
  const toolsKnown = f.kexecTools.version !== null;
  let tools: KexecToolsProfile;
  try {
    tools = kexecToolsProfile(f.kexecTools.version ?? IMAGE_VERDICT_DEFAULTS.kexecTools);
  } catch {
    tools = kexecToolsProfile(IMAGE_VERDICT_DEFAULTS.kexecTools);
  }
  const given = f.kdump?.mode ?? null;
  const mode: KexecMode = given ?? (tools.autoFileThenLoad ? "auto" : "load");
  const modeHow = given
    ? `${f.kdump!.tool} passes ${f.kdump!.kexecArgs.join(" ")}`
    : `no -s/-c/-a option: kexec-tools ${tools.version}${toolsKnown ? "" : " (assumed)"} defaults to ${tools.autoFileThenLoad ? "kexec_file_load, then kexec_load on failure" : "kexec_load"}`;
  const map = f.iomem?.map ?? f.bootLog?.map ?? null;
  let ranges: AddrRange[] = [];
  if (f.iomem?.map) ranges = f.iomem.crash;
  else if (f.bootLog?.map) ranges = f.bootLog.map.crashKernel;
  const reservedSize = f.crashSize ?? (ranges.length ? ranges.reduce((a, r) => a + rangeSize(r), 0) : f.iomem?.map ? 0 : null);
  return { profile, profileHow, tools, toolsKnown, mode, modeHow, map, ranges, reservedSize };
}

function crashTokens(cmdline: string | null): string[] {
  return (cmdline ?? "").split(/\s+/).filter((t) => t.startsWith("crashkernel="));
}

function fixReserve(f: MachineFacts): string {
  switch (f.kdump?.tool) {
    case "kdump-tools":
      return "Debian/Ubuntu: set crashkernel= in /etc/default/grub.d/kdump-tools.cfg (installed by kdump-tools) or GRUB_CMDLINE_LINUX, run update-grub and reboot.";
    case "kdump-utils":
      return "Fedora/RHEL: kdumpctl reset-crashkernel (or grubby --update-kernel=ALL --args=crashkernel=…) and reboot.";
    case "suse-kdump":
      return "SUSE: yast kdump (or set crashkernel= from kdumptool calibrate in /etc/default/grub, grub2-mkconfig) and reboot.";
    default:
      return "Add crashkernel=… (e.g. crashkernel=512M) to the kernel command line in the boot loader, install the distro's kdump service, and reboot.";
  }
}

function fixLoad(f: MachineFacts): string {
  switch (f.kdump?.tool) {
    case "kdump-tools":
      return "kdump-config load (or systemctl restart kdump-tools), then kdump-config show.";
    case "kdump-utils":
      return "kdumpctl restart (or systemctl restart kdump), then kdumpctl status.";
    case "suse-kdump":
      return "systemctl restart kdump, then check journalctl -u kdump.";
    default:
      return "Install and enable the distro's kdump service (kdump-tools, kdump-utils, kdump); it loads the capture kernel with kexec -p at boot.";
  }
}

const sev = (v: Verdict): CheckStatus => (v.severity === "error" ? "fail" : v.severity === "warning" ? "warn" : "pass");
const worst = (list: CheckStatus[]): CheckStatus => (list.includes("fail") ? "fail" : list.includes("warn") ? "warn" : "pass");

/** A map with just the crash region as RAM: enough for a crash load, which places inside crashk_res only. */
function crashOnlyMap(ranges: AddrRange[]): MemoryMap {
  return { kind: "iomem", file: "crash region", firmware: [], systemRam: ranges, reserved: [], crashKernel: ranges, notes: [] };
}

interface LoadOutcome {
  iface: "kexec_load" | "kexec_file_load";
  placement: PlacementResult | null;
  fellBack: string | null;
  verdicts: Verdict[];
}

/**
 * The load as kexec-tools would do it in `mode`: the one scenario (simulate()) that the CLI and the
 * panel use, on the machine's map, or on its crash region alone when only that is known.
 */
export function simulateLoad(p: Plan, running: 4 | 5, image: KexecImage, crash: boolean, map: MemoryMap | null, initrdSize: number | undefined, cmdline: string, machine: { banner?: string | null; lockdown?: boolean } = {}): LoadOutcome {
  const crashRanges = p.ranges;
  let m: MemoryMap;
  if (!crash) m = map ?? crashOnlyMap([]);
  else if (!crashRanges.length) m = map ? { ...map, crashKernel: [] } : crashOnlyMap([]);
  else m = map ? { ...map, crashKernel: map.crashKernel.length ? map.crashKernel : crashRanges } : crashOnlyMap(crashRanges);
  const r = simulate({
    map: m,
    image,
    kernel: p.profile.version,
    runningBanner: machine.banner ?? undefined,
    kexecTools: p.tools.version,
    runningPaging: running,
    iface: p.mode === "load" ? "kexec_load" : p.mode === "file" ? "kexec_file_load" : "auto",
    crash,
    // The reservation is what the machine shows, not a new one.
    crashkernel: "",
    append: cmdline,
    initrdSize,
    lockdown: machine.lockdown,
  });
  const load = r.load!;
  // Without a map there is nothing to place on (a crash load without a reservation still says what fails).
  const placed = map !== null || crashRanges.length > 0;
  return { iface: load.final.interface, placement: placed ? load.final : null, fellBack: load.fallbackFrom?.reason ?? null, verdicts: r.verdicts };
}

/** The lines that carry numbers in "kdumpctl estimate", "kdumptool calibrate" or "kdump-config show" output. */
export function distroFigure(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /^(Reserved crashkernel|Recommended crashkernel|Total|Low|High|MIN |MAX |crashkernel suggested size|current state)\b/i.test(l));
  return lines.length ? lines.slice(0, 6).join("; ") : "no figure found";
}

export function runChecks(f: MachineFacts): { plan: Plan; checks: Check[] } {
  const p = plan(f);
  const checks: Check[] = [];
  const running = f.paging.levels;
  const machine = { banner: f.kernel.banner, lockdown: f.lockdown ? f.lockdown.mode !== "none" : undefined };
  const add = (c: Omit<Check, "simulate"> & { simulate?: CheckSimulation | null }): void => {
    checks.push({ ...c, simulate: c.simulate ?? null });
  };

  // The simulations behind the checks: the map each question was asked on, as a file to read again.
  const loadSrc = f.iomem?.map ? { file: f.iomem.file, map: f.iomem.map } : f.bootLog?.map ? { file: f.bootLog.file, map: f.bootLog.map } : null;
  const reserveSrc = f.bootLog?.map ? { file: f.bootLog.file, map: f.bootLog.map } : f.iomem?.map ? { file: f.iomem.file, map: f.iomem.map } : null;
  const simBase = { cmdline: f.cmdline, kernel: p.profile.version, kexecTools: p.tools.version, paging: running } as const;
  const reserveSim = (): CheckSimulation | null =>
    reserveSrc?.file
      ? { ...simBase, what: "crashkernel", memmap: reserveSrc.file, image: null, iface: p.mode, crash: false, crashkernel: crashTokens(reserveSrc.map.cmdline ?? f.cmdline).join(" "), append: "", initrdSize: null }
      : null;
  /** A load as simulateLoad() asks it; a crash load reserves nothing new (the machine's region, as the doctor used it). */
  const loadSim = (imagePath: string | null, crash: boolean, iface: KexecMode, append: string, initrdSize: number | null): CheckSimulation | null => {
    const memmap = loadSrc?.file ?? null;
    if (memmap === null && imagePath === null) return null;
    const hasRegion = (loadSrc?.map.crashKernel.length ?? 0) > 0;
    const crashkernel = !crash || hasRegion ? crashTokens(loadSrc?.map.cmdline ?? f.cmdline).join(" ") : "";
    return { ...simBase, what: "load", memmap, image: imagePath, iface, crash, crashkernel, append, initrdSize };
  };

  // 1. Paging mode (context for every jump verdict).
  add({
    id: "paging-mode",
    status: f.paging.confidence === "assumed" ? "warn" : "pass",
    title: `Running ${running}-level paging`,
    detail: f.paging.how,
    fix: f.paging.confidence === "assumed" ? "Include /proc/cpuinfo (the la57 flag tells the running mode)." : "",
    source: f.paging.source,
  });

  // 2. crashkernel= on the command line, valid for this kernel version.
  const tokens = crashTokens(f.cmdline);
  const ramMap = f.bootLog?.map ?? f.iomem?.map ?? null;
  const systemRam = ramMap ? memblockPhysMemSize(ramMap) : null;
  if (f.cmdline === null) {
    add({ id: "crashkernel-param", status: "warn", title: "Kernel command line unknown", detail: "/proc/cmdline is not in the input, so crashkernel= cannot be checked.", fix: "Include /proc/cmdline.", source: SRC.param });
  } else if (tokens.length === 0) {
    add({
      id: "crashkernel-param",
      status: "fail",
      title: "No crashkernel= on the kernel command line",
      detail: `The running kernel was booted without crashkernel=, so it reserved no memory for a capture kernel. Command line: ${f.cmdline}`,
      fix: fixReserve(f),
      source: SRC.param,
    });
  } else if (systemRam !== null) {
    const request = parseCrashkernel(f.cmdline, systemRam, p.profile, defaultLowSize());
    const msgs = request.messages.map((m) => m.text);
    add({
      id: "crashkernel-param",
      // A downstream rule (RHEL's crashkernel=auto) may have reserved what upstream parsing refuses.
      status: request.reserve ? "pass" : (p.reservedSize ?? 0) > 0 ? "warn" : "fail",
      title: request.reserve ? `${tokens.join(" ")} asks for ${mib(Number(request.size))}` : `${tokens.join(" ")} reserves nothing on ${p.profile.version}`,
      detail:
        (request.reserve
          ? `Kernel ${p.profile.version} [${p.profile.family}] parses it (${request.form} form${request.high ? ", above 4 GiB" : ""}) against System RAM ${mib(systemRam)}.`
          : `${request.why}.${p.profile.sizeGeRamRejected ? " From 6.12 a size ≥ System RAM is refused without a message." : ""}`) + (msgs.length ? ` Kernel messages: ${msgs.join(" | ")}` : ""),
      fix: request.reserve ? "" : (p.reservedSize ?? 0) > 0 ? `Memory is reserved anyway: the running kernel carries a rule upstream ${p.profile.version} does not have (e.g. RHEL's crashkernel=auto). Prefer an explicit size, e.g. crashkernel=512M.` : `Choose a size the kernel accepts (below System RAM ${mib(systemRam)}), e.g. crashkernel=512M. ${fixReserve(f)}`,
      source: `${SRC.param}; rules of ${p.profile.version} [${p.profile.family}] (${p.profileHow})`,
    });
  } else {
    add({
      id: "crashkernel-param",
      status: "pass",
      title: `${tokens.join(" ")} is on the command line`,
      detail: "No memory map (/proc/iomem or boot log) to evaluate it against System RAM.",
      fix: "",
      source: SRC.param,
    });
  }

  // 3. Is memory reserved?
  const ranges = p.ranges;
  const main = ranges.length ? ranges[ranges.length - 1]! : null;
  const explain = (): string => {
    if (!tokens.length || !f.cmdline) return "";
    const m = f.bootLog?.map ?? f.iomem?.map;
    if (!m) return "";
    const sim = simulateCrashkernel({ map: m, cmdline: f.cmdline, profile: p.profile, pagingLevels: running });
    const from = f.bootLog?.map ? `the boot's own e820 map (${f.bootLog.from})` : `${f.iomem?.from} (an upper bound: boot-time reservations are not in it)`;
    const said = sim.messages.length ? ` The kernel ${sim.ranges.length ? "would print" : "prints"}: ${sim.messages.join(" | ")}.` : "";
    const why = sim.ranges.length ? ` Simulated on ${from}, it would reserve ${sim.ranges.map((r) => `${hex(r.start)}-${hex(r.end)}`).join(", ")}: the running kernel may not be the one the command line was written for.` : ` Simulated on ${from}: ${sim.request.why || "no suitable area"}.${said}`;
    const notes = sim.notes.filter((n) => !n.startsWith("No reservation:")).slice(0, 2);
    return why + (sim.ranges.length ? said : "") + (notes.length ? ` Simulation notes: ${notes.join(" ")}` : "");
  };
  if (p.reservedSize === null) {
    const zero = f.iomem?.zeroed ? ` ${f.iomem.problem}.` : "";
    add({
      id: "reservation",
      status: "warn",
      title: "Cannot tell whether memory is reserved",
      detail: `Neither /sys/kernel/kexec_crash_size nor a readable /proc/iomem is in the input.${zero}`,
      fix: f.iomem?.zeroed ? "Run the doctor as root (sudo), or copy /proc/iomem as root." : "Include /sys/kernel/kexec_crash_size and /proc/iomem.",
      source: SRC.sysfs,
      simulate: reserveSim(),
    });
  } else if (p.reservedSize === 0) {
    add({
      id: "reservation",
      status: "fail",
      title: "No memory reserved for a capture kernel",
      detail: `${f.crashSize === 0 ? "/sys/kernel/kexec_crash_size is 0" : "no \"Crash kernel\" range in /proc/iomem"}: a panic cannot start a capture kernel.${tokens.length ? explain() : " The command line has no crashkernel=."}`,
      fix: fixReserve(f),
      source: `${SRC.sysfs}; ${SRC.reserve}`,
      simulate: reserveSim(),
    });
  } else {
    const where = main ? ` at ${hex(main.start)}-${hex(main.end)}` : "";
    add({
      id: "reservation",
      status: "pass",
      title: `${mib(p.reservedSize)} reserved${where}`,
      detail: `${f.crashSize !== null ? `/sys/kernel/kexec_crash_size = ${f.crashSize}` : ""}${ranges.length ? `${f.crashSize !== null ? "; " : ""}Crash kernel ranges: ${ranges.map((r) => `${hex(r.start)}-${hex(r.end)}`).join(", ")}` : " (addresses not in the input)"}.`,
      fix: "",
      source: SRC.sysfs,
      simulate: reserveSim(),
    });
  }

  // 4. Where: 4 GiB and 64 TiB.
  if (main) {
    const low = ranges.length > 1 ? ranges[0]! : null;
    const above4 = main.start >= 4 * GiB;
    const above64 = main.end + 1 > FOUR_LEVEL_LIMIT;
    const status: CheckStatus = above64 ? "warn" : above4 && !low ? "warn" : "pass";
    add({
      id: "reservation-placement",
      status,
      title: above64 ? "Crash kernel region ends above 64 TiB" : above4 ? "Crash kernel region above 4 GiB" : "Crash kernel region below 4 GiB",
      detail: above64
        ? `It ends at ${hex(main.end)}: a capture kernel running 4-level paging cannot use it (only kernels before 5.3 reserve there; running ${running}-level).`
        : above4
          ? `The capture kernel must be relocatable above 4 GiB (XLF_CAN_BE_LOADED_ABOVE_4G). ${low ? `A low area ${hex(low.start)}-${hex(low.end)} (${mib(rangeSize(low))}) serves DMA/swiotlb.` : "There is no low area below 4 GiB (crashkernel=…,low=0?): devices needing 32-bit DMA or swiotlb may fail in the capture kernel."}`
          : "Every capture kernel can run there.",
      fix: above64 ? "Upgrade the running kernel (≥5.3 caps the reservation at 64 TiB) or use a capture kernel with XLF_5LEVEL_ENABLED." : above4 && !low ? "Drop crashkernel=…,low=0, or give a ,low size (default 256 MiB)." : "",
      source: above64 ? SRC.cap64t : SRC.reserve,
    });
  }

  // 5. Capture kernel and initrd as configured.
  const cap = f.capture;
  const img = cap.kernel?.image ?? null;
  const capPath = img ? (cap.kernel?.resolved ?? null) : null;
  const captureSim = (): CheckSimulation | null => loadSim(capPath, true, p.mode, f.kdump?.append ?? "", cap.initrdSize);
  if (f.kdump) {
    const disabled = f.kdump.enabled === false;
    add({
      id: "kdump-service",
      status: disabled ? "fail" : "pass",
      title: disabled ? `${f.kdump.tool} is configured off (USE_KDUMP=0)` : `${f.kdump.tool} configured`,
      detail: `Capture kernel ${cap.kernelPath ?? "?"}, initrd ${cap.initrdPath ?? "(none)"}${cap.initrdSize !== null ? ` (${mib(cap.initrdSize)})` : ""}; ${cap.how}. Appended: ${f.kdump.append ?? "(nothing)"}. kexec options: ${f.kdump.kexecArgs.join(" ") || "(none)"}. Read from ${f.kdump.files.join(", ")}.`,
      fix: disabled ? "Set USE_KDUMP=1 in /etc/default/kdump-tools and run kdump-config load." : "",
      source: f.kdump.tool === "kdump-tools" ? "kdump-tools kdump-config (Debian), /etc/default/kdump-tools" : f.kdump.tool === "kdump-utils" ? "kdump-utils kdump-lib.sh prepare_kdump_bootinfo(), gen-kdump-sysconfig.sh" : "SUSE kdump(5), /etc/sysconfig/kdump",
    });
  } else {
    add({
      id: "kdump-service",
      status: "warn",
      title: "No kdump service configuration found",
      detail: `None of /etc/default/kdump-tools, /etc/kdump.conf, /etc/sysconfig/kdump is in the input. ${cap.how}.`,
      fix: "Install the distro's kdump service: kdump-tools (Debian/Ubuntu), kdump-utils / kexec-tools (Fedora/RHEL), kdump (SUSE).",
      source: "kdump-tools, kdump-utils (github.com/rhkdump/kdump-utils), SUSE kdump",
    });
  }
  if (cap.kernel && !img) {
    add({
      id: "capture-kernel",
      status: "warn",
      title: "Capture kernel image not readable",
      detail: `${cap.kernel.problem ?? cap.kernelPath}. Size and jump checks for it are skipped.`,
      fix: f.layout === "live" ? "Check the path the kdump service names." : "Add the image to the copy (sosreport and supportconfig do not include kernels).",
      source: "arch/x86/boot/header.S (setup header: init_size, xloadflags)",
    });
  }

  // 5b. Can the capture kernel produce a dump? /proc/vmcore needs CONFIG_CRASH_DUMP and CONFIG_PROC_VMCORE.
  if (cap.config) {
    const t = cap.config.text;
    const missing = ["CONFIG_CRASH_DUMP", "CONFIG_PROC_VMCORE"].filter((o) => !new RegExp(`^${o}=y`, "m").test(t));
    add({
      id: "capture-config",
      status: missing.length ? "fail" : "pass",
      title: missing.length ? `The capture kernel lacks ${missing.join(" and ")}` : "The capture kernel can expose /proc/vmcore",
      detail: `${cap.config.from}: ${missing.length ? `${missing.join(", ")} not set, so the capture kernel has no /proc/vmcore to save` : "CONFIG_CRASH_DUMP=y and CONFIG_PROC_VMCORE=y"}.`,
      fix: missing.length ? "Use a capture kernel built with CONFIG_CRASH_DUMP=y and CONFIG_PROC_VMCORE=y (every distro kernel is)." : "",
      source: "fs/proc/Kconfig (PROC_VMCORE depends on CRASH_DUMP); fs/proc/vmcore.c; Documentation/admin-guide/kdump/kdump.rst",
    });
  }

  // 6. Is it big enough?
  if (img && p.reservedSize !== null && p.reservedSize > 0) {
    const kernelPart = alignUp(img.initSize, PAGE_SIZE);
    const initrd = cap.initrdSize ?? 0;
    const need = kernelPart + INITRD_FACTOR * initrd + RUNTIME_ALLOWANCE;
    const fits: PlacementResult | null = ranges.length ? simulateLoad(p, running, img, true, f.iomem?.map ?? f.bootLog?.map ?? null, initrd || undefined, f.kdump?.append ?? "", machine).placement : null;
    const size = main ? rangeSize(main) : p.reservedSize;
    const status: CheckStatus = fits && !fits.accepted && fits.noRoom ? "fail" : size < need ? "warn" : "pass";
    const formula = `estimate = PAGE_ALIGN(init_size ${mib(img.initSize)}) + ${INITRD_FACTOR} × initrd ${cap.initrdSize !== null ? mib(initrd) : "(unknown: 0 counted)"} + runtime ${mib(RUNTIME_ALLOWANCE)} = ${mib(need)}`;
    add({
      id: "reservation-size",
      status,
      title: status === "fail" ? "The capture kernel does not fit in the reservation" : status === "warn" ? `Reservation (${mib(size)}) below the estimate (${mib(need)})` : `Reservation (${mib(size)}) covers the estimate (${mib(need)})`,
      detail:
        `${formula}. kdumpctl estimate uses the same shape with the decompressed vmlinux size and the loaded modules' size instead of init_size (init_size, the setup header's whole-kernel footprint during decompression, is the larger of the two), and recommends at least 256M on x86_64 with 2–64 GiB RAM.` +
        (fits ? ` Loading it into the region: ${fits.accepted ? "fits" : fits.reason}.` : "") +
        (p.profile.sizeGeRamRejected ? " From 6.12 a crashkernel= size ≥ System RAM is refused silently; a bigger request must stay below RAM." : "") +
        (f.distroEstimate ? ` The distro's own figure (${f.distroEstimate.from}): ${distroFigure(f.distroEstimate.text)}.` : ""),
      fix: status === "pass" ? "" : `Set crashkernel=${Math.ceil(need / MiB / 64) * 64}M or more (or shrink the kdump initrd), then reboot. ${fixReserve(f)}`,
      source: `${SRC.estimate}; arch/x86/boot/header.S init_size; kernel/crash_reserve.c parse_crashkernel() (6.12 size ≥ RAM)`,
      simulate: captureSim(),
    });
  }

  // 7. Is a capture kernel loaded?
  add(
    f.crashLoaded === true
      ? { id: "capture-loaded", status: "pass", title: "A capture kernel is loaded", detail: `/sys/kernel/kexec_crash_loaded is 1.${f.kexecLoaded ? " A kexec -l target is loaded too (/sys/kernel/kexec_loaded is 1)." : ""}`, fix: "", source: SRC.sysfs }
      : f.crashLoaded === false
        ? {
            id: "capture-loaded",
            status: "fail",
            title: "No capture kernel is loaded",
            detail: `/sys/kernel/kexec_crash_loaded is 0: a panic now would reboot without a dump${p.reservedSize === 0 ? " (nothing is reserved, so nothing can be loaded)" : ""}.`,
            fix: p.reservedSize === 0 ? `${fixReserve(f)} Then: ${fixLoad(f)}` : fixLoad(f),
            source: SRC.sysfs,
          }
        : f.layout === "live"
          ? {
              id: "capture-loaded",
              status: "fail",
              title: "This kernel has no kdump support",
              detail: "/sys/kernel/kexec_crash_loaded does not exist: the running kernel was built without kexec/crash dump support (CONFIG_KEXEC_CORE / CONFIG_CRASH_DUMP), so no capture kernel can be loaded.",
              fix: "Boot a kernel built with CONFIG_KEXEC, CONFIG_KEXEC_FILE and CONFIG_CRASH_DUMP (every distro kernel is).",
              source: `${SRC.sysfs}; kernel/Kconfig.kexec`,
            }
          : { id: "capture-loaded", status: "warn", title: "Unknown whether a capture kernel is loaded", detail: "/sys/kernel/kexec_crash_loaded is not in the input.", fix: "Include /sys/kernel/kexec_crash_loaded.", source: SRC.sysfs },
  );

  // 8. Which interface loads it; lockdown.
  {
    const lock = f.lockdown?.mode ?? null;
    const locked = lock !== null && lock !== "none";
    const parts: string[] = [`${p.modeHow}.`];
    let status: CheckStatus = "pass";
    let fix = "";
    let source = SRC.auto;
    if (!p.toolsKnown) {
      status = "warn";
      parts.push(`kexec-tools version unknown (${f.kexecTools.how}); assumed ${p.tools.version}.`);
    } else parts.push(`kexec-tools ${p.tools.version} (${f.kexecTools.how}).`);
    const cfg = f.config?.text ?? null;
    const noFile = cfg !== null && /^# CONFIG_KEXEC_FILE is not set/m.test(cfg);
    const noLoad = cfg !== null && /^# CONFIG_KEXEC is not set/m.test(cfg);
    const sigForce = cfg !== null && /^CONFIG_KEXEC_SIG_FORCE=y/m.test(cfg);
    if (noFile && p.mode === "file") {
      status = "fail";
      fix = "Drop -s from the kexec options (this kernel has no kexec_file_load), or boot a kernel with CONFIG_KEXEC_FILE=y.";
      parts.push(`The running kernel is built without CONFIG_KEXEC_FILE (${f.config!.from}): kexec_file_load answers ENOSYS.`);
    } else if (noLoad && p.mode === "load") {
      status = "fail";
      fix = "Use -s (kexec_file_load): this kernel has no kexec_load.";
      parts.push(`The running kernel is built without CONFIG_KEXEC (${f.config!.from}): kexec_load answers ENOSYS.`);
    }
    if (sigForce && p.mode !== "load" && cap.kernel?.signed === false) {
      status = "fail";
      fix = "Use a signed capture kernel: this kernel verifies every kexec_file_load image (CONFIG_KEXEC_SIG_FORCE=y).";
      parts.push(`CONFIG_KEXEC_SIG_FORCE=y: kexec_file_load refuses ${cap.kernelPath}, which carries no signature.`);
      source = `${SRC.lockdownFile}; CONFIG_KEXEC_SIG_FORCE (kernel/Kconfig.kexec)`;
    }
    if (locked) {
      parts.push(`The kernel is locked down (${lock}; ${f.lockdown!.how}): kexec_load is refused with EPERM, and kexec_file_load accepts only an image whose signature the kernel verifies.`);
      source = `${SRC.lockdownLoad}; ${SRC.lockdownFile}`;
      if (p.mode === "load") {
        status = "fail";
        fix = "Load with kexec_file_load: replace -c by -s in the kdump service's kexec options (KEXEC_ARGS / KDUMP_KEXEC_ARGS / KEXEC_OPTIONS).";
      } else if (img && cap.kernel?.signed === false) {
        status = "fail";
        fix = "Use a signed capture kernel (the distro's signed vmlinuz), or sign it with a key in the kernel's keyring.";
        parts.push(`${cap.kernelPath} carries no Authenticode signature.`);
      } else if (p.mode === "auto") parts.push("In auto mode a kexec_file_load refusal would fall back to kexec_load, which lockdown refuses too: the failure is visible.");
    } else if (lock === null && f.secureBoot?.enabled) {
      status = "warn";
      parts.push(`Secure Boot is enabled (${f.secureBoot.how}) and the lockdown state is unknown: distro kernels lock down under Secure Boot, which forbids kexec_load.`);
      source = `${SRC.lockdownLoad}; ${SRC.auto}`;
      if (p.mode === "load") fix = "Use -s (kexec_file_load) for the capture kernel.";
    }
    const opt = f.kdump?.mode ? (p.mode === "file" ? " (-s)" : p.mode === "load" ? " (-c)" : " (-a)") : " (kexec-tools' default)";
    const what = p.mode === "file" ? "kexec_file_load" : p.mode === "load" ? "kexec_load" : "kexec_file_load, falling back to kexec_load";
    add({ id: "load-interface", status, title: `Capture kernel ${f.crashLoaded ? "loaded" : "loads"} with ${what}${opt}`, detail: parts.join(" "), fix, source, simulate: captureSim() });
  }

  // 9. Will the jump into the capture kernel work?
  if (img) {
    const out = simulateLoad(p, running, img, true, f.iomem?.map ?? f.bootLog?.map ?? null, cap.initrdSize ?? undefined, f.kdump?.append ?? "", machine);
    const statuses = out.verdicts.map(sev);
    const extra: string[] = [];
    if (main && main.start >= 4 * GiB && !(img.xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G)) {
      statuses.push("fail");
      extra.push(`The region starts at ${hex(main.start)}, above 4 GiB, and the capture kernel lacks XLF_CAN_BE_LOADED_ABOVE_4G: neither loader can put it there.`);
    }
    if (main && main.end + 1 > FOUR_LEVEL_LIMIT && !(img.xloadflags & XLF_5LEVEL_ENABLED)) {
      statuses.push("fail");
      extra.push(`The region ends above 64 TiB and the capture kernel lacks XLF_5LEVEL_ENABLED: it runs 4-level and cannot live there.`);
    }
    const status = worst(statuses);
    add({
      id: "capture-jump",
      status,
      title: status === "pass" ? `Jump into the capture kernel works from ${running}-level paging` : `Jump into the capture kernel ${status === "fail" ? "fails" : "is at risk"}`,
      detail: [
        `${cap.kernelPath}: xloadflags ${hex(img.xloadflags)}${img.kernelVersion ? `, ${img.kernelVersion}` : ""}.`,
        out.fellBack ? `kexec_file_load refuses it (${out.fellBack}); kexec-tools falls back to kexec_load.` : "",
        out.placement ? `Simulated ${out.placement.interface} crash load: ${out.placement.accepted ? "accepted" : `refused: ${out.placement.reason}`}.` : "",
        ...out.verdicts.filter((v) => v.id !== "ok").map((v) => v.message),
        ...extra,
      ]
        .filter(Boolean)
        .join(" "),
      fix:
        status === "pass"
          ? ""
          : out.verdicts.some((v) => v.id === "silent-fallback" || v.id === "refused-5level" || v.id === "jump-fails-5level")
            ? "Use a capture kernel ≥5.3 (XLF_5LEVEL set), or boot the running kernel with no5lvl; keep -s so a refusal stays visible."
            : "Use a capture kernel built for x86_64 with a current boot protocol (the running kernel's own image is the usual choice).",
      source: [...new Set(out.verdicts.map((v) => v.source))].join("; ") + (extra.length ? `; ${SRC.cap64t}; arch/x86/boot/header.S xloadflags` : ""),
      simulate: captureSim(),
    });
  }

  // 10. Every installed kernel as a `kexec -l` target.
  const defaultMode: Plan = { ...p, mode: p.tools.autoFileThenLoad ? "auto" : "load", ranges: [] };
  for (const im of f.images) {
    const id = `kexec-target:${im.path.replace(/^\/boot\//, "")}`;
    if (!im.image) {
      add({ id, status: "warn", title: `${im.path}: not readable as a bzImage`, detail: im.problem ?? "", fix: "", source: "arch/x86/boot/header.S" });
      continue;
    }
    const out = simulateLoad(defaultMode, running, im.image, false, f.iomem?.map ?? f.bootLog?.map ?? null, undefined, "", machine);
    const status = worst(out.verdicts.map(sev));
    add({
      id,
      status,
      title: `kexec -l ${im.path}: ${status === "pass" ? "works" : status === "fail" ? "fails" : "at risk"} from ${running}-level paging`,
      detail: [
        `xloadflags ${hex(im.image.xloadflags)}${im.image.kernelVersion ? `, ${im.image.kernelVersion}` : ""}; ${defaultMode.modeHow.replace(/^.*?: /, "")}.`,
        out.fellBack ? `kexec_file_load refuses it (${out.fellBack}); kexec-tools falls back to kexec_load.` : "",
        out.placement ? `Simulated ${out.placement.interface}: ${out.placement.accepted ? `accepted, highest segment ends at ${hex(Math.max(...out.placement.segments.map((s) => s.mem + s.memsz)) - 1)}` : `refused: ${out.placement.reason}`}.` : "",
        ...out.verdicts.filter((v) => v.id !== "ok").map((v) => v.message),
      ]
        .filter(Boolean)
        .join(" "),
      fix: status === "pass" ? "" : out.verdicts.some((v) => /5level/.test(v.id) || v.id === "silent-fallback") ? "Do not kexec into it from 5-level paging (boot with no5lvl first), or use kexec -s so the kernel's refusal stands." : "Prefer a newer kernel image as the kexec target.",
      source: [...new Set(out.verdicts.map((v) => v.source))].join("; "),
      simulate: loadSim(im.resolved, false, defaultMode.mode, "", null),
    });
  }
  return { plan: p, checks };
}
