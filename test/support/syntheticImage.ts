import { SETUP_HEADER_FIELDS, HDRS_MAGIC } from "../../extension/core/knowledge/setupHeaderFields";

/** Options for a synthetic bzImage made in test code (no kernel binary involved). */
export interface SyntheticImage {
  version?: number;
  setupSects?: number;
  loadflags?: number;
  xloadflags?: number;
  kernelVersion?: string | null;
  /** Bytes placed at payload_offset (protocol 2.08+). */
  payload?: Uint8Array;
  /** Write a kernel_info block (protocol 2.15). */
  kernelInfo?: boolean;
  /** Total protected-mode size (after the setup sectors). */
  pmSize?: number;
  /** Field overrides by name, written after everything else (to make lying headers). */
  override?: Record<string, number>;
  /** Override the jump displacement byte at 0x201. */
  jumpDisp?: number;
  noHdrS?: boolean;
}

/** Header end for a protocol, as header.S's jump would make it. */
export function headerEndFor(version: number): number {
  return Math.max(0x202, ...SETUP_HEADER_FIELDS.filter((f) => f.since <= version).map((f) => f.offset + f.size));
}

export function makeImage(o: SyntheticImage = {}): Uint8Array {
  const version = o.version ?? 0x020f;
  const sects = o.setupSects ?? 4;
  const setupBytes = ((sects === 0 ? 4 : sects) + 1) * 512;
  const payload = o.payload ?? new Uint8Array(0);
  const kiOff = 0x100 + payload.length;
  const pmSize = Math.max(o.pmSize ?? 0x1000, kiOff + 16 + 16);
  const buf = new Uint8Array(setupBytes + pmSize);
  const dv = new DataView(buf.buffer);
  const put = (name: string, v: number): void => {
    const f = SETUP_HEADER_FIELDS.find((x) => x.name === name)!;
    if (f.size === 1) dv.setUint8(f.offset, v);
    else if (f.size === 2) dv.setUint16(f.offset, v, true);
    else if (f.size === 4) dv.setUint32(f.offset, v >>> 0, true);
    else dv.setBigUint64(f.offset, BigInt(v), true);
  };
  put("setup_sects", sects);
  put("boot_flag", 0xaa55);
  buf[0x200] = 0xeb;
  buf[0x201] = o.jumpDisp ?? headerEndFor(version) - 0x202;
  if (!o.noHdrS) put("header", HDRS_MAGIC);
  put("version", version);
  put("loadflags", o.loadflags ?? 1);
  put("code32_start", 0x100000);
  if (version >= 0x0203) put("initrd_addr_max", 0x7fffffff);
  if (version >= 0x0205) {
    put("kernel_alignment", 0x200000);
    put("relocatable_kernel", 1);
  }
  if (version >= 0x0206) put("cmdline_size", 2047);
  if (version >= 0x020a) {
    put("min_alignment", 21);
    put("pref_address", 0x1000000);
    put("init_size", 0x2000000);
  }
  if (version >= 0x020c) put("xloadflags", o.xloadflags ?? 0x7f);
  if (version >= 0x0208) {
    put("payload_offset", 0x100);
    put("payload_length", payload.length);
    buf.set(payload, setupBytes + 0x100);
  }
  if (version >= 0x020f && o.kernelInfo !== false) {
    put("kernel_info_offset", kiOff);
    const at = setupBytes + kiOff;
    dv.setUint32(at, 0x506f544c, true);
    dv.setUint32(at + 4, 16, true);
    dv.setUint32(at + 8, 16, true);
    dv.setUint32(at + 12, 0x80000009, true);
  }
  const kv = o.kernelVersion === undefined ? "6.1.0-test (synthetic) #1 SMP" : o.kernelVersion;
  if (kv !== null) {
    const at = 0x300;
    put("kernel_version", at - 0x200);
    for (let i = 0; i < kv.length; i++) buf[at + i] = kv.charCodeAt(i);
  }
  for (const [k, v] of Object.entries(o.override ?? {})) put(k, v);
  return buf;
}
