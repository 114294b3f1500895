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
