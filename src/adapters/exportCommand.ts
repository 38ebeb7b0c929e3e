// "Export Bundle as ONNX…": the core's exporter (core/export) behind a save dialog. Writes only
// where the user chooses; a destination inside the bundle folder needs a second confirmation.
import * as vscode from 'vscode';
import { exportOnnx, type ExportRequest } from '../core/export/exportOnnx';
import { exportFiles, modelName, type ExportLayout } from '../core/export/layout';
import { ReadError } from '../core/io/errors';
import { baseName } from '../core/io/fileSource';
import { TOOL_VERSION } from '../core/report/report';
import { BundleItem, FileItem, PartItem } from './bundleTree';
import type { WorkspaceIndexer } from './workspaceIndexer';
import { pathToUri, uriToPath } from './vscodeFileSource';

export const EXPORT_ONNX_COMMAND = 'modelBundles.exportOnnx';

function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
}

/** The bundle root a command argument names (tree item, Explorer URI), else one the user picks. */
async function bundleRoot(indexer: WorkspaceIndexer, a: unknown): Promise<string | undefined> {
  if (a instanceof BundleItem || a instanceof PartItem || a instanceof FileItem) return a.bundle.root;
  await indexer.whenReady();
  const bundles = indexer.index.snapshot().bundles;
  if (a instanceof vscode.Uri) {
    const p = uriToPath(a);
    const own = bundles.find((b) => b.root === p) ?? bundles.find((b) => isInside(p, b.root));
    return own?.root ?? p;
  }
  if (bundles.length === 1) return bundles[0].root;
  const picked = await vscode.window.showQuickPick(
    bundles.map((b) => ({ label: `$(package) ${vscode.workspace.asRelativePath(pathToUri(b.root))}`, root: b.root })),
    { title: vscode.l10n.t('Export Bundle as ONNX'), placeHolder: vscode.l10n.t('Choose a model bundle') },
  );
  return picked?.root;
}

/** Runs the export; offers to export without preprocessing (recorded in the model) when the bundle has none. */
async function build(req: ExportRequest, indexer: WorkspaceIndexer): Promise<Awaited<ReturnType<typeof exportOnnx>> | undefined> {
  try {
    return await exportOnnx(req, indexer.source);
  } catch (e) {
    if (!(e instanceof ReadError) || e.code !== 'missing-scaler') throw e;
    const bare = vscode.l10n.t('Export Without Preprocessing');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('This bundle has no input scaler.'),
      {
        modal: true,
        detail: vscode.l10n.t(
          'A model exported without its preprocessing gives wrong answers on raw inputs. Export the bare network anyway? Its metadata will say that callers must scale the inputs.',
        ),
      },
      bare,
    );
    return choice === bare ? exportOnnx({ ...req, noScaler: true }, indexer.source) : undefined;
  }
}

/** Registers the command. */
export function registerExportCommand(indexer: WorkspaceIndexer, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(EXPORT_ONNX_COMMAND, async (a: unknown) => {
    try {
      const root = await bundleRoot(indexer, a);
      if (!root) return;
      const layouts: { label: string; detail: string; layout: ExportLayout }[] = [
        { label: vscode.l10n.t('One ONNX file'), detail: vscode.l10n.t('<name>.onnx: raw features in, target units out'), layout: 'plain' },
        {
          label: vscode.l10n.t('Triton model repository'),
          detail: vscode.l10n.t('<name>/1/model.onnx and <name>/config.pbtxt for NVIDIA Triton Inference Server'),
          layout: 'triton',
        },
      ];
      const layout = await vscode.window.showQuickPick(layouts, { title: vscode.l10n.t('Export Bundle as ONNX') });
      if (!layout) return;
      const name = modelName(baseName(root) || 'model');
      const workspace = vscode.workspace.workspaceFolders?.[0]?.uri;
      let outDir: vscode.Uri;
      let fileName: string;
      if (layout.layout === 'plain') {
        const target = await vscode.window.showSaveDialog({
          title: vscode.l10n.t('Export Bundle as ONNX'),
          defaultUri: workspace ? vscode.Uri.joinPath(workspace, `${name}.onnx`) : undefined,
          filters: { ONNX: ['onnx'] },
        });
        if (!target) return;
        outDir = vscode.Uri.joinPath(target, '..');
        fileName = baseName(uriToPath(target));
      } else {
        const picked = await vscode.window.showOpenDialog({
          title: vscode.l10n.t('Triton model repository folder'),
          canSelectFolders: true,
          canSelectFiles: false,
          openLabel: vscode.l10n.t('Export Here'),
          defaultUri: workspace,
        });
        if (!picked?.[0]) return;
        outDir = picked[0];
        fileName = name;
      }
      if (isInside(uriToPath(outDir), root)) {
        const write = vscode.l10n.t('Write Into the Bundle');
        const ok = await vscode.window.showWarningMessage(
          vscode.l10n.t('The destination is inside the bundle folder.'),
          { modal: true, detail: vscode.l10n.t('The export would add files to the bundle it was made from. Write there anyway?') },
          write,
        );
        if (ok !== write) return;
      }
      const result = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Model Bundles: exporting {0}…', vscode.workspace.asRelativePath(pathToUri(root))),
        },
        () => build({ target: root, toolVersion: TOOL_VERSION }, indexer),
      );
      if (!result) return;
      const files = layout.layout === 'plain' ? [{ path: fileName, bytes: result.onnx }] : exportFiles(result, fileName, 'triton');
      for (const f of files) await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(outDir, ...f.path.split('/')), f.bytes);
      const steps = result.scalers.map((s) => s.class).join(' → ') || vscode.l10n.t('none');
      log.info(`exported ${root} to ${files.map((f) => f.path).join(', ')} in ${uriToPath(outDir)}`);
      void vscode.window.showInformationMessage(
        vscode.l10n.t(
          'Model Bundles: wrote {0} (preprocessing: {1}; target scaler: {2}).',
          files.map((f) => f.path).join(', '),
          steps,
          result.targetScaler?.class ?? vscode.l10n.t('none'),
        ),
      );
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log.error(`${EXPORT_ONNX_COMMAND}: ${msg}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Model Bundles: export failed: {0}', msg));
    }
  });
}
