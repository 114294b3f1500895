/**
 * What the activation shim (extension.ts) registers before the main bundle is loaded: view types,
 * command ids, document selectors and the cheap path gate of the kernel-source lint. Imports
 * nothing but the tiny path recogniser, so the shim bundle stays small; the provider classes use
 * the same constants. test/unit/contributions.test.ts checks them against package.json.
 */
import { KERNEL_SOURCE_PATH_TAILS } from "../core/source/recognise";

export const VIEW_TYPES = {
  /** The bzImage inspector: priority "default" for kernel-looking names... */
  image: "kexecInspector.image",
  /** ...and "option" for any file ("Reopen Editor With…"). */
  imageAny: "kexecInspector.imageAny",
  vmcore: "kexecInspector.vmcore",
  vmcoreAny: "kexecInspector.vmcoreAny",
  /** The simulation webview panel (revived after a reload by a serializer). */
  simulation: "kexecInspector.simulation",
  /** The kdump readiness report (the doctor), revived by a serializer. */
  doctor: "kexecInspector.doctor",
} as const;

/** Every contributed command (package.json contributes.commands). */
export const COMMAND_IDS = [
  "kexecInspector.simulateKexec",
  "kexecInspector.copyHeaderAsMarkdown",
  "kexecInspector.copyHeaderAsJson",
  "kexecInspector.simulate",
  "kexecInspector.simulateCrashkernel",
  "kexecInspector.explainFailure",
  "kexecInspector.checkKdump",
] as const;
export type CommandId = (typeof COMMAND_IDS)[number];
export type CommandHandler = (...args: unknown[]) => unknown;

/**
 * Which documents the lint adapters look at: C/C++ by language, and the assembly and header files by
 * pattern whatever language id VS Code gave them (.S is "asm", "arm" or "plaintext" depending on
 * the installed extensions). Plain objects, so they are usable as a vscode.DocumentSelector.
 * Only on-disk files (the remote extension host sees them as file: too): diff views (git:), output
 * channels and untitled buffers have no kernel path.
 */
export const LINT_SELECTOR: readonly { scheme: string; language?: string; pattern?: string }[] = [
  { scheme: "file", language: "c" },
  { scheme: "file", language: "cpp" },
  { scheme: "file", pattern: "**/arch/x86/**/*.S" },
  { scheme: "file", pattern: "**/*.h" },
];

/** Only header.S has inline hints (the computed xloadflags word). */
export const HINT_SELECTOR: readonly { scheme: string; pattern: string }[] = [
  { scheme: "file", pattern: "**/arch/x86/boot/header.S" },
];

/** Hovers: C sources, headers and assembly, by language where VS Code knows one, by extension otherwise. */
export const HOVER_SELECTOR: readonly { language?: string; pattern?: string }[] = [
  { language: "c" },
  { language: "cpp" },
  { pattern: "**/*.{S,s,h,lds}" },
];

/** '/'-separated, one leading '/'. */
export function normaliseSourcePath(path: string): string {
  return "/" + path.replace(/\\/g, "/").replace(/^\/+/, "");
}

/**
 * Whether a path could be one of the analysed kernel files (its tail matches). Costs nothing and
 * reads no text: every document goes through it before its content is looked at.
 */
export function isKernelSourcePath(path: string): boolean {
  const p = normaliseSourcePath(path);
  return KERNEL_SOURCE_PATH_TAILS.some((t) => p.endsWith("/" + t));
}
