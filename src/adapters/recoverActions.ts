// "Recover scaler from training data…": a code action on the `missing-scaler` bundle diagnostic and
// on the `unsaved-scaler` script lint, and the command they run (opens the bundle view's form).
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE } from '../core/bundles/diagnosticsModel';
import { bundleFiles } from '../core/bundles/diagnosticsModel';
import { dirName } from '../core/io/fileSource';
import { Disposable } from './disposable';
import type { WorkspaceIndexer } from './workspaceIndexer';
import { uriToPath } from './vscodeFileSource';

export const RECOVER_COMMAND = 'modelBundles.recoverScaler';

function codeOf(d: vscode.Diagnostic): string | null {
  const c = d.code;
  if (typeof c === 'string' || typeof c === 'number') return String(c);
  return c ? String(c.value) : null;
}

/** The file path of a document (a notebook cell's notebook). */
function documentPath(uri: vscode.Uri): string {
  return uri.scheme === 'vscode-notebook-cell' ? uriToPath(vscode.Uri.file(uri.path)) : uriToPath(uri);
}

export class RecoverActions extends Disposable implements vscode.CodeActionProvider {
  static register(indexer: WorkspaceIndexer, open: (root: string, script?: string) => void): RecoverActions {
    return new RecoverActions(indexer, open);
  }

  private constructor(
    private readonly indexer: WorkspaceIndexer,
    private readonly open: (root: string, script?: string) => void,
  ) {
    super();
    this._register(
      vscode.languages.registerCodeActionsProvider(
        [{ scheme: 'file' }, { scheme: 'vscode-notebook-cell' }, { scheme: 'vscode-remote' }, { scheme: 'vscode-vfs' }],
        this,
        {
          providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
        },
      ),
    );
    this._register(vscode.commands.registerCommand(RECOVER_COMMAND, (root?: unknown, script?: unknown) => this.run(root, script)));
  }

  /** The bundle a file belongs to (its root), or the bundle nearest to a script's folder. */
  private rootFor(path: string, script: boolean): string {
    const bundles = this.indexer.index.snapshot().bundles;
    const own = bundles.find((b) => b.root === path || bundleFiles(b).includes(path));
    if (own) return own.root;
    const dir = dirName(path);
    const near = bundles.filter((b) => b.findings.some((f) => f.code === 'missing-scaler') && (b.root === dir || b.root.startsWith(`${dir}/`)));
    return script && near.length ? near.sort((a, b) => a.root.length - b.root.length)[0].root : dir;
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      const code = codeOf(d);
      if (code !== 'missing-scaler' && code !== 'unsaved-scaler') continue;
      const path = documentPath(document.uri);
      const isScript = code === 'unsaved-scaler';
      const action = new vscode.CodeAction(vscode.l10n.t('Recover scaler from training data…'), vscode.CodeActionKind.QuickFix);
      action.command = { command: RECOVER_COMMAND, title: action.title, arguments: [this.rootFor(path, isScript), isScript ? path : undefined] };
      action.diagnostics = [d];
      out.push(action);
    }
    return out;
  }

  private async run(arg: unknown, script: unknown): Promise<void> {
    // From the Bundles tree: a BundleItem (its bundle's root); from a code action: the root path.
    const item = arg as { bundle?: { root?: unknown } } | undefined;
    const root = typeof arg === 'string' ? arg : typeof item?.bundle?.root === 'string' ? item.bundle.root : null;
    if (root) {
      this.open(root, typeof script === 'string' && script ? script : undefined);
      return;
    }
    // From the palette: a bundle that misses its scaler (the active script's bundle first).
    const active = vscode.window.activeTextEditor?.document;
    const missing = this.indexer.index.snapshot().bundles.filter((b) => b.findings.some((f) => f.code === 'missing-scaler'));
    if (active && /\.(py|ipynb)$/i.test(active.uri.path)) {
      const p = documentPath(active.uri);
      this.open(this.rootFor(p, true), p);
      return;
    }
    if (!missing.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No bundle misses its scaler.'));
      return;
    }
    const pick =
      missing.length === 1
        ? missing[0].root
        : await vscode.window.showQuickPick(
            missing.map((b) => b.root),
            { placeHolder: vscode.l10n.t('Bundle whose scaler to recover') },
          );
    if (pick) this.open(pick);
  }
}
