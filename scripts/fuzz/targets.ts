/**
 * The fuzz targets: each drives one part of the pure core on a mutated input. Only
 * FormatError may escape a target; anything else is reported as an uncaught exception.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseBzImage } from "../../extension/core/formats/bzimage/bzImage";
import { imageReport } from "../../extension/core/scenario/imageReport";
import { decompressPayload } from "../../extension/core/formats/bzimage/payload";
import { verifyAuthenticodeDigest } from "../../extension/core/formats/bzimage/authenticode";
import { inspectVmlinux } from "../../extension/core/formats/bzimage/vmlinux";
import { openVmcore } from "../../extension/core/formats/vmcore/vmcore";
import { parseHex } from "../../extension/core/formats/vmcore/vmcoreinfo";
import { toJson } from "../../extension/cli/command";
import { analyseSource, hoverAt } from "../../extension/core/source/index";
import { memoryMapFromText } from "../../extension/core/kexec/readMemoryMap";
import { simulateCrashkernel } from "../../extension/core/kexec/crashkernelReserve";
import { parseCrashkernel } from "../../extension/core/kexec/crashkernelSyntax";
import { kernelProfile, kexecToolsProfile, defaultLowSize } from "../../extension/core/kexec/kernelProfiles";
import { kexecImageFromSetupHeader, syntheticImage, type KexecImage } from "../../extension/core/kexec/kexecImage";
import { simulateKexecFile } from "../../extension/core/kexec/kexecFilePlacement";
import { simulateKexecLoad } from "../../extension/core/kexec/kexecToolsPlacement";
import type { MemoryMap } from "../../extension/core/kexec/memoryMap";
import { FormatError } from "../../extension/core/io/formatError";
import { repoRoot, sharedFixture } from "../../test/fixtures";
import { mutate, mutateText, type Mutation, type Seed } from "./mutate";
import { OverlayByteSource } from "./overlay";
import type { Rng } from "./rng";
import { boundedRanges, loadBzImageSeeds, sparseVmcoreSeed, syntheticVmcoreSeeds, vmcoreFixture } from "./seeds";

export type TargetName = "bzimage" | "vmcore" | "source" | "sim";
export const TARGET_NAMES: readonly TargetName[] = ["bzimage", "vmcore", "source", "sim"];

export interface CaseContext {
  /** What the case did, for reports ("seed: ops"). */
  label: string;
  /** The mutated input, kept only when the harness asks for it (repro dumps). */
  input?: Uint8Array | string;
  keepInput: boolean;
}

export interface TargetOptions {
  /** Use the real fixtures in ../shared/fixtures (default true). */
  real: boolean;
  /** Cap on decompressed payload bytes per case. */
  maxDecompress: number;
}

export interface Target {
  name: TargetName;
  /** Seed names and notes, printed by the runner. */
  describe(): string[];
  run(rng: Rng, ctx: CaseContext): Promise<void> | void;
}

function pickSeed(rng: Rng, seeds: readonly Seed[]): Seed {
  return seeds[rng.weighted(seeds.map((s) => s.weight))]!;
}

function overlay(seed: Seed, m: Mutation): OverlayByteSource {
  return new OverlayByteSource(seed.backing, `fuzz:${seed.name}`, m.patches, m.size);
}

function label(seed: Seed, m: Mutation, extra = ""): string {
  return `${seed.name}: ${m.ops.join(", ")}${extra}`;
}

/** Calls fn; a FormatError there is an expected refusal and does not end the case. */
function soft<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FormatError) return undefined;
    throw e;
  }
}

async function softAsync<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof FormatError) return undefined;
    throw e;
  }
}

// ---------------------------------------------------------------- bzimage

export function bzImageTarget(o: TargetOptions): Target {
  const seeds = loadBzImageSeeds({ real: o.real });
  return {
    name: "bzimage",
    describe: () => [...seeds.images.map((s) => `${s.name} (${s.backing.size} B, ${s.fields.length} fields)`), ...seeds.vmlinux.map((s) => s.name), ...seeds.notes],
    async run(rng, ctx) {
      if (rng.chance(0.15)) {
        // The decompressed kernel: inspectVmlinux on a mutated ELF.
        const s = pickSeed(rng, seeds.vmlinux);
        const m = mutate(rng, s);
        ctx.label = label(s, m, " [vmlinux]");
        const bytes = overlay(s, m).materialize();
        if (ctx.keepInput) ctx.input = bytes;
        toJson(inspectVmlinux(bytes));
        return;
      }
      const s = pickSeed(rng, seeds.images);
      const m = mutate(rng, s);
      const src = overlay(s, m);
      ctx.label = label(s, m);
      if (ctx.keepInput) ctx.input = src.materialize();
      const img = parseBzImage(src);
      toJson(imageReport(img));
      kexecImageFromSetupHeader(img.setupHeader, img.fileSize, src.name, img.kernelVersion ?? undefined);
      if (img.pe && (src.size < 1 << 20 || rng.chance(0.02))) {
        ctx.label += " +authenticode";
        soft(() => verifyAuthenticodeDigest(src, img.pe));
      }
      if (img.payload && rng.chance(src.size < 1 << 20 ? 0.5 : 0.05)) {
        ctx.label += " +decompress";
        // A real kernel's payload: a smaller cap keeps the case about the codec's bounds, not its speed.
        const maxBytes = img.payload.length > 1 << 20 ? Math.min(o.maxDecompress, 256 << 10) : o.maxDecompress;
        const out = await softAsync(() => decompressPayload(src, img.payload!, { maxBytes }));
        if (out) toJson(inspectVmlinux(out));
      }
    },
  };
}

// ---------------------------------------------------------------- vmcore

const VA_PROBES: readonly bigint[] = [
  0xffffffff81000000n, 0xffffffff82010000n, 0xffff888000000000n, 0xff11000000000000n, 0xffffc90000000000n, 0n, 0x7fffffffffffn,
  0x800000000000n, 0xffffffffffffffffn, 0xffffea0000000000n, 0xfffffe0000000000n,
];

export function vmcoreTarget(o: TargetOptions): Target {
  const seeds: Seed[] = syntheticVmcoreSeeds();
  const notes: string[] = [];
  if (o.real) {
    for (const n of ["vmcore-l4-kdump-zlib-d31", "vmcore-l4-elf-d31", "vmcore-l5-elf-d31"]) {
      const f = vmcoreFixture(n);
      if (!f) {
        notes.push(`fixture ${n} unavailable`);
        continue;
      }
      const { seed, stored } = sparseVmcoreSeed(n, f, n.includes("kdump") ? 6 : 5);
      seeds.push(seed);
      notes.push(`${n}: sparse copy ${(stored / 1048576).toFixed(1)} MiB of ${(seed.backing.size / 1048576).toFixed(1)} MiB`);
    }
  }
  return {
    name: "vmcore",
    describe: () => [...seeds.map((s) => `${s.name} (${s.backing.size} B, ${s.hot.length} hot ranges, ${s.fields.length} fields, ${s.texts.length} texts)`), ...notes],
    run(rng, ctx) {
      const s = pickSeed(rng, seeds);
      const m = mutate(rng, s);
      const src = overlay(s, m);
      ctx.label = label(s, m);
      if (ctx.keepInput) ctx.input = src.materialize(64 << 20);
      const v = openVmcore(src);
      toJson(v.summary());
      if (rng.chance(0.5)) soft(() => boundedRanges(v));
      if (rng.chance(0.3)) soft(() => v.beyondFourLevel({ probeBytes: 256 * 1024 }));
      if (rng.chance(0.5)) {
        ctx.label += " +dmesg";
        soft(() => v.dmesg({ caller: rng.chance(0.5) }));
      }
      const syms = [...v.vmcoreinfo.entries.entries()].filter(([k]) => k.startsWith("SYMBOL(")).map(([, val]) => parseHex(val) ?? 0n);
      for (let i = rng.int(4); i > 0; i--) {
        const sym = syms.length && rng.chance(0.5) ? rng.pick(syms) : rng.pick(VA_PROBES);
        const va = BigInt.asUintN(64, sym + BigInt(rng.int(1 << 22)) * (rng.chance(0.5) ? 1n : 4096n));
        soft(() => v.translate(va, rng.chance(0.5)));
        if (rng.chance(0.3)) soft(() => v.readVirtual(va, rng.pick([1, 8, 4096, 9000])));
      }
      if (rng.chance(0.3)) soft(() => v.readPhysical(rng.int(1 << 30), rng.pick([1, 8, 4096, 5000])));
    },
  };
}

// ---------------------------------------------------------------- source

const SOURCE_FILES: ReadonlyArray<[string, string]> = [
  ["arch/x86/boot/header.S", "arch/x86/boot/header.S"],
  ["arch/x86/include/uapi/asm/bootparam.h", "arch/x86/include/uapi/asm/bootparam.h"],
  ["arch/x86/kernel/setup.c", "arch/x86/kernel/setup.c"],
  ["arch/x86/kernel/kexec-bzimage64.c", "arch/x86/kernel/kexec-bzimage64.c"],
  ["kernel/crash_core.c", "kernel/crash_core.c"],
];

const SNIPPETS: ReadonlyArray<[string, string]> = [
  [
    "arch/x86/boot/header.S",
    `#include <asm/bootparam.h>\n\t.globl\thdr\nhdr:\nsetup_sects:\t.byte 0\nboot_flag:\t.word 0xAA55\n\t.byte\t0xeb\n\t.byte\tstart_of_setup-1f\n1:\n\t.ascii\t"HdrS"\n\t.word\t0x020f\n\n#ifdef CONFIG_X86_64\n#define XLF0 XLF_KERNEL_64\t\t\t/* 64-bit kernel */\n#else\n#define XLF0 0\n#endif\n#if defined(CONFIG_RELOCATABLE) && defined(CONFIG_X86_64)\n#define XLF1 XLF_CAN_BE_LOADED_ABOVE_4G\n#else\n#define XLF1 0\n#endif\n#ifdef CONFIG_X86_5LEVEL\n#define XLF56 (XLF_5LEVEL|XLF_5LEVEL_ENABLED)\n#else\n#define XLF56 0\n#endif\n\t\t\t.word XLF0 | XLF1 | XLF56\n`,
  ],
  [
    "arch/x86/include/uapi/asm/bootparam.h",
    `#define XLF_KERNEL_64\t\t\t(1<<0)\n#define XLF_CAN_BE_LOADED_ABOVE_4G\t(1<<1)\n#define XLF_EFI_HANDOVER_32\t\t(1<<2)\n#define XLF_5LEVEL\t\t\t(1<<5)\n#define XLF_5LEVEL_ENABLED\t\t(1<<6)\nstruct setup_header {\n\t__u8\tsetup_sects;\n\t__u16\txloadflags;\n} __attribute__((packed));\n`,
  ],
  [
    "arch/x86/kernel/setup.c",
    `#ifdef CONFIG_X86_32\n# define CRASH_ADDR_LOW_MAX\tSZ_512M\n# define CRASH_ADDR_HIGH_MAX\tSZ_512M\n#else\n# define CRASH_ADDR_LOW_MAX\tSZ_4G\n# define CRASH_ADDR_HIGH_MAX\tMAXMEM\n#endif\nstatic void __init reserve_crashkernel(void)\n{\n\tret = parse_crashkernel(boot_command_line, total_mem, &crash_size, &crash_base);\n}\nvoid __init setup_arch(char **cmdline_p) {}\n`,
  ],
  [
    "arch/x86/kernel/kexec-bzimage64.c",
    `static int bzImage64_probe(const char *buf, unsigned long len)\n{\n\tif (!(header->xloadflags & XLF_KERNEL_64)) {\n\t\tpr_err("Not a bzImage64. XLF_KERNEL_64 is not set.\\n");\n\t\treturn ret;\n\t}\n\tif (!(header->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G)) {\n\t\treturn ret;\n\t}\n\treturn 0;\n}\nconst struct kexec_file_ops kexec_bzImage64_ops = { .probe = bzImage64_probe };\n`,
  ],
];

const SOURCE_TOKENS: readonly string[] = [
  "XLF_5LEVEL", "XLF_5LEVEL_ENABLED", "XLF_KERNEL_64", "XLF_CAN_BE_LOADED_ABOVE_4G", "xloadflags", "#ifdef CONFIG_X86_5LEVEL\n", "#endif\n", "#else\n", "#if 0\n",
  "#define ", "/*", "*/", "//", "\\\n", '"', "'", "{", "}", "(", ")", ";", "CRASH_ADDR_LOW_MAX", "CRASH_ADDR_HIGH_MAX", "MAXMEM", "SZ_4G", "(1ULL << 46)",
  "bzImage64_probe", "pgtable_l5_enabled()", "header->xloadflags & ", ".word ", ".byte ", "0x", "0x020f", "HdrS", "crashkernel=", "setup_sects", "  ", "\t", "\n",
  "if (!(header->xloadflags & XLF_5LEVEL) && pgtable_l5_enabled()) {\n\treturn -EINVAL;\n}\n",
];

export function sourceTarget(o: TargetOptions): Target {
  const seeds: Array<[string, string]> = [...SNIPPETS];
  if (o.real) {
    for (const [rel, p] of SOURCE_FILES) {
      const f = path.join(repoRoot, ".cache", "kernel-source", "linux-source-6.1", rel);
      if (fs.existsSync(f)) seeds.push([p, fs.readFileSync(f, "utf8")]);
    }
  }
  const versions = [undefined, "4.19", "5.2", "5.3", "6.1", "6.6", "6.9", "6.12", "6.17"];
  const langs = ["c", "asm", "header", "plaintext"];
  return {
    name: "source",
    describe: () => seeds.map(([p, t]) => `${p} (${t.length} chars)`),
    run(rng, ctx) {
      const [p, text] = rng.pick(seeds);
      const from = rng.int(text.length);
      const tokens = rng.chance(0.5) ? SOURCE_TOKENS : [...SOURCE_TOKENS, text.slice(from, from + rng.range(1, 40))];
      const m = mutateText(rng, text, tokens);
      const filePath = rng.chance(0.9) ? p : rng.pick(SOURCE_FILES)[1];
      ctx.label = `${p} as ${filePath}: ${m.ops.join(", ")}`;
      if (ctx.keepInput) ctx.input = m.text;
      const r = analyseSource(filePath, m.text, { kernelVersion: rng.pick(versions), disabled: rng.chance(0.1) ? new Set(["xlf-5level"]) : undefined });
      for (const f of r.findings) {
        if (f.range.start < 0 || f.range.end > m.text.length || f.range.start > f.range.end) throw new Error(`finding ${f.rule} range ${f.range.start}..${f.range.end} outside the ${m.text.length}-char text`);
      }
      for (let i = 0; i < 4; i++) {
        const at = rng.chance(0.1) ? rng.pick([-1, 0, m.text.length, m.text.length + 1]) : rng.int(m.text.length + 1);
        hoverAt(m.text, at, rng.pick(langs));
      }
    },
  };
}

// ---------------------------------------------------------------- sim

const CMDLINE_TOKENS: readonly string[] = [
  "crashkernel=", "256M", "0x10000000", "1G-4G:192M", "4G-64G:256M", "64G-:512M", ",high", ",low", ",cma", "@", "16M", "-", ":", ",", "K", "M", "G", "T", "P", "E",
  "18446744073709551615", "99999999999999999999", "0x", "0", " ", "crashkernel=auto", "crashkernel=512M@0x1000000", "crashkernel=1G,high crashkernel=256M,low", "=",
];

function fuzzImage(rng: Rng, base: KexecImage): KexecImage {
  const img: KexecImage = { ...base };
  const keys = ["fileSize", "setupSects", "bootFlag", "protocolVersion", "loadflags", "xloadflags", "kernelAlignment", "initSize", "prefAddress", "cmdlineSize", "initrdAddrMax"] as const;
  const edges = [0, 1, 0x1000, 0x200000, 0x1000000, 0x7fffffff, 0xffffffff, 2 ** 32, 2 ** 52, Number.MAX_SAFE_INTEGER, 3, 0x1001, 255, 2048];
  for (let i = rng.range(1, 4); i > 0; i--) {
    const k = rng.pick(keys);
    img[k] = rng.chance(0.6) ? rng.pick(edges) : rng.u32() >>> rng.int(32);
  }
  if (rng.chance(0.2)) img.relocatable = !img.relocatable;
  if (rng.chance(0.1)) img.hasHdrS = !img.hasHdrS;
  return img;
}

export function simTarget(o: TargetOptions): Target {
  const logs: Array<[string, string]> = [];
  if (o.real) {
    for (const dir of ["crashkernel", "kexec-file", "kexec-load", "l5-refusal"]) {
      const d = sharedFixture("lab", dir);
      if (!fs.existsSync(d)) continue;
      for (const f of fs.readdirSync(d).filter((n) => n.endsWith(".boot.log")).sort()) logs.push([`${dir}/${f}`, fs.readFileSync(path.join(d, f), "latin1")]);
    }
  }
  logs.push([
    "synthetic.boot.log",
    "Linux version 6.1.0 (x) #1\nCommand line: console=ttyS0 crashkernel=256M nokaslr\nBIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\nBIOS-e820: [mem 0x0000000000100000-0x00000000bffdffff] usable\nBIOS-e820: [mem 0x00000000bffe0000-0x00000000bfffffff] reserved\nBIOS-e820: [mem 0x0000000100000000-0x000000013fffffff] usable\nRAMDISK: [mem 0x3f000000-0x3fffffff]\n",
  ]);
  logs.push(["synthetic.iomem", "00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\n00100000-bffdffff : System RAM\n  01000000-01ffffff : Kernel code\n  ae000000-bdffffff : Crash kernel\n100000000-13fffffff : System RAM\n"]);
  const maps: MemoryMap[] = [];
  for (const [n, t] of logs) {
    const m = soft(() => memoryMapFromText(t, n));
    if (m) maps.push(m);
  }
  const cmdlines = logs.map(([, t]) => /Command line: (.*)/.exec(t)?.[1] ?? "crashkernel=256M");
  const versions = ["4.19", "5.2", "5.4", "5.10", "6.1", "6.6", "6.7", "6.9", "6.12", "6.16", "6.17", "7.0"];
  const tools = ["2.0.20", "2.0.25", "2.0.27", "2.0.30", "2.0.31"];
  const lineTokens = ["BIOS-e820: [mem 0x0000000000000000-0xffffffffffffffff] usable\n", "BIOS-e820: [mem 0x00000000ffffffff-0x0000000000000000] usable\n", "user: [mem 0x0-0x1] usable\n", "crashkernel reserved: 0x00000000ae000000 - 0x00000000be000000 (256 MB)\n", "Reserving 99999MB of memory at 99999MB for crashkernel\n", "RAMDISK: [mem 0xfffffffffffff000-0xffffffffffffffff]\n", "  01000000-00ffffff : Kernel code\n", "5-level paging\n", "Linux version 6.9.0\n", "Memory: 1K/2K available (999999999K kernel code, 1K rwdata, 1K rodata, 1K init, 1K bss\n"];
  return {
    name: "sim",
    describe: () => [...logs.map(([n]) => n), `${maps.length} clean memory maps`],
    run(rng, ctx) {
      let map = rng.pick(maps);
      const op = rng.int(4);
      if (op === 0) {
        const [n, t] = rng.pick(logs);
        const m = mutateText(rng, t, lineTokens);
        ctx.label = `map ${n}: ${m.ops.join(", ")}`;
        if (ctx.keepInput) ctx.input = m.text;
        const parsed = soft(() => memoryMapFromText(m.text, n));
        if (!parsed) return;
        map = parsed;
      }
      const profile = kernelProfile(rng.pick(versions));
      const base = rng.pick(cmdlines);
      const cm = rng.chance(0.3) ? { text: Array.from({ length: rng.range(1, 8) }, () => rng.pick(CMDLINE_TOKENS)).join(""), ops: ["generated"] } : mutateText(rng, base, CMDLINE_TOKENS);
      const paging = rng.chance(0.5) ? 4 : 5;
      ctx.label = `${ctx.label ? ctx.label + "; " : ""}${profile.version} op${op} map=${map.file} cmdline=${JSON.stringify(cm.text.slice(0, 200))}`;
      if (op <= 1) {
        parseCrashkernel(cm.text, rng.pick([0, 1, 4096, 1 << 30, 2 ** 36, 2 ** 52, Number.MAX_SAFE_INTEGER]), profile, defaultLowSize());
        const r = simulateCrashkernel({ map, cmdline: cm.text, profile, pagingLevels: paging, swiotlbBytes: rng.chance(0.8) ? undefined : rng.pick([0, 1, 64 << 20, 2 ** 40]) });
        toJson(r);
        return;
      }
      const image = fuzzImage(rng, rng.chance(0.5) ? syntheticImage() : kexecImageFromSetupHeader({}, rng.int(1 << 24)));
      const crash = rng.chance(0.5);
      if (op === 2) {
        toJson(simulateKexecFile({ map, image, initrdSize: rng.pick([0, 1, 1 << 20, 2 ** 40]), crash, cmdline: cm.text, profile, runningPaging: paging, cpus: rng.pick([1, 4, 8192]) }));
      } else {
        toJson(simulateKexecLoad({ map, image, initrdSize: rng.pick([0, 1, 1 << 20, 2 ** 40]), crash, cmdline: cm.text, tools: kexecToolsProfile(rng.pick(tools)), cpus: rng.pick([1, 4, 8192]) }));
      }
    },
  };
}

export function makeTarget(name: TargetName, o: TargetOptions): Target {
  switch (name) {
    case "bzimage":
      return bzImageTarget(o);
    case "vmcore":
      return vmcoreTarget(o);
    case "source":
      return sourceTarget(o);
    case "sim":
      return simTarget(o);
  }
}
