import * as vscode from "vscode";
import { makeNonce, webviewHtml } from "../views/webviewHtml";

/** Webviews may load only the built bundles folder: never the workspace, never the whole extension. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, "dist", "webview");
}

export function getWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: [webviewRoot(extensionUri)] };
}

/** The page for one bundle (`dist/webview/<bundle>.js` + `<css>`), with a fresh nonce. */
export function htmlFor(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string, css: string, title: string): string {
  const root = webviewRoot(extensionUri);
  const uri = (f: string): string => webview.asWebviewUri(vscode.Uri.joinPath(root, f)).toString();
  return webviewHtml({
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    scriptUri: uri(`${bundle}.js`),
    toolkitUri: uri("toolkit.min.js"),
    styleUri: uri(css),
    title,
    lang: vscode.env.language,
  });
}
