import { parseArgs, UsageError } from "../args";
import { toJson, type Command } from "../command";
import { openFile } from "../../core/io/byteSource";
import { openVmcore, sizeLabel, type VmcoreCpu } from "../../core/formats/vmcore/vmcore";
import type { RangeScanResult } from "../../core/formats/vmcore/physical";

function cpuJson(c: VmcoreCpu): Record<string, unknown> {
  return {
    index: c.index,
    pid: c.pid,
    rip: c.rip,
    rsp: c.rsp,
    ...(c.prstatus ? { regs: c.prstatus.regs } : {}),
    ...(c.qemu ? { qemu: { cr0: c.qemu.cr0, cr3: c.qemu.cr3, cr4: c.qemu.cr4, la57: c.qemu.la57, idtBase: c.qemu.idtBase } } : {}),
  };
}

const h = (v: bigint | number): string => "0x" + v.toString(16);

export const vmcoreCommand: Command = {
  name: "vmcore",
  usage: "vmcore FILE [--json] [--ranges]",
  summary: "Summarise a vmcore (ELF, kdump-compressed, flattened): format, VMCOREINFO, PT_LOADs, CPUs",
  async run(argv, io) {
    // --ranges: the dumped / excluded ranges; for a kdump file that reads both bitmaps, whose size
    // follows the machine's address space (4 GiB each at 128 TiB), so only when asked.
    const a = parseArgs(argv, [], ["json", "ranges"]);
    if (a.positional.length !== 1) throw new UsageError("expected exactly one FILE");
    const src = openFile(a.positional[0]!);
    try {
      const v = openVmcore(src);
      const s = v.summary();
      let ranges: RangeScanResult | null = null;
      if (a.flags.has("ranges")) {
        const scan = v.rangeScanner();
        // 1 MiB of bitmap per step; a long scan (a big machine's kdump file) says how far it got on stderr.
        const t0 = Date.now();
        let shown = t0;
        while (!scan.step()) {
          const now = Date.now();
          if (now - shown >= 2000) {
            shown = now;
            io.err(`scanning the bitmaps: ${sizeLabel(scan.scanned)} of ${sizeLabel(scan.end)} of address space (${((now - t0) / 1000).toFixed(0)} s)`);
          }
        }
        ranges = scan.result();
      }
      // Above the 4-level limit: from the scan when there was one, else a probe of at most 256 KiB of bitmap.
      const beyond = v.beyondFourLevel({ probeBytes: 256 * 1024 });
      const out = {
        format: s.format,
        container: s.container,
        compression: s.compression,
        osrelease: s.osrelease,
        pagingLevels: s.pagingLevels,
        pagingSource: s.pagingSource,
        vmcoreinfo: s.vmcoreinfo,
        loads: s.loads.map((l) => ({ paddr: l.paddr, vaddr: l.vaddr, filesz: l.filesz, memsz: l.memsz })),
        cpus: s.cpus.map(cpuJson),
        notes: s.notes,
        physBase: s.physBase,
        kaslrOffset: s.kaslrOffset,
        crashTime: s.crashTime,
        dumpLevel: s.dumpLevel,
        ...(s.kdumpHeader ? { kdumpHeader: s.kdumpHeader } : {}),
        ...(s.flattenedIndex ? { flattenedIndex: s.flattenedIndex } : {}),
        ...(ranges ? { ranges: ranges.ranges.map((r) => ({ start: h(r.start), end: h(r.end), state: r.state })), ...(ranges.omitted ? { rangesOmitted: ranges.omitted } : {}) } : {}),
        beyondFourLevel: beyond,
        warnings: v.warnings,
        bytesRead: src.bytesRead,
      };
      if (a.flags.has("json")) {
        io.out(toJson(out));
        return 0;
      }
      const lines: string[] = [];
      const row = (k: string, val: string): void => void lines.push(`${k.padEnd(14)} ${val}`);
      row("format", `${s.format}${s.container === "flattened" ? " (flattened)" : ""}`);
      if (s.flattenedIndex) {
        const f = s.flattenedIndex;
        row("record index", f.complete ? `${f.records} records, complete${f.truncated ? " (no end marker)" : ""}` : `on demand: ${f.records} records read so far (up to stream offset ${h(f.streamOffset)})`);
      }
      row("compression", s.compression);
      row("osrelease", s.osrelease ?? "-");
      row("paging", `${s.pagingLevels}-level (${s.pagingSource})`);
      row("phys_base", s.physBase === null ? "-" : h(s.physBase));
      row("KASLR offset", s.kaslrOffset === null ? "-" : h(s.kaslrOffset));
      row("crash time", s.crashTime === null ? "-" : new Date(s.crashTime * 1000).toISOString());
      if (s.dumpLevel !== null) row("dump level", String(s.dumpLevel));
      row("cpus", String(s.cpus.length));
      for (const c of s.cpus) lines.push(`  cpu[${c.index}] pid ${c.pid} rip ${h(c.rip)} rsp ${h(c.rsp)}${c.qemu ? ` cr3 ${h(c.qemu.cr3)}` : ""}`);
      if (s.loads.length) {
        lines.push("", "PT_LOAD  paddr               vaddr               filesz      memsz");
        s.loads.forEach((l, i) => lines.push(`${String(i).padStart(7)}  ${h(l.paddr).padEnd(18)}  ${h(l.vaddr).padEnd(18)}  ${h(l.filesz).padEnd(10)}  ${h(l.memsz)}`));
      }
      if (beyond) {
        lines.push("", `above ${sizeLabel(beyond.limit)} (4-level limit): ${beyond.state} (${beyond.basis})`);
        if (beyond.bytes) lines.push(`  dumped ${h(beyond.bytes.dumped)}, excluded ${h(beyond.bytes.excluded + beyond.bytes.notDumped)}, hole ${h(beyond.bytes.hole)} bytes`);
        lines.push(`  ${beyond.implication}`);
      }
      if (ranges) {
        lines.push("", "physical ranges");
        for (const r of ranges.ranges) lines.push(`  ${h(r.start).padEnd(14)} - ${h(r.end).padEnd(14)} ${r.state}`);
        if (ranges.omitted) lines.push(`  … ${ranges.omitted} more ranges not listed`);
      }
      lines.push("", `VMCOREINFO (${Object.keys(s.vmcoreinfo).length} keys)`);
      for (const [k, val] of Object.entries(s.vmcoreinfo)) lines.push(`  ${k}=${val}`);
      for (const w of v.warnings) lines.push(`warning: ${w}`);
      lines.push("", `bytes read: ${src.bytesRead}`);
      io.out(lines.join("\n"));
      return 0;
    } finally {
      src.close();
    }
  },
};
