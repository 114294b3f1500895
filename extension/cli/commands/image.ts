import { parseArgs, UsageError } from "../args";
import { toJson, type Command } from "../command";
import { openFile } from "../../core/io/byteSource";
import { hex } from "../../core/io/formatError";
import { parseBzImage } from "../../core/formats/bzimage/bzImage";
import { imageReport, type ImageReport } from "../../core/scenario/imageReport";
import { decompressPayload } from "../../core/formats/bzimage/payload";
import { inspectVmlinux } from "../../core/formats/bzimage/vmlinux";
import { parseKernelImage } from "../../core/formats/bzimage/uki";
import { ukiImageReport } from "../../core/scenario/ukiReport";
import { protocolText } from "../../core/knowledge/protocolVersions";

/** Cap for --decompress: a vmlinux is < 1 GiB; anything bigger is a bomb. */
const MAX_VMLINUX = 1 << 30;

export const imageCommand: Command = {
  name: "image",
  usage: "image FILE [--json] [--decompress]",
  summary: "setup header, xloadflags, kernel_info, PE/signature, payload and kexec verdicts of a bzImage, or of the kernel in a UKI's .linux (plus the UKI's sections and per-loader verdicts)",
  async run(argv, io) {
    const a = parseArgs(argv, [], ["json", "decompress"]);
    if (a.positional.length !== 1) throw new UsageError("image takes exactly one FILE");
    const src = openFile(a.positional[0]!);
    try {
      // A PE whose sections include .linux is a Unified Kernel Image: report the kernel inside it.
      const { img, uki } = parseKernelImage(src);
      const report: ImageReport = uki ? ukiImageReport(uki) : imageReport(img);
      if (a.flags.has("decompress") && img.payload) {
        const bytes = await decompressPayload(src, img.payload, { maxBytes: MAX_VMLINUX });
        const v = inspectVmlinux(bytes);
        report.vmlinux = { ...v, size: bytes.length };
      }
      if (a.flags.has("json")) io.out(toJson(report));
      else io.out(renderImage(report, img.fields));
      const errors = [...(uki?.notes ?? []), ...img.notes].filter((n) => n.severity === "error");
      for (const e of errors) io.err(`error: ${e.message}`);
      return errors.length ? 1 : 0;
    } finally {
      src.close();
    }
  },
};

function renderImage(r: ImageReport, fields: ReturnType<typeof parseBzImage>["fields"]): string {
  const lines: string[] = [];
  if (r.uki) {
    const u = r.uki;
    lines.push(`${r.file}: Unified Kernel Image${u.stub ? ` (${u.stub.name} ${u.stub.version})` : ""}, ${u.signature.signed ? `signed by ${u.signature.signers.join(", ") || "?"}` : "unsigned"}`);
    lines.push("", "sections:");
    for (const s of u.sections) lines.push(`  ${s.name.padEnd(10)} ${hex(s.offset, 8)}  ${String(s.size).padStart(10)}`);
    if (u.uname !== null) lines.push(`.uname: ${u.uname}`);
    if (u.cmdline !== null) lines.push(`.cmdline: ${u.cmdline}`);
    if (u.osrel) lines.push(`.osrel: ${u.osrel["PRETTY_NAME"] ?? u.osrel["NAME"] ?? Object.keys(u.osrel).join(", ")}`);
    if (u.initrd) lines.push(`.initrd: ${u.initrd.size} bytes at ${hex(u.initrd.offset)}, ${u.initrd.compression}`);
    for (const e of u.sbat ?? []) lines.push(`.sbat: ${e.component},${e.generation},${e.vendor},${e.vendorPackage},${e.vendorVersion}`);
    lines.push("", "UKI loaders:");
    for (const v of u.verdicts) lines.push(`  [${v.outcome}] ${v.summary}`);
    for (const n of u.notes) lines.push(`${n.severity}: ${n.message}`);
    lines.push("", `kernel in .linux (${u.linux.size} bytes at ${hex(u.linux.offset)}; offsets below are UKI file offsets):`);
  }
  lines.push(`${r.file}${r.uki ? ":.linux" : ""}: ${r.kind}, boot protocol ${r.protocol ?? "pre-2.00"}`);
  if (r.kernelVersion) lines.push(`kernel: ${r.kernelVersion}`);
  lines.push("", "setup header:");
  for (const f of fields) {
    const since = f.since === 0 ? "all" : protocolText(f.since);
    const v = f.present && f.raw !== null ? `${hex(f.raw, f.size * 2)}  ${f.raw}` : `— (needs ${since})`;
    lines.push(`  ${hex(f.offset, 4)}  ${String(f.size)}  ${f.name.padEnd(22)} ${v}`);
  }
  if (r.xloadflags) lines.push("", `xloadflags ${hex(r.xloadflags.value, 4)}: ${r.xloadflags.bits.join(" | ") || "(none)"}`);
  if (r.kernelInfo) lines.push(`kernel_info at ${hex(r.kernelInfo.offset)}: ${r.kernelInfo.header} size ${r.kernelInfo.size} size_total ${r.kernelInfo.sizeTotal} setup_type_max ${hex(r.kernelInfo.setupTypeMax, 8)}`);
  if (r.pe) {
    const who = r.pe.signers.join(", ");
    lines.push(`PE: ${r.pe.format} ${r.pe.machine} ${r.pe.subsystem}, ${r.pe.sections.length} sections, ${r.pe.signed ? `signed by ${who}` : "unsigned"}`);
  }
  if (r.payload) lines.push(`payload: ${r.payload.compression} at ${hex(r.payload.offset)}, ${r.payload.length} bytes`);
  if (r.vmlinux) {
    const v = r.vmlinux as { size: number; banner?: string | null };
    lines.push(`vmlinux: ${v.size} bytes${v.banner ? `, ${v.banner}` : ""}`);
  }
  lines.push("", "verdicts:");
  for (const v of r.verdicts) lines.push(`  [${v.outcome}] ${v.summary}`);
  for (const n of r.notes) lines.push(`${n.severity}: ${n.message}`);
  return lines.join("\n");
}
