// Lints open Python files and Jupyter notebooks for fitted scalers that are never saved
// (src/core/scriptLint.ts), and offers the quick fix that saves them after the model.
import * as vscode from 'vscode';
import { ChangeBatcher } from '../core/debounce';
import { describeScriptFindings, DIAGNOSTIC_SOURCE, type SeverityOverrides } from '../core/diagnosticsModel';
import { lintScriptCells, type ScriptFinding } from '../core/scriptLint';
import { toDiagnostic } from './bundleDiagnostics';
import { Disposable } from './disposable';

/** A finding's fix with the documents (cells) its positions refer to. */
interface StoredFix {
  range: vscode.Range;
  finding: ScriptFinding;
  cellUris: vscode.Uri[];
}

/** Largest document linted (a generated script of several MB is not a training script). */
const MAX_CHARS = 2_000_000;

/** Diagnostics and quick fixes of the training-script lint. */
export class ScriptLintProvider extends Disposable implements vscode.CodeActionProvider {
  /** Registers the provider and its listeners. */
  static register(getOverrides: () => SeverityOverrides, enabled: () => boolean): ScriptLintProvider {
    return new ScriptLintProvider(getOverrides, enabled);
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
  ) {
    super();
    this.batcher = new ChangeBatcher((b) => this.lintKeys(b.changed), { delayMs: 300, maxWaitMs: 2000 });
    this._register({ dispose: () => this.batcher.dispose() });
    this._register(
      vscode.languages.registerCodeActionsProvider({ language: 'python' }, this, {
        providedCodeActionKinds: ScriptLintProvider.providedCodeActionKinds,
      }),
    );
    this._register(vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)));
    this._register(vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)));
    this._register(vscode.workspace.onDidOpenNotebookDocument((n) => this.scheduleNotebook(n)));
    this._register(vscode.workspace.onDidChangeNotebookDocument((e) => this.scheduleNotebook(e.notebook)));
    this._register(vscode.workspace.onDidCloseNotebookDocument((n) => this.forgetNotebook(n)));
    this.relintAll();
  }

  /** Lints every open script and notebook again (settings changed). */
  relintAll(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d);
    for (const n of vscode.workspace.notebookDocuments) this.scheduleNotebook(n);
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

  private lintKeys(keys: string[]): void {
    for (const key of keys) {
      if (key.startsWith('doc:')) {
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
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
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
