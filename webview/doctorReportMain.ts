/**
 * kdump readiness report webview: renders the doctor's checklist as the host sends it. Nothing
 * is judged here; every string from the machine goes in through textContent (el()). The page
 * saves only which root it shows (getState/setState).
 */
import { MessageHandler } from "../extension/protocol/image";
import {
  DoctorMessageType,
  doctorPanelStateCheck,
  parseDoctorToWebview,
  type DoctorFromWebview,
  type DoctorPanelState,
  type CheckSimulationView,
  type DoctorReportView,
  type DoctorToWebview,
} from "../extension/protocol/doctor";
import { button, clear, el, keyValues } from "./components";
import { vscodeApi } from "./vscodeApi";

const api = vscodeApi<DoctorPanelState>();
const restored = ((): DoctorPanelState | null => {
  const s = api.getState();
  return s !== undefined && doctorPanelStateCheck(s, "state") === null ? s : null;
})();

const app = document.getElementById("app")!;
const status = el("div", { className: "status", attrs: { id: "status", role: "status" } });
const body = el("div", { attrs: { id: "report" } });

const host = new MessageHandler<DoctorFromWebview, DoctorToWebview>(
  (m) => api.postMessage(m),
  parseDoctorToWebview,
  (m) => onMessage(m),
  (text) => console.warn(`[kexec-inspector] ${text}`),
);
window.addEventListener("message", (ev: MessageEvent<unknown>) => host.receive(ev.data));

function showStatus(text: string, ok = true): void {
  status.textContent = text;
  status.className = ok ? "status" : "status bad";
}

function onMessage(m: DoctorToWebview): void {
  if (m.type === DoctorMessageType.DoctorBusy) showStatus(m.text);
  else if (m.type === DoctorMessageType.DoctorActionDone) {
    showStatus(m.text, m.ok);
    document.body.dataset["ready"] = "true";
  }
  else if (m.type === DoctorMessageType.DoctorReport) render(m.report);
}

const CHIP: Record<string, { text: string; cls: string }> = {
  pass: { text: "PASS", cls: "ok" },
  warn: { text: "WARN", cls: "warn" },
  fail: { text: "FAIL", cls: "bad" },
};

const mib = (n: number): string => `${Math.round((n / 1048576) * 10) / 10} MiB`;

const IFACE_OPTION: Record<CheckSimulationView["iface"], string> = { auto: "", file: " -s", load: " -c" };

/** What the simulation button will open, in kexec's words (a tooltip; the host decides the rest). */
function simulationSummary(sim: CheckSimulationView): string {
  const map = sim.memmap ?? "no memory map";
  if (sim.what === "crashkernel") return `Simulate ${sim.crashkernel || "crashkernel="} on ${map} (kernel ${sim.kernel})`;
  const cmd = `kexec${IFACE_OPTION[sim.iface]} ${sim.crash ? "-p" : "-l"} ${sim.image ?? "(no image)"}`;
  return `Simulate ${cmd} on ${map} (kernel ${sim.kernel}, ${sim.paging}-level, kexec-tools ${sim.kexecTools})`;
}

function render(r: DoctorReportView): void {
  api.setState({ root: r.root });
  showStatus("");
  clear(body);
  const where = r.root === "/" ? "this machine" : `${r.root} (${r.layout})`;
  body.appendChild(el("h1", { text: `kdump readiness — ${where}` }));
  const verdict = r.summary.fail ? "bad" : r.summary.warn ? "warn" : "ok";
  body.appendChild(
    el(
      "p",
      { className: `summary-line ${verdict}`, attrs: { id: "summary" } },
      el("span", { className: `chip ${verdict}`, text: r.summary.fail ? "NOT READY" : r.summary.warn ? "CHECK" : "READY" }),
      `${r.summary.pass} passed, ${r.summary.warn} warnings, ${r.summary.fail} failed`,
    ),
  );
  const kv = (value: string, how: string): HTMLElement => el("span", {}, value, how ? el("div", { className: "how muted", text: how }) : null);
  body.appendChild(
    keyValues([
      ["Kernel", kv(`${r.kernel.release ?? "unknown"}${r.kernel.version ? ` (upstream ${r.kernel.version})` : ""}`, r.kernel.how), "kv-kernel"],
      ["Paging", kv(`${r.paging.levels}-level`, r.paging.how), "kv-paging"],
      [
        "Reserved",
        kv(
          r.reservation.size === null ? "unknown" : r.reservation.size === 0 ? "none" : `${mib(r.reservation.size)}${r.reservation.ranges.length ? ` at ${r.reservation.ranges.map((x) => `${x.start}-${x.end}`).join(", ")}` : ""}`,
          r.reservation.from ?? "",
        ),
        "kv-reserved",
      ],
      ["kexec-tools", kv(r.kexecTools.version ?? "unknown", r.kexecTools.how), "kv-kexec-tools"],
      ["kdump service", kv(r.kdump ? `${r.kdump.tool}: ${r.kdump.kernel ?? "?"}${r.kdump.initrd ? ` + ${r.kdump.initrd}` : ""}` : "none found", r.kdump ? r.kdump.files.join(", ") : ""), "kv-kdump"],
      ["Rules", kv(`kernel ${r.rules.kernel} [${r.rules.family}], kexec-tools ${r.rules.kexecTools}, ${r.rules.mode} mode`, ""), "kv-rules"],
    ]),
  );
  const list = el("ul", { className: "checks", attrs: { id: "checks" } });
  for (const c of r.checks) {
    const chip = CHIP[c.status] ?? CHIP["warn"]!;
    list.appendChild(
      el(
        "li",
        { className: "check-item", data: { id: c.id, status: c.status } },
        el("div", {}, el("span", { className: `chip ${chip.cls}`, text: chip.text }), el("span", { className: "check-title", text: c.title })),
        c.detail ? el("div", { className: "check-detail", text: c.detail }) : null,
        c.fix ? el("div", { className: "check-fix" }, el("span", { className: "label", text: "Fix: " }), c.fix) : null,
        el("div", { className: "check-source" }, el("span", { className: "label", text: "Source: " }), c.source),
        c.simulate ? simulateButton(c.id, c.simulate) : null,
      ),
    );
  }
  body.appendChild(el("h2", { text: "Checklist" }));
  body.appendChild(list);
  if (r.lacking.length) {
    body.appendChild(el("h2", { text: "Not in the input" }));
    body.appendChild(el("ul", { className: "lacking", attrs: { id: "lacking" } }, ...r.lacking.map((l) => el("li", { text: l }))));
  }  // Tests and the e2e driver wait for this: the first report is on screen.
  document.body.dataset["ready"] = "true";
}

const send = (m: DoctorFromWebview): void => void host.send(m);

function simulateButton(id: string, sim: CheckSimulationView): HTMLElement {
  const b = button("Simulate…", () => send({ type: DoctorMessageType.DoctorOpenSimulation, id }), { title: simulationSummary(sim) });
  b.className = "simulate";
  return el("div", { className: "check-actions" }, b);
}
app.appendChild(
  el(
    "div",
    { className: "toolbar" },
    button("Run again", () => send({ type: DoctorMessageType.DoctorRerun }), { id: "rerun", appearance: "primary" }),
    button("Check another…", () => send({ type: DoctorMessageType.DoctorPickRoot }), { id: "pick" }),
    button("Copy as Markdown", () => send({ type: DoctorMessageType.DoctorCopyMarkdown }), { id: "copy-md" }),
    button("Copy as JSON", () => send({ type: DoctorMessageType.DoctorCopyJson }), { id: "copy" }),
  ),
);
app.appendChild(status);
app.appendChild(body);
if (restored) showStatus(restored.root === "/" ? "Checking this machine…" : `Checking ${restored.root}…`);
send({ type: DoctorMessageType.DoctorReady });
