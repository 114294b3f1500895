/**
 * A header.S-shaped fragment written for the tests (not kernel source): the non-5-level XLF56 claims
 * XLF_5LEVEL_ENABLED without XLF_5LEVEL, which the lint reports on that line.
 */
export const HEADER_S_FRAGMENT = [
  "/* Kexec Inspector test fragment shaped like arch/x86/boot/header.S */",
  "\t.globl\thdr",
  "hdr:",
  '\t\t.ascii\t"HdrS"',
  "\t\t.word\t0x020f",
  "xloadflags:",
  "#ifdef CONFIG_X86_64",
  "# define XLF0 XLF_KERNEL_64",
  "#else",
  "# define XLF0 0",
  "#endif",
  "#ifdef CONFIG_X86_64",
  "#ifdef CONFIG_X86_5LEVEL",
  "#define XLF56 (XLF_5LEVEL|XLF_5LEVEL_ENABLED)",
  "#else",
  "#define XLF56 XLF_5LEVEL_ENABLED",
  "#endif",
  "#else",
  "#define XLF56 0",
  "#endif",
  "\t\t\t.word XLF0 | XLF56",
  "",
].join("\n");

/** The line (0-based) the mistake sits on. */
export const HEADER_S_MISTAKE_LINE = HEADER_S_FRAGMENT.split("\n").indexOf("#define XLF56 XLF_5LEVEL_ENABLED");
