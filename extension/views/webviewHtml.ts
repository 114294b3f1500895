/**
 * The HTML shell of every webview: strict CSP with a per-render nonce, our stylesheet, the
 * toolkit module and one bundle. No data goes into the page here: content arrives as typed
 * messages and is rendered with DOM APIs, so no file-derived string is ever parsed as HTML.
 * vscode-free so the Chromium tests serve exactly this page.
 */
import { randomBytes } from "node:crypto";

export interface WebviewHtmlOptions {
  /** webview.cspSource (the origin that serves asWebviewUri resources). */
  cspSource: string;
  nonce: string;
  /** Already converted with asWebviewUri. */
  scriptUri: string;
  toolkitUri: string;
  styleUri: string;
  title: string;
  /** BCP 47 tag for <html lang>, e.g. vscode.env.language. */
  lang?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString("base64").replace(/[+/=]/g, "");
}

/** For the few attribute values we interpolate (URIs and a title we chose, never file text). */
function attr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} blob:`,
    `font-src ${cspSource}`,
  ].join("; ");
}

export function webviewHtml(o: WebviewHtmlOptions): string {
  if (!/^[A-Za-z0-9]+$/.test(o.nonce)) throw new Error("nonce must be alphanumeric");
  return `<!DOCTYPE html>
<html lang="${attr(o.lang ?? "en")}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${attr(o.title)}</title>
<link rel="stylesheet" href="${attr(o.styleUri)}">
<script type="module" nonce="${o.nonce}" src="${attr(o.toolkitUri)}"></script>
<script defer nonce="${o.nonce}" src="${attr(o.scriptUri)}"></script>
</head>
<body>
<main id="app" aria-live="polite"></main>
</body>
</html>
`;
}
