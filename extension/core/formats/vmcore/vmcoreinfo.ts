/**
 * VMCOREINFO text → ordered key/value map with typed accessors (vmcoreinfo.md §2).
 * Values stay strings; numeric accessors follow makedumpfile's read_vmcoreinfo_long():
 * signed decimal first, then hex with optional 0x.
 */
export class Vmcoreinfo {
  readonly entries: ReadonlyMap<string, string>;

  constructor(text: string) {
    const m = new Map<string, string>();
    for (const line of text.split("\n")) {
      const eq = line.indexOf("=");
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      // makedumpfile takes the first match, so later duplicates are ignored.
      if (!m.has(key)) m.set(key, line.slice(eq + 1).replace(/\0.*$/s, ""));
    }
    this.entries = m;
  }

  get(key: string): string | undefined {
    return this.entries.get(key);
  }
  has(key: string): boolean {
    return this.entries.has(key);
  }
  toObject(): Record<string, string> {
    return Object.fromEntries(this.entries);
  }

  /** `SYMBOL(name)`: hex without prefix (kernel `%lx`). */
  symbol(name: string): bigint | undefined {
    return parseHex(this.entries.get(`SYMBOL(${name})`));
  }
  /** `NUMBER(name)` as a signed value (phys_base may be negative). */
  number(name: string): bigint | undefined {
    return parseLong(this.entries.get(`NUMBER(${name})`));
  }
  size(name: string): number | undefined {
    return toSmall(parseLong(this.entries.get(`SIZE(${name})`)));
  }
  offset(name: string): number | undefined {
    return toSmall(parseLong(this.entries.get(`OFFSET(${name})`)));
  }
  length(name: string): number | undefined {
    return toSmall(parseLong(this.entries.get(`LENGTH(${name})`)));
  }
  /** KERNELOFFSET is hex without 0x. */
  kernelOffset(): bigint | undefined {
    return parseHex(this.entries.get("KERNELOFFSET"));
  }
  crashTime(): number | undefined {
    const v = parseLong(this.entries.get("CRASHTIME"));
    return v === undefined ? undefined : Number(v);
  }
  osrelease(): string | undefined {
    return this.entries.get("OSRELEASE");
  }
}

export function parseHex(v: string | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  const s = v.trim().replace(/^0x/i, "");
  if (!/^[0-9a-f]{1,16}$/i.test(s)) return undefined;
  return BigInt("0x" + s);
}

/** Signed decimal, else hex (optional 0x) — makedumpfile's read_vmcoreinfo_long(). */
export function parseLong(v: string | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  const s = v.trim();
  if (/^[-+]?\d{1,20}$/.test(s)) return BigInt(s);
  return parseHex(s);
}

function toSmall(v: bigint | undefined): number | undefined {
  if (v === undefined || v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(v);
}
