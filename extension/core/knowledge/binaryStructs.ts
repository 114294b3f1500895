/**
 * The shape of every binary structure table in this room (ELF, kdump-compressed, flattened,
 * kernel_info; the setup header keeps its own richer table in setupHeaderFields.ts). A field's
 * offset is written once, in its table; parsers take offsets from here (precomputed at module
 * load where a loop reads many records) and never spell them as literals.
 */

/** How a field is read. Signed types follow the C declaration (`int`, `off_t`, `int64_t`). */
export type FieldType = "u8" | "u16" | "u32" | "u64" | "i32" | "i64" | "bytes";

export interface StructField {
  name: string;
  /** Byte offset from the start of the structure. */
  offset: number;
  size: number;
  type: FieldType;
  meaning: string;
  /** For versioned structures (kdump_sub_header): the first header_version that has the field. */
  since?: number;
  /** Where this field comes from when that is not the structure's own source (a later addition). */
  source?: string;
}

export interface BinaryStruct {
  /** The C name, used in FormatError field names ("disk_dump_header.block_size"). */
  name: string;
  /** sizeof, trailing padding included; fields tile [0, size) without gaps or overlaps. */
  size: number;
  endian: "little" | "big";
  /** Header file and declaration, public. */
  source: string;
  fields: readonly StructField[];
}

/** The field names of one table, as a type. */
export type FieldName<S extends BinaryStruct> = S["fields"][number]["name"];
/** The row of one named field, as a type (its literal offset, size and type). */
export type FieldRow<S extends BinaryStruct, N extends FieldName<S>> = Extract<S["fields"][number], { name: N }>;

const byName = new WeakMap<BinaryStruct, Map<string, StructField>>();

/** The row of a field; a name the table does not have is a programming error. */
export function structField<S extends BinaryStruct, N extends FieldName<S>>(s: S, name: N): FieldRow<S, N> {
  let m = byName.get(s);
  if (!m) byName.set(s, (m = new Map(s.fields.map((f) => [f.name, f]))));
  const f = m.get(name);
  if (!f) throw new Error(`${s.name} has no field ${name}`);
  return f as FieldRow<S, N>;
}

export function fieldOffset<S extends BinaryStruct>(s: S, name: FieldName<S>): number {
  return structField(s, name).offset;
}

/** First byte after the field: the bytes a reader needs to reach it. */
export function fieldEnd<S extends BinaryStruct>(s: S, name: FieldName<S>): number {
  const f = structField(s, name);
  return f.offset + f.size;
}

/** "struct.field", the way FormatError names a field. */
export function qualifiedName<S extends BinaryStruct>(s: S, name: FieldName<S>): string {
  return `${s.name}.${name}`;
}

/** Problems with a table (gaps, overlaps, offsets out of order, sizes that do not fit the type); empty when sound. */
export function structProblems(s: BinaryStruct): string[] {
  const out: string[] = [];
  const width: Partial<Record<FieldType, number>> = { u8: 1, u16: 2, u32: 4, u64: 8, i32: 4, i64: 8 };
  const seen = new Set<string>();
  let at = 0;
  for (const f of s.fields) {
    if (seen.has(f.name)) out.push(`${s.name}.${f.name}: duplicate name`);
    seen.add(f.name);
    if (f.offset < at) out.push(`${s.name}.${f.name}: offset ${f.offset} overlaps or is out of order (previous field ends at ${at})`);
    if (f.offset > at) out.push(`${s.name}.${f.name}: gap of ${f.offset - at} byte(s) before it (declare the padding)`);
    const w = width[f.type];
    if (w !== undefined && f.size !== w) out.push(`${s.name}.${f.name}: ${f.type} with size ${f.size}`);
    if (f.size <= 0) out.push(`${s.name}.${f.name}: size ${f.size}`);
    at = Math.max(at, f.offset + f.size);
  }
  if (at !== s.size) out.push(`${s.name}: fields end at ${at}, size is ${s.size}`);
  return out;
}
