// Status bar item: "$(package) N bundles · M problems"; a click focuses the Model Bundles tree.
import * as vscode from 'vscode';
import type { IndexSnapshot } from '../core/bundles/bundleIndex';
import { countProblems, type SeverityOverrides } from '../core/bundles/diagnosticsModel';
import { Disposable } from './disposable';
import type { IndexState } from './workspaceIndexer';

/** The bundle count and problem count in the status bar. */
export class BundleStatusBar extends Disposable {
  /** Creates the item (hidden until there is something to show). */
  static register(): BundleStatusBar {
    return new BundleStatusBar();
  }

  private readonly item = this._register(vscode.window.createStatusBarItem('modelBundles.status', vscode.StatusBarAlignment.Left, 50));

  private constructor() {
    super();
    this.item.name = vscode.l10n.t('Model Bundles');
    this.item.command = 'modelBundles.tree.focus';
  }

  /** Shows the index state while scanning or after a failure. */
  setState(state: IndexState): void {
    if (state.kind === 'scanning') {
      this.item.text = `$(sync~spin) ${vscode.l10n.t('Model bundles')}`;
      this.item.tooltip = vscode.l10n.t('Model Bundles: indexing the workspace…');
      this.item.backgroundColor = undefined;
      this.item.show();
    } else if (state.kind === 'failed') {
      this.item.text = `$(package) ${vscode.l10n.t('Model bundles: indexing failed')}`;
      this.item.tooltip = state.message;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.item.show();
    }
  }

  /** Shows the counts of a snapshot (hidden when the workspace holds no bundle). */
  update(snapshot: IndexSnapshot, overrides: SeverityOverrides): void {
    const { errors, warnings, infos } = countProblems(
      snapshot.bundles.flatMap((b) => b.findings),
      overrides,
    );
    const n = snapshot.bundles.length;
    const complete = snapshot.bundles.filter((b) => b.complete).length;
    const problems = errors + warnings;
    const left = snapshot.toRead ?? 0;
    const bundles = n === 1 ? vscode.l10n.t('1 bundle') : vscode.l10n.t('{0} bundles', n);
    this.item.text = left
      ? `$(sync~spin) ${vscode.l10n.t('{0} · checking', bundles)}`
      : `$(package) ${vscode.l10n.t('{0} · {1}', bundles, problems === 1 ? vscode.l10n.t('1 problem') : vscode.l10n.t('{0} problems', problems))}`;
    const counts = [
      `$(error) ${errors === 1 ? vscode.l10n.t('1 error') : vscode.l10n.t('{0} errors', errors)}`,
      `$(warning) ${warnings === 1 ? vscode.l10n.t('1 warning') : vscode.l10n.t('{0} warnings', warnings)}`,
      `$(info) ${vscode.l10n.t('{0} info', infos)}`,
    ].join(' · ');
    const bundleLine = left
      ? vscode.l10n.t('{0} ({1} complete), {2} left to read', bundles, complete, left === 1 ? vscode.l10n.t('1 file') : vscode.l10n.t('{0} files', left))
      : vscode.l10n.t('{0} ({1} complete)', bundles, complete);
    this.item.tooltip = new vscode.MarkdownString(
      `**${vscode.l10n.t('Model Bundles')}**  \n${bundleLine}  \n${counts}  \n${vscode.l10n.t('Click to show the Model Bundles view.')}`,
      true,
    );
    this.item.backgroundColor = undefined;
    if (n === 0) this.item.hide();
    else this.item.show();
  }
}
