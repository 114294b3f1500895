/** The one hex formatter: "0x" + digits, zero-padded to at least `digits` (0 = no padding). */
export function hex(n: number | bigint, digits = 0): string {
  return "0x" + n.toString(16).padStart(digits, "0");
}
