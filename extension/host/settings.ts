import * as vscode from "vscode";

/** Typed reads of the kexecInspector.* settings, with the same safe defaults as package.json. */
export const settings = {
  maxDecompressedBytes(): number {
    const mb = vscode.workspace.getConfiguration("kexecInspector").get<number>("payload.maxDecompressedMB", 512);
    return Math.max(16, Math.min(4096, Number.isFinite(mb) ? mb : 512)) * 1024 * 1024;
  },
  hoversEnabled(): boolean {
    return vscode.workspace.getConfiguration("kexecInspector").get<boolean>("hover.enabled", true);
  },
};
