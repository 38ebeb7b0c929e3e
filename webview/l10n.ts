// The webview's translations: the host writes its l10n bundle (vscode.l10n.bundle, absent in English)
// into the page as the `data-l10n` attribute of <body> (src/adapters/webviewHtml.ts). Every module
// that shows text imports this one (`import './l10n'`) beside `import * as l10n from '@vscode/l10n'`,
// so the bundle is loaded before any module builds a string; the strings are written as
// `l10n.t('...')` with l10n imported from '@vscode/l10n', the form @vscode/l10n-dev extracts.
import * as l10n from '@vscode/l10n';

const contents = document.body?.getAttribute('data-l10n');
if (contents) {
  try {
    l10n.config({ contents });
  } catch {
    // an unreadable bundle: the English strings are shown
  }
}
