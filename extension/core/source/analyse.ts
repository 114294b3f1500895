/**
 * Entry point for editors and the CLI: recognise the file (path and content), run its
 * analyser, drop disabled rules. Text in, findings (with fixes) and hints out.
 */
import { analyseBootparamH } from "./bootparamH";
import { analyseCrashReserve } from "./crashReserve";
import type { Finding, InlineHint } from "./findings";
import { analyseHeaderS } from "./headerS";
import { analyseKexecBzimage64 } from "./kexecBzimage64";
import { type KernelFileKind, recogniseKernelFile } from "./recognise";

export interface AnalyseOptions {
  /** Rule ids to skip. */
  disabled?: ReadonlySet<string>;
  /** Kernel release of the tree ("5.2", "6.1"), for rules that only hold from some release. */
  kernelVersion?: string;
}

export interface SourceAnalysis {
  kind: KernelFileKind | null;
  findings: Finding[];
  hints: InlineHint[];
}

export function analyseSource(path: string, text: string, opts: AnalyseOptions = {}): SourceAnalysis {
  const kind = recogniseKernelFile(path, text);
  let findings: Finding[] = [];
  let hints: InlineHint[] = [];
  switch (kind) {
    case "header.S": {
      const r = analyseHeaderS(text);
      findings = r.findings;
      hints = r.hints;
      break;
    }
    case "bootparam.h":
      findings = analyseBootparamH(text);
      break;
    case "setup.c":
    case "crash_reserve.h":
    case "crash_core.h":
    case "crash_core.c":
    case "crash_reserve.c":
      findings = analyseCrashReserve(text);
      break;
    case "kexec-bzimage64.c":
      findings = analyseKexecBzimage64(text, { kernelVersion: opts.kernelVersion });
      break;
    case null:
      break;
  }
  const disabled = opts.disabled;
  if (disabled?.size) findings = findings.filter((f) => !disabled.has(f.rule));
  findings.sort((a, b) => a.range.start - b.range.start || a.rule.localeCompare(b.rule));
  return { kind, findings, hints };
}
