/**
 * The decompressed payload: an ELF vmlinux (ELF spec, System V gABI). Reports the ELF header,
 * the GNU build ID note, the "Linux version" banner(s) and the embedded .config
 * (CONFIG_IKCONFIG: kernel/configs.c wraps the gzip'ed config in "IKCFG_ST" ... "IKCFG_ED").
 */
import { gunzipSync } from "node:zlib";
import { latin1 } from "../../io/binary";

export interface VmlinuxConfig {
  /** The .config text. */
  text: string;
  /** Offset of the gzip data inside vmlinux. */
  offset: number;
  /** CONFIG_* → value ("y", "m", "0x1000000", quoted strings kept) or null when "is not set". */
  options: Record<string, string | null>;
  /** The options kexec/kdump work cares about; undefined when absent from the config. */
  highlights: Record<(typeof HIGHLIGHTS)[number], string | null | undefined>;
}

export interface VmlinuxInfo {
  size: number;
  isElf: boolean;
  class?: "ELF32" | "ELF64";
  data?: "LSB" | "MSB";
  type?: number;
  typeName?: string;
  machine?: number;
  machineName?: string;
  entry?: bigint;
  phnum?: number;
  shnum?: number;
  /** End of the furthest ELF structure (headers, segments, sections) the header describes. */
  elfExtent?: number;
  gnuBuildId?: string | null;
  /** The real banner: linux_banner with the build number ("#1 SMP ..."). */
  banner: string | null;
  /** Every "Linux version ..." string in file order (6.1 also holds a "# SMP" placeholder). */
  banners: string[];
  config: VmlinuxConfig | null;
}

export const HIGHLIGHTS = ["CONFIG_X86_5LEVEL", "CONFIG_RANDOMIZE_BASE", "CONFIG_KEXEC_FILE", "CONFIG_CRASH_DUMP", "CONFIG_RELOCATABLE"] as const;

const MACHINES: Record<number, string> = {
  3: "EM_386",
  8: "EM_MIPS",
  20: "EM_PPC",
  21: "EM_PPC64",
  22: "EM_S390",
  40: "EM_ARM",
  62: "EM_X86_64",
  183: "EM_AARCH64",
  243: "EM_RISCV",
  258: "EM_LOONGARCH",
};
const TYPES: Record<number, string> = { 1: "ET_REL", 2: "ET_EXEC", 3: "ET_DYN", 4: "ET_CORE" };

const MAX_BANNER = 512;
const MAX_CONFIG = 16 << 20;
const MAX_BANNERS = 16;

export function inspectVmlinux(bytes: Uint8Array): VmlinuxInfo {
  const info: VmlinuxInfo = { size: bytes.length, isElf: false, banner: null, banners: [], config: null };
  Object.assign(info, elfHeader(bytes));
  info.banners = findBanners(bytes);
  // The placeholder (init/version-timestamp.c in 6.1) lacks the build number after '#'.
  info.banner = info.banners.find((b) => /\) #\d/.test(b)) ?? info.banners[0] ?? null;
  info.config = findConfig(bytes);
  return info;
}

function elfHeader(b: Uint8Array): Partial<VmlinuxInfo> {
  if (b.length < 52 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) return { isElf: false };
  const is64 = b[4] === 2;
  const le = b[5] !== 2;
  if ((b[4] !== 1 && b[4] !== 2) || (is64 && b.length < 64)) return { isElf: false };
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, le);
  const u32 = (o: number): number => dv.getUint32(o, le);
  const word = (o: number): number => (is64 ? Number(dv.getBigUint64(o, le)) : dv.getUint32(o, le));
  const machine = u16(18);
  const type = u16(16);
  const entry = is64 ? dv.getBigUint64(24, le) : BigInt(u32(24));
  const phoff = word(is64 ? 32 : 28);
  const shoff = word(is64 ? 40 : 32);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  const shentsize = u16(is64 ? 58 : 46);
  const shnum = u16(is64 ? 60 : 48);
  let extent = Math.max(is64 ? 64 : 52, phoff + phnum * phentsize, shoff + shnum * shentsize);
  let gnuBuildId: string | null = null;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + (is64 ? 56 : 32) > b.length) break;
    const pType = u32(ph);
    const off = word(ph + (is64 ? 8 : 4));
    const filesz = word(ph + (is64 ? 32 : 16));
    extent = Math.max(extent, off + filesz);
    if (pType === 4 && gnuBuildId === null) gnuBuildId = buildId(b, dv, le, off, Math.min(filesz, b.length - off));
  }
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    if (sh + (is64 ? 64 : 40) > b.length) break;
    const shType = u32(sh + 4);
    if (shType === 8) continue; // SHT_NOBITS occupies no file space
    extent = Math.max(extent, word(sh + (is64 ? 24 : 16)) + word(sh + (is64 ? 32 : 20)));
  }
  return {
    isElf: true,
    class: is64 ? "ELF64" : "ELF32",
    data: le ? "LSB" : "MSB",
    type,
    typeName: TYPES[type] ?? "unknown",
    machine,
    machineName: MACHINES[machine] ?? "unknown",
    entry,
    phnum,
    shnum,
    elfExtent: extent,
    gnuBuildId,
  };
}

/** Walks ELF notes (namesz, descsz, type, name, desc; 4-byte aligned) for NT_GNU_BUILD_ID (3, "GNU"). */
function buildId(b: Uint8Array, dv: DataView, le: boolean, off: number, size: number): string | null {
  let p = off;
  const end = off + size;
  while (p + 12 <= end) {
    const namesz = dv.getUint32(p, le);
    const descsz = dv.getUint32(p + 4, le);
    const type = dv.getUint32(p + 8, le);
    const name = p + 12;
    const desc = name + ((namesz + 3) & ~3);
    const next = desc + ((descsz + 3) & ~3);
    if (next > end || next <= p) return null;
    if (type === 3 && namesz === 4 && latin1(b.subarray(name, name + 3)) === "GNU") {
      return Buffer.from(b.subarray(desc, desc + descsz)).toString("hex");
    }
    p = next;
  }
  return null;
}

function findBanners(bytes: Uint8Array): string[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  for (let at = buf.indexOf("Linux version "); at >= 0 && out.length < MAX_BANNERS; at = buf.indexOf("Linux version ", at + 1)) {
    let end = at;
    const stop = Math.min(buf.length, at + MAX_BANNER);
    while (end < stop && buf[end] !== 0 && buf[end] !== 0x0a) end++;
    const s = latin1(bytes.subarray(at, end));
    // Skip format strings such as "Linux version %s" in printk users.
    if (!s.includes("%") && s.includes("(")) out.push(s);
  }
  return out;
}

function findConfig(bytes: Uint8Array): VmlinuxConfig | null {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const st = buf.indexOf("IKCFG_ST");
  if (st < 0) return null;
  const start = st + 8;
  const ed = buf.indexOf("IKCFG_ED", start);
  if (ed < 0 || bytes[start] !== 0x1f || bytes[start + 1] !== 0x8b) return null;
  let text: string;
  try {
    text = gunzipSync(bytes.subarray(start, ed), { maxOutputLength: MAX_CONFIG }).toString("latin1");
  } catch {
    return null;
  }
  const options: Record<string, string | null> = {};
  for (const line of text.split("\n")) {
    const set = /^(CONFIG_\w+)=(.*)$/.exec(line);
    if (set) options[set[1]!] = set[2]!;
    const unset = /^# (CONFIG_\w+) is not set$/.exec(line);
    if (unset) options[unset[1]!] = null;
  }
  const highlights = {} as VmlinuxConfig["highlights"];
  for (const k of HIGHLIGHTS) highlights[k] = k in options ? options[k] : undefined;
  return { text, offset: start, options, highlights };
}
