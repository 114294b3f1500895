/**
 * The sections of the image inspector, each a function from protocol data to DOM. They render
 * what the host sent; no kernel fact is derived here.
 */
import type { FieldRow, ImageView, NoteRow, PeView, UkiView, VerdictRow, VmlinuxView, XlfBitRow } from "../extension/protocol/image";
import { el, keyValues, tag } from "./components";
import { hex, size } from "./format";
import { S } from "./strings";

const OUTCOME_CLASS: Record<VerdictRow["outcome"], string> = { ok: "ok", refused: "bad", fails: "bad", risk: "warn", info: "info" };

export function summaryCard(v: ImageView): HTMLElement {
  const s = v.summary;
  const signed = s.signedBy.length ? s.signedBy.join("; ") : S.unsigned;
  return el(
    "div",
    { className: "card summary" },
    keyValues([
      [S.kernelVersion, s.kernelVersion ?? S.none, "kernel-version"],
      [S.protocol, s.protocol ?? S.noHdrS, "protocol"],
      [S.architecture, s.architecture, "architecture"],
      [S.signedBy, signed, "signed-by"],
      [S.codec, s.codec ?? S.none, "codec"],
    ]),
    el("p", { className: `verdict-line ${OUTCOME_CLASS[s.verdictOutcome]}`, attrs: { id: "verdict-line" } }, el("span", { className: "dot", attrs: { "aria-hidden": "true" } }), s.verdictLine),
  );
}

export function verdictList(verdicts: readonly VerdictRow[]): HTMLElement {
  const list = el("ul", { className: "verdicts" });
  for (const v of verdicts) {
    list.appendChild(
      el(
        "li",
        { className: `verdict ${OUTCOME_CLASS[v.outcome]}`, data: { verdict: v.id }, title: `${v.rule}\n${v.source}` },
        tag(v.outcome, `outcome ${OUTCOME_CLASS[v.outcome]}`),
        el("span", { className: "verdict-summary", text: v.summary }),
        el("div", { className: "verdict-reason", text: v.reason }),
      ),
    );
  }
  return list;
}

export function noteList(notes: readonly NoteRow[]): HTMLElement {
  const list = el("ul", { className: "notes" });
  for (const n of notes) {
    const where = [n.field, n.offset === null ? null : hex(n.offset)].filter((x) => x !== null).join(" @ ");
    list.appendChild(el("li", { className: `note ${n.severity}` }, tag(n.severity, n.severity), where ? el("code", { text: where }) : null, " ", n.message));
  }
  return list;
}

function valueText(f: FieldRow): string {
  if (!f.present) return S.absentSince(f.sinceText);
  if (f.rawHex === null) return S.pastEof;
  return f.rawHex;
}

export function headerTable(fields: readonly FieldRow[], onSelect: (f: FieldRow) => void): { root: HTMLElement; select(name: string | null): void } {
  const tbody = el("tbody");
  const rows = new Map<string, HTMLElement>();
  for (const f of fields) {
    const tr = el(
      "tr",
      { className: f.present ? "field" : "field absent", data: { field: f.name }, attrs: { tabindex: "0" } },
      el("td", { className: "mono", text: hex(f.offset, 2) }),
      el("td", { className: "num", text: String(f.size) }),
      el("td", { className: "mono name", text: f.name }),
      el("td", { className: "mono value", text: valueText(f) }),
      el("td", { className: "num decimal", text: f.present && f.raw !== null ? String(f.raw) : "" }),
      el("td", { className: "since", text: f.sinceText }),
      el("td", { className: "meaning" }, f.meaning, f.kexec ? el("div", { className: "kexec", text: `${S.kexecConsequence}: ${f.kexec}` }) : null),
    );
    if (!f.present) tr.title = S.absentSince(f.sinceText);
    tr.addEventListener("click", () => onSelect(f));
    tr.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        onSelect(f);
      }
    });
    rows.set(f.name, tr);
    tbody.appendChild(tr);
  }
  const head = el("thead", {}, el("tr", {}, ...[S.colOffset, S.colSize, S.colField, S.colValue, S.colDecimal, S.colSince, S.colMeaning].map((h) => el("th", { text: h }))));
  const table = el("table", { className: "fields", attrs: { id: "setup-header" } }, head, tbody);
  return {
    root: table,
    select(name) {
      for (const [n, r] of rows) {
        r.classList.toggle("selected", n === name);
        r.setAttribute("aria-selected", String(n === name));
      }
    },
  };
}

function bitDetail(b: XlfBitRow): string {
  return [`${b.name} (${S.bit(b.bit)}, ${b.set ? S.set : S.clear})`, b.meaning, S.sinceLine(b.sinceProtocol, b.sinceKernel), `${S.setWhen}: ${b.setWhen}`, `${S.kexecConsequence}: ${b.kexec}`].join("\n");
}

export function xloadflagsGrid(x: ImageView["xloadflags"]): HTMLElement {
  const detail = el("div", { className: "bit-detail", attrs: { id: "xlf-detail", "aria-live": "polite" } });
  const wrap = el("div", { className: "xlf" });
  if (!x) {
    wrap.appendChild(el("p", { className: "muted", attrs: { id: "xlf-absent" }, text: S.xloadflagsAbsent }));
    return wrap;
  }
  wrap.appendChild(el("p", { className: "mono", attrs: { id: "xlf-value" }, text: `xloadflags = ${hex(x.value, 2)}` }));
  const grid = el("div", { className: "bit-grid", attrs: { role: "list" } });
  const show = (b: XlfBitRow): void => {
    detail.replaceChildren(
      el("strong", { text: b.name }),
      " ",
      tag(b.set ? S.set : S.clear, b.set ? "set" : "clear"),
      el("p", { text: b.meaning }),
      el("p", { className: "muted", text: `${S.sinceLine(b.sinceProtocol, b.sinceKernel)} · ${S.setWhen}: ${b.setWhen}` }),
      el("p", {}, el("strong", { text: `${S.kexecConsequence}: ` }), b.kexec),
    );
  };
  for (const b of x.bits) {
    const cell = el(
      "div",
      { className: `bit ${b.set ? "set" : "clear"}${b.status === "proposed" ? " proposed" : ""}`, data: { bit: String(b.bit), name: b.name, state: b.set ? "set" : "clear" }, attrs: { role: "listitem", tabindex: "0" }, title: bitDetail(b) },
      el("div", { className: "bit-no", text: S.bit(b.bit) }),
      el("div", { className: "bit-name mono", text: b.name }),
      el("div", { className: "bit-state", text: b.set ? S.set : S.clear }),
      el("div", { className: "bit-meaning", text: b.status === "proposed" ? S.proposed : b.meaning }),
    );
    cell.addEventListener("mouseenter", () => show(b));
    cell.addEventListener("focus", () => show(b));
    grid.appendChild(cell);
  }
  wrap.appendChild(grid);
  if (x.unknownBits) wrap.appendChild(el("p", { className: "warn", text: S.unknownBits(hex(x.unknownBits, 2)) }));
  const five = x.bits.find((b) => b.bit === 5);
  if (five) show(five);
  wrap.appendChild(detail);
  return wrap;
}

export function loadflagsLine(l: ImageView["loadflags"]): HTMLElement {
  return el("p", { className: "mono", attrs: { id: "loadflags" }, text: `${S.loadflags} = ${hex(l.value, 1)} (${l.bits.join(" | ") || S.none})` });
}

export function kernelInfoCard(k: ImageView["kernelInfo"]): HTMLElement {
  if (!k) return el("p", { className: "muted", text: S.kernelInfoAbsent });
  return keyValues([
    [S.kiOffset, hex(k.offset)],
    [S.kiHeader, el("span", { className: k.magicOk ? "mono" : "mono bad", text: JSON.stringify(k.header) })],
    [S.kiSize, String(k.size)],
    [S.kiSizeTotal, String(k.sizeTotal)],
    [S.kiSetupTypeMax, hex(k.setupTypeMax)],
  ]);
}

export function peCard(pe: PeView | null): HTMLElement {
  if (!pe) return el("p", { className: "muted", attrs: { id: "pe-absent" }, text: S.peAbsent });
  const sections = el(
    "table",
    { className: "compact" },
    el("thead", {}, el("tr", {}, ...[S.secName, S.secVa, S.secVs, S.secRawOff, S.secRawSize].map((h) => el("th", { text: h })))),
    el(
      "tbody",
      {},
      ...pe.sections.map((s) =>
        el("tr", {}, el("td", { className: "mono", text: s.name }), el("td", { className: "mono", text: hex(s.virtualAddress) }), el("td", { className: "mono", text: hex(s.virtualSize) }), el("td", { className: "mono", text: hex(s.rawOffset) }), el("td", { className: "mono", text: hex(s.rawSize) })),
      ),
    ),
  );
  const certs = el("ul", { className: "certs" }, ...pe.certificates.map((c) => el("li", { className: "cert" }, el("div", { text: c.subject }), el("div", { className: "muted", text: `issuer ${c.issuer} · serial ${c.serial}` }))));
  return el(
    "div",
    {},
    keyValues([
      [S.machine, pe.machine],
      [S.format, pe.format],
      [S.subsystem, pe.subsystem],
      [S.entryPoint, hex(pe.entryPoint)],
      [S.imageBase, pe.imageBase],
      [S.sizeOfImage, hex(pe.sizeOfImage)],
      [S.certTable, pe.securityDirectory ? `${hex(pe.securityDirectory.offset)} + ${hex(pe.securityDirectory.size)}` : S.none],
      [S.signature, pe.signed ? S.signedAuthenticode(pe.digestAlgorithm ?? "?") : S.notSigned, "pe-signature"],
      [S.signedBy, pe.signers.length ? pe.signers.join("; ") : S.none, "pe-signers"],
    ]),
    el("h3", { text: S.sections }),
    sections,
    pe.certificates.length ? el("h3", { text: S.certificate }) : null,
    pe.certificates.length ? certs : null,
  );
}

export function payloadFacts(p: ImageView["payload"]): HTMLElement {
  if (!p) return el("p", { className: "muted", attrs: { id: "payload-absent" }, text: S.payloadAbsent });
  return keyValues([
    [S.compression, p.compression, "payload-compression"],
    [S.payloadOffset, hex(p.offset)],
    [S.payloadLength, el("span", { text: size(p.length), title: `${p.length} bytes` })],
    [S.uncompressed, p.uncompressedSize === null ? S.none : el("span", { text: size(p.uncompressedSize), title: `${p.uncompressedSize} bytes` })],
  ]);
}

export function vmlinuxCard(v: VmlinuxView): HTMLElement {
  const cfg = v.config
    ? el(
        "table",
        { className: "compact config", attrs: { id: "config-highlights" } },
        el(
          "tbody",
          {},
          ...v.config.map((c) =>
            el(
              "tr",
              { data: { option: c.name } },
              el("td", { className: "mono", text: c.name }),
              el("td", { className: `mono ${c.value === "y" ? "ok" : c.listed ? "" : "muted"}`, text: !c.listed ? S.notListed : (c.value ?? S.notSet) }),
            ),
          ),
        ),
      )
    : el("p", { className: "muted", attrs: { id: "no-config" }, text: S.noConfig });
  return el(
    "div",
    { attrs: { id: "vmlinux" } },
    keyValues([
      [S.vmlinuxSize, el("span", { text: size(v.size), title: `${v.size} bytes` })],
      [S.elf, v.elf ?? S.none],
      [S.banner, el("code", { className: "banner", text: v.banner ?? S.none }), "vmlinux-banner"],
    ]),
    el("h3", { text: S.config }),
    cfg,
  );
}

/** The UKI's own facts: stub, signature, sections, .cmdline, .osrel, .uname, .initrd, .sbat. */
export function ukiCard(u: UkiView): HTMLElement {
  const sections = el(
    "table",
    { className: "compact", attrs: { id: "uki-sections" } },
    el("thead", {}, el("tr", {}, ...[S.secName, S.ukiColOffset, S.ukiColSize, S.ukiColRaw, S.ukiColVa].map((h) => el("th", { text: h })))),
    el(
      "tbody",
      {},
      ...u.sections.map((s) =>
        el(
          "tr",
          { data: { section: s.name }, className: s.known ? "" : "muted" },
          el("td", { className: "mono", text: s.name }),
          el("td", { className: "mono", text: hex(s.offset) }),
          el("td", { className: "num", text: String(s.size), title: size(s.size) }),
          el("td", { className: "mono", text: hex(s.rawSize) }),
          el("td", { className: "mono", text: hex(s.virtualAddress) }),
        ),
      ),
    ),
  );
  const cmdline =
    u.cmdline === null
      ? el("span", { className: "muted", text: S.absentSection })
      : el(
          "div",
          {},
          el("code", { className: "cmdline", attrs: { id: "uki-cmdline" }, text: u.cmdline }),
          u.cmdlineSize !== null && u.cmdlineSize > new TextEncoder().encode(u.cmdline).length + 1 ? el("div", { className: "muted", text: S.ukiCmdlineCut(new TextEncoder().encode(u.cmdline).length, u.cmdlineSize) }) : null,
        );
  const osrel = u.osrel
    ? el("table", { className: "compact", attrs: { id: "uki-osrel" } }, el("tbody", {}, ...u.osrel.map((r) => el("tr", { data: { key: r.key } }, el("td", { className: "mono", text: r.key }), el("td", { text: r.value })))))
    : el("span", { className: "muted", text: S.absentSection });
  const sbat = u.sbat
    ? el(
        "table",
        { className: "compact", attrs: { id: "uki-sbat" } },
        el("tbody", {}, ...u.sbat.map((e) => el("tr", {}, ...[e.component, e.generation, e.vendor, e.vendorPackage, e.vendorVersion].map((t) => el("td", { className: "mono", text: t }))))),
      )
    : el("span", { className: "muted", text: S.absentSection });
  const sig = u.signature.signed ? `${S.signedAuthenticode(u.signature.digestAlgorithm ?? "?")}${u.signature.signers.length ? ` — ${u.signature.signers.join("; ")}` : ""}` : S.notSigned;
  return el(
    "div",
    { attrs: { id: "uki" } },
    keyValues([
      [S.ukiStub, u.stub ? `${u.stub.name} ${u.stub.version}` : S.ukiStubUnknown, "uki-stub"],
      [S.ukiSignature, sig, "uki-signature"],
      [S.ukiUname, u.uname ?? S.absentSection, "uki-uname"],
      [S.ukiInitrd, u.initrd ? S.ukiInitrdLine(size(u.initrd.size), u.initrd.compression, hex(u.initrd.offset)) : S.absentSection, "uki-initrd"],
      [S.ukiCmdline, cmdline],
      [S.ukiExtras, u.extras.length ? u.extras.join(" ") : S.none, "uki-extras"],
    ]),
    el("h3", { text: S.ukiSections }),
    sections,
    el("h3", { text: S.ukiOsrel }),
    osrel,
    el("h3", { text: S.ukiSbat }),
    sbat,
  );
}
