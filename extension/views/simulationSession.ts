/**
 * One simulation panel and its conversation with the webview, free of the vscode API: the
 * panel plugs in the effects (quick picks, save dialog) and the webview tests plug in fakes.
 * Every SimRun runs the real core (simulationModel.runSimulation) and answers with a SimResult.
 */
import {
  SimMessageType,
  parseSimFromWebview,
  type InputsView,
  type SimFromWebview,
  type SimParams,
  type SimToWebview,
} from "../protocol/simulation";
import { MessageHandler, type Envelope } from "../protocol/image";
import { explanationViews, markdownReport, runSimulation, type LoadedImage, type LoadedMap, type TargetExtras } from "./simulationModel";

/** What the panel shows (InputsView), with the loaded map and image behind their views. */
export type SimulationSetup = Omit<InputsView, "map" | "image"> & {
  map: LoadedMap | null;
  image: LoadedImage | null;
};

/** What a pick changed; null when the user cancelled. */
export type PickResult = { map: LoadedMap | null; mapProblem: string | null; params?: Partial<SimParams>; kernelHow?: string; pagingHow?: string } | { image: LoadedImage | null } | null;

export interface SimulationEffects {
  post(m: Envelope<SimToWebview>): void;
  log(text: string): void;
  pick(what: "memoryMap" | "image"): Promise<PickResult>;
  /** Saves the report; returns the status line. */
  save(markdown: string): Promise<{ ok: boolean; text: string }>;
}

export class SimulationSession {
  readonly handler: MessageHandler<SimToWebview, SimFromWebview>;

  /** The target's UKI facts and file, so the scenario finds what the CLI finds (a UKI, config-<release> beside it). */
  private extras(): TargetExtras {
    const img = this.setup.image;
    if (!img) return {};
    return { uki: img.uki ?? null, imagePath: img.view.source.kind === "file" ? img.view.source.path : undefined };
  }

  constructor(
    private setup: SimulationSetup,
    private readonly fx: SimulationEffects,
  ) {
    this.handler = new MessageHandler<SimToWebview, SimFromWebview>(
      (m) => fx.post(m),
      parseSimFromWebview,
      (m, id) => void this.dispatch(m, id).catch((e: unknown) => fx.log(`error handling ${m.type}: ${String(e)}`)),
      fx.log,
    );
  }

  inputs(): InputsView {
    const s = this.setup;
    return {
      map: s.map?.view ?? null,
      mapProblem: s.mapProblem,
      image: s.image?.view ?? null,
      params: s.params,
      pagingHow: s.pagingHow,
      kernelHow: s.kernelHow,
      kernelVersions: s.kernelVersions,
      kexecToolsVersions: s.kexecToolsVersions,
      explainText: s.explainText,
      focus: s.focus,
    };
  }

  /** A command ran while the panel is open: new inputs, pushed to the page as an event. */
  update(patch: Partial<SimulationSetup>): void {
    this.setup = { ...this.setup, ...patch };
    this.handler.send({ type: SimMessageType.SimInputs, inputs: this.inputs() });
  }

  receive(raw: unknown): boolean {
    return this.handler.receive(raw);
  }

  private async dispatch(m: SimFromWebview, id: number): Promise<void> {
    switch (m.type) {
      case SimMessageType.SimReady:
        this.handler.sendReply(id, { type: SimMessageType.SimInputs, inputs: this.inputs() });
        // The explain text is handed over once; the page keeps it in its own state from then on.
        this.setup = { ...this.setup, explainText: null };
        return;
      case SimMessageType.SimRun: {
        const map = this.setup.map;
        if (!map) return this.done(id, false, this.setup.mapProblem ?? "Choose a memory map first.");
        this.handler.sendReply(id, { type: SimMessageType.SimResult, result: runSimulation(map.map, this.setup.image?.image ?? null, m.params, this.extras()) });
        return;
      }
      case SimMessageType.SimExplain:
        this.handler.sendReply(id, { type: SimMessageType.SimExplanation, items: explanationViews(m.text) });
        return;
      case SimMessageType.SimPick: {
        const r = await this.fx.pick(m.what);
        if (r === null) return this.done(id, true, "");
        if ("image" in r) this.setup = { ...this.setup, image: r.image };
        else {
          this.setup = {
            ...this.setup,
            map: r.map ?? this.setup.map,
            mapProblem: r.mapProblem,
            params: { ...this.setup.params, ...(r.params ?? {}) },
            kernelHow: r.kernelHow ?? this.setup.kernelHow,
            pagingHow: r.pagingHow ?? this.setup.pagingHow,
          };
        }
        this.handler.sendReply(id, { type: SimMessageType.SimInputs, inputs: this.inputs() });
        return;
      }
      case SimMessageType.SimExport: {
        const map = this.setup.map;
        if (!map) return this.done(id, false, "Nothing to export: no memory map.");
        const result = runSimulation(map.map, this.setup.image?.image ?? null, m.params, this.extras());
        const md = markdownReport(this.inputs(), result, m.params, explanationViews(m.explainText));
        const r = await this.fx.save(md);
        return this.done(id, r.ok, r.text);
      }
    }
  }

  private done(id: number, ok: boolean, text: string): void {
    this.handler.sendReply(id, { type: SimMessageType.SimActionDone, ok, text });
  }
}
