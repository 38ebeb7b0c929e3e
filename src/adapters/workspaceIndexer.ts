// Keeps the BundleIndex of every workspace folder current: a background scan at start (with a
// progress notification when it takes long), then file-watcher events batched per path
// (src/core/debounce.ts) so a training run rewriting its log every epoch costs one update per pause.
import * as vscode from 'vscode';
import { BundleIndex, type IndexSnapshot } from '../core/bundles/bundleIndex';
import { refreshDriftFindings } from '../core/bundles/versionDrift';
import { ChangeBatcher, type ChangeBatch } from '../core/io/debounce';
import { DEFAULT_EXCLUDED_DIRS } from '../core/formats/inspect';
import { Disposable } from './disposable';
import type { Settings } from './settings';
import type { InspectPool } from '../inspectPool';
import { uriToPath, VscodeFileSource } from './vscodeFileSource';

/** Where the index is: first scan running, ready, or failed (with the reason). */
export type IndexState = { kind: 'scanning' } | { kind: 'ready' } | { kind: 'failed'; message: string };

/** A scan slower than this shows a progress notification (ms). */
const NOTIFY_AFTER_MS = 1500;

/** Owns the index, its scans and the file watchers. */
export class WorkspaceIndexer extends Disposable {
  private _index: BundleIndex;
  private _state: IndexState = { kind: 'scanning' };
  private busy: Promise<unknown> = Promise.resolve();
  private readonly batcher: ChangeBatcher;
  private watchers: vscode.Disposable[] = [];
  private readonly emitter = this._register(new vscode.EventEmitter<IndexSnapshot>());
  private readonly stateEmitter = this._register(new vscode.EventEmitter<IndexState>());
  private firstScan: Promise<void> | null = null;
  /** Files the worker pool has read (logged after each scan). */
  private readInWorkers = 0;

  /** Fires after every scan or update with the new snapshot. */
  readonly onDidUpdate = this.emitter.event;
  /** Fires when the state changes. */
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(
    private settings: Settings,
    private readonly log: vscode.LogOutputChannel,
    private readonly pool: InspectPool | null = null,
    readonly source = new VscodeFileSource(),
  ) {
    super();
    this._index = this.makeIndex();
    this.batcher = new ChangeBatcher((b) => this.applyChanges(b), { onError: (e) => this.log.error(`update failed: ${errorText(e)}`) });
    this._register({ dispose: () => this.batcher.dispose() });
    this._register({ dispose: () => this.disposeWatchers() });
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan('workspace folders changed')));
    this.watch();
  }

  /** The current index (replaced when index settings change). */
  get index(): BundleIndex {
    return this._index;
  }

  /** The current state. */
  get state(): IndexState {
    return this._state;
  }

  /** Resolves when the first scan has finished (successfully or not). */
  whenReady(): Promise<void> {
    return this.firstScan ?? this.rescan('first scan');
  }

  /** Applies new settings: a new index and watchers when include/exclude/size limits changed. */
  updateSettings(settings: Settings, reindex: boolean): void {
    this.settings = settings;
    if (!reindex) return;
    this._index = this.makeIndex();
    this.watch();
    void this.rescan('settings changed');
  }

  /** Full scan of every workspace folder (queued after a running scan or update). */
  rescan(reason: string): Promise<void> {
    const run = this.queue(() => this.scanNow(reason));
    if (!this.firstScan) this.firstScan = run;
    return run;
  }

  /** Re-reads some files (or everything under some folders) now, without waiting for the watcher. */
  async revalidate(paths: string[]): Promise<void> {
    await this.batcher.flushNow();
    await this.queue(async () => {
      const snap = await this.withDrift(await this._index.update(paths, []));
      this.setState({ kind: 'ready' });
      this.emitter.fire(snap);
    });
  }

  private makeIndex(): BundleIndex {
    // sliceMs: the extension host serves every extension: a scan gives the thread back every 25 ms.
    // Files on this machine whose index path is their file path are read by the worker pool.
    const pool = this.pool;
    const source = this.source;
    const inspect = pool
      ? async (path: string, st: { size: number; mtimeMs: number }) => {
          if (source.localPath(path) !== path) throw new Error('not a local path');
          const report = await pool.inspect(path, st);
          this.readInWorkers++;
          return report;
        }
      : undefined;
    return new BundleIndex(this.source, { excludeGlobs: this.settings.exclude, maxEagerBytes: this.settings.maxEagerBytes, sliceMs: 25, inspect });
  }

  private queue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.busy.then(work, work);
    this.busy = next.catch(() => undefined);
    return next;
  }

  private setState(s: IndexState): void {
    this._state = s;
    this.stateEmitter.fire(s);
  }

  private async scanNow(reason: string): Promise<void> {
    const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => uriToPath(f.uri));
    this.setState({ kind: 'scanning' });
    const started = Date.now();
    this.log.info(`scanning ${roots.length} workspace folder(s) (${reason})`);
    // Quick phase first: the tree lists every bundle (as "checking…") within a fraction of the time
    // the deep phase needs to read and validate them; snapshots follow while it runs.
    let progress: ((snap: IndexSnapshot) => void) | null = null;
    const scan = (async () => {
      const quick = await this._index.quickScan(roots, { onProgress: (snap) => this.emitter.fire(snap) });
      this.log.info(`listed ${quick.bundles.length} bundle(s) in ${Date.now() - started} ms; reading ${quick.toRead ?? 0} file(s)`);
      this.emitter.fire(quick);
      return this._index.complete({
        onProgress: (snap) => {
          progress?.(snap);
          this.emitter.fire(snap);
        },
      });
    })();
    let notification: Thenable<unknown> | null = null;
    const timer = setTimeout(() => {
      notification = vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Model Bundles: indexing the workspace…') },
        (p) => {
          let total = 0;
          let last = 0;
          progress = (snap) => {
            const left = snap.toRead ?? 0;
            total = Math.max(total, left);
            const done = total ? ((total - left) / total) * 100 : 0;
            p.report({ message: vscode.l10n.t('{0} file(s) left to read', left), increment: Math.max(0, done - last) });
            last = done;
          };
          return scan.catch(() => undefined);
        },
      );
    }, NOTIFY_AFTER_MS);
    try {
      const snap = await this.withDrift(
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Model Bundles: indexing') }, () => scan),
      );
      this.log.info(
        `indexed ${snap.files.length} artifact file(s) in ${snap.bundles.length} bundle(s) in ${Date.now() - started} ms (${this.readInWorkers} read in worker threads so far)`,
      );
      this.setState({ kind: 'ready' });
      this.emitter.fire(snap);
    } catch (e) {
      this.log.error(`scan failed: ${errorText(e)}`);
      this.setState({ kind: 'failed', message: errorText(e) });
    } finally {
      clearTimeout(timer);
      await Promise.resolve(notification); // set by withProgress above (TS narrows it to null here)
    }
  }

  private async applyChanges(batch: ChangeBatch): Promise<void> {
    await this.queue(async () => {
      if (this._state.kind === 'failed') return;
      const started = Date.now();
      const snap = await this.withDrift(await this._index.update(batch.changed, batch.deleted));
      this.log.debug(`updated ${batch.changed.length} changed, ${batch.deleted.length} deleted in ${Date.now() - started} ms`);
      this.emitter.fire(snap);
    });
  }

  /**
   * Version drift (src/core/bundles/versionDrift.ts): the pins of the workspace folder around each
   * validated bundle against the versions its files record, refreshed in place on every snapshot
   * (the index keeps bundle objects between snapshots).
   */
  private async withDrift(snap: IndexSnapshot): Promise<IndexSnapshot> {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => uriToPath(f.uri));
    const folderOf = (root: string): string =>
      folders.filter((r) => root === r || root.startsWith(r.endsWith('/') ? r : `${r}/`)).sort((a, b) => b.length - a.length)[0] ?? root;
    try {
      await refreshDriftFindings(snap.bundles, snap.files, folderOf, this.source, snap.pending ?? new Set());
    } catch (e) {
      this.log.warn(`version drift not checked: ${errorText(e)}`);
    }
    return snap;
  }

  private watch(): void {
    this.disposeWatchers();
    // Pin files too: a changed requirements.txt re-checks version drift (the index itself ignores them).
    const pins = ['**/requirements*.txt', '**/pyproject.toml', '**/Pipfile.lock', '**/poetry.lock', '**/environment.{yml,yaml}'];
    const patterns = [...this.settings.include, '**/model-bundle.json', ...pins];
    for (const pattern of patterns) {
      const w = vscode.workspace.createFileSystemWatcher(pattern);
      const changed = (uri: vscode.Uri): void => this.onEvent(uri, 'changed');
      this.watchers.push(
        w,
        w.onDidCreate(changed),
        w.onDidChange(changed),
        w.onDidDelete((uri) => this.onEvent(uri, 'deleted')),
      );
    }
    // A deleted, renamed, created or moved-in folder may produce one event for the folder only (not
    // for the files in it): folders are watched too; update() walks a created one. Created files of
    // other kinds also arrive here, and update() drops them by extension without opening them.
    const folders = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    this.watchers.push(
      folders,
      folders.onDidCreate((uri) => this.onEvent(uri, 'changed')),
      folders.onDidDelete((uri) => this.onEvent(uri, 'deleted')),
    );
  }

  private onEvent(uri: vscode.Uri, kind: 'changed' | 'deleted'): void {
    if (uri.path.split('/').some((seg) => DEFAULT_EXCLUDED_DIRS.has(seg))) return;
    if (!vscode.workspace.getWorkspaceFolder(uri)) return;
    this.batcher.add(uriToPath(uri), kind);
  }

  private disposeWatchers(): void {
    for (const w of this.watchers.splice(0)) w.dispose();
  }
}

/** A one-line text of an error. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
