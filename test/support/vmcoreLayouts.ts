/**
 * The real kdump-compressed fixture re-laid as the dump of a bigger machine: same pages, same
 * VMCOREINFO and notes, bitmaps widened to cover `maxPfn` pfns with zero bits, page-descriptor
 * offsets shifted by the growth. Written as a sparse file (ftruncate + positioned writes) into the
 * ignored cache, never the repo; the fixture is only read. Used by test/real/vmcoreBig.test.ts and
 * scripts/bench/vmcoreBig.mjs.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface BigLayout {
  label: string;
  /** Pfns the widened bitmaps cover (max_mapnr_64). */
  maxPfn: number;
}

export const BIG_LAYOUTS: readonly BigLayout[] = [
  { label: "1 TiB", maxPfn: 2 ** 28 },
  { label: "128 TiB", maxPfn: 2 ** 35 },
  { label: "4 PiB", maxPfn: 2 ** 40 },
];

const PAGE = 4096;
/** Bump when the layout changes so stale cache files are rebuilt. */
const VERSION = 1;

export type LayoutResult = { file: string } | { skipped: string };

function popcount(b: Uint8Array): number {
  let n = 0;
  for (const x of b) for (let v = x; v; v &= v - 1) n++;
  return n;
}

/** Builds (once) the layout of `fixture` covering `maxPfn` pfns in `dir`; says why when the filesystem cannot hold it. */
export function buildBigLayout(fixture: string, maxPfn: number, dir: string): LayoutResult {
  const out = path.join(dir, `${path.basename(fixture)}.v${VERSION}.pfns-${maxPfn.toString(16)}`);
  const src = new Uint8Array(fs.readFileSync(fixture));
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const sub = dv.getInt32(432, true);
  const oldBlocks = dv.getUint32(436, true);
  const oldBm = (oldBlocks / 2) * PAGE;
  const bm1 = (1 + sub) * PAGE;
  const oldDesc = (1 + sub + oldBlocks) * PAGE;
  const n = popcount(src.subarray(bm1 + oldBm, bm1 + 2 * oldBm));
  const dataStart = oldDesc + 24 * n;
  const newBm = Math.ceil(Math.ceil(maxPfn / 8) / PAGE) * PAGE;
  const newBlocks = (2 * newBm) / PAGE;
  const newDesc = (1 + sub + newBlocks) * PAGE;
  const delta = newDesc - oldDesc;
  const total = src.length + delta;
  if (fs.existsSync(out) && fs.statSync(out).size === total) return { file: out };

  const head = src.slice(0, bm1);
  const hv = new DataView(head.buffer);
  hv.setUint32(436, newBlocks, true);
  hv.setUint32(440, Math.min(maxPfn, 0xffffffff), true); // makedumpfile: MIN(max_mapnr, UINT_MAX)
  hv.setBigUint64(PAGE + 96, BigInt(maxPfn), true);
  const erase = hv.getBigInt64(PAGE + 64, true);
  if (erase > 0n) hv.setBigInt64(PAGE + 64, erase + BigInt(delta), true);
  const descs = src.slice(oldDesc, dataStart);
  const ddv = new DataView(descs.buffer);
  for (let i = 0; i < n; i++) ddv.setBigInt64(i * 24, ddv.getBigInt64(i * 24, true) + BigInt(delta), true);

  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, "w");
    fs.ftruncateSync(fd, total);
    const put = (b: Uint8Array, at: number): void => {
      let done = 0;
      while (done < b.length) done += fs.writeSync(fd!, b, done, b.length - done, at + done);
    };
    put(head, 0);
    put(src.subarray(bm1, bm1 + oldBm), bm1);
    put(src.subarray(bm1 + oldBm, bm1 + 2 * oldBm), bm1 + newBm);
    put(descs, newDesc);
    put(src.subarray(dataStart), dataStart + delta);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, out);
    return { file: out };
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    return { skipped: `the filesystem of ${dir} cannot hold a sparse file of ${total} bytes (${code})` };
  }
}
