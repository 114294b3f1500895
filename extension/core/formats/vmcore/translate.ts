import { FormatError, hex } from "../../io/formatError";
import { view } from "../../io/binary";
import type { PhysicalMemory } from "./physical";

/** Constants from arch/x86/include/asm/page_64_types.h (x86-64-translation.md §1). */
export const START_KERNEL_MAP = 0xffffffff80000000n;
const ADDR_MASK = 0x000ffffffffff000n;
const PMD_LARGE_MASK = 0x000fffffffe00000n;
const PUD_LARGE_MASK = 0x000fffffc0000000n;
const PRESENT = 1n;
const PS = 0x80n;

export interface TranslatorConfig {
  levels: 4 | 5;
  /** phys_base as u64 (NUMBER(phys_base) wrapped with BigInt.asUintN). */
  physBase: bigint;
  /** Physical address of the top-level table (init_top_pgt via the kernel-text rule, or CR3). */
  rootPa: bigint;
  smeMask: bigint;
  /** NUMBER(KERNEL_IMAGE_SIZE); makedumpfile defaults to 1 GiB. */
  kernelImageSize: bigint;
}

export interface WalkStep {
  level: "pgd" | "p4d" | "pud" | "pmd" | "pte";
  tablePa: bigint;
  index: number;
  entry: bigint;
}

export interface Translation {
  paddr: bigint;
  method: "kernel-text" | "page-table";
  steps: WalkStep[];
  /** Size of the mapping that contains the address (4 KiB, 2 MiB, 1 GiB). */
  pageSize: number;
}

/** Kernel virtual → physical (x86-64-translation.md §5, §6). */
export class KernelTranslator {
  constructor(
    private readonly mem: PhysicalMemory,
    readonly config: TranslatorConfig,
    private readonly fileName: string,
  ) {}

  private fail(va: bigint, why: string): never {
    throw new FormatError(this.fileName, 0, `virtual address ${hex(va)}`, "a mapped kernel address", why);
  }

  isCanonical(va: bigint): boolean {
    const bits = this.config.levels === 5 ? 57n : 48n;
    const top = va >> (bits - 1n);
    return top === 0n || top === (1n << (65n - bits)) - 1n;
  }

  /** Translates; kernel-image addresses use phys_base, everything else walks the tables. */
  translate(va: bigint, forceWalk = false): Translation {
    va = BigInt.asUintN(64, va);
    const c = this.config;
    if (!forceWalk && va >= START_KERNEL_MAP && va < START_KERNEL_MAP + c.kernelImageSize) {
      return { paddr: BigInt.asUintN(64, va - START_KERNEL_MAP + c.physBase), method: "kernel-text", steps: [], pageSize: 4096 };
    }
    return this.walk(va);
  }

  walk(va: bigint): Translation {
    if (!this.isCanonical(va)) this.fail(va, `non-canonical address for ${this.config.levels}-level paging`);
    const shifts = this.config.levels === 5 ? [48n, 39n, 30n, 21n, 12n] : [39n, 30n, 21n, 12n];
    const names: WalkStep["level"][] = this.config.levels === 5 ? ["pgd", "p4d", "pud", "pmd", "pte"] : ["pgd", "pud", "pmd", "pte"];
    const steps: WalkStep[] = [];
    let table = this.config.rootPa;
    // Fixed number of levels: the walk cannot loop on cyclic tables.
    for (let i = 0; i < shifts.length; i++) {
      const shift = shifts[i]!;
      const index = Number((va >> shift) & 511n);
      const ea = table + BigInt(index * 8);
      if (ea >= 1n << 52n) this.fail(va, `${names[i]} table at ${hex(table)} is beyond the physical address width`);
      let e: bigint;
      try {
        e = view(this.mem.read(Number(ea), 8, `${names[i]} entry`)).getBigUint64(0, true);
      } catch (err) {
        const msg = err instanceof FormatError ? (err.found ?? err.expected) : String(err);
        this.fail(va, `${names[i]} table page ${hex(table)} not readable: ${msg}`);
      }
      steps.push({ level: names[i]!, tablePa: table, index, entry: e });
      e &= ~this.config.smeMask;
      if (!(e & PRESENT)) this.fail(va, `${names[i]} entry ${index} not present (${hex(e)})`);
      if (e & PS) {
        if (shift === 30n) return { paddr: (e & PUD_LARGE_MASK) | (va & 0x3fffffffn), method: "page-table", steps, pageSize: 1 << 30 };
        if (shift === 21n) return { paddr: (e & PMD_LARGE_MASK) | (va & 0x1fffffn), method: "page-table", steps, pageSize: 1 << 21 };
        if (shift !== 12n) this.fail(va, `PS bit set in ${names[i]} entry (corrupt page table)`);
      }
      if (shift === 12n) return { paddr: (e & ADDR_MASK) | (va & 0xfffn), method: "page-table", steps, pageSize: 4096 };
      table = e & ADDR_MASK;
    }
    return this.fail(va, "walk did not end");
  }

  /** Reads kernel virtual memory, translating page by page. */
  read(va: bigint, length: number, field = "kernel memory"): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const a = BigInt.asUintN(64, va + BigInt(done));
      const t = this.translate(a);
      const pageLeft = 4096 - Number(a & 0xfffn);
      const n = Math.min(pageLeft, length - done);
      if (t.paddr + BigInt(n) > 1n << 52n) this.fail(a, `translated to ${hex(t.paddr)}, beyond physical memory`);
      out.set(this.mem.read(Number(t.paddr), n, `${field} @ ${hex(a)}`), done);
      done += n;
    }
    return out;
  }

  readU64(va: bigint, field: string): bigint {
    return view(this.read(va, 8, field)).getBigUint64(0, true);
  }
  readU32(va: bigint, field: string): number {
    return view(this.read(va, 4, field)).getUint32(0, true);
  }
}
