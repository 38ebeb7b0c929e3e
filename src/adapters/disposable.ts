// Disposable base class (as in microsoft/vscode-hexeditor): owners register what they create and
// dispose it all at once.
import type * as vscode from 'vscode';

/** Base of every adapter that owns VS Code resources. */
export abstract class Disposable implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  /** Registers a resource to dispose with this object (disposed at once if this one already is). */
  protected _register<T extends vscode.Disposable>(value: T): T {
    if (this.disposed) value.dispose();
    else this.disposables.push(value);
    return value;
  }

  /** True once dispose() ran. */
  protected get isDisposed(): boolean {
    return this.disposed;
  }

  /** Disposes every registered resource, last registered first. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
