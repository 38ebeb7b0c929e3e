// The webview's translations: the host writes its l10n bundle (vscode.l10n.bundle, absent in English)
// into the page as the `data-l10n` attribute of <body> (src/adapters/webviewHtml.ts). Every module
// that shows text imports `l10n` from here, so the bundle is loaded before any module builds a string;
// the strings are then written as `l10n.t('...')`, which @vscode/l10n-dev extracts at build time.
import * as l10n from '@vscode/l10n';

const contents = document.body?.getAttribute('data-l10n');
if (contents) {
  try {
    l10n.config({ contents });
  } catch {
    // an unreadable bundle: the English strings are shown
  }
}

export { l10n };
