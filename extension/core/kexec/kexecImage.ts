/**
 * The narrow view of a target bzImage that the loaders and verdicts need. Built from the
 * setup-header record of parseBzImage() (extension/core/formats/bzimage) or synthetically.
 */
import { XLF } from "../knowledge/xloadflags";
import type { SetupHeaderName, SetupHeaderValues } from "../knowledge/setupHeaderFields";

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

/** Bit masks from the knowledge table (bootparam.h). */
export const XLF_KERNEL_64 = XLF.XLF_KERNEL_64;
export const XLF_CAN_BE_LOADED_ABOVE_4G = XLF.XLF_CAN_BE_LOADED_ABOVE_4G;
export const XLF_EFI_KEXEC = XLF.XLF_EFI_KEXEC;
export const XLF_5LEVEL = XLF.XLF_5LEVEL;
export const XLF_5LEVEL_ENABLED = XLF.XLF_5LEVEL_ENABLED;
/** loadflags bit 0 (LOADED_HIGH). */
export const LOADED_HIGH = 0x1;
const HDRS = 0x53726448;

/**
 * Maps a struct setup_header record (field name → value, null = absent in this protocol) to
 * KexecImage. Absent fields take the boot protocol's defaults (boot.rst): initrd_addr_max
 * 0x37FFFFFF, cmdline_size 255, alignment/init_size/pref_address 0.
 */
export function kexecImageFromSetupHeader(values: Partial<SetupHeaderValues>, fileSize: number, name = "<image>", kernelVersion?: string): KexecImage {
  const v = (k: SetupHeaderName, d: number): number => values[k] ?? d;
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
