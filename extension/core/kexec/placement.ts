/** Types shared by the two loaders' simulations. */
export interface Segment {
  /** "purgatory", "boot_params + cmdline", "kernel", "initrd", "elfcorehdr", "backup", "setup_data". */
  what: string;
  mem: number;
  /** Page-rounded size the loader reserves. */
  memsz: number;
  /** Bytes actually copied (when known). */
  bufsz?: number;
}

/**
 * The errno a refused load returns to user space (kernel/kexec.c, kernel/kexec_file.c,
 * arch/x86/kernel/kexec-bzimage64.c). Decisions such as kexec-tools' fallback read this, never
 * the message text.
 */
export type Errno = "ENOEXEC" | "EINVAL" | "EADDRNOTAVAIL" | "EPERM" | "ENOMEM" | "ENOSYS" | "ENOTSUP" | "EBUSY";

export interface PlacementResult {
  interface: "kexec_load" | "kexec_file_load";
  /** Which loader handled the image ("bzImage64", "bzImage (i386)"). */
  loader: string | null;
  accepted: boolean;
  /** The tool's or kernel's own message on refusal; "" when accepted. */
  reason: string;
  /**
   * What the syscall returned on refusal; null when accepted, or when user space (kexec-tools)
   * gave up before making the syscall.
   */
  errno: Errno | null;
  /** Refused because a segment found no room (or there is no crash region to put it in). */
  noRoom?: true;
  /** kexec_load: sorted by address as the syscall receives them; kexec_file_load: in add order. */
  segments: Segment[];
  /** Debug lines like `kexec -d` / kexec_file dynamic debug print. */
  log: string[];
  /** The crash region used (crash loads). */
  crashRegion?: { start: number; end: number };
  /**
   * Crash loads (kexec_file_load): what the capture kernel is told. `ram` = the E820 RAM entries
   * crash_setup_memmap_entries() gives it (System RAM below 1 MiB, the low area, crashk_res minus
   * the ELF headers, and ≥6.17 the crashkernel CMA areas); `elfLoads` = the RAM its ELF core headers
   * describe (System RAM minus the first 1 MiB, the crash areas and the CMA areas).
   */
  dumpKernel?: { ram: { start: number; end: number }[]; elfLoads: { start: number; end: number }[] };
  /** Simulator notes: assumptions made (e.g. kernel .config defaults), caveats. Not tool or kernel text. */
  notes?: string[];
}

/**
 * Where the kernel and kexec-tools pass ULONG_MAX ("no upper bound"). Addresses here are numbers:
 * 2^53 - 1 is the largest one exact, far above any physical address (5-level: below 2^52).
 */
export const NO_UPPER_LIMIT = Number.MAX_SAFE_INTEGER;
