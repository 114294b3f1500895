/**
 * `kexec --version` of this machine's own kexec binary. Live only: the doctor never runs
 * anything found under --root. Bounded by a timeout; no shell.
 */
import { execFile } from "node:child_process";

export function liveKexecVersion(timeoutMs = 3000): Promise<string | null> {
  return new Promise((resolve) => {
    execFile("kexec", ["--version"], { timeout: timeoutMs, maxBuffer: 64 * 1024, env: { ...process.env, PATH: `/usr/sbin:/sbin:/usr/bin:/bin:${process.env["PATH"] ?? ""}` } }, (err, stdout, stderr) => {
      const text = `${stdout ?? ""}${stderr ?? ""}`;
      const m = /(\d+\.\d+\.\d+(?:\.\d+)?)/.exec(text);
      if (err && !m) return resolve(null);
      resolve(m?.[1] ?? null);
    });
  });
}
