import { view } from "../../io/binary";

/** x86_64 `struct elf_prstatus` register order (vmcore-formats.md §1.4, glibc sys/procfs.h). */
export const PRSTATUS_REGS = [
  "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx",
  "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds",
  "es", "fs", "gs",
] as const;
export type PrstatusReg = (typeof PRSTATUS_REGS)[number];

export const PRSTATUS_SIZE = 336;

export interface Prstatus {
  pid: number;
  regs: Record<PrstatusReg, bigint>;
}

/** Returns undefined when the descriptor is too small to be the x86_64 layout. */
export function parsePrstatus(desc: Uint8Array): Prstatus | undefined {
  if (desc.length < PRSTATUS_SIZE) return undefined;
  const dv = view(desc);
  const regs = {} as Record<PrstatusReg, bigint>;
  PRSTATUS_REGS.forEach((r, i) => {
    regs[r] = dv.getBigUint64(112 + i * 8, true);
  });
  return { pid: dv.getInt32(32, true), regs };
}

/** QEMU's `QEMUCPUState` (target/i386/arch_dump.c); QEMU 7.2 writes 440 bytes (adds kernel_gs_base). */
export interface QemuCpuState {
  version: number;
  size: number;
  rip: bigint;
  rsp: bigint;
  rflags: bigint;
  cr0: bigint;
  cr2: bigint;
  cr3: bigint;
  cr4: bigint;
  idtBase: bigint;
  /** CR4 bit 12 (LA57): the vCPU ran with 5-level paging. */
  la57: boolean;
}

export const QEMU_CPU_STATE_MIN = 432;

export function parseQemuCpuState(desc: Uint8Array): QemuCpuState | undefined {
  if (desc.length < QEMU_CPU_STATE_MIN) return undefined;
  const dv = view(desc);
  const version = dv.getUint32(0, true);
  const size = dv.getUint32(4, true);
  if (version !== 1 || size < QEMU_CPU_STATE_MIN) return undefined;
  const q = (o: number): bigint => dv.getBigUint64(o, true);
  const cr4 = q(424);
  return {
    version,
    size,
    rip: q(136),
    rsp: q(56),
    rflags: q(144),
    cr0: q(392),
    cr2: q(408),
    cr3: q(416),
    cr4,
    idtBase: q(368 + 16),
    la57: (cr4 & 0x1000n) !== 0n,
  };
}
