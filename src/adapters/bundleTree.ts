// The "Model Bundles" tree of the Explorer: each bundle with its four parts (scaler, structure,
// weights/model, log), a status icon per part, the files under them and the problems found.
import * as vscode from 'vscode';
import type { IndexSnapshot } from '../core/bundles/bundleIndex';
import {
  bundleParts,
  countProblems,
  countsLabel,
  effectiveSeverity,
  fileSummary,
  findingLink,
  findingTarget,
  type DiagnosticSeverityName,
  type PartStatus,
  type SeverityOverrides,
} from '../core/bundles/diagnosticsModel';
import { baseName } from '../core/io/fileSource';
import type { Bundle, FileReport, Finding } from '../core/types';
import { Disposable } from './disposable';
import type { IndexState } from './workspaceIndexer';
import { pathToUri } from './vscodeFileSource';

/** Context values the menus of package.json match on. */
export const CONTEXT = {
  bundle: 'modelBundles.bundle',
  part: 'modelBundles.part',
  file: 'modelBundles.file',
  finding: 'modelBundles.finding',
  checkpoints: 'modelBundles.checkpoints',
  message: 'modelBundles.message',
} as const;

const icon = (id: string, color?: string): vscode.ThemeIcon => new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);

const SEVERITY_ICON: Record<DiagnosticSeverityName, vscode.ThemeIcon> = {
  error: icon('error', 'problemsErrorIcon.foreground'),
  warning: icon('warning', 'problemsWarningIcon.foreground'),
  information: icon('info', 'problemsInfoIcon.foreground'),
  hint: icon('lightbulb'),
};

const STATUS_ICON: Record<PartStatus['status'], vscode.ThemeIcon> = {
  ok: icon('pass', 'testing.iconPassed'),
  info: icon('info', 'problemsInfoIcon.foreground'),
  warning: icon('warning', 'problemsWarningIcon.foreground'),
  error: icon('error', 'problemsErrorIcon.foreground'),
  missing: icon('circle-slash', 'problemsErrorIcon.foreground'),
};

const PART_HELP: Record<PartStatus['part'], string> = {
  scaler: 'The fitted preprocessing object (MinMaxScaler, StandardScaler...) saved with joblib or pickle.',
  structure: 'The network architecture: model.to_json(), a Keras 3 config.json, or inside a full model file.',
  weights: 'The trained weights: Keras HDF5, TensorFlow.js shards, or a full model (.h5, .keras, tfjs model.json).',
  log: 'The training history: CSVLogger CSV, history JSON or pickle, TensorBoard event files, a loss plot.',
};

/** A bundle (a folder of artifacts that belong together). */
export class BundleItem extends vscode.TreeItem {
  constructor(
    readonly bundle: Bundle,
    overrides: SeverityOverrides,
    /** Its files are only sniffed so far (quick phase of a scan): no findings yet. */
    readonly pending = false,
  ) {
    const label = vscode.workspace.asRelativePath(pathToUri(bundle.root)) || baseName(bundle.root);
    super(label, vscode.TreeItemCollapsibleState.Collapsed);
    const counts = countProblems(bundle.findings, overrides);
    this.id = `bundle:${bundle.root}`;
    this.contextValue = CONTEXT.bundle;
    this.resourceUri = pathToUri(bundle.root);
    this.description = pending ? 'checking…' : countsLabel(counts) || (bundle.complete ? 'complete' : '');
    this.iconPath = pending ? icon('loading~spin') : counts.errors ? STATUS_ICON.error : counts.warnings ? STATUS_ICON.warning : icon('package');
    const status = pending ? 'Reading its files: problems are shown when they are read.' : bundle.complete ? 'Complete bundle' : 'Incomplete bundle';
    const md = new vscode.MarkdownString(`**${label}**  \n${status}`);
    for (const f of bundle.findings.slice(0, 20)) {
      const s = effectiveSeverity(f.code, f.severity, overrides);
      if (s) md.appendMarkdown(`\n\n$(${SEVERITY_ICON[s].id}) [${f.code}](${findingLink(f.code)}): ${escapeMd(f.message)}`);
    }
    md.supportThemeIcons = true;
    this.tooltip = md;
    this.command = { command: 'modelBundles.openBundleView', title: 'Open Bundle View', arguments: [this] };
  }
}

/** One of the four parts of a bundle. */
export class PartItem extends vscode.TreeItem {
  constructor(
    readonly bundle: Bundle,
    readonly part: PartStatus,
    pending = false,
  ) {
    super(part.label, part.files.length || part.problems.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.id = `part:${bundle.root}:${part.part}`;
    this.contextValue = `${CONTEXT.part}.${part.status}`;
    // While the bundle is checked, a part shows what was found so far, without a verdict.
    this.iconPath = pending ? icon(part.present ? 'circle-outline' : 'loading~spin') : STATUS_ICON[part.status];
    const n = part.files.length;
    const problems = part.problems.length;
    this.description = part.present ? `${n} file${n === 1 ? '' : 's'}${problems ? ` · ${problems} problem${problems === 1 ? '' : 's'}` : ''}` : pending ? 'not found yet' : 'missing';
    const md = new vscode.MarkdownString(`**${part.label}**: ${PART_HELP[part.part]}`);
    for (const { finding } of part.problems) md.appendMarkdown(`\n\n[${finding.code}](${findingLink(finding.code)}): ${escapeMd(finding.message)}`);
    this.tooltip = md;
    if (!pending && (part.status === 'error' || part.status === 'missing')) this.collapsibleState = part.files.length || problems ? vscode.TreeItemCollapsibleState.Expanded : this.collapsibleState;
  }
}

/** A file of a bundle part. */
export class FileItem extends vscode.TreeItem {
  constructor(
    readonly bundle: Bundle,
    readonly path: string,
    report: FileReport | undefined,
  ) {
    super(baseName(path), vscode.TreeItemCollapsibleState.None);
    const uri = pathToUri(path);
    this.id = `file:${bundle.root}:${path}`;
    this.contextValue = CONTEXT.file;
    this.resourceUri = uri;
    this.description = report ? fileSummary(report) : '';
    if (report?.error || (report?.pickle && report.pickle.verdict !== 'safe')) this.iconPath = SEVERITY_ICON.error;
    const lines = [vscode.workspace.asRelativePath(uri), report ? `${report.role} · ${report.format}` : ''];
    if (report?.error) lines.push(report.error.message);
    for (const r of report?.pickle?.refused ?? []) lines.push(`refused ${r.global}: ${r.reason}`);
    for (const s of report?.sideFiles ?? []) lines.push(`side file ${baseName(s.path)}${s.present ? '' : ' (missing)'}`);
    this.tooltip = lines.filter(Boolean).join('\n');
    this.command = { command: 'modelBundles.openBundleView', title: 'Open in Bundle View', arguments: [this] };
  }
}

/** A finding shown under the part it concerns. */
export class FindingItem extends vscode.TreeItem {
  constructor(
    readonly bundle: Bundle,
    readonly finding: Finding,
    severity: DiagnosticSeverityName,
  ) {
    super(firstSentence(finding.message), vscode.TreeItemCollapsibleState.None);
    this.contextValue = CONTEXT.finding;
    this.iconPath = SEVERITY_ICON[severity];
    this.description = finding.code;
    const md = new vscode.MarkdownString(`${escapeMd(finding.message)}\n\n[${finding.code}](${findingLink(finding.code)})`);
    this.tooltip = md;
    const target = findingTarget(finding, bundle);
    if (target) this.command = { command: 'modelBundles.openBundleView', title: 'Open in Bundle View', arguments: [bundle.root, target] };
  }
}

/** Earlier checkpoints of the bundle's model (a ModelCheckpoint series), latest first. */
export class CheckpointsItem extends vscode.TreeItem {
  constructor(readonly bundle: Bundle) {
    const n = bundle.checkpoints?.length ?? 0;
    super('Checkpoints', vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `checkpoints:${bundle.root}`;
    this.contextValue = CONTEXT.checkpoints;
    this.iconPath = icon('history');
    this.description = `${n} earlier`;
    this.tooltip = 'Earlier checkpoints of the model (ModelCheckpoint files): listed, not checked. The bundle is checked against its main model.';
  }
}

/** A plain message (scanning, failure). */
class MessageItem extends vscode.TreeItem {
  constructor(label: string, iconId: string, tooltip?: string) {
    super(label, vscode.TreeItemCollapsibleState.None);
    this.contextValue = CONTEXT.message;
    this.iconPath = icon(iconId);
    this.tooltip = tooltip;
  }
}

/** Any item of the tree. */
export type BundleTreeItem = BundleItem | PartItem | CheckpointsItem | FileItem | FindingItem | MessageItem;

/** Data of the Model Bundles tree. */
export class BundleTreeProvider extends Disposable implements vscode.TreeDataProvider<BundleTreeItem> {
  /** Registers the tree view `modelBundles.tree`. */
  static register(): { provider: BundleTreeProvider; view: vscode.TreeView<BundleTreeItem> } {
    const provider = new BundleTreeProvider();
    const view = vscode.window.createTreeView('modelBundles.tree', { treeDataProvider: provider, showCollapseAll: true });
    provider._register(view);
    provider.view = view;
    return { provider, view };
  }

  private readonly changed = this._register(new vscode.EventEmitter<BundleTreeItem | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private snapshot: IndexSnapshot = { files: [], bundles: [] };
  private reports = new Map<string, FileReport>();
  private overrides: SeverityOverrides = {};
  private state: IndexState = { kind: 'scanning' };
  private view: vscode.TreeView<BundleTreeItem> | null = null;

  /** Shows a new snapshot. */
  update(snapshot: IndexSnapshot, overrides: SeverityOverrides): void {
    this.snapshot = snapshot;
    this.overrides = overrides;
    this.reports = new Map(snapshot.files.map((f) => [f.path, f]));
    if (this.view) {
      const { errors, warnings } = countProblems(snapshot.bundles.flatMap((b) => b.findings), overrides);
      // the view's badge counts what needs attention (errors and warnings)
      this.view.badge = errors + warnings ? { value: errors + warnings, tooltip: `${errors} error(s), ${warnings} warning(s) in model bundles` } : undefined;
    }
    this.changed.fire(undefined);
  }

  /** Shows the index state (scanning / failed) while there is nothing else to show. */
  setState(state: IndexState): void {
    this.state = state;
    this.changed.fire(undefined);
  }

  getTreeItem(item: BundleTreeItem): vscode.TreeItem {
    return item;
  }

  getChildren(item?: BundleTreeItem): BundleTreeItem[] {
    if (!item) {
      if (this.snapshot.bundles.length === 0) {
        // empty: the welcome view (viewsWelcome) explains what a bundle is
        if (this.state.kind === 'failed') return [new MessageItem('Indexing failed', 'error', this.state.message)];
        return [];
      }
      return [...this.snapshot.bundles]
        .sort((a, b) => a.root.localeCompare(b.root))
        .map((b) => new BundleItem(b, this.overrides, this.snapshot.pending?.has(b) ?? false));
    }
    if (item instanceof BundleItem) {
      const parts: BundleTreeItem[] = bundleParts(item.bundle, this.overrides).map((p) => new PartItem(item.bundle, p, item.pending));
      if (item.bundle.checkpoints?.length) parts.push(new CheckpointsItem(item.bundle));
      return parts;
    }
    if (item instanceof CheckpointsItem) return [...(item.bundle.checkpoints ?? [])].reverse().map((p) => new FileItem(item.bundle, p, this.reports.get(p)));
    if (item instanceof PartItem) {
      const problems = item.part.problems.map(({ finding, severity }) => new FindingItem(item.bundle, finding, severity));
      const files = item.part.files.map((p) => new FileItem(item.bundle, p, this.reports.get(p)));
      return [...problems, ...files];
    }
    return [];
  }
}

function firstSentence(s: string): string {
  const m = /^(.{10,160}?[.!?])(\s|$)/.exec(s);
  return m ? m[1] : s.length > 160 ? `${s.slice(0, 157)}…` : s;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-!|<>]/g, (c) => `\\${c}`);
}
