/** Number formatting shared by the webview sections. */

export function hex(n: number, bytes = 0): string {
  return "0x" + n.toString(16).padStart(bytes * 2, "0");
}

export function hexByte(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** 1536 → "1.5 KiB"; exact bytes stay in a tooltip. */
export function size(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function parseHexBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}
