import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { MAKEDUMPFILE_VARIANTS, hasMakedumpfile, makedumpfileVariant, readJson, sharedFixture, vmcoreFixture as fixtureFile } from "../fixtures";
import { openFile } from "../../extension/core/io/byteSource";
import { openVmcore, type Vmcore } from "../../extension/core/formats/vmcore/vmcore";
import { vmcoreCommand } from "../../extension/cli/commands/vmcore";
import { dmesgCommand } from "../../extension/cli/commands/dmesg";

interface Expected {
  format: string;
  osrelease: string;
  paging_levels: 4 | 5;
  pt_load_count: number | null;
  marker_dmesg_line: string;
  vmcoreinfo_keys: Record<string, string>;
  elf_notes?: Array<{ name: string; type: number; descsz: number }>;
  kdump_header?: { header_version: number; utsname: string[]; status: number; block_size: number; max_mapnr_64: number; nr_cpus: number; dump_level: number; phys_base: string };
}


const FIXTURES = ["vmcore-l4-elf-d31", "vmcore-l4-kdump-zlib-d31", "vmcore-l5-elf-d31"];

/** Compares a sample of dumped pages of `v` with the same physical pages of `ref`. */
function samePages(v: Vmcore, ref: Vmcore, samples = 200): number {
  const dumped = v.ranges().filter((r) => r.state === "dumped");
  const refRanges = ref.ranges().filter((r) => r.state === "dumped");
  let n = 0;
  for (const r of dumped) {
    for (let a = r.start; a < r.end && n < samples; a += Math.max(4096, Math.floor((r.end - r.start) / 8 / 4096) * 4096)) {
      if (!refRanges.some((x) => a >= x.start && a + 4096 <= x.end)) continue;
      assert.deepEqual(v.readPhysical(a, 4096), ref.readPhysical(a, 4096), `page at 0x${a.toString(16)}`);
      n++;
    }
  }
  return n;
}

describe("vmcore real fixtures", function () {
  this.timeout(120000);

  for (const name of FIXTURES) {
    describe(name, () => {
      const exp = readJson<Expected>(sharedFixture("vmcore", `${name}.expected.json`));

      it("summary matches expected.json and stays lazy (< 1 MiB read)", () => {
        const src = openFile(fixtureFile(name));
        try {
          const v = openVmcore(src);
          const s = v.summary();
          assert.equal(s.format, exp.format);
          assert.equal(s.osrelease, exp.osrelease);
          assert.equal(s.pagingLevels, exp.paging_levels);
          if (exp.pt_load_count !== null) assert.equal(s.loads.length, exp.pt_load_count);
          for (const [k, val] of Object.entries(exp.vmcoreinfo_keys)) assert.equal(s.vmcoreinfo[k], val, k);
          assert.equal(s.physBase, BigInt.asUintN(64, BigInt(exp.vmcoreinfo_keys["NUMBER(phys_base)"]!)));
          if (exp.elf_notes) assert.deepEqual(s.notes, exp.elf_notes);
          if (exp.kdump_header) {
            const h = exp.kdump_header;
            assert.equal(s.kdumpHeader!.headerVersion, h.header_version);
            assert.deepEqual(Object.values(s.kdumpHeader!.utsname), h.utsname);
            assert.equal(s.kdumpHeader!.status, h.status);
            assert.equal(s.kdumpHeader!.maxPfn, h.max_mapnr_64);
            assert.equal(s.kdumpHeader!.nrCpus, h.nr_cpus);
            assert.equal(s.dumpLevel, h.dump_level);
            assert.equal(s.compression, "zlib");
          }
          assert.equal(s.cpus.length, 1);
          assert.ok(s.cpus[0]!.qemu, "QEMU CPU note paired with the NT_PRSTATUS");
          assert.equal(s.cpus[0]!.qemu!.la57, exp.paging_levels === 5, "CR4.LA57 agrees with pgtable_l5_enabled");
          assert.ok(s.bytesRead < 1024 * 1024, `summary read ${s.bytesRead} bytes`);
        } finally {
          src.close();
        }
      });

      it("dmesg is byte-identical to makedumpfile --dump-dmesg 1.7.2", () => {
        const src = openFile(fixtureFile(name));
        try {
          const want = fs.readFileSync(sharedFixture("vmcore", `${name}.makedumpfile-dmesg.txt`), "latin1");
          const got = openVmcore(src).dmesg();
          assert.equal(got, want);
          assert.ok(got.includes(exp.marker_dmesg_line + "\n"));
          assert.ok(src.bytesRead < 4 * 1024 * 1024, `dmesg read ${src.bytesRead} bytes`);
        } finally {
          src.close();
        }
      });

      it("kernel-text translation agrees with the page-table walk", () => {
        const src = openFile(fixtureFile(name));
        try {
          const v = openVmcore(src);
          for (const sym of ["_stext", "prb", "init_uts_ns"]) {
            const va = v.vmcoreinfo.symbol(sym)!;
            const a = v.translate(va);
            const b = v.translate(va, true);
            assert.equal(a.method, "kernel-text");
            assert.equal(b.method, "page-table");
            assert.equal(b.paddr, a.paddr, sym);
            assert.equal(b.steps.length <= exp.paging_levels, true);
          }
          // init_uts_ns.name.release (OFFSET(uts_namespace.name) + 2 * 65) holds the osrelease.
          const uts = v.vmcoreinfo.symbol("init_uts_ns")! + BigInt(v.vmcoreinfo.offset("uts_namespace.name")! + 2 * 65);
          assert.equal(Buffer.from(v.readVirtual(uts, exp.osrelease.length)).toString("latin1"), exp.osrelease);
        } finally {
          src.close();
        }
      });
    });
  }

  it("the ELF and kdump-compressed dumps of the same guest hold the same pages", () => {
    const a = openFile(fixtureFile("vmcore-l4-elf-d31"));
    const b = openFile(fixtureFile("vmcore-l4-kdump-zlib-d31"));
    try {
      assert.ok(samePages(openVmcore(b), openVmcore(a)) > 50);
    } finally {
      a.close();
      b.close();
    }
  });

  describe("makedumpfile-converted variants", () => {
    before(function () {
      if (!hasMakedumpfile()) this.skip();
    });
    for (const [label, file] of [
      ["kdump-compressed lzo", "gen-l4-kdump-lzo"],
      ["flattened zlib (-F)", "gen-l4-flat-zlib"],
      ["flattened ELF (-F -E)", "gen-l4-flat-elf"],
    ] as const) {
      it(`${label}: dmesg identical, pages identical to the ELF fixture`, () => {
        const stdout = MAKEDUMPFILE_VARIANTS[file].stdout;
        const src = openFile(makedumpfileVariant(file)!);
        const ref = openFile(fixtureFile("vmcore-l4-elf-d31"));
        try {
          const v = openVmcore(src);
          const s = v.summary();
          assert.equal(s.container, stdout ? "flattened" : "file");
          if (stdout) {
            // Indexed on demand: a KDUMP inside needs its first records only; an ELF inside the
            // whole index (its program headers are rewritten last), at 16 bytes per 64 KiB record.
            const idx = s.flattenedIndex!;
            assert.equal(idx.onDemand, true);
            if (s.format === "kdump-compressed") assert.ok(!idx.complete && idx.records < 16, JSON.stringify(idx));
            else assert.ok(idx.complete && idx.truncated === false, JSON.stringify(idx));
            assert.ok(s.bytesRead < 1024 * 1024, `summary read ${s.bytesRead}`);
          }
          assert.equal(v.dmesg(), fs.readFileSync(sharedFixture("vmcore", "vmcore-l4-elf-d31.makedumpfile-dmesg.txt"), "latin1"));
          assert.ok(samePages(v, openVmcore(ref)) > 50);
        } finally {
          src.close();
          ref.close();
        }
      });
    }
  });

  describe("CLI", () => {
    const run = async (cmd: typeof vmcoreCommand, argv: string[]): Promise<{ code: number; out: string }> => {
      let out = "";
      const code = await cmd.run(argv, { out: (t) => void (out += t.endsWith("\n") ? t : t + "\n"), err: () => {} });
      return { code, out };
    };
    it("vmcore --json prints the contract keys", async () => {
      const { code, out } = await run(vmcoreCommand, [fixtureFile("vmcore-l4-kdump-zlib-d31"), "--json"]);
      assert.equal(code, 0);
      const j = JSON.parse(out) as Record<string, unknown>;
      for (const k of ["format", "compression", "osrelease", "pagingLevels", "vmcoreinfo", "loads", "cpus", "bytesRead"]) assert.ok(k in j, k);
      assert.equal(j.format, "kdump-compressed");
      assert.equal(j.pagingLevels, 4);
      assert.ok((j.bytesRead as number) < 1024 * 1024);
      const text = await run(vmcoreCommand, [fixtureFile("vmcore-l5-elf-d31")]);
      assert.match(text.out, /paging\s+5-level/);
    });
    it("dmesg prints the makedumpfile text", async () => {
      const { code, out } = await run(dmesgCommand, [fixtureFile("vmcore-l5-elf-d31")]);
      assert.equal(code, 0);
      assert.equal(out, fs.readFileSync(sharedFixture("vmcore", "vmcore-l5-elf-d31.makedumpfile-dmesg.txt"), "latin1"));
    });
  });
});
