// Publishes bundle findings in the Problems panel (one collection, replaced per snapshot).
import * as vscode from 'vscode';
import type { IndexSnapshot } from '../core/bundles/bundleIndex';
import {
  describeSnapshot,
  DIAGNOSTIC_SOURCE,
  type DiagnosticDescription,
  type DiagnosticSeverityName,
  type SeverityOverrides,
} from '../core/bundles/diagnosticsModel';
import { Disposable } from './disposable';
import { localizedMessage } from './localized';
import { pathToUri, uriToPath } from './vscodeFileSource';

const SEVERITY: Record<DiagnosticSeverityName, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** A vscode.Diagnostic of a description (code with its documentation link). */
export function toDiagnostic(d: DiagnosticDescription): vscode.Diagnostic {
  const r = d.range;
  const diag = new vscode.Diagnostic(new vscode.Range(r.startLine, r.startCol, r.endLine, r.endCol), localizedMessage(d), SEVERITY[d.severity]);
  diag.source = DIAGNOSTIC_SOURCE;
  diag.code = { value: d.code, target: vscode.Uri.parse(d.link) };
  return diag;
}

/** The Problems-panel entries of the bundle index. */
export class BundleDiagnostics extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE));

  /** Replaces every diagnostic with those of the snapshot; files without findings are cleared. */
  update(snapshot: IndexSnapshot, overrides: SeverityOverrides): void {
    const next = describeSnapshot(snapshot, overrides);
    const stale: vscode.Uri[] = [];
    this.collection.forEach((uri) => {
      if (!next.has(uriToPath(uri))) stale.push(uri);
    });
    for (const uri of stale) this.collection.delete(uri);
    for (const [path, list] of next) this.collection.set(pathToUri(path), list.map(toDiagnostic));
  }

  /** Removes every diagnostic (index failed or workspace closed). */
  clear(): void {
    this.collection.clear();
  }
}
