// Lint cost as you type (issue 7): analyseSource on ~2 MiB synthetic kernel files (warm, in-process),
// the path gate every other document goes through, and the debounce the editor waits after an edit.
// No native counterpart. The inputs are generated here (no kernel source): a header.S-shaped
// xloadflags block padded with assembler lines, #defines and #if blocks; bootparam.h, setup.c and
// kexec-bzimage64.c shapes likewise.
import { analyseSource } from "../../extension/core/source/index.ts";
import { debounceFor, isKernelSourcePath } from "../../extension/views/sourceLint.ts";

const MiB = 1024 * 1024;
const TARGET = 2 * MiB;

const XLF_BLOCK = `
	.globl	hdr
hdr:
		.ascii	"HdrS"
		.word	0x020f
xloadflags:
#ifdef CONFIG_X86_64
# define XLF0 XLF_KERNEL_64
#else
# define XLF0 0
#endif
#if defined(CONFIG_RELOCATABLE) && defined(CONFIG_X86_64)
# define XLF1 XLF_CAN_BE_LOADED_ABOVE_4G
#else
# define XLF1 0
#endif
#ifdef CONFIG_X86_64
#ifdef CONFIG_X86_5LEVEL
#define XLF56 (XLF_5LEVEL|XLF_5LEVEL_ENABLED)
#else
#define XLF56 XLF_5LEVEL_ENABLED
#endif
#else
#define XLF56 0
#endif
			.word XLF0 | XLF1 | XLF56
`;

/** Repeats `unit(i)` until the text is about `TARGET` characters. */
function pad(unit, target = TARGET) {
  const parts = [];
  let n = 0;
  for (let i = 0; n < target; i++) {
    const s = unit(i);
    parts.push(s);
    n += s.length;
  }
  return parts.join("");
}

const asmLines = (i) => `\tmovl\t$0x${(i * 7).toString(16)}, %eax\t\t# filler line ${i}\n\t.byte\t${i & 0xff}\n`;
const defines = (i) => `#define FILLER_${i} (FILLER_${Math.max(0, i - 1)} | 0x${(i & 0xffff).toString(16)})\n`;
const ifBlocks = (i) => `#ifdef CONFIG_FILLER_${i}\n# define F${i} 1\n#else\n# define F${i} 0\n#endif\n`;
const comments = (i) => `/* filler comment ${i}: "quoted" 'x' XLF_KERNEL_64 xloadflags */\n`;

const cases = [
  { name: "header.S, real size (block + 24 KiB asm)", path: "linux/arch/x86/boot/header.S", text: XLF_BLOCK + pad(asmLines, 24 * 1024) },
  { name: "header.S, block + 2 MiB asm after", path: "linux/arch/x86/boot/header.S", text: XLF_BLOCK + pad(asmLines) },
  { name: "header.S, 2 MiB asm before + block", path: "linux/arch/x86/boot/header.S", text: "/* HdrS */\n" + pad(asmLines) + XLF_BLOCK },
  { name: "header.S, 2 MiB #defines before + block", path: "linux/arch/x86/boot/header.S", text: "/* HdrS */\n" + pad(defines) + XLF_BLOCK },
  { name: "header.S, 2 MiB #if blocks before + block", path: "linux/arch/x86/boot/header.S", text: "/* HdrS */\n" + pad(ifBlocks) + XLF_BLOCK },
  { name: "header.S, 2 MiB comments + block", path: "linux/arch/x86/boot/header.S", text: pad(comments) + XLF_BLOCK },
  { name: "bootparam.h, 2 MiB of #defines", path: "linux/arch/x86/include/uapi/asm/bootparam.h", text: "#define XLF_KERNEL_64 (1<<0)\n#define XLF_5LEVEL (1<<6)\n" + pad(defines) },
  { name: "setup.c, 2 MiB", path: "linux/arch/x86/kernel/setup.c", text: "# define CRASH_ADDR_HIGH_MAX SZ_128T\n" + pad((i) => `static int f${i}(void) { return CRASH_ALIGN + ${i}; }\n`) },
  { name: "kexec-bzimage64.c, 2 MiB", path: "linux/arch/x86/kernel/kexec-bzimage64.c", text: "static int bzImage64_probe(const char *buf, unsigned long len)\n{\n" + pad((i) => `\tif (len < ${i}) return -ENOEXEC; /* HdrS */\n`) + "\treturn 0;\n}\n" },
  { name: "unrecognised path (foo.c), 2 MiB", path: "src/foo.c", text: pad(asmLines) },
];

function time(fn, minMs = 300, maxRuns = 50) {
  fn(); // warm
  const samples = [];
  const end = performance.now() + minMs;
  while (samples.length < 3 || (performance.now() < end && samples.length < maxRuns)) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[samples.length >> 1], min: samples[0], runs: samples.length };
}

console.log("analyseSource on ~2 MiB synthetic inputs (warm, median of N runs):");
let worst = 0;
for (const c of cases) {
  let r;
  const t = time(() => { r = analyseSource(c.path, c.text); });
  worst = Math.max(worst, t.median);
  const size = c.text.length >= MiB / 4 ? `${(c.text.length / MiB).toFixed(2)} MiB` : `${(c.text.length / 1024).toFixed(0)} KiB`;
  console.log(`  ${c.name.padEnd(44)} ${size.padStart(8)}  ${t.median.toFixed(1).padStart(7)} ms  (min ${t.min.toFixed(1)}, n=${t.runs})  kind=${r.kind ?? "-"} findings=${r.findings.length} hints=${r.hints.length}`);
}

// The gate every opened/changed document goes through before its text is read.
const paths = ["src/foo.c", "linux/arch/x86/boot/header.S", "C:\\linux\\arch\\x86\\kernel\\setup.c", "/a/very/long/path/".repeat(10) + "x.h"];
const N = 200000;
const t0 = performance.now();
let hits = 0;
for (let i = 0; i < N; i++) if (isKernelSourcePath(paths[i & 3])) hits++;
console.log(`path gate isKernelSourcePath: ${(((performance.now() - t0) * 1000) / N).toFixed(2)} µs per document (${hits} of ${N} matched)`);

console.log("debounce after an edit (sourceDiagnostics.ts): " + [20 * 1024, 256 * 1024, MiB, 2 * MiB, 8 * MiB].map((n) => `${n >= MiB ? n / MiB + " MiB" : n / 1024 + " KiB"} → ${debounceFor(n)} ms`).join(", "));
console.log(`worst analysis above: ${worst.toFixed(1)} ms; keystroke to diagnostics on that 2 MiB file ≈ debounce ${debounceFor(TARGET, worst)} ms (2 × last cost) + ${worst.toFixed(0)} ms; on a real-sized header.S ≈ ${debounceFor(24 * 1024, 1)} ms + ~1 ms`);
