// The one function that writes webview HTML, with its Content Security Policy.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** What a webview page loads: its script bundle and style sheets under the extension folder. */
export interface WebviewPage {
  title: string;
  /** Path segments under the extension root of the script bundle, e.g. ['dist', 'webview.js']. */
  script: string[];
  /** Style sheets, each as path segments under the extension root. */
  styles: string[][];
}

/** HTML of a webview page: strict CSP, the script by nonce, styles from the extension only. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(18).toString('base64');
  const src = webview.cspSource;
  const csp = [
    "default-src 'none'", // nothing unless listed below
    `script-src 'nonce-${nonce}'`, // only our bundle, by nonce: no inline handlers, no eval
    `style-src ${src}`, // our CSS files; web components use constructable style sheets (adoptedStyleSheets), which CSP allows
    `img-src ${src}`, // saved plots (loss.png) of the bundle, through asWebviewUri
    `font-src ${src}`, // fonts from the extension, if a stylesheet names any
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const uri = (segments: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
  const links = page.styles.map((s) => `<link rel="stylesheet" href="${attr(uri(s))}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="${attr(vscode.env.language)}">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${links}
    <title>${text(page.title)}</title>
  </head>
  <body${l10nBundle()}>
    <div id="root" role="application" aria-busy="true">${text(vscode.l10n.t('Loading…'))}</div>
    <script nonce="${attr(nonce)}" src="${attr(uri(page.script))}"></script>
  </body>
</html>`;
}

/** The `data-l10n` attribute with the display language's bundle (webview/l10n.ts reads it); none in English. */
function l10nBundle(): string {
  const bundle = vscode.l10n.bundle;
  return bundle ? ` data-l10n="${attr(JSON.stringify(bundle))}"` : '';
}

function text(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
