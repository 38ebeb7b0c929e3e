// The `modelBundles.*` commands (palette, Explorer context menus, tree inline actions) and the
// read-only report documents of `Inspect Model Artifact`.
import * as vscode from 'vscode';
import type { IndexSnapshot } from '../core/bundles/bundleIndex';
import { bundleFiles, countProblems, findingLink, type SeverityOverrides } from '../core/bundles/diagnosticsModel';
import { dirName } from '../core/io/fileSource';
import { withoutTemplates } from '../core/io/messageTemplate';
import { inspectFile } from '../core/formats/inspect';
import type { Bundle, FileReport } from '../core/types';
import { BundleItem, FileItem, FindingItem, PartItem } from './bundleTree';
import { Disposable } from './disposable';
import { errorText, type WorkspaceIndexer } from './workspaceIndexer';
import { pathToUri, uriToPath } from './vscodeFileSource';

/** What the commands need from the rest of the extension. */
export interface CommandDeps {
  indexer: WorkspaceIndexer;
  /** Opens the bundle view (BundlePanel.show). */
  showBundle(bundleRoot: string, focusPath?: string): void;
  /** Builds the manifest text of a bundle (model-bundle.json); null when this build has no manifest builder. */
  buildManifest: ((bundle: Bundle) => Promise<string>) | null;
  overrides(): SeverityOverrides;
  log: vscode.LogOutputChannel;
}

/** Scheme of the read-only report documents. */
export const REPORT_SCHEME = 'model-bundles-report';

/** A bundle root and optionally one file in it, as named by a command argument. */
interface Target {
  root?: string;
  path?: string;
  /** A folder the user pointed at (Explorer), when it is not itself a bundle root. */
  folder?: string;
}

/** Registers every command; disposing unregisters them. */
export class BundleCommands extends Disposable implements vscode.TextDocumentContentProvider {
  /** Registers the commands and the report document provider. */
  static register(deps: CommandDeps): BundleCommands {
    return new BundleCommands(deps);
  }

  private readonly reportChanged = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.reportChanged.event;

  private constructor(private readonly deps: CommandDeps) {
    super();
    const reg = (id: string, fn: (...args: unknown[]) => unknown): void => {
      this._register(
        vscode.commands.registerCommand(id, async (...args: unknown[]) => {
          try {
            await fn(...args);
          } catch (e) {
            deps.log.error(`${id}: ${errorText(e)}`);
            void vscode.window.showErrorMessage(vscode.l10n.t('Model Bundles: {0}', errorText(e)));
          }
        }),
      );
    };
    reg('modelBundles.openBundleView', (a, b) => this.openBundleView(a, b));
    reg('modelBundles.inspectFile', (a) => this.inspect(a));
    reg('modelBundles.validateWorkspace', () => this.validateWorkspace());
    reg('modelBundles.writeManifest', (a, b) => this.writeManifest(a, b));
    reg('modelBundles.copyCheckCommand', (a, b) => this.copyCheckCommand(a, b));
    reg('modelBundles.refresh', () => deps.indexer.rescan('refresh command'));
    reg('modelBundles.revalidate', (a, b) => this.revalidate(a, b));
    reg('modelBundles.revealFile', (a) => this.revealFile(a));
    reg('modelBundles.openFindingDocs', (a) => this.openFindingDocs(a));
    this._register(vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this));
  }

  private snapshot(): IndexSnapshot {
    return this.deps.indexer.index.snapshot();
  }

  /** Bundles whose root is `path` or that hold the file `path`. */
  private bundlesOf(path: string): Bundle[] {
    return this.snapshot().bundles.filter((b) => b.root === path || bundleFiles(b).includes(path));
  }

  /** Understands tree items, Explorer URIs, `(root, path)` strings and the active editor. */
  private async target(a: unknown, b: unknown): Promise<Target> {
    if (a instanceof BundleItem || a instanceof PartItem) return { root: a.bundle.root };
    if (a instanceof FileItem) return { root: a.bundle.root, path: a.path };
    if (a instanceof FindingItem) return { root: a.bundle.root, path: a.finding.path ?? undefined };
    if (typeof a === 'string' && typeof b === 'string') return { root: a, path: b };
    let uri: vscode.Uri | undefined;
    if (a instanceof vscode.Uri) uri = a;
    else if (typeof a === 'string') uri = /^[a-z][\w+.-]+:/i.test(a) ? vscode.Uri.parse(a) : pathToUri(a);
    else uri = activeUri();
    // a report document stands for the file it reports on; other virtual documents for nothing
    if (uri?.scheme === REPORT_SCHEME) uri = pathToUri(decodeURIComponent(uri.query));
    if (uri && uri.scheme !== 'file' && !vscode.workspace.getWorkspaceFolder(uri)) uri = undefined;
    if (!uri) return {};
    await this.deps.indexer.whenReady();
    const path = uriToPath(uri);
    const own = this.bundlesOf(path)[0];
    if (own) return own.root === path ? { root: path } : { root: own.root, path };
    const stat = await this.deps.indexer.source.stat(path);
    if (stat?.isDirectory) return { folder: path };
    return { path, folder: dirName(path) };
  }

  /** Asks which bundle when a folder (or the workspace) holds several. */
  private async pickBundle(under: string | null, purpose: string): Promise<Bundle | undefined> {
    await this.deps.indexer.whenReady();
    const all = this.snapshot().bundles.filter((b) => under === null || b.root === under || b.root.startsWith(under.endsWith('/') ? under : `${under}/`));
    if (all.length <= 1) return all[0];
    const overrides = this.deps.overrides();
    const items = all.map((b) => {
      const c = countProblems(b.findings, overrides);
      return {
        label: `$(package) ${vscode.workspace.asRelativePath(pathToUri(b.root))}`,
        description: b.complete ? vscode.l10n.t('complete') : vscode.l10n.t('incomplete'),
        detail: vscode.l10n.t('{0} error(s), {1} warning(s)', c.errors, c.warnings),
        bundle: b,
      };
    });
    return (await vscode.window.showQuickPick(items, { title: purpose, placeHolder: vscode.l10n.t('Choose a model bundle') }))?.bundle;
  }

  private async openBundleView(a: unknown, b: unknown): Promise<void> {
    const t = await this.target(a, b);
    if (t.root) return this.deps.showBundle(t.root, t.path);
    const picked = await this.pickBundle(t.folder ?? null, vscode.l10n.t('Open Bundle View'));
    if (picked) return this.deps.showBundle(picked.root, t.path);
    // a lone artifact (or a folder without bundles): its folder is shown as a loose bundle
    if (t.path || t.folder) return this.deps.showBundle(t.folder ?? dirName(t.path!), t.path);
    void vscode.window.showInformationMessage(vscode.l10n.t('Model Bundles: no model bundle found in this workspace.'));
  }

  private async inspect(a: unknown): Promise<void> {
    const t = await this.target(a, undefined);
    let path = t.path;
    if (!path) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: vscode.l10n.t('Inspect'),
        title: vscode.l10n.t('Inspect Model Artifact'),
      });
      if (!picked?.[0]) return;
      path = uriToPath(picked[0]);
    }
    const name = path.split('/').pop() ?? 'report';
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${name}.report.json`, query: encodeURIComponent(path) });
    this.reportChanged.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  /** The JSON report of the file named in a report URI's query (always read fresh). */
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const path = decodeURIComponent(uri.query);
    const report: FileReport = await inspectFile(path, this.deps.indexer.source);
    const bundles = this.bundlesOf(path);
    return `${JSON.stringify({ file: report, bundles }, withoutTemplates, 2)}\n`;
  }

  private async validateWorkspace(): Promise<void> {
    await this.deps.indexer.rescan('validate command');
    const st = this.deps.indexer.state;
    if (st.kind === 'failed') throw new Error(vscode.l10n.t('indexing failed: {0}', st.message));
    const snap = this.snapshot();
    const overrides = this.deps.overrides();
    const { errors, warnings } = countProblems(
      snap.bundles.flatMap((b) => b.findings),
      overrides,
    );
    const complete = snap.bundles.filter((b) => b.complete).length;
    const text = vscode.l10n.t('Model Bundles: {0} bundle(s), {1} complete; {2} error(s), {3} warning(s).', snap.bundles.length, complete, errors, warnings);
    const show = errors + warnings > 0 ? vscode.l10n.t('Show Problems') : undefined;
    const choice = await (errors > 0
      ? vscode.window.showWarningMessage(text, ...(show ? [show] : []))
      : vscode.window.showInformationMessage(text, ...(show ? [show] : [])));
    if (choice === show && show) await vscode.commands.executeCommand('workbench.actions.view.problems');
  }

  private async writeManifest(a: unknown, b: unknown): Promise<void> {
    const t = await this.target(a, b);
    const bundle = t.root
      ? this.snapshot().bundles.find((x) => x.root === t.root)
      : await this.pickBundle(t.folder ?? null, vscode.l10n.t('Write Bundle Manifest'));
    if (!bundle) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Model Bundles: choose a bundle (a folder with model artifacts) to write its manifest.'));
      return;
    }
    const build = this.deps.buildManifest;
    if (!build) throw new Error(vscode.l10n.t('writing manifests is not available in this build'));
    const target = vscode.Uri.joinPath(pathToUri(bundle.root), 'model-bundle.json');
    const exists = (await this.deps.indexer.source.stat(uriToPath(target))) !== null;
    const rel = vscode.workspace.asRelativePath(target);
    const ok = await vscode.window.showWarningMessage(
      exists ? vscode.l10n.t('Overwrite {0}?', rel) : vscode.l10n.t('Write {0}?', rel),
      {
        modal: true,
        detail: vscode.l10n.t(
          'The manifest lists the role of each file of the bundle (and its SHA-256), so tools stop guessing. It is the only file this extension writes, and only when asked.',
        ),
      },
      exists ? vscode.l10n.t('Overwrite') : vscode.l10n.t('Write'),
    );
    if (!ok) return;
    const text = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Model Bundles: hashing the files of {0}…', rel) },
      () => build(bundle),
    );
    // the one write of the extension, on the user's explicit request
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    await this.deps.indexer.revalidate([uriToPath(target)]);
    const open = await vscode.window.showInformationMessage(vscode.l10n.t('Model Bundles: wrote {0}.', rel), vscode.l10n.t('Open'));
    if (open) await vscode.window.showTextDocument(target);
  }

  private async copyCheckCommand(a: unknown, b: unknown): Promise<void> {
    const t = await this.target(a, b);
    const folder = t.root ?? t.folder ?? (vscode.workspace.workspaceFolders?.[0] ? uriToPath(vscode.workspace.workspaceFolders[0].uri) : null);
    if (!folder) return;
    const uri = pathToUri(folder);
    const ws = vscode.workspace.getWorkspaceFolder(uri);
    const rel = !ws ? (uri.scheme === 'file' ? uri.fsPath : folder) : uriToPath(ws.uri) === folder ? '.' : vscode.workspace.asRelativePath(uri, false);
    const cmd = `npx model-bundles check ${shellQuote(rel)}`;
    await vscode.env.clipboard.writeText(cmd);
    void vscode.window.showInformationMessage(vscode.l10n.t('Copied: {0}', cmd));
  }

  private async revalidate(a: unknown, b: unknown): Promise<void> {
    const t = await this.target(a, b);
    const bundle = t.root ? this.snapshot().bundles.find((x) => x.root === t.root) : undefined;
    const paths = bundle ? bundleFiles(bundle) : t.path ? [t.path] : [];
    if (paths.length === 0) return this.deps.indexer.rescan('re-validate command');
    await this.deps.indexer.revalidate(paths);
  }

  private async revealFile(a: unknown): Promise<void> {
    const t = await this.target(a, undefined);
    const p = t.path ?? t.root ?? t.folder;
    if (p) await vscode.commands.executeCommand('revealInExplorer', pathToUri(p));
  }

  private async openFindingDocs(a: unknown): Promise<void> {
    const code = a instanceof FindingItem ? a.finding.code : typeof a === 'string' ? a : undefined;
    if (code) await vscode.env.openExternal(vscode.Uri.parse(findingLink(code)));
  }
}

/** The URI of the active editor or custom-editor tab. */
function activeUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}

/** Quotes a path for POSIX shells and PowerShell alike when it needs it. */
function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}
