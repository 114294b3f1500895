// Times the simulation panel's memory-map picture in headless Chromium: the real bundle and
// the real SimulationSession (real core) with a synthetic 10,000-range map. Prints the
// picture's own render time (measured in the page) and keystroke → redrawn picture.
// Run by `npm run bench` (node --import tsx); needs `node build.mjs` and /usr/bin/chromium.
import * as fs from "node:fs";
import { chromiumAvailable, launch, openPage } from "../../test/webview/harness.ts";
import { SimulationSession } from "../../extension/views/simulationSession.ts";
import { buildMapView, defaultParams } from "../../extension/views/simulationModel.ts";
import { syntheticImage } from "../../extension/core/kexec/kexecImage.ts";

if (!chromiumAvailable() || !fs.existsSync("dist/webview/simulationPanelMain.js")) {
  console.log("panel: skipped (needs /usr/bin/chromium and `node build.mjs`)");
  process.exit(0);
}
const n = Number(process.argv[2] ?? 10000);
const GiB = 2 ** 30;
const firmware = [{ start: 0, end: 0x9fbff, type: "usable" }, { start: 0x100000, end: 0xbffdffff, type: "usable" }];
for (let i = 0; i < n - 2; i++) {
  const start = 4 * GiB + i * GiB;
  firmware.push({ start, end: start + GiB - 0x200001, type: "usable" });
  if (i % 50 === 0) firmware.push({ start: start + GiB - 0x200000, end: start + GiB - 1, type: "reserved" });
}
const map = {
  kind: "json", file: "bench", firmware, reserved: [], crashKernel: [], notes: [],
  systemRam: firmware.filter((e) => e.type === "usable").map((e) => ({ start: Math.max(e.start, 0x1000), end: e.end })),
};
const image = syntheticImage();
const setup = {
  map: { map, view: buildMapView(map, { kind: "file", path: "bench.json" }, "bench.json") },
  mapProblem: null,
  image: { image, view: { label: "synthetic", source: { kind: "file", path: "synthetic" }, kernelVersion: null, xloadflags: image.xloadflags, initSize: image.initSize, prefAddress: image.prefAddress } },
  params: defaultParams({ crashkernel: "crashkernel=512M,high", kernel: "6.12", paging: 5, initrdSize: 0x2da536 }),
  pagingHow: "bench", kernelHow: "bench", kernelVersions: ["6.12"], kexecToolsVersions: ["2.0.25"], explainText: null, focus: "kexec",
};
const { context, close } = await launch();
try {
  const p = await openPage(context, {
    bundle: "simulationPanelMain", css: "simulationPanel.css", title: "bench",
    session: (post, log) => new SimulationSession(setup, { post, log, pick: async () => null, save: async () => ({ ok: true, text: "" }) }),
  }, { theme: "dark" });
  const renders = [];
  const keys = [];
  for (let i = 0; i < 15; i++) {
    const mb = 256 + 16 * (i % 8);
    const t = Date.now();
    await p.page.fill("#crashkernel", `crashkernel=${mb}M,high`);
    await p.page.waitForFunction((s) => (document.getElementById("crash-range-1")?.textContent ?? "").includes(s), `${mb}.0 MiB`);
    keys.push(Date.now() - t);
    renders.push(Number(await p.page.getAttribute("#memory-map", "data-render-ms")));
  }
  const rects = await p.page.locator("#memory-map rect").count();
  await p.page.close();
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.log(`panel: ${map.systemRam.length} RAM ranges → ${rects} SVG rects`);
  console.log(`panel: picture render median ${med(renders).toFixed(1)} ms, max ${Math.max(...renders).toFixed(1)} ms (in Chromium)`);
  console.log(`panel: keystroke → host simulation → redrawn picture median ${med(keys)} ms, max ${Math.max(...keys)} ms`);
} finally {
  await close();
}
