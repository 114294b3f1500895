import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../fixtures";
import { structProblems, fieldOffset, fieldEnd, qualifiedName, type BinaryStruct } from "../../extension/core/knowledge/binaryStructs";
import { ELF_STRUCTS, ELF64_EHDR, ELF64_PHDR, ELF64_SHDR, ELF64_NHDR } from "../../extension/core/knowledge/elfStructs";
import { readField, readStruct } from "../../extension/core/formats/structReader";
import { KERNEL_INFO, LTOP_MAGIC } from "../../extension/core/knowledge/kernelInfo";
import { KERNEL_INFO_FIELDS, SETUP_HEADER_FIELDS, setupHeaderOffset } from "../../extension/core/knowledge/setupHeaderFields";
import { KDUMP_STRUCTS, DISK_DUMP_HEADER, DISK_DUMP_HEADER_I386, KDUMP_SUB_HEADER, PAGE_DESC, MAKEDUMPFILE_HEADER, MAKEDUMPFILE_DATA_HEADER } from "../../extension/core/knowledge/kdumpStructs";

/** Every struct table of the knowledge room (issue 12). */
const ALL: readonly BinaryStruct[] = [...ELF_STRUCTS, ...KDUMP_STRUCTS, KERNEL_INFO];

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

  it("kdump layouts match makedumpfile diskdump_mod.h / makedumpfile.h (vmcore-formats.md §2, §3)", () => {
    assert.equal(DISK_DUMP_HEADER.size, 464);
    assert.equal(fieldOffset(DISK_DUMP_HEADER, "block_size"), 428);
    assert.equal(fieldOffset(DISK_DUMP_HEADER, "utsname.machine"), 12 + 4 * 65);
    assert.equal(fieldOffset(DISK_DUMP_HEADER_I386, "block_size"), 416);
    assert.equal(KDUMP_SUB_HEADER.size, 104);
    assert.equal(fieldOffset(KDUMP_SUB_HEADER, "max_mapnr_64"), 96);
    assert.equal(PAGE_DESC.size, 24);
    assert.equal(MAKEDUMPFILE_HEADER.size, 32);
    assert.equal(MAKEDUMPFILE_DATA_HEADER.size, 16);
    // Versions only grow along the sub header, from 1 to 6 (the newest header_version).
    const since = KDUMP_SUB_HEADER.fields.map((f) => f.since);
    assert.deepEqual([...since].sort((a, b) => a - b), since);
    assert.equal(since[0], 1);
    assert.equal(since[since.length - 1], 6);
  });

  it("every offset table row of vmcore-formats.md §1.1, §1.2, §2.1, §2.2, §2.4 agrees with the tables", () => {
    const md = fs.readFileSync(path.join(repoRoot, "..", "shared", "spec", "vmcore-formats.md"), "utf8");
    const section = (head: string): string => {
      const at = md.indexOf(head);
      assert.ok(at >= 0, head);
      const end = md.indexOf("\n### ", at + head.length);
      return md.slice(at, end < 0 ? undefined : end);
    };
    const check = (head: string, s: BinaryStruct, rename: (cell: string) => string = (c) => c, min = 3): void => {
      let matched = 0;
      for (const line of section(head).split("\n")) {
        const cells = line.split("|").map((c) => c.trim());
        if (!/^\d+$/.test(cells[1] ?? "") || !/^\d+$/.test(cells[2] ?? "")) continue;
        for (const cell of cells.slice(3)) {
          const name = rename(/^[A-Za-z_0-9]+/.exec(cell)?.[0] ?? "");
          const f = s.fields.find((x) => x.name === name);
          if (!f) continue;
          assert.equal(f.offset, Number(cells[1]), `${s.name}.${name} offset (${head})`);
          assert.equal(f.size, Number(cells[2]), `${s.name}.${name} size (${head})`);
          matched++;
          break;
        }
      }
      assert.ok(matched >= min, `${head}: only ${matched} rows matched ${s.name}`);
    };
    check("### 1.1 ELF64 file header", ELF64_EHDR, (c) => (/^EI_/.test(c) ? `e_ident[${c}]` : c), 10);
    check("### 1.2 Program header", ELF64_PHDR, undefined, 8);
    check("### 2.1 disk_dump_header", DISK_DUMP_HEADER, undefined, 11);
    check("### 2.2 kdump_sub_header", KDUMP_SUB_HEADER, undefined, 14);
    check("### 2.4 page_desc", PAGE_DESC, undefined, 4);
    // The sub header's "since hdr ver" column is the table's `since` (phys_base: "all").
    for (const line of section("### 2.2 kdump_sub_header").split("\n")) {
      const cells = line.split("|").map((c) => c.trim());
      const f = KDUMP_SUB_HEADER.fields.find((x) => x.name === cells[4]);
      if (f && /^\d+$/.test(cells[5] ?? "")) assert.equal(f.since, Number(cells[5]), `${f.name} since`);
    }
  });

  it("kernel_info (protocol 2.15) has one table; setupHeaderFields re-exports its rows", () => {
    assert.equal(KERNEL_INFO_FIELDS, KERNEL_INFO.fields);
    assert.deepEqual(KERNEL_INFO.fields.map((f) => [f.name, f.offset]), [["header", 0], ["size", 4], ["size_total", 8], ["setup_type_max", 12]]);
    const b = new Uint8Array(KERNEL_INFO.size);
    b.set([0x4c, 0x54, 0x6f, 0x50]); // "LToP"
    assert.equal(readField(new DataView(b.buffer), KERNEL_INFO, "header"), LTOP_MAGIC);
    for (const f of SETUP_HEADER_FIELDS) assert.equal(setupHeaderOffset(f.name), f.offset);
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
