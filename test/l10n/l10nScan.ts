// Scans TypeScript sources with the compiler API for the l10n tests: l10n.t calls and the
// user-facing message calls of the VS Code API.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** TypeScript files under a folder (recursively), or the file itself. */
export function tsFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  for (const name of readdirSync(path)) {
    const p = join(path, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

export function parse(file: string, text = readFileSync(file, 'utf8')): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

function visit(node: ts.Node, fn: (n: ts.Node) => void): void {
  fn(node);
  node.forEachChild((c) => visit(c, fn));
}

/** `l10n.t(...)` or `vscode.l10n.t(...)`. */
export function isL10nCall(node: ts.Node): node is ts.CallExpression {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
  const callee = node.expression;
  if (callee.name.text !== 't') return false;
  const obj = callee.expression;
  return (ts.isIdentifier(obj) && obj.text === 'l10n') || (ts.isPropertyAccessExpression(obj) && obj.name.text === 'l10n');
}

/** A place in a file, for messages. */
export function where(node: ts.Node): string {
  const sf = node.getSourceFile();
  const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
  return `${sf.fileName}:${line + 1}`;
}

/** Every l10n.t call of a file with its first argument. */
export function l10nCalls(sf: ts.SourceFile): { call: ts.CallExpression; first: ts.Expression | undefined }[] {
  const out: { call: ts.CallExpression; first: ts.Expression | undefined }[] = [];
  visit(sf, (n) => {
    if (isL10nCall(n)) out.push({ call: n, first: n.arguments[0] });
  });
  return out;
}

/** The message string of an l10n.t first argument: a literal, or `{ message: literal }`; null otherwise. */
export function literalMessage(first: ts.Expression | undefined): string | null {
  if (!first) return null;
  if (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) return first.text;
  if (ts.isObjectLiteralExpression(first)) {
    for (const p of first.properties) {
      if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'message') return literalMessage(p.initializer);
    }
  }
  return null;
}

const MESSAGE_CALLS = new Set(['showInformationMessage', 'showWarningMessage', 'showErrorMessage']);

/** Does this expression show literal text the user reads (a string or template, not through l10n.t)? */
function literalText(e: ts.Expression): ts.Node | null {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isTemplateExpression(e)) return e;
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) return literalText(e.expression);
  if (ts.isConditionalExpression(e)) return literalText(e.whenTrue) ?? literalText(e.whenFalse);
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.PlusToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken))
    return literalText(e.left) ?? literalText(e.right);
  return null;
}

/** show{Information,Warning,Error}Message calls whose message (first argument) is literal text not wrapped in l10n.t. */
export function unwrappedMessages(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  visit(sf, (n) => {
    if (!ts.isCallExpression(n) || !ts.isPropertyAccessExpression(n.expression) || !MESSAGE_CALLS.has(n.expression.name.text)) return;
    const first = n.arguments[0];
    const bad = first && literalText(first);
    if (bad) out.push(`${where(n)}: ${n.expression.name.text}(${bad.getText().slice(0, 60)})`);
  });
  return out;
}
