import { openFile } from "../io/byteSource";
import { FormatError } from "../io/formatError";
import { detectVmcore } from "../formats/vmcore/detect";
import { openVmcore } from "../formats/vmcore/vmcore";
import type { MemoryMap } from "./memoryMap";
import { readMemoryMap } from "./readMemoryMap";
import { memoryMapFromVmcoreLoads } from "./vmcoreMap";

/**
 * Reads a memory map from a path: a boot log, /proc/iomem, a JSON map, or a vmcore of any format the
 * vmcore reader knows. ELF dumps give their PT_LOADs; kdump-compressed dumps give the RAM their
 * bitmap covers (dumped and filtered pages alike), since they carry no program headers.
 */
export function loadMemoryMap(path: string): MemoryMap {
  const src = openFile(path);
  try {
    const kind = detectVmcore(src).kind;
    if (kind === "unknown") return readMemoryMap(src);
    const v = openVmcore(src);
    let loads = v.loads.map((l) => ({ paddr: Number(l.paddr), memsz: Number(l.memsz), vaddr: Number(l.vaddr) }));
    if (loads.length === 0) loads = v.ranges().map((r) => ({ paddr: r.start, memsz: r.end - r.start, vaddr: 0 }));
    if (loads.length === 0) throw new FormatError(path, 0, "memory ranges", "a vmcore with PT_LOAD headers or a page bitmap", v.format);
    const map = memoryMapFromVmcoreLoads({ loads }, path);
    map.pagingLevels = v.paging.levels;
    const rel = v.vmcoreinfo.get("OSRELEASE");
    if (typeof rel === "string") map.kernelRelease = rel;
    return map;
  } finally {
    src.close();
  }
}
