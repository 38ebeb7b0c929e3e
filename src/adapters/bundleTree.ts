// The "Model Bundles" tree of the Explorer: each bundle with its four parts (scaler, structure,
// weights/model, log), a status icon per part, the files under them and the problems found.
import * as vscode from 'vscode';
import type { IndexSnapshot } from '../core/bundles/bundleIndex';
import {
  bundleParts,
  countProblems,
  effectiveSeverity,
  fileSummary,
  findingLink,
  findingTarget,
  type DiagnosticSeverityName,
  type PartStatus,
  type ProblemCounts,
  type SeverityOverrides,
} from '../core/bundles/diagnosticsModel';
import { baseName } from '../core/io/fileSource';
import type { Bundle, FileReport, Finding } from '../core/types';
import { Disposable } from './disposable';
import { localizedMessage } from './localized';
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

/** What a part holds (a tooltip), in the display language. */
function partHelp(part: PartStatus['part']): string {
  switch (part) {
    case 'scaler':
      return vscode.l10n.t('The fitted preprocessing object (MinMaxScaler, StandardScaler...) saved with joblib or pickle.');
    case 'structure':
      return vscode.l10n.t('The network architecture: model.to_json(), a Keras 3 config.json, or inside a full model file.');
    case 'weights':
      return vscode.l10n.t('The trained weights: Keras HDF5, TensorFlow.js shards, or a full model (.h5, .keras, tfjs model.json).');
    case 'log':
      return vscode.l10n.t('The training history: CSVLogger CSV, history JSON or pickle, TensorBoard event files, a loss plot.');
  }
}

/** The display name of a part (the core's English label says whether weights are a full model). */
function partLabel(part: PartStatus): string {
  switch (part.part) {
    case 'scaler':
      return vscode.l10n.t('Scaler');
    case 'structure':
      return vscode.l10n.t('Structure');
    case 'weights':
      return part.label === 'Model' ? vscode.l10n.t('Model') : vscode.l10n.t('Weights');
    case 'log':
      return vscode.l10n.t('Training log');
  }
}

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
    this.description = pending ? vscode.l10n.t('checking…') : countsText(counts) || (bundle.complete ? vscode.l10n.t('complete') : '');
    this.iconPath = pending ? icon('loading~spin') : counts.errors ? STATUS_ICON.error : counts.warnings ? STATUS_ICON.warning : icon('package');
    const status = pending
      ? vscode.l10n.t('Reading its files: problems are shown when they are read.')
      : bundle.complete
        ? vscode.l10n.t('Complete bundle')
        : vscode.l10n.t('Incomplete bundle');
    const md = new vscode.MarkdownString(`**${label}**  \n${status}`);
    for (const f of bundle.findings.slice(0, 20)) {
      const s = effectiveSeverity(f.code, f.severity, overrides);
      if (s) md.appendMarkdown(`\n\n$(${SEVERITY_ICON[s].id}) [${f.code}](${findingLink(f.code)}): ${escapeMd(localizedMessage(f))}`);
    }
    md.supportThemeIcons = true;
    this.tooltip = md;
    this.command = { command: 'modelBundles.openBundleView', title: vscode.l10n.t('Open Bundle View'), arguments: [this] };
  }
}

/** One of the four parts of a bundle. */
export class PartItem extends vscode.TreeItem {
  constructor(
    readonly bundle: Bundle,
    readonly part: PartStatus,
    pending = false,
  ) {
    super(partLabel(part), part.files.length || part.problems.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.id = `part:${bundle.root}:${part.part}`;
    this.contextValue = `${CONTEXT.part}.${part.status}`;
    // While the bundle is checked, a part shows what was found so far, without a verdict.
    this.iconPath = pending ? icon(part.present ? 'circle-outline' : 'loading~spin') : STATUS_ICON[part.status];
    const n = part.files.length;
    const problems = part.problems.length;
    const files = n === 1 ? vscode.l10n.t('1 file') : vscode.l10n.t('{0} files', n);
    const withProblems =
      problems === 0 ? files : vscode.l10n.t('{0} · {1}', files, problems === 1 ? vscode.l10n.t('1 problem') : vscode.l10n.t('{0} problems', problems));
    this.description = part.present ? withProblems : pending ? vscode.l10n.t('not found yet') : vscode.l10n.t('missing');
    const md = new vscode.MarkdownString(`**${partLabel(part)}**: ${partHelp(part.part)}`);
    for (const { finding } of part.problems) md.appendMarkdown(`\n\n[${finding.code}](${findingLink(finding.code)}): ${escapeMd(localizedMessage(finding))}`);
    this.tooltip = md;
    if (!pending && (part.status === 'error' || part.status === 'missing'))
      this.collapsibleState = part.files.length || problems ? vscode.TreeItemCollapsibleState.Expanded : this.collapsibleState;
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
    for (const r of report?.pickle?.refused ?? []) lines.push(vscode.l10n.t('refused {0}: {1}', r.global, r.reason));
    for (const s of report?.sideFiles ?? [])
      lines.push(s.present ? vscode.l10n.t('side file {0}', baseName(s.path)) : vscode.l10n.t('side file {0} (missing)', baseName(s.path)));
    this.tooltip = lines.filter(Boolean).join('\n');
    this.command = { command: 'modelBundles.openBundleView', title: vscode.l10n.t('Open in Bundle View'), arguments: [this] };
  }
}

/** A finding shown under the part it concerns. */
export class FindingItem extends vscode.TreeItem {
  constructor(
    readonly bundle: Bundle,
    readonly finding: Finding,
    severity: DiagnosticSeverityName,
  ) {
    const message = localizedMessage(finding);
    super(firstSentence(message), vscode.TreeItemCollapsibleState.None);
    this.contextValue = CONTEXT.finding;
    this.iconPath = SEVERITY_ICON[severity];
    this.description = finding.code;
    const md = new vscode.MarkdownString(`${escapeMd(message)}\n\n[${finding.code}](${findingLink(finding.code)})`);
    this.tooltip = md;
    const target = findingTarget(finding, bundle);
    if (target) this.command = { command: 'modelBundles.openBundleView', title: vscode.l10n.t('Open in Bundle View'), arguments: [bundle.root, target] };
  }
}

/** Earlier checkpoints of the bundle's model (a ModelCheckpoint series), latest first. */
export class CheckpointsItem extends vscode.TreeItem {
  constructor(readonly bundle: Bundle) {
    const n = bundle.checkpoints?.length ?? 0;
    super(vscode.l10n.t('Checkpoints'), vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `checkpoints:${bundle.root}`;
    this.contextValue = CONTEXT.checkpoints;
    this.iconPath = icon('history');
    this.description = vscode.l10n.t('{0} earlier', n);
    this.tooltip = vscode.l10n.t(
      'Earlier checkpoints of the model (ModelCheckpoint files): listed, not checked. The bundle is checked against its main model.',
    );
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
      const { errors, warnings } = countProblems(
        snapshot.bundles.flatMap((b) => b.findings),
        overrides,
      );
      // the view's badge counts what needs attention (errors and warnings)
      this.view.badge =
        errors + warnings ? { value: errors + warnings, tooltip: vscode.l10n.t('{0} error(s), {1} warning(s) in model bundles', errors, warnings) } : undefined;
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
        if (this.state.kind === 'failed') return [new MessageItem(vscode.l10n.t('Indexing failed'), 'error', this.state.message)];
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

/** A bundle's problem counts for its description (`2 errors, 1 warning`), empty when none; as countsLabel of the core, translated. */
function countsText(c: ProblemCounts): string {
  const parts: string[] = [];
  if (c.errors) parts.push(c.errors === 1 ? vscode.l10n.t('1 error') : vscode.l10n.t('{0} errors', c.errors));
  if (c.warnings) parts.push(c.warnings === 1 ? vscode.l10n.t('1 warning') : vscode.l10n.t('{0} warnings', c.warnings));
  if (c.infos) parts.push(vscode.l10n.t('{0} info', c.infos));
  return parts.join(', ');
}

function firstSentence(s: string): string {
  const m = /^(.{10,160}?[.!?])(\s|$)/.exec(s);
  return m ? m[1] : s.length > 160 ? `${s.slice(0, 157)}…` : s;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-!|<>]/g, (c) => `\\${c}`);
}
