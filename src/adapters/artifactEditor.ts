// Read-only custom editors for model artifacts (.h5, .keras, .joblib, .pkl, tfjs model.json, TensorBoard
// event files): opening one shows the bundle view focused on that file. Nothing is executed.
import * as vscode from 'vscode';
import { dirName } from '../core/io/fileSource';
import { Disposable } from './disposable';
import { uriToPath } from './vscodeFileSource';

/** View types of package.json `customEditors`. */
export const ARTIFACT_EDITOR = 'modelBundles.artifact';
/** tfjs model.json (priority "option": the JSON text editor stays the default). */
export const TFJS_EDITOR = 'modelBundles.tfjsModel';

/** Opens the bundle view of a bundle root, focused on a file. */
export type ShowBundle = (bundleRoot: string, focusPath: string) => void;

/** Finds the bundle root of a file (waiting for the first scan); its folder when no bundle holds it. */
export type FindRoot = (path: string) => Promise<string | null>;

/** The custom editor: a placeholder tab that hands over to the bundle view. */
export class ArtifactEditorProvider extends Disposable implements vscode.CustomReadonlyEditorProvider {
  /** Registers both view types. */
  static register(showBundle: ShowBundle, findRoot: FindRoot): ArtifactEditorProvider {
    const p = new ArtifactEditorProvider(showBundle, findRoot);
    const options = { supportsMultipleEditorsPerDocument: true, webviewOptions: { retainContextWhenHidden: false } };
    p._register(vscode.window.registerCustomEditorProvider(ARTIFACT_EDITOR, p, options));
    p._register(vscode.window.registerCustomEditorProvider(TFJS_EDITOR, p, options));
    return p;
  }

  private constructor(
    private readonly showBundle: ShowBundle,
    private readonly findRoot: FindRoot,
  ) {
    super();
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const path = uriToPath(document.uri);
    // static page, no scripts: only a command link back to the bundle view
    panel.webview.options = { enableScripts: false, enableCommandUris: ['modelBundles.openBundleView'] };
    const args = encodeURIComponent(JSON.stringify([document.uri.toString()]));
    panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none';">
</head><body><p>${escapeHtml(vscode.l10n.t('{0} is shown in the bundle view.', document.uri.path.split('/').pop() ?? ''))}</p>
<p><a href="command:modelBundles.openBundleView?${args}">${escapeHtml(vscode.l10n.t('Open the bundle view'))}</a></p></body></html>`;
    const root = (await this.findRoot(path)) ?? dirName(path);
    this.showBundle(root, path);
    // the bundle view replaces this placeholder tab
    setTimeout(() => panel.dispose(), 0);
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
