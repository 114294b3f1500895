/**
 * Kernel versions as the rules need them: X.Y for mainline behaviour, X.Y.Z for stable
 * backports, and an honest "unknown" where a distribution's release string hides the upstream
 * stable version (RHEL's 5.14.0-427.el9, Ubuntu's 6.8.0-49-generic). One comparator for all.
 */

export interface KernelRelease {
  major: number;
  minor: number;
  /** Upstream stable patch level; null when the release string does not say it. */
  patch: number | null;
  /** The text it was read from. */
  raw: string;
  /** Why the patch level is not known (a vendor kernel), else null. */
  vendor: string | null;
}

/** Compares dotted versions numerically ("6.12.5" < "6.12.63", "2.0.31" > "2.0.30", "261" < "261.2"); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const x = a.split(/[.~-]/).map((n) => Number.parseInt(n, 10) || 0);
  const y = b.split(/[.~-]/).map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * Reads a release or banner: "6.12.117+deb12-amd64", "6.6.30-arch1-1", "Linux version
 * 6.1.0-50-amd64 (…) #1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)", a setup-header
 * kernel_version string, or a bare "6.12". Null when no X.Y is found.
 */
export function parseKernelRelease(text: string): KernelRelease | null {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?([^\s]*)/.exec(text);
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const raw = text.trim();
  // Debian's ABI names (6.1.0-50-amd64) carry the upstream version in the banner: "Debian 6.1.176-1".
  const deb = /\bDebian (\d+)\.(\d+)\.(\d+)-/.exec(text);
  if (deb && Number(deb[1]) === major && Number(deb[2]) === minor) return { major, minor, patch: Number(deb[3]), raw, vendor: null };
  // Ubuntu's /proc/version_signature form: "Ubuntu 6.8.0-49.49-generic 6.8.12".
  const ubu = /\bUbuntu \d+\.\d+\.\d+-\S+ (\d+)\.(\d+)\.(\d+)/.exec(text);
  if (ubu && Number(ubu[1]) === major && Number(ubu[2]) === minor) return { major, minor, patch: Number(ubu[3]), raw, vendor: null };
  if (m[3] === undefined) return { major, minor, patch: null, raw, vendor: null };
  const patch = Number(m[3]);
  const tail = m[4] ?? "";
  if (/\.el\d/.test(tail)) return { major, minor, patch: null, raw, vendor: "a RHEL-family kernel (its X.Y.0-N.elN release does not name the upstream stable version)" };
  if (/^-\d{6}\./.test(tail)) return { major, minor, patch: null, raw, vendor: "a SUSE kernel (its release does not name the upstream stable version)" };
  if (/uek/i.test(tail)) return { major, minor, patch: null, raw, vendor: "an Oracle UEK kernel" };
  if (patch === 0 && /^-\d+/.test(tail)) return { major, minor, patch: null, raw, vendor: "a distribution ABI release (X.Y.0-N): the upstream stable version is in the banner, not the release" };
  return { major, minor, patch, raw, vendor: null };
}

export const releaseText = (r: KernelRelease): string => `${r.major}.${r.minor}${r.patch === null ? "" : `.${r.patch}`}`;

/** A fix or feature: the mainline release that has it, and the stable releases it was backported to. */
export interface VersionedFact {
  /** First mainline release ("6.13"). */
  mainline: string;
  /** First stable release per older series that got the backport ("6.12.5"). */
  stable: readonly string[];
  /** Older series still maintained after the change whose backport status is not known ("5.15"). */
  unknownSeries?: readonly string[];
  /** Stable releases known not to have it ("6.1.120"): up to them the answer is "no". */
  knownWithout?: readonly string[];
}

export type Presence = "yes" | "no" | "unknown";

/**
 * Does a kernel of this release contain the change? "unknown" where the release hides the stable
 * patch level, or where the series may have got a backport nobody here has confirmed.
 */
export function hasChange(r: KernelRelease, fact: VersionedFact): { present: Presence; why: string } {
  const series = `${r.major}.${r.minor}`;
  const v = releaseText(r);
  if (compareVersions(series, fact.mainline) >= 0) return { present: "yes", why: `${series} is at or after ${fact.mainline}` };
  const backport = fact.stable.find((s) => s.startsWith(series + "."));
  if (backport) {
    if (r.patch === null) {
      const who = r.vendor ? `${r.raw} is ${r.vendor}: it depends on your vendor's backports` : `${series} without a patch level`;
      return { present: "unknown", why: `${who} (upstream ${series}.y has it from ${backport})` };
    }
    return compareVersions(v, backport) >= 0 ? { present: "yes", why: `${v} ≥ ${backport}` } : { present: "no", why: `${v} < ${backport}` };
  }
  const without = fact.knownWithout?.find((s) => s.startsWith(series + "."));
  if (without && r.patch !== null && compareVersions(v, without) <= 0) return { present: "no", why: `${v} is at or before ${without}, which does not have it` };
  if (r.vendor) return { present: "unknown", why: `${r.raw.split(/\s/)[0]} is ${r.vendor}: it depends on your vendor's backports (upstream: ${fact.mainline}${fact.stable.length ? `, ${fact.stable.join(", ")}` : ""})` };
  if (fact.unknownSeries?.includes(series)) return { present: "unknown", why: `no backport to ${series}.y is confirmed; it depends on your kernel's stable level and vendor backports` };
  return { present: "no", why: `the ${series} series has no backport (first: ${fact.mainline}${fact.stable.length ? `, ${fact.stable.join(", ")}` : ""})` };
}
