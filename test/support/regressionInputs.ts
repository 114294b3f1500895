/**
 * Every input the fuzzer (scripts/fuzz) ever found failing, rebuilt by code so the repository
 * holds no binary blobs. Each entry names the fuzz case that found it and the fix.
 */
import { gzipSync } from "fflate";
import { buildElf, concat, note, PhysImage, prstatus } from "../unit/vmcoreSynth";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * ELF vmcore whose VMCOREINFO has the printk keys but unparsable values (`SIZE(...)=-1`,
 * a SYMBOL that is not hex). printk.ts used `info.size(k)!` and read with `undefined` lengths:
 * TypeError "Cannot mix BigInt and other types" (fuzz seed 1 case 6917) and a DataView
 * RangeError (case 10729). Fixed: every needed value goes through need() → FormatError.
 */
export function vmcoreWithBadPrintkValues(variant: "size" | "offset" | "symbol" | "logbuf"): Uint8Array {
  const mem = new PhysImage();
  // Kernel text at phys 0x1000000 (phys_base 0): `prb` (va ...100) points at a zeroed ring (va ...200).
  for (let p = 0x1000; p < 0x1004; p++) mem.page(p);
  mem.u64(0x1000100, 0xffffffff81000200n);
  const lockless = [
    "SYMBOL(prb)=ffffffff81000100",
    variant === "size" ? "SIZE(printk_ringbuffer)=-1" : "SIZE(printk_ringbuffer)=88",
    "OFFSET(printk_ringbuffer.desc_ring)=0",
    variant === "offset" ? "OFFSET(printk_ringbuffer.text_data_ring)=ffffffffffffffff0" : "OFFSET(printk_ringbuffer.text_data_ring)=48",
    "OFFSET(prb_desc_ring.count_bits)=0", "OFFSET(prb_desc_ring.descs)=8", "OFFSET(prb_desc_ring.infos)=16", "OFFSET(prb_desc_ring.head_id)=24",
    "OFFSET(prb_desc_ring.tail_id)=32", "SIZE(prb_desc)=24", "OFFSET(prb_desc.state_var)=0", "OFFSET(prb_desc.text_blk_lpos)=8",
    "OFFSET(prb_data_blk_lpos.begin)=0", "OFFSET(prb_data_blk_lpos.next)=8", "SIZE(printk_info)=88", "OFFSET(printk_info.seq)=0",
    "OFFSET(printk_info.ts_nsec)=8", "OFFSET(printk_info.text_len)=16", "OFFSET(prb_data_ring.size_bits)=0", "OFFSET(prb_data_ring.data)=8",
    "OFFSET(atomic_long_t.counter)=0",
  ];
  const logbuf = ["SYMBOL(log_buf)=not-hex", "SYMBOL(log_buf_len)=ffffffff81000200", "SYMBOL(log_first_idx)=ffffffff81000208", "SYMBOL(log_next_idx)=ffffffff8100020c", "SIZE(printk_log)=16", "OFFSET(printk_log.ts_nsec)=0", "OFFSET(printk_log.len)=8", "OFFSET(printk_log.text_len)=10"];
  const keys = variant === "symbol" ? lockless.map((l) => (l.startsWith("SYMBOL(prb)") ? "SYMBOL(prb)=zzzz" : l)) : variant === "logbuf" ? logbuf : lockless;
  const vmcoreinfo = ["OSRELEASE=6.1.0-regression", "NUMBER(phys_base)=0", "SYMBOL(init_top_pgt)=ffffffff81002000", ...keys, ""].join("\n");
  const notes = concat([note("CORE", 1, prstatus(1, 0xffffffff81000000n)), note("VMCOREINFO", 0, enc(vmcoreinfo))]);
  return buildElf(mem, notes);
}

/**
 * bootparam.h text whose #define value shifts by 2^32 (`(1<<4294967296)`): evalCExpr in
 * source/scan.ts did `left << right` on BigInt: RangeError "Maximum BigInt size exceeded"
 * (fuzz seed 1 case 13946). Fixed: shift counts outside 0..127 make the value unknown.
 */
export function bootparamHugeShift(): string {
  return "#define XLF_KERNEL_64\t\t\t(1<<0)\n#define XLF_5LEVEL\t\t\t(1<<4294967296)\n#define XLF_5LEVEL_ENABLED\t\t(1>>-1)\nstruct setup_header {\n\t__u16\txloadflags;\n};\n";
}

/**
 * bootparam.h with thousands of `#else` lines in one #if: preprocess() copied and evaluated
 * every earlier branch per #else, quadratic (230 ms at 4096 lines, 640 ms at 8192; fuzz seed 1
 * case 218 and others). Deep #if nesting also built one closure per level (stack depth).
 * Fixed: branches after an #else are dead, nesting past 64 levels counts as never compiled.
 */
export function bootparamManyElse(n = 8192): string {
  return "#define XLF_KERNEL_64 (1<<0)\nstruct setup_header { __u16 xloadflags; };\n" + "#ifdef CONFIG_X86_64\n" + "#else\n".repeat(n) + "#endif\n" + "#ifdef A\n".repeat(n) + "#define XLF_5LEVEL (1<<5)\n" + "#endif\n".repeat(n);
}

/**
 * bzImage-style payload whose appended le32 size lies (0xffffffff) in front of a tiny gzip
 * stream: decompressPayload sized its first output buffer from that field, up to maxBytes
 * (1 GiB in the CLI) before decoding a byte. Fixed: initialOutputSize() caps the guess at
 * 32x the compressed length + 1 MiB; the buffer still grows when the data is real.
 */
export function payloadWithLyingSize(): { bytes: Uint8Array; offset: number; length: number; plain: Uint8Array } {
  const plain = enc("vmlinux ".repeat(64));
  const gz = gzipSync(plain);
  // gzip's own ISIZE trailer is the appended size; make it lie.
  new DataView(gz.buffer, gz.byteOffset, gz.byteLength).setUint32(gz.length - 4, 0xffffffff, true);
  const bytes = new Uint8Array(0x200 + gz.length + 0x40);
  bytes.set(gz, 0x200);
  return { bytes, offset: 0x200, length: gz.length, plain };
}
