/** Synthetic machine roots (a /proc, /sys, /etc, /boot under a folder) for the doctor's tests and screenshots. */
import * as fs from "node:fs";
import * as path from "node:path";

export type RootFile = string | Uint8Array | { size: number } | { link: string };

/** Writes one file under `dir`: text, bytes, `{ size }` for a sparse file, or `{ link }` for a symlink. */
export function rootWriter(dir: string): (p: string, v: RootFile) => void {
  return (p, v) => {
    const host = path.join(dir, p);
    fs.mkdirSync(path.dirname(host), { recursive: true });
    if (typeof v === "string" || v instanceof Uint8Array) fs.writeFileSync(host, v);
    else if ("link" in v) fs.symlinkSync(v.link, host);
    else {
      fs.writeFileSync(host, "");
      fs.truncateSync(host, v.size);
    }
  };
}
