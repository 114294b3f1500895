/** Detects the kind of memory-map input and reads it. */
import type { ByteSource } from "../io/byteSource";
import { latin1 } from "../io/binary";
import { FormatError } from "../io/formatError";
import { looksLikeBootLog, memoryMapFromBootLog } from "./bootLog";
import { looksLikeIomem, memoryMapFromIomem } from "./iomem";
import { memoryMapFromJson } from "./jsonMap";
import type { MemoryMap } from "./memoryMap";
import { isElf, memoryMapFromVmcore } from "./vmcoreMap";

/** Text inputs larger than this are not memory maps (a boot log is a few hundred KiB). */
const MAX_TEXT = 64 * 1024 * 1024;

export function readMemoryMap(src: ByteSource): MemoryMap {
  if (isElf(src)) return memoryMapFromVmcore(src);
  if (src.size >= 8 && latin1(src.read(0, 8, "signature")) === "KDUMP   ") {
    throw new FormatError(src.name, 0, "signature", "an ELF vmcore (kdump-compressed vmcores are not read by the memory-map reader yet)", "KDUMP");
  }
  if (src.size > MAX_TEXT) throw new FormatError(src.name, 0, "file", `a text memory map under ${MAX_TEXT} bytes`);
  const text = new TextDecoder("utf-8").decode(src.read(0, src.size, "text"));
  return memoryMapFromText(text, src.name);
}

export function memoryMapFromText(text: string, file: string): MemoryMap {
  const t = text.trimStart();
  if (t.startsWith("{")) return memoryMapFromJson(text, file);
  if (looksLikeBootLog(text)) return memoryMapFromBootLog(text, file);
  if (looksLikeIomem(text)) return memoryMapFromIomem(text, file);
  throw new FormatError(file, 0, "memory map", "a boot log (BIOS-e820 lines), a /proc/iomem dump, a vmcore or a JSON map");
}
