/**
 * Memory-map readers: one test per e820 form the kernel has printed (arch/x86/kernel/e820.c
 * e820_print_map() / e820__print_table()), line endings, and the rule that a map with no usable RAM
 * (or one that contradicts the log's own "Memory:" line) is a FormatError naming the line, never 0 MiB.
 * Logs are built here with the kernel's own printf formats.
 */
import assert from "node:assert/strict";
import { FormatError } from "../../extension/core/io/formatError";
import { memoryMapFromBootLog } from "../../extension/core/kexec/bootLog";
import { memoryMapFromIomem } from "../../extension/core/kexec/iomem";
import { memoryMapFromJson } from "../../extension/core/kexec/jsonMap";
import { memblockPhysMemSize } from "../../extension/core/kexec/memoryMap";
import { memoryMapFromText } from "../../extension/core/kexec/readMemoryMap";

const TS = "[    0.000000] ";
/** %#018Lx */
const x18 = (n: number): string => "0x" + n.toString(16).padStart(16, "0");
/** %016Lx (form 1) */
const x16 = (n: number): string => n.toString(16).padStart(16, "0");

interface E {
  start: number;
  end: number; // inclusive
  /** [≤3.x, ≤6.x, 7.0+] type names */
  t: [string, string, string];
}
const RAM: E["t"] = ["(usable)", "usable", "System RAM"];
const RES: E["t"] = ["(reserved)", "reserved", "device reserved"];
const ACPI: E["t"] = ["(ACPI data)", "ACPI data", "ACPI data"];
/** A 4 GiB QEMU "pc" map, as the lab boots show it. */
const MAP: E[] = [
  { start: 0, end: 0x9fbff, t: RAM },
  { start: 0x9fc00, end: 0x9ffff, t: RES },
  { start: 0xf0000, end: 0xfffff, t: RES },
  { start: 0x100000, end: 0xbffdffff, t: RAM },
  { start: 0xbffe0000, end: 0xbfffffff, t: ACPI },
  { start: 0xfffc0000, end: 0xffffffff, t: RES },
  { start: 0x100000000, end: 0x13fffffff, t: RAM },
];
/** memblock.memory in KiB for MAP (page 0 and 640K–1M trimmed): what "Memory: …K/NK" prints. */
const TOTAL_KIB = (0x9f000 - 0x1000 + (0xbffe0000 - 0x100000) + 0x40000000) / 1024;

function form1(map: E[]): string[] {
  // e820_print_map() ≤3.x: " %s: %016Lx - %016Lx " then "(usable)" …, end exclusive.
  return map.map((e) => `${TS} BIOS-e820: ${x16(e.start)} - ${x16(e.end + 1)} ${e.t[0]}`);
}
function form2(map: E[], who = "BIOS-e820"): string[] {
  // "%s: [mem %#018Lx-%#018Lx] " then e820_print_type().
  return map.map((e) => `${TS}${who}: [mem ${x18(e.start)}-${x18(e.end)}] ${e.t[1]}`);
}
function form3(map: E[]): string[] {
  // 7.0: a "[gap …]" line before an entry that does not start where the previous one ended;
  // the type carries its own leading space (c87f94477740), hence two spaces.
  const out: string[] = [];
  let prevEnd = 0;
  for (const e of map) {
    if (e.start > prevEnd) out.push(`${TS}BIOS-e820: [gap ${x18(prevEnd)}-${x18(e.start - 1)}]`);
    out.push(`${TS}BIOS-e820: [mem ${x18(e.start)}-${x18(e.end)}]  ${e.t[2]}`);
    prevEnd = e.end + 1;
  }
  return out;
}
function log(e820: string[], extra: string[] = [], cmdline = "root=/dev/vda crashkernel=256M nokaslr"): string {
  return [
    `${TS}Linux version 7.2.13+deb14-amd64 (debian-kernel@lists.debian.org) #1 SMP`,
    `${TS}Command line: ${cmdline}`,
    `${TS}BIOS-provided physical RAM map:`,
    ...e820,
    ...extra,
    `${TS}Memory: 3734092K/${TOTAL_KIB}K available (19242K kernel code, 3438K rwdata, 13708K rodata, 4648K init, 3776K bss, 455404K reserved, 0K cma-reserved)`,
  ].join("\n");
}
const expectRam = (text: string, file = "t.log"): void => {
  const m = memoryMapFromBootLog(text, file);
  assert.equal(memblockPhysMemSize(m) / 1024, TOTAL_KIB);
  assert.deepEqual(m.systemRam, [
    { start: 0x1000, end: 0x9fbff },
    { start: 0x100000, end: 0xbffdffff },
    { start: 0x100000000, end: 0x13fffffff },
  ]);
};
function throwsFormat(fn: () => unknown, check: (e: FormatError) => void): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof FormatError, `expected a FormatError, got ${String(caught)}`);
  check(caught);
}

describe("boot-log e820 forms (arch/x86/kernel/e820.c)", () => {
  it("≤3.x: \"BIOS-e820: 0000… - 0000… (usable)\", end exclusive", () => expectRam(log(form1(MAP))));
  it("≤3.x: an unknown type printed as \"type N\" without parentheses", () => {
    const m = memoryMapFromBootLog(log([...form1(MAP), `${TS} BIOS-e820: ${x16(0x200000000)} - ${x16(0x200100000)} type 20`]), "t.log");
    assert.equal(m.firmware.at(-1)!.type, "type 20");
  });
  it("3.x–6.x: \"BIOS-e820: [mem 0x…-0x…] usable\", end inclusive", () => expectRam(log(form2(MAP))));
  it("7.0+: \"[mem 0x…-0x…]  System RAM\", \"device reserved\" and \"[gap …]\" lines (4d8e5a682be4, fa06d58805c8, 4a7a13e04c05)", () => {
    const text = log(form3(MAP));
    assert.ok(text.includes("BIOS-e820: [gap 0x00000000000a0000-0x00000000000effff]"));
    expectRam(text);
    const m = memoryMapFromBootLog(text, "t.log");
    assert.deepEqual([...new Set(m.firmware.map((e) => e.type))].sort(), ["ACPI data", "System RAM", "device reserved"]);
  });
  it("7.0+: persistent memory reads as \"persistent RAM (type 12)\", not RAM", () => {
    const m = memoryMapFromBootLog(log([...form3(MAP), `${TS}BIOS-e820: [mem ${x18(0x200000000)}-${x18(0x27fffffff)}]  persistent RAM (type 12)`]), "t.log");
    assert.equal(m.systemRam.at(-1)!.end, 0x13fffffff);
  });
  it("CRLF and bare CR line endings read the same", () => {
    const text = log(form3(MAP));
    expectRam(text.replace(/\n/g, "\r\n"));
    expectRam(text.replace(/\n/g, "\r"));
  });
  it("syslog level prefixes and caller ids (CONFIG_PRINTK_CALLER) do not hide the lines", () => {
    const text = log(form2(MAP)).split("\n").map((l) => "<6>" + l.replace(TS, TS + "[    T0] ")).join("\n");
    const m = memoryMapFromBootLog(text, "t.log");
    assert.equal(m.cmdline, "root=/dev/vda crashkernel=256M nokaslr");
    expectRam(text);
  });
  it("Xen's map (\"Xen: [mem …]\") is a firmware map too", () => expectRam(log(form2(MAP, "Xen"))));
  it("a later table (\"reserve setup_data\", \"user\" for mem=) is the kernel's view; the firmware map stays", () => {
    const user = form2(
      MAP.map((e) => (e.start === 0x100000000 ? { ...e, end: 0x11fffffff } : e)),
      "user",
    );
    const text = log([...form2(MAP), `${TS}user-defined physical RAM map:`, ...user]).replace(/\/\d+K available/, `/${TOTAL_KIB - 512 * 1024}K available`);
    const m = memoryMapFromBootLog(text, "t.log");
    assert.equal(m.firmware.at(-1)!.end, 0x13fffffff);
    assert.equal(m.systemRam.at(-1)!.end, 0x11fffffff);
  });
  it("KASLR'd log: the \"Kernel code…bss\" lines place the kernel image", () => {
    const m = memoryMapFromBootLog(log(form3(MAP), ["  25000000-25e0187f : Kernel code", "  26000000-2666bfff : Kernel rodata", "  26800000-269fffff : Kernel bss"], "root=/dev/vda crashkernel=256M"), "t.log");
    assert.deepEqual(m.reserved.find((r) => r.what === "kernel image"), { start: 0x25000000, end: 0x269fffff, what: "kernel image", source: "Kernel code…bss lines" });
  });
  it("non-KASLR log: nokaslr puts the kernel at 16 MiB, sized from the \"Memory:\" line", () => {
    const k = memoryMapFromBootLog(log(form3(MAP)), "t.log").reserved.find((r) => r.what === "kernel image")!;
    assert.equal(k.start, 0x1000000);
    assert.equal(k.estimated, true);
  });
  it("reads the crashkernel CMA areas (\"cma: Reserved …\" before \"crashkernel CMA reserved\")", () => {
    const m = memoryMapFromBootLog(
      log(form3(MAP), [`${TS}cma: Reserved 16 MiB at 0x00000000bb000000`, `${TS}cma: Reserved 1024 MiB at 0x0000000100000000`, `${TS}crashkernel CMA reserved: 1024 MB in 1 ranges`]),
      "t.log",
    );
    assert.deepEqual(m.crashCma, [{ start: 0x100000000, end: 0x13fffffff }]);
  });
});

describe("an unrecognised map is an error, not 0 MiB", () => {
  it("an e820 line in no known form names its line", () => {
    const lines = form3(MAP);
    lines[3] = `${TS}BIOS-e820: {mem 0x0000000000100000..0x00000000bffdffff} RAM`;
    const text = log(lines.filter((l) => !/System RAM/.test(l) || l === lines[3]));
    throwsFormat(
      () => memoryMapFromText(text, "odd.log"),
      (e) => {
        assert.equal(e.file, "odd.log");
        assert.match(e.field, /^line \d+ \(e820 table\)$/);
        assert.equal(text.slice(e.offset).split("\n")[0], lines[3]);
        assert.match(e.message, /\{mem 0x0000000000100000/);
      },
    );
  });
  it("a table whose RAM type is spelled in no known way names that entry's line", () => {
    const text = log(form3(MAP).map((l) => l.replace("System RAM", "Sytem RAM")));
    throwsFormat(
      () => memoryMapFromBootLog(text, "typo.log"),
      (e) => {
        assert.match(text.slice(e.offset).split("\n")[0]!, /Sytem RAM/);
        assert.match(e.expected, /System RAM/);
      },
    );
  });
  it("a map that contradicts the log's own \"Memory:\" line", () => {
    const text = log(form2(MAP.filter((e) => e.start !== 0x100000000)));
    throwsFormat(
      () => memoryMapFromBootLog(text, "short.log"),
      (e) => {
        assert.match(e.field, /"Memory:"/);
        assert.match(text.slice(e.offset).split("\n")[0]!, /Memory: /);
        assert.match(e.found!, /K of usable RAM/);
      },
    );
  });
  it("a log without any e820 table", () => {
    throwsFormat(() => memoryMapFromBootLog(`${TS}Linux version 6.1.0\n${TS}Command line: quiet\n`, "none.log"), (e) => assert.equal(e.field, "BIOS-e820"));
  });
  it("/proc/iomem without System RAM names what it found", () => {
    throwsFormat(
      () => memoryMapFromIomem("00000000-00000fff : Reserved\n000a0000-000bffff : PCI Bus 0000:00\n", "iomem"),
      (e) => {
        assert.equal(e.field, "System RAM");
        assert.match(e.found!, /"Reserved", "PCI Bus 0000:00"/);
      },
    );
  });
  it("/proc/iomem with a few bytes of System RAM is implausible", () => {
    throwsFormat(() => memoryMapFromIomem("00000000-00000fff : Reserved\n00001000-00001fff : System RAM\n", "iomem"), (e) => assert.match(e.found!, /4096 bytes/));
  });
  it("a JSON map whose e820 has no RAM type names the entry", () => {
    throwsFormat(
      () => memoryMapFromJson(JSON.stringify({ e820: [["0x0", "0x9fbff", "reserved"], ["0x100000", "0xbffdffff", "Sistem RAM"]] }), "m.json"),
      (e) => {
        assert.equal(e.field, "e820[0].type");
        assert.equal(e.found, JSON.stringify("reserved"));
      },
    );
  });
  it("the lab JSON type names (\"System RAM\", \"device reserved\") are RAM and not RAM", () => {
    const m = memoryMapFromJson(JSON.stringify({ e820: [["0x0", "0x9fbff", "System RAM"], ["0x9fc00", "0x9ffff", "device reserved"], ["0x100000", "0xbffdffff", "System RAM"]] }), "m.json");
    assert.equal(m.systemRam.length, 2);
  });
});
