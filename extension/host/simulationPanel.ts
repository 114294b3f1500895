import * as path from "node:path";
import * as vscode from "vscode";
import { simPanelStateCheck, type SimPanelState, type SourceRef } from "../protocol/simulation";
import type { ImageEditorProvider } from "./imageEditorProvider";
import { imageFromBzImage, bootImages, loadImageFile, loadMachineMap, loadMapFile, machineFacts, mapDefaults, setupFor, setupFromDoctor, type MapLoad, type MachineFacts } from "../views/simulationMachine";
import type { CheckSimulationView } from "../protocol/doctor";
import type { LoadedImage } from "../views/simulationModel";
import { SimulationSession, type PickResult, type SimulationSetup } from "../views/simulationSession";
import { getWebviewOptions, htmlFor } from "./webviewOptions";
import { VIEW_TYPES, type CommandHandler } from "../views/contributions";

/**
 * The simulation panel (one at a time) and its three palette commands. Quick picks choose the
 * inputs; the panel reruns the real core on every change through SimulationSession. A
 * WebviewPanelSerializer revives it after a reload from the page's saved state. The activation
 * shim registers the commands and the serializer and forwards to handlers() and this.
 */
export class SimulationPanel implements vscode.WebviewPanelSerializer {
  static readonly viewType = VIEW_TYPES.simulation;
  private current: { panel: vscode.WebviewPanel; session: SimulationSession } | null = null;
  private facts: Promise<MachineFacts> | null = null;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly editors: ImageEditorProvider,
  ) {}

  handlers(): Record<"kexecInspector.simulate" | "kexecInspector.simulateCrashkernel" | "kexecInspector.explainFailure", CommandHandler> {
    return {
      "kexecInspector.simulate": (uri) => this.command("kexec", uri as vscode.Uri | undefined),
      "kexecInspector.simulateCrashkernel": (uri) => this.command("crashkernel", uri as vscode.Uri | undefined),
      "kexecInspector.explainFailure": () => this.command("explain"),
    };
  }

  /** vscode.WebviewPanelSerializer: revives the panel after a reload. */
  deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    return this.revive(panel, state);
  }

  private machine(): Promise<MachineFacts> {
    this.facts ??= machineFacts();
    return this.facts;
  }

  /** "Simulate kexec with this image" from the image editor or the explorer: the image is preselected. */
  async openWithImage(image: LoadedImage): Promise<void> {
    if (this.current) {
      this.current.session.update({ image, focus: "kexec" });
      this.current.panel.reveal();
      return;
    }
    const map = await this.pickMap(true);
    if (map === undefined) return;
    const facts = await this.machine();
    this.show(setupFor({ map, image, facts, focus: "kexec" }));
  }

  /**
   * "Simulate" on a kdump readiness check: the panel opens (or is updated) on the inputs the
   * doctor's check stood on. Returns the report page's status line.
   */
  openFromDoctor(sim: CheckSimulationView, title: string): { ok: boolean; text: string } {
    const { setup, problems } = setupFromDoctor(sim);
    if (this.current) {
      this.current.session.update(setup);
      this.current.panel.reveal();
    } else this.show(setup);
    return problems.length
      ? { ok: false, text: vscode.l10n.t("Simulation opened for \"{0}\", but: {1}", title, problems.join(" ")) }
      : { ok: true, text: vscode.l10n.t("Simulation opened for \"{0}\".", title) };
  }

  private async command(focus: SimulationSetup["focus"], uri?: vscode.Uri): Promise<void> {
    const facts = await this.machine();
    if (focus === "explain") {
      const editor = vscode.window.activeTextEditor;
      const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : null;
      if (this.current) {
        this.current.session.update({ focus, explainText: selected });
        this.current.panel.reveal();
        return;
      }
      // The explanation needs no memory map; use this machine's when it is readable.
      this.show(setupFor({ map: loadMachineMap(), image: null, facts, focus, explainText: selected }));
      return;
    }
    const fromExplorer = uri instanceof vscode.Uri && uri.scheme === "file" ? uri.fsPath : null;
    const map = fromExplorer ? loadMapFile(fromExplorer) : await this.pickMap(false);
    if (map === undefined) return;
    let image: LoadedImage | null = null;
    const params: Parameters<typeof setupFor>[0]["params"] = {};
    if (focus === "kexec") {
      const img = await this.pickImage();
      if (img === undefined) return;
      image = img;
      const loaded = map?.ok ? map.loaded : null;
      const d = mapDefaults(loaded, facts);
      const paging = await vscode.window.showQuickPick(
        [
          { label: `${d.params.paging}-level`, description: vscode.l10n.t("default"), detail: d.pagingHow, value: d.params.paging },
          { label: `${d.params.paging === 5 ? 4 : 5}-level`, description: vscode.l10n.t("choose"), value: (d.params.paging === 5 ? 4 : 5) as 4 | 5 },
        ],
        { title: vscode.l10n.t("Running paging mode"), placeHolder: vscode.l10n.t("The running kernel's paging mode (CR4.LA57 is not visible to user space: decided from la57, the kernel config and no5lvl)") },
      );
      if (!paging) return;
      params.paging = paging.value;
      const iface = await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t("kexec-tools default (auto)"), description: "kexec -l / -p", value: "auto" as const },
          { label: "kexec_load", description: "kexec -c", value: "kexec_load" as const },
          { label: "kexec_file_load", description: "kexec -s", value: "kexec_file_load" as const },
        ],
        { title: vscode.l10n.t("Interface") },
      );
      if (!iface) return;
      params.iface = iface.value;
    }
    const setup = setupFor({ map, image, facts, focus, params });
    if (this.current) {
      this.current.session.update(setup);
      this.current.panel.reveal();
    } else this.show(setup);
  }

  /** undefined = cancelled; a failed load is returned so the panel can say why. */
  private async pickMap(orNone: boolean): Promise<MapLoad | null | undefined> {
    for (;;) {
      const machine = loadMachineMap();
      type Item = vscode.QuickPickItem & { value: "active" | "machine" | "file" | "vmcore" | "workspace" | "none" };
      // The file in the active editor (a boot log or iomem dump the user is reading) comes first.
      const activeDoc = vscode.window.activeTextEditor?.document;
      const activeFile = activeDoc && activeDoc.uri.scheme === "file" && !activeDoc.isUntitled ? activeDoc.uri.fsPath : null;
      const items: Item[] = [
        ...(activeFile ? [{ label: "$(file) " + path.basename(activeFile), description: vscode.l10n.t("active editor"), value: "active" as const }] : []),
        {
          label: "$(vm) " + vscode.l10n.t("This machine (/proc/iomem)"),
          detail: machine.ok ? vscode.l10n.t("{0} System RAM ranges", machine.loaded.map.systemRam.length) : machine.problem,
          value: "machine",
        },
        { label: "$(output) " + vscode.l10n.t("Boot log or dmesg file…"), detail: vscode.l10n.t("BIOS-e820 lines, Command line, RAMDISK and Kernel code lines"), value: "file" },
        { label: "$(file-binary) " + vscode.l10n.t("vmcore…"), detail: vscode.l10n.t("ELF vmcore: PT_LOAD ranges"), value: "vmcore" },
        { label: "$(search) " + vscode.l10n.t("File in the workspace…"), detail: vscode.l10n.t("a boot log, /proc/iomem dump, vmcore or JSON map"), value: "workspace" },
      ];
      if (orNone) items.push({ label: "$(circle-slash) " + vscode.l10n.t("No memory map"), value: "none" });
      const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t("Memory map"), matchOnDetail: true });
      if (!pick) return undefined;
      if (pick.value === "none") return null;
      if (pick.value === "machine") {
        if (!machine.ok) {
          const again = vscode.l10n.t("Choose Another");
          const r = await vscode.window.showWarningMessage(machine.problem, again, vscode.l10n.t("Open Anyway"));
          if (r === again) continue;
          if (r === undefined) return undefined;
        }
        return machine;
      }
      let file: string | undefined;
      if (pick.value === "active") {
        file = activeFile ?? undefined;
      } else if (pick.value === "workspace") {
        const found = await vscode.workspace.findFiles("**/{*.log,*iomem*,*dmesg*,*vmcore*,*.json,*.txt}", "**/node_modules/**", 500);
        const f = await vscode.window.showQuickPick(
          found.filter((u) => u.scheme === "file").map((u) => ({ label: path.basename(u.fsPath), description: vscode.workspace.asRelativePath(u), value: u.fsPath })),
          { title: vscode.l10n.t("Memory map file in the workspace"), matchOnDescription: true },
        );
        file = f?.value;
      } else {
        const uris = await vscode.window.showOpenDialog({ canSelectMany: false, title: pick.value === "vmcore" ? vscode.l10n.t("Choose a vmcore") : vscode.l10n.t("Choose a boot log or dmesg file") });
        file = uris?.[0]?.fsPath;
      }
      if (!file) continue;
      const r = loadMapFile(file);
      if (!r.ok) {
        const again = vscode.l10n.t("Choose Another");
        if ((await vscode.window.showWarningMessage(r.problem, again)) === again) continue;
        return undefined;
      }
      return r;
    }
  }

  private async pickImage(): Promise<LoadedImage | null | undefined> {
    type Item = vscode.QuickPickItem & { value: string | null };
    const items: Item[] = [];
    const active = this.editors.activeSession();
    if (active?.session.result().ok && active.uri.scheme === "file") items.push({ label: "$(file-binary) " + path.basename(active.uri.fsPath), description: vscode.l10n.t("open in the image editor"), value: active.uri.fsPath });
    for (const f of bootImages()) items.push({ label: "$(file) " + f, description: vscode.l10n.t("this machine"), value: f });
    items.push({ label: "$(folder-opened) " + vscode.l10n.t("File…"), value: "" });
    items.push({ label: "$(circle-slash) " + vscode.l10n.t("No image (crashkernel= only)"), value: null });
    for (;;) {
      const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t("Target image") });
      if (!pick) return undefined;
      if (pick.value === null) return null;
      let file = pick.value;
      if (file === "") file = (await vscode.window.showOpenDialog({ canSelectMany: false, title: vscode.l10n.t("Choose a bzImage / vmlinuz") }))?.[0]?.fsPath ?? "";
      if (!file) continue;
      if (active && file === active.uri.fsPath) {
        const r = active.session.result();
        if (r.ok) return imageFromBzImage(r.img, file, { kind: "file", path: file }, r.uki);
      }
      const r = loadImageFile(file);
      if (r.ok) return r.loaded;
      await vscode.window.showWarningMessage(vscode.l10n.t("Not a kernel image: {0}", r.problem));
    }
  }

  private async pickFor(what: "memoryMap" | "image"): Promise<PickResult> {
    if (what === "image") {
      const image = await this.pickImage();
      return image === undefined ? null : { image };
    }
    const map = await this.pickMap(false);
    if (!map) return null;
    if (!map.ok) return { map: null, mapProblem: map.problem };
    const d = mapDefaults(map.loaded, await this.machine());
    return { map: map.loaded, mapProblem: null, params: d.params, pagingHow: d.pagingHow, kernelHow: d.kernelHow };
  }

  private show(setup: SimulationSetup, panel?: vscode.WebviewPanel): void {
    // No retainContextWhenHidden: the page keeps its state with getState/setState.
    const p = panel ?? vscode.window.createWebviewPanel(SimulationPanel.viewType, vscode.l10n.t("kexec Simulation"), vscode.ViewColumn.Active, getWebviewOptions(this.context.extensionUri));
    p.webview.options = getWebviewOptions(this.context.extensionUri);
    const session = new SimulationSession(setup, {
      post: (m) => void p.webview.postMessage(m),
      log: (text) => this.log.warn(`simulation panel: ${text}`),
      pick: (what) => this.pickFor(what),
      save: (md) => this.save(md),
    });
    this.current = { panel: p, session };
    const sub = p.webview.onDidReceiveMessage((m: unknown) => session.receive(m));
    p.onDidDispose(() => {
      sub.dispose();
      if (this.current?.panel === p) this.current = null;
    });
    p.webview.html = htmlFor(p.webview, this.context.extensionUri, "simulationPanelMain", "simulationPanel.css", vscode.l10n.t("kexec simulation"));
  }

  private async revive(panel: vscode.WebviewPanel, raw: unknown): Promise<void> {
    const state: SimPanelState | null = raw !== undefined && raw !== null && simPanelStateCheck(raw, "state") === null ? (raw as SimPanelState) : null;
    const facts = await this.machine();
    const map = state?.mapSource ? this.reload(state.mapSource) : loadMachineMap();
    let image: LoadedImage | null = null;
    if (state?.imageSource?.kind === "file") {
      const r = loadImageFile(state.imageSource.path);
      if (r.ok) image = r.loaded;
    }
    this.show(setupFor({ map, image, facts, focus: "kexec", params: state?.params }), panel);
  }

  private reload(src: SourceRef): MapLoad {
    return src.kind === "machine" ? loadMachineMap() : loadMapFile(src.path);
  }

  private async save(markdown: string): Promise<{ ok: boolean; text: string }> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, "kexec-simulation.md") : undefined,
      filters: { Markdown: ["md"] },
      title: vscode.l10n.t("Export the simulation as Markdown"),
    });
    if (!target) return { ok: true, text: "" };
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(markdown));
    const open = vscode.l10n.t("Open");
    void Promise.resolve(vscode.window.showInformationMessage(vscode.l10n.t("Report saved to {0}.", vscode.workspace.asRelativePath(target)), open)).then((r) => {
      if (r === open) void vscode.window.showTextDocument(target);
    });
    return { ok: true, text: vscode.l10n.t("Report saved to {0}.", vscode.workspace.asRelativePath(target)) };
  }
}
