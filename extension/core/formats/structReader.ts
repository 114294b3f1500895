import type { BinaryStruct, FieldName, FieldRow, FieldType, StructField } from "../knowledge/binaryStructs";
import { structField } from "../knowledge/binaryStructs";

/**
 * Typed reads of the knowledge room's struct tables over bytes already read. For headers read
 * once. Loops over many records (program headers, page descriptors, flattened record headers)
 * take offsets with `fieldOffset()` into module constants instead and call DataView directly.
 */

/** What a field of a given type reads as. */
export type FieldValue<T extends FieldType> = T extends "u64" | "i64" ? bigint : T extends "bytes" ? Uint8Array : number;
/** Every field of a table by name, typed by its row. */
export type StructValues<S extends BinaryStruct> = { [F in S["fields"][number] as F["name"]]: FieldValue<F["type"]> };

function get(dv: DataView, f: StructField, at: number, le: boolean): number | bigint | Uint8Array {
  switch (f.type) {
    case "u8":
      return dv.getUint8(at);
    case "u16":
      return dv.getUint16(at, le);
    case "u32":
      return dv.getUint32(at, le);
    case "i32":
      return dv.getInt32(at, le);
    case "u64":
      return dv.getBigUint64(at, le);
    case "i64":
      return dv.getBigInt64(at, le);
    case "bytes":
      return new Uint8Array(dv.buffer, dv.byteOffset + at, f.size);
  }
}

/**
 * One field of the structure that starts at `base` in `dv`, in the table's byte order unless
 * `endian` overrides it (a refusal message that decodes a big-endian header). The view must
 * reach the field (a RangeError otherwise: callers read the bytes with a named ByteSource read).
 */
export function readField<S extends BinaryStruct, N extends FieldName<S>>(dv: DataView, s: S, name: N, base = 0, endian: "little" | "big" = s.endian): FieldValue<FieldRow<S, N>["type"]> {
  const f = structField(s, name);
  return get(dv, f, base + f.offset, endian === "little") as FieldValue<FieldRow<S, N>["type"]>;
}

/** Every field of the structure at `base`; the view must hold all `s.size` bytes. */
export function readStruct<S extends BinaryStruct>(dv: DataView, s: S, base = 0): StructValues<S> {
  const le = s.endian === "little";
  const out: Record<string, number | bigint | Uint8Array> = {};
  for (const f of s.fields) out[f.name] = get(dv, f, base + f.offset, le);
  return out as StructValues<S>;
}
