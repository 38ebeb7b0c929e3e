// Composition root of the extension: wires adapters together; holds no logic of its own.
import * as vscode from 'vscode';
import { ArtifactEditorProvider } from './adapters/artifactEditor';
import { BundleDiagnostics } from './adapters/bundleDiagnostics';
import { BundlePanel } from './adapters/bundlePanel';
import { RecoverActions } from './adapters/recoverActions';
import { BundleTreeProvider } from './adapters/bundleTree';
import { BundleCommands } from './adapters/commands';
import { registerExportCommand } from './adapters/exportCommand';
import { manifestBuilder } from './adapters/manifest';
import { ScriptLintProvider } from './adapters/scriptLintProvider';
import { INDEX_SETTINGS, readSettings } from './adapters/settings';
import { BundleStatusBar } from './adapters/statusBar';
import { WorkspaceIndexer } from './adapters/workspaceIndexer';
import { bundleFiles } from './core/bundles/diagnosticsModel';
import { InspectPool } from './inspectPool';

/** Called by VS Code when an activation event fires. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Model Bundles', { log: true });
  const own = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  own(log);
  let settings = readSettings();
  if (settings.invalidSeverity.length) log.warn(`modelBundles.diagnostics.severity: ignored invalid entries ${settings.invalidSeverity.join(', ')}`);

  // The index reads local artifacts in worker threads (off the extension host's thread).
  const pool = new InspectPool(vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath);
  own({ dispose: () => pool.dispose() });
  const indexer = own(new WorkspaceIndexer(settings, log, pool));
  const diagnostics = own(new BundleDiagnostics());
  const { provider: tree } = BundleTreeProvider.register();
  own(tree);
  const status = own(BundleStatusBar.register());
  const scripts = own(
    ScriptLintProvider.register(
      () => settings.severity,
      () => settings.scriptLint,
      () => settings.scriptLintWorkspace,
    ),
  );
  const showBundle = (root: string, focusPath?: string): void => BundlePanel.show(context, indexer.index, root, focusPath);
  own(RecoverActions.register(indexer, (root, script) => BundlePanel.recover(context, indexer.index, root, script)));
  own(
    BundleCommands.register({
      indexer,
      showBundle,
      buildManifest: manifestBuilder(indexer.source),
      overrides: () => settings.severity,
      log,
    }),
  );
  own(registerExportCommand(indexer, log));
  own(
    ArtifactEditorProvider.register(showBundle, async (path) => {
      await indexer.whenReady();
      return indexer.index.snapshot().bundles.find((b) => bundleFiles(b).includes(path))?.root ?? null;
    }),
  );

  const setStateContext = (kind: string): void => void vscode.commands.executeCommand('setContext', 'modelBundles.state', kind);
  own(
    indexer.onDidChangeState((s) => {
      setStateContext(s.kind);
      tree.setState(s);
      status.setState(s);
      if (s.kind === 'failed') diagnostics.clear();
    }),
  );
  own(
    indexer.onDidUpdate((snap) => {
      diagnostics.update(snap, settings.severity);
      tree.update(snap, settings.severity);
      status.update(snap, settings.severity);
      BundlePanel.refreshAll(indexer.index);
    }),
  );
  own(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('modelBundles')) return;
      settings = readSettings();
      if (settings.invalidSeverity.length) log.warn(`modelBundles.diagnostics.severity: ignored invalid entries ${settings.invalidSeverity.join(', ')}`);
      const reindex = INDEX_SETTINGS.some((k) => e.affectsConfiguration(k));
      indexer.updateSettings(settings, reindex);
      if (!reindex) {
        const snap = indexer.index.snapshot();
        diagnostics.update(snap, settings.severity);
        tree.update(snap, settings.severity);
        status.update(snap, settings.severity);
      }
      scripts.relintAll();
    }),
  );

  setStateContext('scanning');
  tree.setState(indexer.state);
  status.setState(indexer.state);
  void indexer.whenReady();
  log.info('Model Bundle Inspector activated');
}

/** Nothing to tear down beyond the disposables registered in activate. */
export function deactivate(): void {}
