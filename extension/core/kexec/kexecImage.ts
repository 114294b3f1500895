/**
 * The narrow view of a target bzImage that the loaders and verdicts need. Built from the
 * setup-header record of parseBzImage() (extension/core/formats/bzimage) or synthetically.
 */
import { xloadflagsBit } from "../knowledge/xloadflags";

export interface KexecImage {
  name: string;
  fileSize: number;
  /** Raw setup_sects (0 means 4). */
  setupSects: number;
  /** "HdrS" at 0x202. */
  hasHdrS: boolean;
  bootFlag: number;
  /** 0x020f for 2.15; 0 without HdrS. */
  protocolVersion: number;
  loadflags: number;
  xloadflags: number;
  kernelAlignment: number;
  initSize: number;
  prefAddress: number;
  cmdlineSize: number;
  initrdAddrMax: number;
  relocatable: boolean;
  kernelVersion?: string;
}

const mask = (name: string, fallback: number): number => xloadflagsBit(name)?.mask ?? fallback;
/** Bit masks from the knowledge table (bootparam.h). */
export const XLF_KERNEL_64 = mask("XLF_KERNEL_64", 0x1);
export const XLF_CAN_BE_LOADED_ABOVE_4G = mask("XLF_CAN_BE_LOADED_ABOVE_4G", 0x2);
export const XLF_EFI_KEXEC = mask("XLF_EFI_KEXEC", 0x10);
export const XLF_5LEVEL = mask("XLF_5LEVEL", 0x20);
export const XLF_5LEVEL_ENABLED = mask("XLF_5LEVEL_ENABLED", 0x40);
/** loadflags bit 0 (LOADED_HIGH). */
export const LOADED_HIGH = 0x1;
const HDRS = 0x53726448;

/**
 * Maps a struct setup_header record (field name → value, null = absent in this protocol) to
 * KexecImage. Absent fields take the boot protocol's defaults (boot.rst): initrd_addr_max
 * 0x37FFFFFF, cmdline_size 255, alignment/init_size/pref_address 0.
 */
export function kexecImageFromSetupHeader(values: Record<string, number | null>, fileSize: number, name = "<image>", kernelVersion?: string): KexecImage {
  const v = (k: string, d: number): number => values[k] ?? d;
  return {
    name,
    fileSize,
    setupSects: v("setup_sects", 0),
    hasHdrS: values["header"] === undefined ? v("version", 0) > 0 : values["header"] === HDRS,
    bootFlag: v("boot_flag", 0xaa55),
    protocolVersion: v("version", 0),
    loadflags: v("loadflags", 0),
    xloadflags: v("xloadflags", 0),
    kernelAlignment: v("kernel_alignment", 0),
    initSize: v("init_size", 0),
    prefAddress: v("pref_address", 0),
    cmdlineSize: v("cmdline_size", 255),
    initrdAddrMax: v("initrd_addr_max", 0x37ffffff),
    relocatable: v("relocatable_kernel", 0) !== 0,
    kernelVersion,
  };
}

/** A Debian-6.1-like image (lab fixture values) for tests and examples, with overrides. */
export function syntheticImage(over: Partial<KexecImage> = {}): KexecImage {
  return {
    name: "<synthetic>",
    fileSize: 8222656,
    setupSects: 0x27,
    hasHdrS: true,
    bootFlag: 0xaa55,
    protocolVersion: 0x020f,
    loadflags: 0x01,
    xloadflags: 0x7f,
    kernelAlignment: 0x200000,
    initSize: 0x3f97000,
    prefAddress: 0x1000000,
    cmdlineSize: 2047,
    initrdAddrMax: 0x7fffffff,
    relocatable: true,
    kernelVersion: "6.1.0-50-amd64",
    ...over,
  };
}

/** (setup_sects || 4) + 1 sectors of real-mode code. */
export function kern16Size(img: KexecImage): number {
  return ((img.setupSects === 0 ? 4 : img.setupSects) + 1) * 512;
}
