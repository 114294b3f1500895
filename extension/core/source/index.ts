/** Public API of the kernel-source analysers (pure: no vscode). */
export { analyseSource, type AnalyseOptions, type SourceAnalysis } from "./analyse";
export { applyEdits, LineIndex, type Finding, type Fix, type InlineHint, type Severity, type SourceRange, type TextEdit } from "./findings";
export { recogniseKernelFile, KERNEL_SOURCE_PATH_TAILS, type KernelFileKind } from "./recognise";
export { SOURCE_RULES, ruleInfo, type RuleInfo, type SourceRuleId } from "./rules";
export { hoverAt, HOVER_NAMES, type HoverInfo, type HoverLanguage } from "./hover";
export { analyseHeaderS, BUILD_PROFILES, type BuildProfile, type HeaderSAnalysis } from "./headerS";
export { analyseBootparamH } from "./bootparamH";
export { analyseCrashReserve } from "./crashReserve";
export { analyseKexecBzimage64, type KexecProbeOptions } from "./kexecBzimage64";
export { CRASH_CONSTANTS, crashConstant, type CrashConstant } from "../knowledge/crashConstants";
