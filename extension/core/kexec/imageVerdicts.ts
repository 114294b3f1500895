import { XLF } from "../knowledge/xloadflags";

/**
 * Static loadability verdicts for one target image: which kexec paths accept it and from which
 * paging mode. Placement-dependent verdicts (above 64 TiB for a real map) come from the simulator.
 * Rules: ../shared/spec/kexec.md §A.2 (kexec-tools probe), §B.1 (kexec_file probe), §A.6 and the
 * kexec-tools auto-mode fallback (29fe5067ed07, v2.0.27).
 */
export type Outcome = "ok" | "refused" | "fails" | "risk" | "info";

export interface Verdict {
  /** Stable id for tests and filters, e.g. "kexec_file.l5". */
  id: string;
  path: "kexec_file_load" | "kexec_load" | "kexec-tools auto" | "placement";
  running: "4-level" | "5-level" | "any";
  outcome: Outcome;
  /** One line for a summary card. */
  summary: string;
  /** Why, with the check or message involved. */
  reason: string;
  /** The kernel or kexec-tools rule, e.g. `bzImage64_probe(): xloadflags & XLF_5LEVEL`. */
  rule: string;
  /** Where the rule lives (file, commit). */
  source: string;
}

/** The setup-header facts the probes read (values as parsed; null = absent for this protocol). */
export interface ProbeInput {
  fileSize: number;
  hasHdrS: boolean;
  bootFlag: number | null;
  version: number;
  loadflags: number;
  xloadflags: number | null;
}

const KFILE_SRC = "arch/x86/kernel/kexec-bzimage64.c bzImage64_probe()";
const KTOOLS_SRC = "kexec-tools kexec/arch/x86_64/kexec-bzImage64.c bzImage64_probe()";

/** First failing kexec_file_load probe check, as the kernel logs it, or null when accepted. */
export function kexecFileProbe(img: ProbeInput, running: 4 | 5): { message: string; rule: string } | null {
  const x = img.xloadflags ?? 0;
  if (img.fileSize < 1024) return { message: "File is too short to be a bzImage", rule: "len >= 2 * 512" };
  if (!img.hasHdrS) return { message: "Not a bzImage", rule: 'header == "HdrS"' };
  if (img.bootFlag !== 0xaa55) return { message: "No x86 boot sector present", rule: "boot_flag == 0xAA55" };
  if (img.version < 0x020c) return { message: "Must be at least protocol version 2.12", rule: "version >= 0x020C" };
  if (!(img.loadflags & 1)) return { message: "zImage not a bzImage", rule: "loadflags & LOADED_HIGH" };
  if (!(x & XLF["XLF_KERNEL_64"]!)) return { message: "Not a bzImage64. XLF_KERNEL_64 is not set.", rule: "xloadflags & XLF_KERNEL_64" };
  if (!(x & XLF["XLF_CAN_BE_LOADED_ABOVE_4G"]!)) return { message: "XLF_CAN_BE_LOADED_ABOVE_4G is not set.", rule: "xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G" };
  if (running === 5 && !(x & XLF["XLF_5LEVEL"]!)) return { message: "bzImage cannot handle 5-level paging mode.", rule: "!(xloadflags & XLF_5LEVEL) && pgtable_l5_enabled() (ee338b9ee282, v5.3)" };
  return null;
}

/** Which kexec-tools loader takes the image (probe order: bzImage64, then i386 bzImage), or null. */
export function kexecToolsLoader(img: ProbeInput): "bzImage64" | "bzImage (i386)" | null {
  const x = img.xloadflags ?? 0;
  if (img.fileSize < 1024 || !img.hasHdrS || img.bootFlag !== 0xaa55) return null;
  if (img.version >= 0x020c && img.loadflags & 1 && (x & 3) === 3) return "bzImage64";
  // The i386 loader needs a bzImage (LOADED_HIGH) with protocol 2.00+.
  if (img.loadflags & 1) return "bzImage (i386)";
  return null;
}

/** Every static verdict for an image, for both running paging modes. */
export function imageVerdicts(img: ProbeInput): Verdict[] {
  const out: Verdict[] = [];
  const x = img.xloadflags ?? 0;
  for (const running of [4, 5] as const) {
    const r = `${running}-level` as const;
    const refused = kexecFileProbe(img, running);
    out.push({
      id: `kexec_file.l${running}`,
      path: "kexec_file_load",
      running: r,
      outcome: refused ? "refused" : "ok",
      summary: refused ? `kexec_file_load from a ${r} kernel: refused` : `kexec_file_load from a ${r} kernel: accepted`,
      reason: refused ? `kexec-bzImage64: ${refused.message}` : "every bzImage64_probe() check passes",
      rule: refused ? refused.rule : "bzImage64_probe()",
      source: KFILE_SRC,
    });
  }

  const loader = kexecToolsLoader(img);
  out.push({
    id: "kexec_load.loader",
    path: "kexec_load",
    running: "any",
    outcome: loader ? "ok" : "refused",
    summary: loader ? `kexec_load (kexec-tools): loaded by the ${loader} loader` : "kexec_load (kexec-tools): no loader accepts it",
    reason:
      loader === "bzImage64"
        ? "protocol >= 2.12, LOADED_HIGH, and (xloadflags & 3) == 3"
        : loader
          ? "bzImage64 probe fails (needs protocol >= 2.12 and XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G); the i386 path loads it below 0x37FFFFFF with the 32-bit entry"
          : "not a bzImage (no HdrS, bad boot flag or LOADED_HIGH clear)",
    rule: "(xloadflags & 3) == 3",
    source: KTOOLS_SRC,
  });

  if (loader) {
    const l5ok = (x & XLF["XLF_5LEVEL"]!) !== 0;
    out.push({
      id: "kexec_load.l5",
      path: "kexec_load",
      running: "5-level",
      outcome: l5ok ? "ok" : "fails",
      summary: l5ok ? "kexec_load from a 5-level kernel: OK (XLF_5LEVEL set)" : "kexec_load from a 5-level kernel: loads, then faults at entry",
      reason: l5ok
        ? "the decompressor handles being entered with LA57 on"
        : "kexec-tools never checks XLF_5LEVEL; the decompressor is entered with 5-level paging on and takes a #GP",
      rule: "no XLF_5LEVEL check in kexec-tools (the planned check never landed)",
      source: "../shared/spec/kexec.md §A.6; commit ee338b9ee282 changelog",
    });
    const fileRefused5 = kexecFileProbe(img, 5);
    if (fileRefused5 && !kexecFileProbe(img, 4) && !l5ok) {
      out.push({
        id: "kexec-tools.fallback",
        path: "kexec-tools auto",
        running: "5-level",
        outcome: "fails",
        summary: "refused by kexec_file_load — and kexec-tools would fall back to kexec_load",
        reason:
          "kexec-tools >= 2.0.27 tries kexec_file_load first and on ENOEXEC silently retries with kexec_load, which has no 5-level check: the load succeeds and the new kernel faults at entry. Use `kexec -s` to keep the refusal.",
        rule: "kexec-tools auto mode (-a default since v2.0.27)",
        source: "kexec-tools commit 29fe5067ed07 (\"kexec: make -a the default\")",
      });
    }
  }

  if (x & XLF["XLF_KERNEL_64"]!) {
    const l5en = (x & XLF["XLF_5LEVEL_ENABLED"]!) !== 0;
    out.push({
      id: "placement.above64t",
      path: "placement",
      running: "any",
      outcome: l5en ? "ok" : "risk",
      summary: l5en ? "can run if placed above 64 TiB (XLF_5LEVEL_ENABLED)" : "cannot run if placed above 64 TiB (4-level only)",
      reason: l5en
        ? "built with 5-level paging support"
        : "XLF_5LEVEL_ENABLED is clear; kexec_load places segments top-down and kexec_file_load walks RAM from the top since 6.8, and neither checks this bit",
      rule: "xloadflags & XLF_5LEVEL_ENABLED (never consulted by a loader)",
      source: "commit f2d08c5d3bcf; ../shared/spec/kexec.md §A.5, §B.5",
    });
  }
  return out;
}
