import { strict as assert } from "node:assert";
import { structProblems, fieldOffset, fieldEnd, qualifiedName, type BinaryStruct } from "../../extension/core/knowledge/binaryStructs";
import { ELF_STRUCTS, ELF64_EHDR, ELF64_PHDR, ELF64_SHDR, ELF64_NHDR } from "../../extension/core/knowledge/elfStructs";
import { readField, readStruct } from "../../extension/core/formats/structReader";

/** Every struct table of the knowledge room (issue 12). */
const ALL: readonly BinaryStruct[] = [...ELF_STRUCTS];

describe("binary struct tables (knowledge room)", () => {
  for (const s of ALL) {
    it(`${s.name}: fields tile [0, ${s.size}) in ascending order, no overlap, sizes match types`, () => {
      assert.deepEqual(structProblems(s), []);
      assert.ok(s.source.length > 0 && s.fields.every((f) => f.meaning.length > 0), "every table and field says where it comes from and what it means");
    });
  }

  it("names are unique across tables, so a FormatError field name points at one row", () => {
    const names = ALL.map((s) => s.name);
    assert.equal(new Set(names).size, names.length);
  });

  it("the consistency check catches gaps, overlaps, bad sizes and a wrong total", () => {
    const bad = {
      name: "t",
      size: 12,
      endian: "little",
      source: "test",
      fields: [
        { name: "a", offset: 0, size: 4, type: "u32", meaning: "x" },
        { name: "b", offset: 2, size: 4, type: "u32", meaning: "x" },
        { name: "c", offset: 8, size: 2, type: "u32", meaning: "x" },
      ],
    } as const satisfies BinaryStruct;
    const p = structProblems(bad);
    assert.ok(p.some((m) => /b: offset 2 overlaps/.test(m)), p.join("\n"));
    assert.ok(p.some((m) => /c: gap/.test(m)), p.join("\n"));
    assert.ok(p.some((m) => /c: u32 with size 2/.test(m)), p.join("\n"));
    assert.ok(p.some((m) => /fields end at 10, size is 12/.test(m)), p.join("\n"));
  });

  it("ELF64 layouts match include/uapi/linux/elf.h (vmcore-formats.md §1.1–1.3)", () => {
    assert.equal(fieldOffset(ELF64_EHDR, "e_phentsize"), 54);
    assert.equal(fieldOffset(ELF64_EHDR, "e_phnum"), 56);
    assert.equal(fieldOffset(ELF64_PHDR, "p_paddr"), 24);
    assert.equal(ELF64_PHDR.size, 56);
    assert.equal(fieldEnd(ELF64_SHDR, "sh_info"), 48);
    assert.equal(ELF64_NHDR.size, 12);
    assert.equal(qualifiedName(ELF64_PHDR, "p_memsz"), "Elf64_Phdr.p_memsz");
  });

  it("readStruct / readField decode each type in the table's byte order", () => {
    const b = new Uint8Array(ELF64_PHDR.size);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, 1, true);
    dv.setBigUint64(24, 0x1234_5678_9abcn, true);
    dv.setBigUint64(40, 0xffff_ffff_ffff_ffffn, true);
    const ph = readStruct(dv, ELF64_PHDR);
    assert.equal(ph.p_type, 1);
    assert.equal(ph.p_paddr, 0x1234_5678_9abcn);
    assert.equal(ph.p_memsz, 0xffff_ffff_ffff_ffffn);
    assert.equal(readField(dv, ELF64_PHDR, "p_paddr"), 0x1234_5678_9abcn);
    const h = new Uint8Array(64);
    h.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    new DataView(h.buffer).setUint16(18, 62, true);
    const eh = readStruct(new DataView(h.buffer), ELF64_EHDR);
    assert.deepEqual([...eh["e_ident[EI_MAG0..3]"]], [0x7f, 0x45, 0x4c, 0x46]);
    assert.equal(eh.e_machine, 62);
    assert.equal(readField(new DataView(h.buffer), ELF64_EHDR, "e_machine", 0, "big"), 62 << 8);
  });
});
