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
    this.item.name = 'Model Bundles';
    this.item.command = 'modelBundles.tree.focus';
  }

  /** Shows the index state while scanning or after a failure. */
  setState(state: IndexState): void {
    if (state.kind === 'scanning') {
      this.item.text = '$(sync~spin) Model bundles';
      this.item.tooltip = 'Model Bundles: indexing the workspace…';
      this.item.backgroundColor = undefined;
      this.item.show();
    } else if (state.kind === 'failed') {
      this.item.text = '$(package) Model bundles: indexing failed';
      this.item.tooltip = state.message;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.item.show();
    }
  }

  /** Shows the counts of a snapshot (hidden when the workspace holds no bundle). */
  update(snapshot: IndexSnapshot, overrides: SeverityOverrides): void {
    const { errors, warnings, infos } = countProblems(snapshot.bundles.flatMap((b) => b.findings), overrides);
    const n = snapshot.bundles.length;
    const complete = snapshot.bundles.filter((b) => b.complete).length;
    const problems = errors + warnings;
    const left = snapshot.toRead ?? 0;
    this.item.text = left
      ? `$(sync~spin) ${n} bundle${n === 1 ? '' : 's'} · checking`
      : `$(package) ${n} bundle${n === 1 ? '' : 's'} · ${problems} problem${problems === 1 ? '' : 's'}`;
    this.item.tooltip = new vscode.MarkdownString(
      `**Model Bundles**  \n${n} bundle${n === 1 ? '' : 's'} (${complete} complete)${left ? `, ${left} file${left === 1 ? '' : 's'} left to read` : ''}  \n$(error) ${errors} error${errors === 1 ? '' : 's'} · $(warning) ${warnings} warning${warnings === 1 ? '' : 's'} · $(info) ${infos} info  \nClick to show the Model Bundles view.`,
      true,
    );
    this.item.backgroundColor = undefined;
    if (n === 0) this.item.hide();
    else this.item.show();
  }
}
