// Lints open Python files and Jupyter notebooks for fitted scalers that are never saved
// (src/core/scriptLint.ts), and offers the quick fix that saves them after the model. With workspace
// scope, closed .py and .ipynb files are linted from disk too (a closed notebook's warnings sit on its
// JSON lines, without a fix, until it is opened).
import * as vscode from 'vscode';
import { ChangeBatcher } from '../core/io/debounce';
import { describeScriptFindings, DIAGNOSTIC_SOURCE, type SeverityOverrides } from '../core/bundles/diagnosticsModel';
import { DEFAULT_EXCLUDED_DIRS } from '../core/formats/inspect';
import { lintNotebookFile, lintScriptCells, type ScriptFinding } from '../core/lint/scriptLint';
import { toDiagnostic } from './bundleDiagnostics';
import { Disposable } from './disposable';
import { localizedMessage } from './localized';

/** A finding's fix with the documents (cells) its positions refer to. */
interface StoredFix {
  range: vscode.Range;
  finding: ScriptFinding;
  cellUris: vscode.Uri[];
}

/** Largest document linted (a generated script of several MB is not a training script). */
const MAX_CHARS = 2_000_000;
/** Most closed .py files (and, apart, .ipynb files) linted in a workspace. */
const MAX_WORKSPACE_FILES = 5000;
/** Largest closed notebook read: outputs (plots as base64) make notebooks far bigger than their code, which MAX_CHARS bounds. */
const MAX_NOTEBOOK_BYTES = 20_000_000;
/** Folders whose scripts are not the user's (dependencies, virtual environments, caches). */
const EXCLUDED_GLOB = `**/{${[...DEFAULT_EXCLUDED_DIRS, 'env', 'dist-packages', 'build'].join(',')}}/**`;

/** Diagnostics and quick fixes of the training-script lint. */
export class ScriptLintProvider extends Disposable implements vscode.CodeActionProvider {
  /** Registers the provider and its listeners; `workspace()` says whether closed .py and .ipynb files are linted too. */
  static register(getOverrides: () => SeverityOverrides, enabled: () => boolean, workspace: () => boolean): ScriptLintProvider {
    return new ScriptLintProvider(getOverrides, enabled, workspace);
  }

  /** Kinds of code actions offered. */
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  private readonly collection = this._register(vscode.languages.createDiagnosticCollection(`${DIAGNOSTIC_SOURCE}-scripts`));
  private readonly fixes = new Map<string, StoredFix[]>();
  /** Notebook uri of each linted notebook, to clear its cells when it closes. */
  private readonly notebookCells = new Map<string, vscode.Uri[]>();
  private readonly batcher: ChangeBatcher;

  private constructor(
    private readonly getOverrides: () => SeverityOverrides,
    private readonly enabled: () => boolean,
    private readonly workspace: () => boolean,
  ) {
    super();
    this.batcher = new ChangeBatcher((b) => this.lintKeys(b.changed, b.deleted), { delayMs: 300, maxWaitMs: 2000 });
    this._register({ dispose: () => this.batcher.dispose() });
    this._register(
      vscode.languages.registerCodeActionsProvider({ language: 'python' }, this, {
        providedCodeActionKinds: ScriptLintProvider.providedCodeActionKinds,
      }),
    );
    this._register(vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)));
    this._register(
      vscode.workspace.onDidCloseTextDocument((d) => {
        // a closed script keeps its warnings when the whole workspace is linted; a notebook's JSON
        // text document closing (it is read as text too) leaves its file warnings alone
        if (isNotebookFile(d.uri)) return this.scheduleFile(d.uri);
        this.forget(d.uri);
        if (d.languageId === 'python' && d.uri.path.endsWith('.py')) this.scheduleFile(d.uri);
      }),
    );
    const watcher = this._register(vscode.workspace.createFileSystemWatcher('**/*.{py,ipynb}'));
    this._register(watcher.onDidCreate((u) => this.scheduleFile(u)));
    this._register(watcher.onDidChange((u) => this.scheduleFile(u)));
    this._register(watcher.onDidDelete((u) => this.batcher.add(`file:${u.toString()}`, 'deleted')));
    this._register(
      vscode.workspace.onDidOpenNotebookDocument((n) => {
        this.forget(n.uri); // the cells' diagnostics take over from the closed file's
        this.scheduleNotebook(n);
      }),
    );
    this._register(vscode.workspace.onDidChangeNotebookDocument((e) => this.scheduleNotebook(e.notebook)));
    this._register(
      vscode.workspace.onDidCloseNotebookDocument((n) => {
        this.forgetNotebook(n);
        if (isNotebookFile(n.uri)) this.scheduleFile(n.uri); // from disk again, as a closed notebook
      }),
    );
    this.relintAll();
  }

  /** Lints every open script and notebook again, and the workspace's .py and .ipynb files (start, settings changed). */
  relintAll(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d);
    for (const n of vscode.workspace.notebookDocuments) this.scheduleNotebook(n);
    void this.lintWorkspace();
  }

  private async lintWorkspace(): Promise<void> {
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    // closed files' warnings are dropped when the setting turns workspace linting off
    for (const key of [...this.fixes.keys()]) if (!open.has(key) && !this.isNotebookCell(key)) this.forget(vscode.Uri.parse(key));
    if (!this.enabled() || !this.workspace()) return;
    const [scripts, notebooks] = await Promise.all([
      vscode.workspace.findFiles('**/*.py', EXCLUDED_GLOB, MAX_WORKSPACE_FILES),
      vscode.workspace.findFiles('**/*.ipynb', EXCLUDED_GLOB, MAX_WORKSPACE_FILES),
    ]);
    for (const uri of [...scripts, ...notebooks]) this.scheduleFile(uri);
  }

  private isNotebookCell(key: string): boolean {
    for (const cells of this.notebookCells.values()) if (cells.some((c) => c.toString() === key)) return true;
    return false;
  }

  private scheduleFile(uri: vscode.Uri): void {
    if (!this.workspace() || !vscode.workspace.getWorkspaceFolder(uri)) return; // not diff views (git:) or files outside
    if (uri.path.split('/').some((seg) => DEFAULT_EXCLUDED_DIRS.has(seg))) return;
    this.batcher.add(`file:${uri.toString()}`, 'changed');
  }

  /** Lints a .py file from disk unless an editor has it open (then the editor's text is linted); a .ipynb unless it is open as a notebook. */
  private async lintFile(uri: vscode.Uri): Promise<void> {
    const notebook = isNotebookFile(uri);
    const key = uri.toString();
    if (
      notebook ? vscode.workspace.notebookDocuments.some((n) => n.uri.toString() === key) : vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)
    ) {
      if (notebook) this.forget(uri);
      return;
    }
    if (!this.enabled() || !this.workspace()) return this.forget(uri);
    try {
      const st = await vscode.workspace.fs.stat(uri);
      if (st.size > (notebook ? MAX_NOTEBOOK_BYTES : MAX_CHARS)) return this.forget(uri);
      const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
      // the notebook may have been opened while the file was read
      if (notebook && vscode.workspace.notebookDocuments.some((n) => n.uri.toString() === key)) return this.forget(uri);
      this.publish([uri], notebook ? lintNotebookFile(text, { maxCodeChars: MAX_CHARS }) : lintScriptCells([text], { notebook: false }));
    } catch {
      this.forget(uri); // deleted or unreadable meanwhile
    }
  }

  private schedule(doc: vscode.TextDocument): void {
    if (doc.languageId !== 'python' || doc.uri.scheme === 'vscode-notebook-cell') return;
    // files and unsaved buffers, not diff views (git:) or output channels
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled' && !vscode.workspace.getWorkspaceFolder(doc.uri)) return;
    this.batcher.add(`doc:${doc.uri.toString()}`, 'changed');
  }

  private scheduleNotebook(nb: vscode.NotebookDocument): void {
    if (nb.notebookType !== 'jupyter-notebook') return;
    this.batcher.add(`nb:${nb.uri.toString()}`, 'changed');
  }

  private async lintKeys(keys: string[], deleted: string[]): Promise<void> {
    for (const key of deleted) if (key.startsWith('file:')) this.forget(vscode.Uri.parse(key.slice(5)));
    for (const key of keys) {
      if (key.startsWith('file:')) {
        await this.lintFile(vscode.Uri.parse(key.slice(5)));
      } else if (key.startsWith('doc:')) {
        const doc = vscode.workspace.textDocuments.find((d) => `doc:${d.uri.toString()}` === key);
        if (doc) this.lintDocument(doc);
      } else {
        const nb = vscode.workspace.notebookDocuments.find((n) => `nb:${n.uri.toString()}` === key);
        if (nb) this.lintNotebook(nb);
      }
    }
  }

  private lintDocument(doc: vscode.TextDocument): void {
    const text = doc.getText();
    const findings = this.enabled() && text.length <= MAX_CHARS ? lintScriptCells([text], { notebook: false }) : [];
    this.publish([doc.uri], findings);
  }

  private lintNotebook(nb: vscode.NotebookDocument): void {
    this.forget(nb.uri); // a warning of the closed file, published before the notebook opened
    const cells = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === 'python');
    const texts = cells.map((c) => c.document.getText());
    const tooBig = texts.reduce((n, t) => n + t.length, 0) > MAX_CHARS;
    const findings = this.enabled() && !tooBig ? lintScriptCells(texts, { notebook: true }) : [];
    const uris = cells.map((c) => c.document.uri);
    for (const old of this.notebookCells.get(nb.uri.toString()) ?? []) this.forget(old);
    this.notebookCells.set(nb.uri.toString(), uris);
    this.publish(uris, findings);
  }

  /** Sets the diagnostics of each cell (or of the one document) and remembers their fixes. */
  private publish(cellUris: vscode.Uri[], findings: ScriptFinding[]): void {
    const perCell = new Map<number, { diags: vscode.Diagnostic[]; fixes: StoredFix[] }>();
    cellUris.forEach((_, i) => perCell.set(i, { diags: [], fixes: [] }));
    const descriptions = describeScriptFindings('', findings, this.getOverrides(), true);
    for (const desc of descriptions) {
      const finding = findings.find((f) => f.start.cell === desc.cell && f.start.line === desc.range.startLine && f.start.col === desc.range.startCol)!;
      const slot = perCell.get(desc.cell ?? 0);
      if (!slot) continue;
      const diag = toDiagnostic(desc);
      slot.diags.push(diag);
      slot.fixes.push({ range: diag.range, finding, cellUris });
    }
    for (const [i, slot] of perCell) {
      this.collection.set(cellUris[i], slot.diags);
      this.fixes.set(cellUris[i].toString(), slot.fixes);
    }
  }

  private forget(uri: vscode.Uri): void {
    this.collection.delete(uri);
    this.fixes.delete(uri.toString());
  }

  private forgetNotebook(nb: vscode.NotebookDocument): void {
    for (const uri of this.notebookCells.get(nb.uri.toString()) ?? []) this.forget(uri);
    this.notebookCells.delete(nb.uri.toString());
  }

  /** The quick fixes of `unsaved-scaler` diagnostics in the requested range. */
  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const stored = this.fixes.get(document.uri.toString()) ?? [];
    const actions: vscode.CodeAction[] = [];
    for (const diag of context.diagnostics) {
      if (diag.source !== DIAGNOSTIC_SOURCE) continue;
      const s = stored.find((x) => x.range.isEqual(diag.range));
      const fix = s?.finding.fix;
      if (!s || !fix) continue;
      const title = localizedMessage({ message: fix.title, messageTemplate: fix.titleTemplate, messageArgs: fix.titleArgs });
      const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      const edit = new vscode.WorkspaceEdit();
      for (const ins of fix.inserts) {
        const uri = s.cellUris[ins.at.cell];
        if (uri) edit.insert(uri, new vscode.Position(ins.at.line, ins.at.col), ins.text);
      }
      action.edit = edit;
      action.diagnostics = [diag];
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }
}

/** Is this a Jupyter notebook file (linted from disk while closed)? Not one of its cells, whose uris share its path. */
function isNotebookFile(uri: vscode.Uri): boolean {
  return uri.scheme !== 'vscode-notebook-cell' && uri.path.toLowerCase().endsWith('.ipynb');
}
