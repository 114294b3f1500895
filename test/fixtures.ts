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
