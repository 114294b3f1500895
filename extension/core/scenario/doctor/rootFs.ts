/**
 * Bounded, read-only access to a machine's files under a root: "/" for this machine, or an
 * extracted sosreport / supportconfig / plain copy. Every path is resolved component by
 * component inside the root (absolute symlinks are re-rooted, ".." stops at the root), the
 * final file must be a regular file (never a FIFO, socket or device: opening one could block),
 * and reads are capped. Nothing is ever written, and a missing file is reported missing — never
 * read from "/" when the root is elsewhere.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type ReadStatus = "read" | "missing" | "not-regular" | "too-large" | "unreadable" | "outside-root" | "truncated";

export interface FileAccess {
  /** The path as the machine names it ("/proc/iomem"). */
  path: string;
  status: ReadStatus;
  detail?: string;
  bytes?: number;
}

export type TextRead = { ok: true; text: string; real: string; truncated: boolean } | { ok: false; status: Exclude<ReadStatus, "read" | "truncated">; detail: string };

export type Resolved = { ok: true; real: string; st: fs.Stats } | { ok: false; status: Exclude<ReadStatus, "read" | "truncated" | "too-large">; detail: string };

/** Default cap for one text file (an /proc/iomem, a config, a boot log are far smaller). */
export const TEXT_CAP = 8 * 1024 * 1024;
/** Bigger cap for logs that may hold a whole boot (dmesg, supportconfig's boot.txt). */
export const LOG_CAP = 32 * 1024 * 1024;
const MAX_LINKS = 40;
const MAX_DIR_ENTRIES = 4096;

export class RootFs {
  readonly root: string;
  /** Every access, in order, for the report's "sources". */
  readonly accesses: FileAccess[] = [];

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  get isLive(): boolean {
    return this.root === "/";
  }

  /** Host path for a machine path, without resolving links (for messages only). */
  hostPath(machinePath: string): string {
    return path.join(this.root, machinePath);
  }

  /**
   * Resolves a machine path to a host path inside the root, following symlinks as the machine
   * would (an absolute target is taken relative to the root). Never leaves the root.
   */
  resolve(machinePath: string): Resolved {
    const parts = machinePath.split("/").filter((p) => p !== "" && p !== ".");
    const done: string[] = [];
    let links = 0;
    while (parts.length) {
      const part = parts.shift()!;
      if (part === "..") {
        done.pop(); // ".." at the root stays at the root, as on the machine.
        continue;
      }
      const host = path.join(this.root, ...done, part);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(host);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return { ok: false, status: "missing", detail: `${machinePath}: not present under ${this.root}` };
        return { ok: false, status: "unreadable", detail: `${machinePath}: ${code ?? String(e)}` };
      }
      if (st.isSymbolicLink()) {
        if (++links > MAX_LINKS) return { ok: false, status: "unreadable", detail: `${machinePath}: too many symbolic links` };
        let target: string;
        try {
          target = fs.readlinkSync(host);
        } catch (e) {
          return { ok: false, status: "unreadable", detail: `${machinePath}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
        }
        const tparts = target.split("/").filter((p) => p !== "" && p !== ".");
        if (target.startsWith("/")) done.length = 0;
        parts.unshift(...tparts);
        continue;
      }
      done.push(part);
      if (parts.length === 0) return { ok: true, real: host, st };
      if (!st.isDirectory()) return { ok: false, status: "missing", detail: `${machinePath}: ${"/" + done.join("/")} is not a directory` };
    }
    // The root itself.
    try {
      return { ok: true, real: this.root, st: fs.statSync(this.root) };
    } catch (e) {
      return { ok: false, status: "missing", detail: `${this.root}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
    }
  }

  /** A regular file's text, at most `cap` bytes (the rest is reported truncated). */
  readText(machinePath: string, cap = TEXT_CAP): TextRead {
    const r = this.readBytes(machinePath, cap);
    if (!r.ok) return r;
    return { ok: true, text: new TextDecoder("utf-8").decode(r.bytes), real: r.real, truncated: r.truncated };
  }

  /** Like readText, but null when the file cannot be read (the access is still recorded). */
  text(machinePath: string, cap = TEXT_CAP): string | null {
    const r = this.readText(machinePath, cap);
    return r.ok ? r.text : null;
  }

  readBytes(machinePath: string, cap = TEXT_CAP): { ok: true; bytes: Uint8Array; real: string; truncated: boolean } | { ok: false; status: Exclude<ReadStatus, "read" | "truncated">; detail: string } {
    const res = this.resolve(machinePath);
    if (!res.ok) return this.fail(machinePath, res.status, res.detail);
    if (!res.st.isFile()) return this.fail(machinePath, "not-regular", `${machinePath}: not a regular file (${kind(res.st)}): not opened`);
    let fd: number;
    try {
      // O_NONBLOCK: even if the file was swapped for a FIFO after the check, open does not hang.
      fd = fs.openSync(res.real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    } catch (e) {
      return this.fail(machinePath, "unreadable", `${machinePath}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) return this.fail(machinePath, "not-regular", `${machinePath}: not a regular file: not read`);
      // /proc and /sys report size 0 (or 4096): read in chunks until EOF or the cap.
      const chunks: Uint8Array[] = [];
      let total = 0;
      let truncated = false;
      for (;;) {
        const want = Math.min(64 * 1024, cap + 1 - total);
        if (want <= 0) {
          truncated = true;
          break;
        }
        const buf = new Uint8Array(want);
        let n: number;
        try {
          n = fs.readSync(fd, buf, 0, want, null);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (total === 0) return this.fail(machinePath, "unreadable", `${machinePath}: ${code ?? String(e)}`);
          break;
        }
        if (n === 0) break;
        chunks.push(buf.subarray(0, n));
        total += n;
      }
      if (total > cap) {
        truncated = true;
        total = cap;
      }
      const out = new Uint8Array(total);
      let o = 0;
      for (const c of chunks) {
        const n = Math.min(c.length, total - o);
        out.set(c.subarray(0, n), o);
        o += n;
        if (o >= total) break;
      }
      this.accesses.push({ path: machinePath, status: truncated ? "truncated" : "read", bytes: total, ...(truncated ? { detail: `only the first ${cap} bytes were read` } : {}) });
      return { ok: true, bytes: out, real: res.real, truncated };
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Size and host path of a regular file, without opening it (for images and initrds). */
  statFile(machinePath: string): { ok: true; size: number; real: string } | { ok: false; status: ReadStatus; detail: string } {
    const res = this.resolve(machinePath);
    if (!res.ok) return this.fail(machinePath, res.status, res.detail);
    if (!res.st.isFile()) return this.fail(machinePath, "not-regular", `${machinePath}: not a regular file (${kind(res.st)})`);
    this.accesses.push({ path: machinePath, status: "read", detail: "stat only", bytes: res.st.size });
    return { ok: true, size: res.st.size, real: res.real };
  }

  /** Entry names of a directory (bounded), or null. */
  list(machinePath: string): string[] | null {
    const res = this.resolve(machinePath);
    if (!res.ok) {
      this.fail(machinePath, res.status, res.detail);
      return null;
    }
    if (!res.st.isDirectory()) {
      this.fail(machinePath, "not-regular", `${machinePath}: not a directory`);
      return null;
    }
    try {
      const names = fs.readdirSync(res.real).slice(0, MAX_DIR_ENTRIES).sort();
      this.accesses.push({ path: machinePath, status: "read", detail: `directory, ${names.length} entries` });
      return names;
    } catch (e) {
      this.fail(machinePath, "unreadable", `${machinePath}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return null;
    }
  }

  exists(machinePath: string): boolean {
    return this.resolve(machinePath).ok;
  }

  private fail<S extends Exclude<ReadStatus, "read" | "truncated">>(machinePath: string, status: S, detail: string): { ok: false; status: S; detail: string } {
    this.accesses.push({ path: machinePath, status, detail });
    return { ok: false, status, detail };
  }
}

function kind(st: fs.Stats): string {
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isDirectory()) return "a directory";
  return "not a file";
}
