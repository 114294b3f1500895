import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Repository root (tests run from anywhere). */
export const repoRoot = path.resolve(__dirname, "..");

/** A path inside ../shared/fixtures, read in place and never copied into the repo. */
export function sharedFixture(...parts: string[]): string {
  return path.join(repoRoot, "..", "shared", "fixtures", ...parts);
}

/** An ignored cache folder for things tests make or download (decompressed fixtures, kernel source). */
export function cacheDir(...parts: string[]): string {
  const dir = path.join(repoRoot, ".cache", ...parts);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

/**
 * A vmcore fixture by name: read in place when stored plain, else its .xz decompressed once into
 * the ignored cache (never into the repo).
 */
export function vmcoreFixture(name: string): string {
  const stored = sharedFixture("vmcore", name);
  if (fs.existsSync(stored)) return stored;
  const out = path.join(cacheDir("vmcore"), name);
  if (!fs.existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, "w");
    const r = spawnSync("xz", ["-dk", "-c", sharedFixture("vmcore", `${name}.xz`)], { stdio: ["ignore", fd, "inherit"] });
    fs.closeSync(fd);
    if (r.status !== 0) throw new Error(`xz failed for ${name}`);
    fs.renameSync(tmp, out);
  }
  return out;
}

export function hasMakedumpfile(): boolean {
  return spawnSync("makedumpfile", ["-v"], { stdio: "ignore" }).status === 0;
}

/** makedumpfile's variants of the 4-level ELF fixture the tests use (name → arguments, and whether -F writes to stdout). */
export const MAKEDUMPFILE_VARIANTS = {
  "gen-l4-kdump-lzo": { args: ["-l", "-d", "31"], stdout: false },
  "gen-l4-flat-zlib": { args: ["-F", "-c", "-d", "31"], stdout: true },
  "gen-l4-flat-elf": { args: ["-F", "-E", "-d", "31"], stdout: true },
} as const;

/** A makedumpfile-converted copy of the 4-level ELF fixture, made once into the ignored cache; null without makedumpfile. */
export function makedumpfileVariant(name: keyof typeof MAKEDUMPFILE_VARIANTS): string | null {
  const out = path.join(cacheDir("vmcore"), name);
  if (fs.existsSync(out)) return out;
  if (!hasMakedumpfile()) return null;
  const { args, stdout } = MAKEDUMPFILE_VARIANTS[name];
  const input = vmcoreFixture("vmcore-l4-elf-d31");
  const tmp = `${out}.${process.pid}.tmp`;
  let status: number | null;
  if (stdout) {
    const fd = fs.openSync(tmp, "w");
    status = spawnSync("makedumpfile", [...args, input], { stdio: ["ignore", fd, "ignore"] }).status;
    fs.closeSync(fd);
  } else {
    fs.rmSync(tmp, { force: true });
    status = spawnSync("makedumpfile", [...args, input, tmp], { stdio: "ignore" }).status;
  }
  if (status !== 0) throw new Error(`makedumpfile ${args.join(" ")} failed (${status})`);
  fs.renameSync(tmp, out);
  return out;
}
