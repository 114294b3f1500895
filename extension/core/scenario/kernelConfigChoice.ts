/**
 * Which kernel .config decides the build-dependent sizes (CONFIG_CRASH_HOTPLUG …): the one the
 * user names, else config-<release> next to the image as /boot holds them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readTextInput } from "../io/byteSource";
import { kernelConfigFromText, type KernelConfig } from "../kexec/kernelConfig";

/** A .config is a few hundred KiB; anything far larger is not one. */
const MAX_CONFIG = 8 * 1024 * 1024;

export interface ConfigChoice {
  config?: KernelConfig;
  /** The file read, or null when none was at hand (the simulator then says which defaults it assumed). */
  from: string | null;
  notes: string[];
}

function read(file: string): KernelConfig {
  return kernelConfigFromText(readTextInput(file, MAX_CONFIG), file);
}

/**
 * `--config FILE`, else `config-<release>` next to the image as /boot holds them: the running
 * kernel's release (from the memory map) first, since crash_load_segments() runs in the running
 * kernel, then the image's own release.
 */
export function chooseKernelConfig(opt: string | undefined, imagePath: string, runningRelease: string | undefined, imageRelease: string | undefined): ConfigChoice {
  if (opt !== undefined) return { config: read(opt), from: opt, notes: [] };
  const dir = path.dirname(imagePath);
  const tries = [runningRelease, imageRelease?.split(/\s/)[0]].filter((r): r is string => !!r && /^[\w.+~-]+$/.test(r));
  for (const [i, rel] of tries.entries()) {
    const file = path.join(dir, `config-${rel}`);
    if (!fs.existsSync(file)) continue;
    const notes = [`Kernel .config: ${file} (found next to the image)${i > 0 || !runningRelease ? "; it is the image's, and the running kernel is assumed to be built the same way" : ""}.`];
    return { config: read(file), from: file, notes };
  }
  return { from: null, notes: [] };
}
