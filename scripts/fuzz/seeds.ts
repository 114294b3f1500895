/**
 * Seeds: the real fixtures (read in place, big ones as sparse copies of what a clean run
 * reads) and synthetic inputs made here or by the test builders. Each seed carries the fields,
 * boundaries and text regions the mutator should aim at, found by parsing it cleanly.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "fflate";
import { MemoryByteSource, openFile, type ByteSource } from "../../extension/core/io/byteSource";
import { SETUP_HEADER_FIELDS } from "../../extension/core/knowledge/setupHeaderFields";
import { parseBzImage } from "../../extension/core/formats/bzimage/bzImage";
import { openVmcore } from "../../extension/core/formats/vmcore/vmcore";
import { makeImage } from "../../test/support/syntheticImage";
import { buildElf, buildKdump, buildSparseKdump, concat, flatten, note, PAGE, PhysImage, prstatus, SparseByteSource, type Codec } from "../../test/unit/vmcoreSynth";
import { cacheDir, sharedFixture } from "../../test/fixtures";
import { ArrayBacking, RecordingByteSource, SparseBacking, chunksOf, mergeSpans, type Backing } from "./overlay";
import type { Field, FieldKind, Seed } from "./mutate";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function seed(name: string, backing: Backing, ranges: Array<[number, number]>, fields: Field[], boundaries: number[], weight = 1): Seed {
  const hot = mergeSpans(ranges, 16);
  const texts = findTexts(backing, hot);
  const size = backing.size;
  return { name, backing, hot, fields: fields.filter((f) => f.off >= 0 && f.off + f.width <= size), boundaries: [...new Set(boundaries.filter((b) => b >= 0 && b <= size))], texts, weight };
}

/** VMCOREINFO-like KEY=value blocks inside the hot ranges. */
function findTexts(b: Backing, hot: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [a, e] of hot) {
    if (e - a > 1 << 20) continue;
    const bytes = Buffer.from(b.slice(a, e - a));
    for (let at = bytes.indexOf("OSRELEASE="); at >= 0; at = bytes.indexOf("OSRELEASE=", at + 1)) {
      let end = bytes.indexOf(0, at);
      if (end < 0) end = bytes.length;
      out.push([a + at, a + Math.min(end, at + 8192)]);
    }
  }
  return mergeSpans(out);
}

function readsOf(src: ByteSource, run: (s: ByteSource) => void): Array<[number, number]> {
  const rec = new RecordingByteSource(src);
  try {
    run(rec);
  } catch {
    /* a seed that does not parse fully still has useful hot ranges */
  }
  return rec.ranges;
}

function kindOf(name: string): FieldKind {
  if (/sects|size|length|len/i.test(name)) return "size";
  if (/offset|ptr|addr|version/i.test(name)) return "offset";
  return "any";
}

// ---------------------------------------------------------------- bzImage

export function bzImageFields(bytes: Uint8Array): { fields: Field[]; boundaries: number[] } {
  const fields: Field[] = SETUP_HEADER_FIELDS.map((f) => ({ off: f.offset, width: f.size, kind: kindOf(f.name), name: f.name }));
  fields.push({ off: 0x201, width: 1, kind: "size", name: "jump.disp" });
  const boundaries = [0, 2, 0x40, 0x1f1, 0x200, 0x202, 0x206, 0x26c, 1023, 1024, bytes.length - 4];
  const src = new MemoryByteSource(bytes, "seed");
  try {
    const img = parseBzImage(src);
    boundaries.push(img.headerEnd, img.protectedModeOffset);
    if (img.kernelInfo) {
      const k = img.kernelInfo.fileOffset;
      fields.push({ off: k + 4, width: 4, kind: "size", name: "kernel_info.size" }, { off: k + 8, width: 4, kind: "size", name: "kernel_info.size_total" });
      boundaries.push(k, k + 16);
    }
    if (img.payload) boundaries.push(img.payload.offset, img.payload.offset + 6, img.payload.offset + 16, img.payload.offset + img.payload.length, img.payload.offset + img.payload.length - 4);
    const pe = img.pe;
    if (pe) {
      const coff = pe.eLfanew + 4;
      const opt = coff + 20;
      fields.push(
        { off: 0x3c, width: 4, kind: "offset", name: "e_lfanew" },
        { off: coff + 2, width: 2, kind: "count", name: "NumberOfSections" },
        { off: coff + 16, width: 2, kind: "size", name: "SizeOfOptionalHeader" },
        { off: opt, width: 2, kind: "any", name: "optional.Magic" },
        { off: opt + 60, width: 4, kind: "size", name: "SizeOfHeaders" },
        { off: pe.dataDirectoriesOffset - 4, width: 4, kind: "count", name: "NumberOfRvaAndSizes" },
      );
      pe.dataDirectories.forEach((d, i) => {
        fields.push({ off: pe.dataDirectoriesOffset + i * 8, width: 4, kind: "offset", name: `dd[${d.name}].va` }, { off: pe.dataDirectoriesOffset + i * 8 + 4, width: 4, kind: "size", name: `dd[${d.name}].size` });
      });
      const secTable = opt + pe.sizeOfOptionalHeader;
      pe.sections.forEach((_s, i) => {
        const s = secTable + i * 40;
        fields.push({ off: s + 8, width: 4, kind: "size", name: `sec${i}.VirtualSize` }, { off: s + 16, width: 4, kind: "size", name: `sec${i}.SizeOfRawData` }, { off: s + 20, width: 4, kind: "offset", name: `sec${i}.PointerToRawData` });
      });
      boundaries.push(pe.eLfanew, pe.eLfanew + 24, opt + 112, secTable, secTable + pe.sections.length * 40);
      for (const c of pe.certificates) {
        fields.push({ off: c.offset, width: 4, kind: "size", name: "WIN_CERTIFICATE.dwLength" }, { off: c.offset + 6, width: 2, kind: "any", name: "wCertificateType" });
        boundaries.push(c.offset, c.offset + 8, c.offset + c.dwLength);
        // DER length bytes of the PKCS#7 SEQUENCE and its first children.
        for (let o = c.offset + 8; o < c.offset + 8 + 64; o += 2) fields.push({ off: o, width: 2, kind: "size", name: `der+${o - c.offset - 8}` });
      }
    }
  } catch {
    /* fields of the setup header still apply */
  }
  return { fields, boundaries };
}

export function bzImageSeed(name: string, bytes: Uint8Array, weight = 1): Seed {
  const { fields, boundaries } = bzImageFields(bytes);
  const ranges = readsOf(new MemoryByteSource(bytes, name), (s) => parseBzImage(s));
  return seed(name, new ArrayBacking(bytes), ranges, fields, boundaries, weight);
}

/**
 * A real kernel as a sparse copy: what parseBzImage reads plus the first 1 MiB of the payload
 * (enough to decompress to the fuzz output cap); the rest of the payload reads as zeros.
 */
export function sparseBzImageSeed(name: string, file: string, weight = 1): { seed: Seed; stored: number; bytes: Uint8Array } {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const { fields, boundaries } = bzImageFields(bytes);
  const ranges = readsOf(new MemoryByteSource(bytes, name), (s) => {
    const img = parseBzImage(s);
    if (img.payload) s.read(img.payload.offset, Math.min(img.payload.length, 1 << 20));
  });
  const chunks = chunksOf([...ranges, [0, 65536]]);
  const map = new Map<number, Uint8Array>();
  for (const i of chunks) map.set(i, bytes.slice(i * 4096, Math.min(bytes.length, (i + 1) * 4096)));
  const backing = new SparseBacking(bytes.length, map);
  return { seed: seed(name, backing, ranges.filter(([a, b]) => b - a < 1 << 19 || a < 65536), fields, boundaries, weight), stored: backing.storedBytes, bytes };
}

/** A fake vmlinux: ELF64 header + PT_NOTE with a GNU build ID, banners and an IKCONFIG blob. */
export function fakeVmlinux(opts: { elf32?: boolean; pad?: number } = {}): Uint8Array {
  const is64 = !opts.elf32;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const noteDesc = Uint8Array.from({ length: 20 }, (_, i) => i * 13);
  const gnu = note("GNU", 3, noteDesc);
  const config = "CONFIG_X86_5LEVEL=y\nCONFIG_RANDOMIZE_BASE=y\n# CONFIG_KEXEC_FILE is not set\nCONFIG_RELOCATABLE=y\nCONFIG_CRASH_DUMP=y\n";
  const body = concat([
    new Uint8Array(opts.pad ?? 256).map((_, i) => (i % 5 === 0 ? 0xe8 : i & 0xff)),
    enc("\0Linux version 6.9.0-fuzz (me@host) (gcc 13) # SMP PREEMPT_DYNAMIC\n\0"),
    enc("\0Linux version 6.9.0-fuzz (me@host) (gcc 13) #1 SMP PREEMPT_DYNAMIC Tue\n\0"),
    enc("IKCFG_ST"),
    gzipSync(enc(config)),
    enc("IKCFG_ED"),
  ]);
  const phoff = ehsize;
  const noteOff = phoff + 2 * phentsize;
  const shoff = noteOff + gnu.length;
  const dataOff = shoff + 2 * shentsize;
  const out = new Uint8Array(dataOff + body.length);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, 1, 1]);
  dv.setUint16(16, 2, true);
  dv.setUint16(18, is64 ? 62 : 3, true);
  const word = (o: number, v: number): void => (is64 ? dv.setBigUint64(o, BigInt(v), true) : dv.setUint32(o, v, true));
  word(24, 0x1000000);
  word(is64 ? 32 : 28, phoff);
  word(is64 ? 40 : 32, shoff);
  dv.setUint16(is64 ? 52 : 40, ehsize, true);
  dv.setUint16(is64 ? 54 : 42, phentsize, true);
  dv.setUint16(is64 ? 56 : 44, 2, true);
  dv.setUint16(is64 ? 58 : 46, shentsize, true);
  dv.setUint16(is64 ? 60 : 48, 2, true);
  // PT_NOTE, PT_LOAD
  const ph = (i: number, type: number, off: number, size: number): void => {
    const p = phoff + i * phentsize;
    dv.setUint32(p, type, true);
    word(p + (is64 ? 8 : 4), off);
    word(p + (is64 ? 32 : 16), size);
  };
  ph(0, 4, noteOff, gnu.length);
  ph(1, 1, dataOff, body.length);
  out.set(gnu, noteOff);
  const sh = shoff + shentsize;
  dv.setUint32(sh + 4, 1, true);
  word(sh + (is64 ? 24 : 16), dataOff);
  word(sh + (is64 ? 32 : 20), body.length);
  out.set(body, dataOff);
  return out;
}

export function vmlinuxSeed(name: string, bytes: Uint8Array): Seed {
  const is64 = bytes[4] === 2;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const w = is64 ? 8 : 4;
  const fields: Field[] = [
    { off: is64 ? 32 : 28, width: w, kind: "offset", name: "e_phoff" },
    { off: is64 ? 40 : 32, width: w, kind: "offset", name: "e_shoff" },
    { off: is64 ? 54 : 42, width: 2, kind: "size", name: "e_phentsize" },
    { off: is64 ? 56 : 44, width: 2, kind: "count", name: "e_phnum" },
    { off: is64 ? 58 : 46, width: 2, kind: "size", name: "e_shentsize" },
    { off: is64 ? 60 : 48, width: 2, kind: "count", name: "e_shnum" },
    { off: 4, width: 1, kind: "any", name: "EI_CLASS" },
    { off: 5, width: 1, kind: "any", name: "EI_DATA" },
  ];
  const phoff = is64 ? Number(dv.getBigUint64(32, true)) : dv.getUint32(28, true);
  const phent = is64 ? 56 : 32;
  for (let i = 0; i < 2; i++) {
    const p = phoff + i * phent;
    fields.push({ off: p + (is64 ? 8 : 4), width: w, kind: "offset", name: `ph${i}.offset` }, { off: p + (is64 ? 32 : 16), width: w, kind: "size", name: `ph${i}.filesz` });
  }
  const noteOff = is64 ? Number(dv.getBigUint64(phoff + 8, true)) : dv.getUint32(phoff + 4, true);
  fields.push({ off: noteOff, width: 4, kind: "size", name: "note.namesz" }, { off: noteOff + 4, width: 4, kind: "size", name: "note.descsz" });
  const buf = Buffer.from(bytes);
  const st = buf.indexOf("IKCFG_ST");
  const ed = buf.indexOf("IKCFG_ED");
  const boundaries = [0, 16, 52, 64, noteOff, st, st + 8, st + 18, ed, bytes.length];
  return seed(name, new ArrayBacking(bytes), [[0, bytes.length]], fields, boundaries, 1);
}

/** Compresses with a command-line tool when it is installed (payload seeds), else null. */
function tool(cmd: string, args: string[], input: Uint8Array): Uint8Array | null {
  if (spawnSync("sh", ["-c", `command -v ${cmd}`]).status !== 0) return null;
  try {
    return new Uint8Array(execFileSync(cmd, args, { input, maxBuffer: 64 << 20, stdio: ["pipe", "pipe", "ignore"] }));
  } catch {
    return null;
  }
}

function withSize(c: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(c.length + 4);
  out.set(c);
  new DataView(out.buffer).setUint32(c.length, size >>> 0, true);
  return out;
}

export interface BzSeeds {
  images: Seed[];
  vmlinux: Seed[];
  notes: string[];
}

export function loadBzImageSeeds(opts: { real: boolean }): BzSeeds {
  const notes: string[] = [];
  const images: Seed[] = [];
  const plain = fakeVmlinux({ pad: 4096 });
  const payloads: Array<[string, Uint8Array | null]> = [
    ["gzip", gzipSync(plain)],
    ["bomb-gzip", gzipSync(new Uint8Array(4 << 20), { level: 9 })],
    ["xz", (() => { const c = tool("xz", ["--format=xz", "--check=crc32", "--x86", "--lzma2=dict=1MiB", "-c"], plain); return c && withSize(c, plain.length); })()],
    ["lzma", (() => { const c = tool("xz", ["--format=lzma", "-c"], plain); return c && withSize(c, plain.length); })()],
    ["bzip2", (() => { const c = tool("bzip2", ["-9", "-c"], plain); return c && withSize(c, plain.length); })()],
    ["bomb-bzip2", (() => { const c = tool("bzip2", ["-9", "-c"], new Uint8Array(4 << 20)); return c && withSize(c, 4 << 20); })()],
    ["zstd", (() => { const c = tool("zstd", ["-19", "-c", "-q"], plain); return c && withSize(c, plain.length); })()],
    ["bomb-zstd", (() => { const c = tool("zstd", ["-19", "-c", "-q"], new Uint8Array(4 << 20)); return c && withSize(c, 4 << 20); })()],
    ["lz4", (() => { const c = tool("lz4", ["-l", "-9", "-c", "-q"], plain); return c && withSize(c, plain.length); })()],
    ["bomb-xz", (() => { const c = tool("xz", ["--format=xz", "--check=crc32", "-c"], new Uint8Array(4 << 20)); return c && withSize(c, 4 << 20); })()],
    ["lzo", (() => { const c = tool("lzop", ["-9", "-c"], plain); return c && withSize(c, plain.length); })()],
    ["bomb-lzo", (() => { const c = tool("lzop", ["-9", "-c"], new Uint8Array(4 << 20)); return c && withSize(c, 4 << 20); })()],
    ["unknown", enc("not a compressed payload, just bytes....")],
  ];
  for (const [name, p] of payloads) {
    if (!p) {
      notes.push(`payload seed ${name} skipped (tool missing)`);
      continue;
    }
    images.push(bzImageSeed(`synthetic-${name}`, makeImage({ payload: p, version: 0x020f, xloadflags: 0x7f }), 2));
  }
  for (const v of [0x0100, 0x0200, 0x0202, 0x0204, 0x0206, 0x0208, 0x020a, 0x020c, 0x020d, 0x020f]) {
    images.push(bzImageSeed(`synthetic-v${v.toString(16)}`, makeImage({ version: v, payload: v >= 0x0208 ? gzipSync(plain.subarray(0, 600)) : undefined, noHdrS: v < 0x0200 }), 1));
  }
  images.push(bzImageSeed("synthetic-pe", syntheticPe(null), 2));
  if (opts.real) {
    for (const f of ["ipxe.lkrn", "vmlinuz-6.1.0-50-686", "vmlinuz-6.1.0-50-amd64"]) {
      const file = sharedFixture("bzimage", f);
      if (!fs.existsSync(file)) {
        notes.push(`fixture ${f} missing`);
        continue;
      }
      const { seed: sd, stored, bytes } = sparseBzImageSeed(f, file, 4);
      images.push(sd);
      notes.push(`${f}: sparse copy ${(stored / 1048576).toFixed(1)} MiB of ${(bytes.length / 1048576).toFixed(1)} MiB`);
      if (f.endsWith("amd64")) {
        const pe = parseBzImage(new MemoryByteSource(bytes, f)).pe;
        const c = pe?.certificates[0];
        if (c) images.push(bzImageSeed("synthetic-pe-signed", syntheticPe(bytes.subarray(c.offset, c.offset + c.dwLength)), 3));
      }
    }
  }
  const vmlinux = [vmlinuxSeed("fake-vmlinux64", fakeVmlinux()), vmlinuxSeed("fake-vmlinux32", fakeVmlinux({ elf32: true }))];
  return { images, vmlinux, notes };
}

/** A small EFI-stub-like image: PE header at 0x40 below the setup header, optional certificate. */
export function syntheticPe(cert: Uint8Array | null): Uint8Array {
  const base = makeImage({ version: 0x020f, payload: gzipSync(fakeVmlinux()) });
  const certLen = cert ? (cert.length + 7) & ~7 : 0;
  const out = new Uint8Array(base.length + certLen);
  out.set(base);
  const dv = new DataView(out.buffer);
  out[0] = 0x4d;
  out[1] = 0x5a;
  dv.setUint32(0x3c, 0x40, true);
  out.set([0x50, 0x45, 0, 0], 0x40);
  const coff = 0x44;
  dv.setUint16(coff, 0x8664, true);
  dv.setUint16(coff + 2, 2, true);
  dv.setUint16(coff + 16, 112 + 6 * 8, true);
  const opt = coff + 20;
  dv.setUint16(opt, 0x20b, true);
  dv.setUint32(opt + 32, 0x1000, true);
  dv.setUint32(opt + 36, 0x200, true);
  dv.setUint32(opt + 56, out.length, true);
  dv.setUint32(opt + 60, 0x200, true);
  dv.setUint16(opt + 68, 10, true);
  dv.setUint32(opt + 108, 6, true);
  const dirs = opt + 112;
  if (cert) {
    dv.setUint32(dirs + 4 * 8, base.length, true);
    dv.setUint32(dirs + 4 * 8 + 4, certLen, true);
    out.set(cert, base.length);
  }
  const sec = dirs + 6 * 8;
  const names = [".setup", ".text"];
  names.forEach((n, i) => {
    const s = sec + i * 40;
    out.set(enc(n), s);
    dv.setUint32(s + 8, i ? base.length - 0xa00 : 0x800, true);
    dv.setUint32(s + 12, i ? 0x1000 : 0x200, true);
    dv.setUint32(s + 16, i ? base.length - 0xa00 : 0x800, true);
    dv.setUint32(s + 20, i ? 0xa00 : 0x200, true);
  });
  return out;
}

// ---------------------------------------------------------------- vmcore

/** Range-scan steps a clean run and a fuzz case take (1 MiB of bitmap each): hostile seeds claim 2^40 pfns. */
export const RANGE_STEPS = 4;

export function boundedRanges(v: ReturnType<typeof openVmcore>): void {
  const s = v.rangeScanner();
  for (let i = 0; i < RANGE_STEPS && !s.step(); i++) {
    /* one step each */
  }
  s.result();
}

function vmcoreClean(s: ByteSource): void {
  const v = openVmcore(s);
  v.summary();
  boundedRanges(v);
  v.beyondFourLevel({ probeBytes: 256 * 1024 });
  try {
    v.dmesg();
  } catch {
    /* synthetic seeds have no kernel log */
  }
}

function elfNoteFields(backing: Backing, off: number, size: number, fields: Field[], boundaries: number[], be = false): void {
  const blob = backing.slice(off, Math.min(size, 1 << 16));
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  let p = 0;
  let n = 0;
  while (p + 12 <= blob.length && n++ < 64) {
    const namesz = dv.getUint32(p, !be);
    const descsz = dv.getUint32(p + 4, !be);
    if (namesz === 0) break;
    fields.push({ off: off + p, width: 4, kind: "size", name: "note.namesz" }, { off: off + p + 4, width: 4, kind: "size", name: "note.descsz" });
    boundaries.push(off + p, off + p + 12);
    p += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3);
  }
}

export function vmcoreFields(name: string, backing: Backing, ranges: Array<[number, number]>): { fields: Field[]; boundaries: number[] } {
  const fields: Field[] = [];
  const boundaries: number[] = [0, 8, 13, 20, 32, 64, 464, backing.size];
  const head = backing.slice(0, 4096);
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const sig = Buffer.from(head.subarray(0, 12)).toString("latin1");
  if (head[0] === 0x7f && head[1] === 0x45) {
    fields.push(
      { off: 32, width: 8, kind: "offset", name: "e_phoff" },
      { off: 40, width: 8, kind: "offset", name: "e_shoff" },
      { off: 54, width: 2, kind: "size", name: "e_phentsize" },
      { off: 56, width: 2, kind: "count", name: "e_phnum" },
      { off: 58, width: 2, kind: "size", name: "e_shentsize" },
      { off: 60, width: 2, kind: "count", name: "e_shnum" },
    );
    const phoff = Number(dv.getBigUint64(32, true));
    const phnum = dv.getUint16(56, true);
    boundaries.push(phoff, phoff + phnum * 56);
    const table = backing.slice(phoff, Math.min(phnum, 512) * 56);
    const tv = new DataView(table.buffer, table.byteOffset, table.byteLength);
    for (let i = 0; i < Math.min(phnum, 512) && (i + 1) * 56 <= table.length; i++) {
      const b = phoff + i * 56;
      const type = tv.getUint32(i * 56, true);
      const off = Number(tv.getBigUint64(i * 56 + 8, true));
      const filesz = Number(tv.getBigUint64(i * 56 + 32, true));
      if (i < 48 || type === 4) {
        fields.push(
          { off: b, width: 4, kind: "any", name: `ph${i}.type` },
          { off: b + 8, width: 8, kind: "offset", name: `ph${i}.offset` },
          { off: b + 16, width: 8, kind: "offset", name: `ph${i}.vaddr` },
          { off: b + 24, width: 8, kind: "offset", name: `ph${i}.paddr` },
          { off: b + 32, width: 8, kind: "size", name: `ph${i}.filesz` },
          { off: b + 40, width: 8, kind: "size", name: `ph${i}.memsz` },
        );
      }
      if (type === 4) {
        boundaries.push(off, off + filesz);
        elfNoteFields(backing, off, filesz, fields, boundaries);
      }
    }
  } else if (sig.startsWith("KDUMP")) {
    for (const [o, n] of [[8, "header_version"], [424, "status"], [428, "block_size"], [432, "sub_hdr_size"], [436, "bitmap_blocks"], [440, "max_mapnr"], [460, "nr_cpus"]] as const) {
      fields.push({ off: o, width: 4, kind: kindOf(n), name: n });
    }
    const bs = 4096;
    const sub = backing.slice(bs, 104);
    const sv = new DataView(sub.buffer, sub.byteOffset, sub.byteLength);
    fields.push({ off: bs + 8, width: 4, kind: "any", name: "dump_level" }, { off: bs + 12, width: 4, kind: "any", name: "split" });
    for (const [o, n] of [[32, "offset_vmcoreinfo"], [40, "size_vmcoreinfo"], [48, "offset_note"], [56, "size_note"], [64, "offset_eraseinfo"], [72, "size_eraseinfo"], [80, "start_pfn_64"], [88, "end_pfn_64"], [96, "max_mapnr_64"]] as const) {
      fields.push({ off: bs + o, width: 8, kind: kindOf(n), name: n });
    }
    const subHdr = dv.getInt32(432, true);
    const bitmapBlocks = dv.getUint32(436, true);
    const bm1 = (1 + subHdr) * bs;
    const desc = (1 + subHdr + bitmapBlocks) * bs;
    boundaries.push(bs, bs + 104, bm1, bm1 + (bitmapBlocks / 2) * bs, desc, desc + 24, desc + 48);
    if (sub.length >= 64) {
      const noteOff = Number(sv.getBigInt64(48, true));
      const noteSize = Number(sv.getBigUint64(56, true));
      if (noteOff > 0 && noteSize > 0) elfNoteFields(backing, noteOff, noteSize, fields, boundaries);
    }
    // Page descriptors the clean run read, and a sample of bitmap bytes.
    let nd = 0;
    for (const [a, b] of ranges) {
      if (b - a === 24 && a >= desc && nd++ < 400) {
        fields.push({ off: a, width: 8, kind: "offset", name: "page_desc.offset" }, { off: a + 8, width: 4, kind: "size", name: "page_desc.size" }, { off: a + 12, width: 4, kind: "any", name: "page_desc.flags" });
      }
    }
    for (let i = 0; i < 64; i++) fields.push({ off: bm1 + ((i * 2654435761) >>> 0) % Math.max(1, bitmapBlocks * bs), width: 8, kind: "any", name: "bitmap word" });
  } else if (sig === "makedumpfile") {
    fields.push({ off: 16, width: 8, kind: "any", be: true, name: "flat.type" }, { off: 24, width: 8, kind: "any", be: true, name: "flat.version" });
    let pos = 4096;
    for (let n = 0; n < 400 && pos + 16 <= backing.size; n++) {
      const r = backing.slice(pos, 16);
      const rv = new DataView(r.buffer, r.byteOffset, r.byteLength);
      const size = rv.getBigInt64(8, false);
      fields.push({ off: pos, width: 8, kind: "offset", be: true, name: `rec${n}.offset` }, { off: pos + 8, width: 8, kind: "size", be: true, name: `rec${n}.size` });
      boundaries.push(pos, pos + 16);
      if (size <= 0n) break;
      pos += 16 + Number(size);
    }
  }
  void name;
  return { fields, boundaries };
}

export function vmcoreSeed(name: string, bytes: Uint8Array, weight = 1): Seed {
  const backing = new ArrayBacking(bytes);
  const ranges = readsOf(new MemoryByteSource(bytes, name), vmcoreClean);
  const { fields, boundaries } = vmcoreFields(name, backing, ranges);
  return seed(name, backing, ranges, fields, boundaries, weight);
}

/** A seed over a virtual sparse file (too big for an array): the backing reads through it. */
function sparseSeed(name: string, src: SparseByteSource, weight = 1): Seed {
  const backing: Backing = { size: src.size, slice: (o, l) => src.read(o, Math.max(0, Math.min(l, src.size - o))) };
  const ranges = readsOf(src, vmcoreClean);
  const { fields, boundaries } = vmcoreFields(name, backing, ranges);
  return seed(name, backing, ranges, fields, boundaries, weight);
}

/** A big fixture as a sparse copy of the chunks a clean run reads (plus the first 64 KiB). */
export function sparseVmcoreSeed(name: string, file: string, weight = 1): { seed: Seed; stored: number } {
  const src = openFile(file);
  let ranges: Array<[number, number]>;
  try {
    ranges = readsOf(src, vmcoreClean);
  } finally {
    src.close();
  }
  ranges.push([0, 65536]);
  const backing = SparseBacking.fromFile(file, chunksOf(ranges));
  const { fields, boundaries } = vmcoreFields(name, backing, ranges);
  return { seed: seed(name, backing, ranges, fields, boundaries, weight), stored: backing.storedBytes };
}

const SYNTH_VMCOREINFO = [
  "OSRELEASE=6.1.0-fuzz",
  "PAGESIZE=4096",
  "SYMBOL(init_top_pgt)=ffffffff82010000",
  "SYMBOL(swapper_pg_dir)=ffffffff82010000",
  "NUMBER(phys_base)=0",
  "NUMBER(pgtable_l5_enabled)=0",
  "SYMBOL(prb)=ffffffff82020000",
  "SIZE(printk_ringbuffer)=88",
  "KERNELOFFSET=0",
  "NUMBER(KERNEL_IMAGE_SIZE)=1073741824",
  "CRASHTIME=1700000000",
  "",
].join("\n");

export function syntheticVmcoreSeeds(): Seed[] {
  const mem = new PhysImage();
  for (let p = 0; p < 24; p++) if (p % 5 !== 3) mem.page(p).fill(p * 7 + 1, 0, 1000 + p * 100);
  mem.page(40);
  mem.page(0x2010).set([0x63, 0x10, 0, 0, 0, 0, 0, 0]);
  const notes = concat([note("CORE", 1, prstatus(1, 0xffffffff81000000n)), note("CORE", 1, prstatus(2, 0xffffffff81000010n)), note("VMCOREINFO", 0, enc(SYNTH_VMCOREINFO))]);
  const out: Seed[] = [];
  const codecs: Codec[] = ["none", "zlib", "lzo", "snappy", "zstd"];
  for (const codec of codecs) out.push(vmcoreSeed(`synthetic-kdump-${codec}`, buildKdump({ codec, maxPfn: 0x2100, mem, notes, vmcoreinfo: SYNTH_VMCOREINFO, excluded: [30, 31] }), 2));
  for (const v of [1, 2, 3, 4, 5]) out.push(vmcoreSeed(`synthetic-kdump-v${v}`, buildKdump({ codec: "zlib", maxPfn: 0x2100, mem, notes, vmcoreinfo: SYNTH_VMCOREINFO, headerVersion: v }), 1));
  const elf = buildElf(mem, notes);
  out.push(vmcoreSeed("synthetic-elf", elf, 3));
  out.push(vmcoreSeed("synthetic-elf-xnum", buildElf(mem, notes, { xnum: true }), 1));
  const kd = buildKdump({ codec: "zlib", maxPfn: 0x2100, mem, notes, vmcoreinfo: SYNTH_VMCOREINFO });
  out.push(vmcoreSeed("synthetic-flat-kdump", flatten(kd, 3000), 2));
  out.push(vmcoreSeed("synthetic-flat-elf-reverse", flatten(elf, 5000, { reverse: true, staleOverlap: true }), 2));
  out.push(vmcoreSeed("synthetic-flat-noend", flatten(elf, 4096, { noEnd: true }), 1));
  // Issue #14: kdump files of 4 PiB of address space (2^40 pfns, 128 GiB bitmaps), held sparse.
  const page = (seed: number): Uint8Array => new Uint8Array(PAGE).map((_, i) => (i * 13 + seed) & 0xff);
  const TOP = 2 ** 40;
  const hostile = { notes, vmcoreinfo: SYNTH_VMCOREINFO };
  out.push(sparseSeed("hostile-kdump-one-bit-at-top", buildSparseKdump({ ...hostile, maxPfn: TOP, pages: new Map([[TOP - 1, page(1)]]) }), 2));
  out.push(sparseSeed("hostile-kdump-every-pfn", buildSparseKdump({ ...hostile, maxPfn: TOP, pages: new Map([[0, page(2)], [1, page(3)], [2, page(4)]]), allOnes: [0, TOP] }), 2));
  out.push(sparseSeed("hostile-kdump-descs-past-eof", buildSparseKdump({ ...hostile, maxPfn: 2 ** 30, pages: new Map(Array.from({ length: 10 }, (_, i) => [i, page(10 + i)] as [number, Uint8Array])), cutDescriptorsAt: 72 }), 1));
  return out;
}

/** The .xz vmcore fixtures decompressed once into the ignored cache (never the repo). */
export function vmcoreFixture(name: string): string | null {
  const stored = sharedFixture("vmcore", name);
  if (fs.existsSync(stored)) return stored;
  const xz = sharedFixture("vmcore", `${name}.xz`);
  if (!fs.existsSync(xz)) return null;
  const out = path.join(cacheDir("vmcore"), name);
  if (!fs.existsSync(out)) {
    const tmp = `${out}.${process.pid}.fuzz.tmp`;
    const fd = fs.openSync(tmp, "w");
    const r = spawnSync("xz", ["-dc", xz], { stdio: ["ignore", fd, "inherit"] });
    fs.closeSync(fd);
    if (r.status !== 0) return null;
    fs.renameSync(tmp, out);
  }
  return out;
}
