/**
 * A PE32+ writer for tests: enough of a PE/COFF image (DOS header, COFF header, optional header
 * with 16 data directories, section table, raw data at FileAlignment) to make Unified Kernel
 * Images in test code without systemd's stub. Overrides make hostile ones.
 */
export interface PeSectionSpec {
  name: string;
  data: Uint8Array | string;
  /** Overrides written into the section header after layout (hostile images). */
  rawOffset?: number;
  rawSize?: number;
  virtualSize?: number;
}

export interface PeSpec {
  sections: PeSectionSpec[];
  /** OptionalHeader.Subsystem (10 = EFI_APPLICATION). */
  subsystem?: number;
}

const FILE_ALIGN = 0x200;
const SECTION_ALIGN = 0x1000;
const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

export function bytesOf(d: Uint8Array | string): Uint8Array {
  return typeof d === "string" ? new TextEncoder().encode(d) : d;
}

/** Lays sections out in order, each at the next FileAlignment boundary. */
export function makePe(spec: PeSpec): Uint8Array {
  const lfanew = 0x80;
  const optSize = 112 + 16 * 8;
  const secTable = lfanew + 4 + 20 + optSize;
  const headersEnd = alignUp(secTable + spec.sections.length * 40, FILE_ALIGN);
  const datas = spec.sections.map((s) => bytesOf(s.data));
  const offsets: number[] = [];
  let at = headersEnd;
  for (const d of datas) {
    offsets.push(at);
    at += alignUp(d.length, FILE_ALIGN);
  }
  const buf = new Uint8Array(at);
  const dv = new DataView(buf.buffer);
  buf[0] = 0x4d;
  buf[1] = 0x5a;
  dv.setUint32(0x3c, lfanew, true);
  buf.set([0x50, 0x45, 0, 0], lfanew);
  const coff = lfanew + 4;
  dv.setUint16(coff, 0x8664, true);
  dv.setUint16(coff + 2, spec.sections.length, true);
  dv.setUint16(coff + 16, optSize, true);
  dv.setUint16(coff + 18, 0x206, true);
  const opt = coff + 20;
  dv.setUint16(opt, 0x20b, true);
  dv.setUint32(opt + 16, 0x1000, true); // AddressOfEntryPoint
  dv.setUint32(opt + 32, SECTION_ALIGN, true);
  dv.setUint32(opt + 36, FILE_ALIGN, true);
  let va = SECTION_ALIGN;
  const vas = datas.map((d) => {
    const v = va;
    va += alignUp(Math.max(d.length, 1), SECTION_ALIGN);
    return v;
  });
  dv.setUint32(opt + 56, va, true); // SizeOfImage
  dv.setUint32(opt + 60, headersEnd, true); // SizeOfHeaders
  dv.setUint16(opt + 68, spec.subsystem ?? 10, true);
  dv.setUint32(opt + 108, 16, true); // NumberOfRvaAndSizes
  spec.sections.forEach((s, i) => {
    const h = secTable + i * 40;
    const name = new TextEncoder().encode(s.name).subarray(0, 8);
    buf.set(name, h);
    const d = datas[i]!;
    dv.setUint32(h + 8, s.virtualSize ?? d.length, true);
    dv.setUint32(h + 12, vas[i]!, true);
    dv.setUint32(h + 16, s.rawSize ?? alignUp(d.length, FILE_ALIGN), true);
    dv.setUint32(h + 20, s.rawOffset ?? offsets[i]!, true);
    dv.setUint32(h + 36, 0x40000040, true); // INITIALIZED_DATA | MEM_READ
    buf.set(d, offsets[i]!);
  });
  return buf;
}

export interface UkiSpec {
  kernel: Uint8Array;
  cmdline?: string | Uint8Array | null;
  osrel?: string | null;
  uname?: string | null;
  initrd?: Uint8Array | null;
  sbat?: string | null;
  sdmagic?: string | null;
  subsystem?: number;
  /** Per-section header overrides by name. */
  override?: Record<string, Partial<Pick<PeSectionSpec, "rawOffset" | "rawSize" | "virtualSize">>>;
}

export const SDMAGIC = "#### LoaderInfo: systemd-stub 257.9-test ####";
export const SBAT = "sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\nsystemd-stub,1,The systemd Developers,systemd,257,https://systemd.io/\n";
export const OSREL = 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';

/** A UKI laid out like systemd-stub + objcopy makes them (stub text first, kernel and initrd last). */
export function makeUki(o: UkiSpec): Uint8Array {
  const secs: PeSectionSpec[] = [{ name: ".text", data: new Uint8Array(0x400).fill(0xcc) }];
  if (o.sbat !== null) secs.push({ name: ".sbat", data: o.sbat ?? SBAT });
  if (o.sdmagic !== null) secs.push({ name: ".sdmagic", data: o.sdmagic ?? SDMAGIC });
  if (o.osrel !== null) secs.push({ name: ".osrel", data: o.osrel ?? OSREL });
  if (o.cmdline !== null) secs.push({ name: ".cmdline", data: o.cmdline ?? "root=/dev/vda1 ro quiet" });
  if (o.uname !== null) secs.push({ name: ".uname", data: o.uname ?? "6.1.0-test" });
  secs.push({ name: ".linux", data: o.kernel });
  if (o.initrd !== null) secs.push({ name: ".initrd", data: o.initrd ?? new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]) });
  for (const s of secs) Object.assign(s, o.override?.[s.name] ?? {});
  return makePe({ sections: secs, subsystem: o.subsystem });
}
