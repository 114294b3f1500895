/**
 * `npm run screenshots`: the README's "What it looks like" pictures, in media/screenshots/.
 * Each view is the extension's real webview bundle (dist/webview, so build first) in headless
 * Chromium with VS Code's Light+ / Dark+ theme variables, and on the host side its real session
 * over the real core: the image editor on a Debian kernel, the vmcore editor on a kdump-compressed
 * dump, the simulation panel on a lab boot log, the doctor on a Debian-like root made here.
 * Same harness as test/webview (harness.ts); 800 px wide, the top of each page.
 *
 * Usage: npm run build && npm run screenshots [-- --out DIR]
 */
import { rootWriter } from "../test/support/machineRoot";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { openFile } from "../extension/core/io/byteSource";
import { runDoctor } from "../extension/core/scenario/doctor/index";
import { DoctorSession } from "../extension/views/doctorSession";
import { loadImageFile, loadMapFile, setupFor, type MachineFacts } from "../extension/views/simulationMachine";
import { SimulationSession } from "../extension/views/simulationSession";
import { VmcoreSession } from "../extension/views/vmcoreSession";
import { makeImage } from "../test/support/syntheticImage";
import { repoRoot, sharedFixture, vmcoreFixture } from "../test/fixtures";
import { chromiumAvailable, launch, openImagePage, openPage, type OpenedPageOf } from "../test/webview/harness";

const WIDTH = 800;
const HEIGHT = 800;
const THEMES = ["light", "dark"] as const;
type Theme = (typeof THEMES)[number];

const argv = process.argv.slice(2);
const outArg = argv.indexOf("--out");
const OUT = outArg >= 0 && argv[outArg + 1] ? path.resolve(argv[outArg + 1]!) : path.join(repoRoot, "media", "screenshots");

const IMAGE = sharedFixture("bzimage", "vmlinuz-6.1.0-50-amd64");
const VMCORE = "vmcore-l4-kdump-zlib-d31";
const BOOT_LOG = sharedFixture("lab", "crashkernel", "pc-4G-256M.boot.log");

/**
 * A copy of a Debian 12 machine ("db01"): 5-level paging, crashkernel=512M reserved, kdump-tools
 * installed but switched off, and an old kernel without XLF_5LEVEL still in /boot. A fixed path,
 * so the report's title is the same on every run.
 */
function doctorRoot(): string {
  const dir = path.join(os.tmpdir(), "kexec-inspector-screenshots", "db01");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const w = rootWriter(dir);
  w("proc/version", "Linux version 6.1.0-50-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.123-1 (2025-01-02)\n");
  w("proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.1.0-50-amd64 root=/dev/mapper/vg-root ro quiet crashkernel=512M\n");
  w("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme de pse tsc msr pae la57 sse sse2\n");
  w(
    "proc/iomem",
    [
      "00000000-00000fff : Reserved",
      "00001000-0009fbff : System RAM",
      "000a0000-000fffff : Reserved",
      "00100000-bffdffff : System RAM",
      "  01000000-01ffffff : Kernel code",
      "  9f000000-beffffff : Crash kernel",
      "bffe0000-bfffffff : Reserved",
      "100000000-43fffffff : System RAM",
      "",
    ].join("\n"),
  );
  w("sys/kernel/kexec_crash_size", `${512 * 1024 * 1024}\n`);
  w("sys/kernel/kexec_crash_loaded", "0\n");
  w("sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
  w("boot/vmlinuz-6.1.0-50-amd64", fs.existsSync(IMAGE) ? fs.readFileSync(IMAGE) : makeImage({ kernelVersion: "6.1.0-50-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.123-1" }));
  w("boot/vmlinuz-4.19.0-27-amd64", makeImage({ xloadflags: 0x1f, kernelVersion: "4.19.0-27-amd64 (debian-kernel@lists.debian.org) #1 SMP Debian 4.19.316-1" }));
  w("boot/initrd.img-6.1.0-50-amd64", new Uint8Array(40 * 1024 * 1024));
  w("boot/config-6.1.0-50-amd64", "CONFIG_X86_5LEVEL=y\nCONFIG_KEXEC=y\nCONFIG_KEXEC_FILE=y\nCONFIG_CRASH_DUMP=y\nCONFIG_PROC_VMCORE=y\n");
  w("installed-debs", "ii  kexec-tools   1:2.0.25-3+b1   amd64   tools to support fast kexec reboots\n");
  w("etc/default/kdump-tools", 'USE_KDUMP=0\nKDUMP_KERNEL=/boot/vmlinuz-6.1.0-50-amd64\nKDUMP_INITRD=/boot/initrd.img-6.1.0-50-amd64\nKDUMP_CMDLINE_APPEND="reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll nousb"\nKDUMP_KEXEC_ARGS="-s"\n');
  return dir;
}

async function shoot(p: OpenedPageOf<unknown>, name: string, theme: Theme, settle: (page: Page) => Promise<void>): Promise<void> {
  await p.page.setViewportSize({ width: WIDTH, height: HEIGHT });
  await settle(p.page);
  // Animations off and the caret hidden, so a rerun gives the same picture.
  await p.page.addStyleTag({ content: "*{caret-color:transparent!important;transition:none!important;animation:none!important}" }).catch(() => undefined);
  const file = path.join(OUT, `${name}-${theme}.png`);
  await p.page.screenshot({ path: file, clip: { x: 0, y: 0, width: WIDTH, height: HEIGHT } });
  console.log(`${path.relative(process.cwd(), file)} ${(fs.statSync(file).size / 1024).toFixed(1)} KiB`);
  await p.page.close();
}

const pause = (ms: number) => (page: Page) => page.waitForTimeout(ms);

async function main(): Promise<void> {
  if (!chromiumAvailable()) throw new Error("Chromium (/usr/bin/chromium) is needed: apt-get install chromium");
  if (!fs.existsSync(path.join(repoRoot, "dist", "webview", "doctorReportMain.js"))) throw new Error("dist/webview is missing: run npm run build first");
  fs.mkdirSync(OUT, { recursive: true });
  const browser = await launch();
  const root = doctorRoot();
  try {
    const image = loadImageFile(IMAGE);
    const facts: MachineFacts = { release: "6.1.0-50-amd64", paging: { levels: 4, how: "" }, kexecTools: "2.0.25" };
    for (const theme of THEMES) {
      // Image editor.
      {
        const src = openFile(IMAGE);
        const p = await openImagePage(browser.context, src, { theme });
        await shoot(p, "image-editor", theme, pause(300));
        src.close();
      }
      // vmcore editor.
      {
        const src = openFile(vmcoreFixture(VMCORE));
        const p = await openPage(
          browser.context,
          {
            bundle: "vmcoreEditorMain",
            css: "vmcoreEditor.css",
            title: "Vmcore inspector",
            session: (post, log) => new VmcoreSession(src, { post, log, reopenWith: async () => undefined, hexEditorAvailable: () => false }),
          },
          { theme },
        );
        await shoot(p, "vmcore-editor", theme, pause(300));
        src.close();
      }
      // Simulation panel: a kdump load of the Debian kernel into crashkernel=256M on a lab boot.
      {
        const setup = setupFor({
          map: loadMapFile(BOOT_LOG),
          image: image.ok ? image.loaded : null,
          facts,
          focus: "kexec",
          params: { crashkernel: "crashkernel=256M", crash: true, paging: 5, iface: "auto", initrdSize: 40 * 1024 * 1024 },
        });
        const p = await openPage(
          browser.context,
          {
            bundle: "simulationPanelMain",
            css: "simulationPanel.css",
            title: "kexec simulation",
            session: (post, log) => new SimulationSession(setup, { post, log, pick: async () => null, save: async () => ({ ok: true, text: "" }) }),
          },
          { theme },
        );
        await shoot(p, "simulation-panel", theme, async (page) => {
          await page.waitForFunction(() => document.body.dataset["ready"] === "true");
          await page.waitForTimeout(400);
        });
      }
      // Doctor report.
      {
        const p = await openPage(
          browser.context,
          {
            bundle: "doctorReportMain",
            css: "doctorReport.css",
            title: "kdump readiness",
            session: (post, log) =>
              new DoctorSession(root, {
                post,
                log,
                run: (r) => runDoctor(r),
                pickRoot: async () => null,
                copy: async () => undefined,
                openSimulation: async () => ({ ok: true, text: "" }),
              }),
          },
          { theme },
        );
        await shoot(p, "doctor-report", theme, async (page) => {
          await page.waitForSelector("#checks li");
          await page.waitForTimeout(200);
        });
      }
    }
  } finally {
    await browser.close();
    fs.rmSync(path.dirname(root), { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
