/**
 * A small hex view of the setup header region (0x1F1 .. header end). Selecting a field
 * highlights its bytes; hovering a byte names the field that covers it.
 */
import type { FieldRow } from "../extension/protocol/image";
import { el } from "./components";
import { hex, hexByte, parseHexBytes } from "./format";

export interface HexStrip {
  root: HTMLElement;
  highlight(field: FieldRow | null): void;
}

const PER_ROW = 16;

export function hexStrip(start: number, end: number, bytesHex: string, fields: readonly FieldRow[], onPick: (f: FieldRow) => void, hoverLine: HTMLElement): HexStrip {
  const bytes = parseHexBytes(bytesHex);
  const cells = new Map<number, HTMLElement>();
  const fieldAt = (off: number): FieldRow | undefined => fields.find((f) => off >= f.offset && off < f.offset + f.size);
  const grid = el("div", { className: "hex-grid", attrs: { role: "grid", "aria-label": "setup header bytes" } });
  // Rows are aligned to 16 so offsets read like a hexdump.
  const firstRow = start - (start % PER_ROW);
  for (let row = firstRow; row < end; row += PER_ROW) {
    const line = el("div", { className: "hex-row", attrs: { role: "row" } }, el("span", { className: "hex-addr", text: hex(row, 2) }));
    for (let off = row; off < row + PER_ROW; off++) {
      const inRange = off >= start && off < end && off - start < bytes.length;
      if (!inRange) {
        line.appendChild(el("span", { className: "hex-byte hex-pad", text: "  " }));
        continue;
      }
      const f = fieldAt(off);
      const cls = ["hex-byte"];
      if (f) cls.push(f.present ? "in-field" : "in-absent");
      if (f && off === f.offset) cls.push("field-start");
      const cell = el("span", { className: cls.join(" "), text: hexByte(bytes[off - start]!), attrs: { role: "gridcell" }, data: { offset: String(off) } });
      const label = f ? `${hex(off)}: ${f.name}${f.present ? "" : " (absent)"} — byte ${off - f.offset + 1} of ${f.size}` : `${hex(off)}: not a setup_header field`;
      cell.title = label;
      cell.addEventListener("mouseenter", () => {
        hoverLine.textContent = label;
      });
      if (f) cell.addEventListener("click", () => onPick(f));
      cells.set(off, cell);
      line.appendChild(cell);
    }
    grid.appendChild(line);
  }
  grid.addEventListener("mouseleave", () => {
    hoverLine.textContent = "";
  });
  return {
    root: grid,
    highlight(field) {
      for (const c of cells.values()) c.classList.remove("selected");
      if (!field) return;
      for (let o = field.offset; o < field.offset + field.size; o++) cells.get(o)?.classList.add("selected");
    },
  };
}
