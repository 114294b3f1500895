/**
 * Which loader kexecs a Unified Kernel Image, from which running paging mode, with which command
 * line and initrd. The loader behaviour is the table in knowledge/ukiLoaders.ts; the kernel's own
 * refusal (bzImage64_probe, including the 5-level check) is the simulator's kexecFileProbe, applied
 * to the kernel in `.linux`.
 */
import { hex } from "../io/formatError";
import { compareVersions, ukiLoaderRow, ukiLoaderRowFor, type UkiLoaderRow } from "../knowledge/ukiLoaders";
import { kernelProfile, kexecToolsProfile } from "./kernelProfiles";
import { kexecFileProbe } from "./kexecFilePlacement";
import type { KexecImage } from "./kexecImage";
import { IMAGE_VERDICT_DEFAULTS, type ImageVerdict, type Outcome } from "./imageVerdicts";
import { probe32, probe64 } from "./kexecToolsPlacement";

/** The facts about a UKI the rules need (from formats/bzimage/uki.ts). */
export interface UkiFacts {
  fileSize: number;
  /** PE OptionalHeader.Subsystem is EFI_APPLICATION (10). */
  efiApplication: boolean;
  hasOsrel: boolean;
  linux: { offset: number; virtualSize: number; rawSize: number };
  initrd: { size: number } | null;
  cmdline: string | null;
  /** Bytes of the UKI a bzImage loader would read as setup_sects (0x1F1) and cmdline_size (0x238). */
  stubHeader: { setupSects: number | null; cmdlineSize: number | null };
  /** The kernel in .linux carries an Authenticode signature. */
  kernelSigned: boolean;
}

export interface UkiVerdictOptions {
  runningKernel?: string;
  kexecTools?: string;
  systemd?: string;
}

/** Current releases (December 2026): kexec-tools 2.0.32, systemd 262. */
export const UKI_VERDICT_DEFAULTS = { ...IMAGE_VERDICT_DEFAULTS, systemd: "262" } as const;

/** An ImageVerdict whose path names the UKI loader. */
export type UkiVerdict = Omit<ImageVerdict, "path"> & { path: "kexec_file_load" | "kexec-tools" | "systemctl kexec" };


/**
 * What do_bzImage64_load() (kexec-tools, kexec_load mode) does with the UKI's own bytes: its first
 * checks are the file length against 1024 and (setup_sects + 1) * 512, then the command line
 * length (at least 1, the NUL) against the cmdline_size it reads at 0x238.
 */
export function kexecLoadOfUkiBytes(f: UkiFacts, cmdlineLen = 1): { refused: boolean; why: string } {
  const sects = f.stubHeader.setupSects ?? 0;
  const kern16 = ((sects === 0 ? 4 : sects) + 1) * 512;
  if (f.fileSize < 1024) return { refused: true, why: "the file is shorter than 1024 bytes" };
  if (f.fileSize < kern16) return { refused: true, why: `"BzImage truncated?" (setup_sects ${sects} at 0x1f1 of the stub)` };
  const cs = f.stubHeader.cmdlineSize ?? 0;
  if (cmdlineLen > cs) return { refused: true, why: `the command line (${cmdlineLen} bytes) is longer than the ${cs} bytes the stub's bytes at 0x238 allow ("Kernel command line too long for kernel!")` };
  return {
    refused: false,
    why: `the stub's bytes pass those first checks (setup_sects ${sects}, cmdline_size ${hex(cs)}); the rest of the load reads more of the stub's bytes as setup-header fields (kernel_alignment, init_size, …), and whatever it places is not the kernel in .linux`,
  };
}

/** Every loader verdict for a UKI whose `.linux` holds `kernel`. */
export function ukiVerdicts(f: UkiFacts, kernel: KexecImage, opts: UkiVerdictOptions = {}): UkiVerdict[] {
  const runningKernel = opts.runningKernel ?? UKI_VERDICT_DEFAULTS.runningKernel;
  const toolsVersion = opts.kexecTools ?? UKI_VERDICT_DEFAULTS.kexecTools;
  const systemdVersion = opts.systemd ?? UKI_VERDICT_DEFAULTS.systemd;
  const profile = kernelProfile(runningKernel);
  const tools = kexecToolsProfile(toolsVersion);
  const out: UkiVerdict[] = [];
  const syscall = ukiLoaderRow("syscall");
  const toolsRow = ukiLoaderRowFor("kexec-tools", toolsVersion);
  const sdRow = ukiLoaderRowFor("systemctl kexec", systemdVersion);
  const src = (r: UkiLoaderRow): string => (r.commits.length ? `${r.source} (${r.commits.join(", ")})` : r.source);
  const initrdText = f.initrd ? `.initrd (${f.initrd.size} bytes)` : "no initrd (the UKI has no .initrd)";
  const cmdText = f.cmdline === null ? "the UKI has no .cmdline" : `.cmdline "${f.cmdline.length > 80 ? f.cmdline.slice(0, 80) + "…" : f.cmdline}"`;
  const stubLoad = kexecLoadOfUkiBytes(f);
  // Which kexec-tools loader uki_image_probe() records for the kernel in .linux (file_type[] order).
  const embedded = probe64(kernel) ? "bzImage64" : probe32(kernel) ? "bzImage" : null;

  out.push({
    id: "uki.kexec_file_load",
    path: "kexec_file_load",
    running: "any",
    outcome: "refused",
    summary: "kexec_file_load(UKI): refused with ENOEXEC (no UKI loader in the kernel)",
    reason: syscall.behaviour,
    rule: "bzImage64_probe(): \"HdrS\" at 0x202",
    source: src(syscall),
  });

  for (const running of [4, 5] as const) {
    const r = `${running}-level` as const;
    const refusal = kexecFileProbe(kernel, profile, running);

    out.push({
      id: `uki.linux.kexec_file_load.l${running}`,
      path: "kexec_file_load",
      running: r,
      outcome: refusal ? "refused" : "ok",
      summary: refusal ? `kexec_file_load(.linux) from a ${r} kernel: refused` : `kexec_file_load(.linux) from a ${r} kernel: accepted`,
      reason: refusal ? `${refusal} — the kernel in .linux, once a loader has taken it out` : "every bzImage64_probe() check passes for the kernel in .linux",
      rule: "bzImage64_probe()",
      source: "arch/x86/kernel/kexec-bzimage64.c bzImage64_probe()",
    });

    // kexec-tools, default (auto) mode.
    let tOutcome: Outcome;
    let tSummary: string;
    let tReason: string;
    const viaLoad = (): { outcome: Outcome; text: string } =>
      embedded !== "bzImage64"
        ? { outcome: "info", text: "kexec_load then hands the UKI's own bytes to kexec-tools' i386 bzImage loader (the kernel in .linux is not a bzImage64); that path is not modelled here, and it never loads the kernel in .linux" }
        : stubLoad.refused
          ? { outcome: "refused", text: `kexec_load then hands the UKI's own bytes to bzImage64_load(), which refuses them: ${stubLoad.why}. The kexec fails with an error` }
          : { outcome: "fails", text: `kexec_load then hands the UKI's own bytes, not .linux, to bzImage64_load(): ${stubLoad.why}. The new kernel is not the one in .linux` };
    if (toolsRow.id === "kexec-tools.none") {
      tOutcome = "refused";
      tSummary = `kexec-tools ${toolsVersion}: "Cannot determine the file type" (no UKI support before ${toolsRow.until})`;
      tReason = toolsRow.behaviour;
    } else if (embedded === null) {
      tOutcome = "refused";
      tSummary = `kexec-tools ${toolsVersion}: "Can not recognize the kernel format in .linux section"`;
      tReason = "uki_image_probe() finds .linux but no x86 loader (bzImage64, i386 bzImage, ELF, multiboot) accepts what it holds, so the UKI probe fails and kexec cannot determine the file type.";
    } else if (toolsRow.id === "kexec-tools.2.0.30") {
      const v = viaLoad();
      tOutcome = tools.autoFileThenLoad ? v.outcome : "refused";
      tSummary = `kexec-tools ${toolsVersion} from a ${r} kernel: kexec_file_load gets the UKI itself and refuses it`;
      tReason = `${toolsRow.behaviour} ${v.text}.`;
    } else if (!refusal) {
      tOutcome = "ok";
      tSummary = `kexec-tools ${toolsVersion} from a ${r} kernel: loads .linux with ${f.initrd ? ".initrd" : "no initrd"}; .cmdline ignored`;
      tReason = `kexec_file_load receives .linux (${f.linux.rawSize} bytes: SizeOfRawData) and ${initrdText} unless --initrd is given. The command line is only what --append / --command-line / --reuse-cmdline give: ${cmdText} is not used.`;
    } else {
      const v = viaLoad();
      tOutcome = tools.autoFileThenLoad ? v.outcome : "refused";
      tSummary = tools.autoFileThenLoad
        ? `kexec-tools ${toolsVersion} from a ${r} kernel: refused by kexec_file_load, then the auto-mode kexec_load ${v.outcome === "refused" ? "fails too" : v.outcome === "fails" ? "gets the stub, not the kernel" : "gets the UKI's own bytes"}`
        : `kexec-tools ${toolsVersion} from a ${r} kernel: refused by kexec_file_load`;
      tReason = tools.autoFileThenLoad ? `kexec_file_load refuses the kernel in .linux (${refusal}); auto mode retries with kexec_load. ${v.text}. With \`kexec -s\` the refusal stays an error.` : `kexec_file_load refuses the kernel in .linux (${refusal}).`;
    }
    out.push({ id: `uki.kexec-tools.l${running}`, path: "kexec-tools", running: r, outcome: tOutcome, summary: tSummary, reason: tReason, rule: `kexec-tools ${toolsRow.from ?? "<"}${toolsRow.from ? "+" : toolsRow.until}: ${toolsRow.id}`, source: src(toolsRow) });

    // systemctl kexec.
    if (sdRow.id === "systemctl.exec-kexec") {
      out.push({
        id: `uki.systemctl.l${running}`,
        path: "systemctl kexec",
        running: r,
        outcome: tOutcome,
        summary: `systemctl kexec (systemd ${systemdVersion}) from a ${r} kernel: runs kexec --load — ${tSummary}`,
        reason: `${sdRow.behaviour} The command line is the boot entry's options (for a UKI entry, its .cmdline); with kexec-tools ${toolsVersion}: ${tReason}`,
        rule: `systemd < ${sdRow.until}: load_kexec_kernel() runs kexec`,
        source: src(sdRow),
      });
    } else if (!f.efiApplication || !f.hasOsrel) {
      out.push({
        id: `uki.systemctl.l${running}`,
        path: "systemctl kexec",
        running: r,
        outcome: "refused",
        summary: `systemctl kexec (systemd ${systemdVersion}): not unwrapped (pe_is_uki() needs ${!f.hasOsrel ? ".osrel" : "subsystem EFI_APPLICATION"}); kexec_file_load refuses the UKI`,
        reason: `${sdRow.behaviour} This UKI ${!f.hasOsrel ? "has no .osrel section" : "is not an EFI application"}, so extract_uki() passes it through and the retry fails like the first call.`,
        rule: "pe_is_uki(): Subsystem == EFI_APPLICATION && .osrel && .linux",
        source: src(sdRow),
      });
    } else {
      out.push({
        id: `uki.systemctl.l${running}`,
        path: "systemctl kexec",
        running: r,
        outcome: refusal ? "refused" : "ok",
        summary: refusal
          ? `systemctl kexec (systemd ${systemdVersion}) from a ${r} kernel: refused, reported as an error (no kexec_load fallback)`
          : `systemctl kexec (systemd ${systemdVersion}) from a ${r} kernel: loads .linux with ${f.initrd ? ".initrd" : "no initrd"} and the entry's command line`,
        reason: refusal
          ? `kexec_file_load(UKI) → ENOEXEC → extract_uki() → kexec_file_load(.linux) → ${refusal}. systemctl has no kexec_load path of its own, so the refusal is an error, not a silent jump (unless systemctl's fallback to /usr/sbin/kexec, described in PR #42234, runs kexec-tools: see the kexec-tools verdict).`
          : `kexec_file_load(UKI) → ENOEXEC → extract_uki() → kexec_file_load(.linux, ${Math.min(f.linux.virtualSize || f.linux.rawSize, f.linux.rawSize)} bytes) with ${initrdText} and the boot entry's options (${cmdText}).`,
        rule: "systemctl: kexec_file_load, unwrap on ENOEXEC, retry",
        source: src(sdRow),
      });
    }
  }

  if (compareVersions(toolsVersion, "2.0.30") >= 0 && f.linux.rawSize > f.linux.virtualSize && f.linux.virtualSize > 0 && f.kernelSigned) {
    out.push({
      id: "uki.kexec-tools.padding",
      path: "kexec-tools",
      running: "any",
      outcome: "risk",
      summary: `kexec-tools ${toolsVersion}: the signed kernel is passed with ${f.linux.rawSize - f.linux.virtualSize} bytes of section padding`,
      reason: `kexec-tools takes SizeOfRawData (${hex(f.linux.rawSize)}) rather than VirtualSize (${hex(f.linux.virtualSize)}) bytes of .linux; its own fix (e18a71f, "UKI: Fix the size of real payload") says this breaks loading a signed bzImage, i.e. when the kernel verifies the signature (KEXEC_SIG). No release up to 2.0.32 has the fix.`,
      rule: "kexec-uki.c: linux_sz = sect_hdr->raw_data_size",
      source: "kexec-tools commit e18a71f",
    });
  }
  return out;
}
