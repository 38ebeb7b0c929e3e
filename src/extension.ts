// Composition root of the extension: wires adapters together; holds no logic of its own.
import * as vscode from 'vscode';

/** Called by VS Code when an activation event fires. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Model Bundles', { log: true });
  context.subscriptions.push(log);
  log.info('Model Bundle Inspector activated');
}

/** Nothing to tear down beyond the disposables registered in activate. */
export function deactivate(): void {}
