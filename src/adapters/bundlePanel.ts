// The bundle view panel (extension host side): one webview panel per bundle root, shown again rather
// than opened twice; it loads full log data, builds view models (src/core/viewModel.ts) and answers
// the webview's validated messages (export, PNG save, open file).
import * as vscode from 'vscode';
import type { BundleIndex } from '../core/bundles/bundleIndex';
import { readCsvLogData } from '../core/formats/logs/csvLog';
import { baseName, dirName, type FileSource } from '../core/io/fileSource';
import { readHistoryJsonBytes } from '../core/formats/logs/historyJson';
import { historyFromPyValue } from '../core/formats/pickle/historyPickle';
import { loadPickleBytes } from '../core/formats/pickle/joblib';
import { readTfeventsFile, TfeventsError } from '../core/formats/logs/tfevents';
import type { Bundle, FileReport, LogData } from '../core/types';
import { buildBundleViewModel, exportChart, type LoadedLog } from '../core/report/viewModel';
import { assertNever, DEFAULT_CURVE_OPTIONS, pngBytesFromDataUrl, validateWebviewMessage, type HostToWebview, type WebviewToHost } from '../shared/protocol';
import type { BundleViewModel, ContractDocumentId, ContractView, CurveOptions } from '../shared/viewModels';
import { buildPredictionSchema } from '../core/predict/predictSchema';
import { buildContractView } from '../core/deploy/contractView';
import { PredictClient, PredictionError } from '../predictClient';
import { webviewHtml } from './webviewHtml';
import { RecoverSession } from './recoverSession';

/** Largest log file read whole for curves (event files are streamed whatever their size). */
const MAX_LOG_BYTES = 512 * 1024 * 1024;

/** A path of the index as a URI: URIs stay URIs, absolute paths are files, others are under the first workspace folder. */
function toUri(path: string): vscode.Uri {
  if (/^[a-zA-Z][\w+.-]+:\/\//.test(path)) return vscode.Uri.parse(path);
  if (path.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(path)) return vscode.Uri.file(path);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, path) : vscode.Uri.file(path);
}

/** Reads the full series of one log file, or null when its format has no full-data reader. */
async function loadLogData(source: FileSource, r: FileReport): Promise<LogData | null> {
  const size = r.size ?? (await source.stat(r.path))?.size ?? 0;
  switch (r.format) {
    case 'tfevents':
      try {
        return await readTfeventsFile(source, r.path, size);
      } catch (e) {
        if (e instanceof TfeventsError) return e.partial; // the series up to the bad record
        throw e;
      }
    case 'keras-csv-log':
      if (size > MAX_LOG_BYTES) return null;
      return readCsvLogData(await source.readFile(r.path), r.path);
    case 'history-json': {
      if (size > MAX_LOG_BYTES) return null;
      // Python's json.dump writes NaN / Infinity: read as the reader does, not with JSON.parse
      return readHistoryJsonBytes(await source.readFile(r.path), r.path);
    }
    case 'history-pickle': {
      if (size > MAX_LOG_BYTES) return null;
      // the allowlist unpickler: nothing in the file is executed
      const load = loadPickleBytes(await source.readFile(r.path), { path: r.path });
      return load.value === null || load.report.verdict !== 'safe' ? null : historyFromPyValue(load.value);
    }
    default:
      return null;
  }
}

/** A bundle made of the index's files under `root` when the index has no bundle there. */
function looseBundle(root: string, files: FileReport[]): Bundle {
  const b: Bundle = { root, files: { scaler: [], structure: [], weights: [], model: [], log: [] }, complete: false, findings: [] };
  for (const f of files) {
    if (dirName(f.path) !== root && !f.path.startsWith(`${root}/`)) continue;
    if (f.role === 'other') continue;
    b.files[f.role].push(f.path);
  }
  return b;
}

/** The bundle view of one bundle root. */
export class BundlePanel {
  private static readonly panels = new Map<string, BundlePanel>();
  /** One prediction worker for all panels (started on the first prediction). */
  private static predictClient: PredictClient | null = null;
  private static readonly logCache = new Map<string, { size: number | undefined; mtimeMs: number | undefined; data: LogData | null }>();

  private ready = false;
  private generation = 0;
  /** The bundle object last shown (the index keeps it while its files are unchanged). */
  private shown: Bundle | null = null;
  private options: CurveOptions = { ...DEFAULT_CURVE_OPTIONS };
  private logs: LoadedLog[] = [];
  private model: BundleViewModel | null = null;
  /** The input contract last sent to the view (its documents are what Copy puts on the clipboard). */
  private contract: ContractView | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  /** The "Recover scaler" form, once opened for this bundle. */
  private recovery: RecoverSession | null = null;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private index: BundleIndex,
    private readonly root: string,
    private focusPath: string | null,
    private readonly distDir: string,
  ) {
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw), null, this.disposables);
  }

  /** Opens the view of the bundle at `bundleRoot` (or shows it again), optionally focused on one file. */
  static show(context: vscode.ExtensionContext, index: BundleIndex, bundleRoot: string, focusPath?: string): void {
    const existing = BundlePanel.panels.get(bundleRoot);
    if (existing) {
      existing.index = index;
      existing.focusPath = focusPath ?? null;
      existing.panel.reveal();
      if (existing.ready) void existing.refresh(true);
      return;
    }
    const ext = context.extensionUri;
    const panel = vscode.window.createWebviewPanel(
      'modelBundles.bundleView',
      vscode.l10n.t('Bundle: {0}', baseName(bundleRoot) || bundleRoot),
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        // only the built bundle, our CSS and the bundle's own folder (saved plots) can be loaded
        localResourceRoots: [vscode.Uri.joinPath(ext, 'dist'), vscode.Uri.joinPath(ext, 'media'), toUri(bundleRoot)],
      },
    );
    panel.webview.html = webviewHtml(panel.webview, ext, {
      title: vscode.l10n.t('Bundle {0}', baseName(bundleRoot)),
      script: ['dist', 'webview.js'],
      styles: [['media', 'bundleView.css']],
    });
    BundlePanel.panels.set(bundleRoot, new BundlePanel(panel, index, bundleRoot, focusPath ?? null, vscode.Uri.joinPath(ext, 'dist').fsPath));
  }

  /** Opens the bundle view on its "Recover scaler" form, prefilled from the training script. */
  static recover(context: vscode.ExtensionContext, index: BundleIndex, bundleRoot: string, script?: string): void {
    BundlePanel.show(context, index, bundleRoot);
    const p = BundlePanel.panels.get(bundleRoot);
    if (!p) return;
    p.recovery ??= new RecoverSession(
      p.index.source,
      bundleRoot,
      (req) => BundlePanel.runModel(p.distDir, req),
      (view) => p.post({ type: 'recover', view }),
    );
    void p.recovery.start(script ?? null);
  }

  private static runModel(distDir: string, req: Parameters<PredictClient['predict']>[0]): ReturnType<PredictClient['predict']> {
    if (!BundlePanel.predictClient) BundlePanel.predictClient = new PredictClient(distDir);
    return BundlePanel.predictClient.predict(req);
  }

  /** Re-sends the view model of every open panel; the extension calls it after each index update. */
  static refreshAll(index: BundleIndex): void {
    const snap = index.snapshot();
    for (const p of BundlePanel.panels.values()) {
      const sameIndex = p.index === index;
      p.index = index;
      if (!p.ready) continue;
      const b = snap.bundles.find((x) => x.root === p.root);
      // The index keeps a bundle's object while none of its files changed: nothing new to show.
      // A bundle still being read (scan progress) is shown once it is validated.
      if (b && ((sameIndex && b === p.shown) || snap.pending?.has(b))) continue;
      void p.refresh();
    }
  }

  private post(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private async receive(raw: unknown): Promise<void> {
    const checked = validateWebviewMessage(raw);
    if (!checked.ok) {
      console.warn(`model-bundles: rejected webview message: ${checked.error}`);
      return;
    }
    const msg: WebviewToHost = checked.message;
    try {
      switch (msg.type) {
        case 'ready':
          this.ready = true;
          await this.refresh();
          this.recovery?.repost();
          break;
        case 'setCurveOptions':
          this.options = msg.options;
          await this.refreshCurves();
          break;
        case 'exportData':
          await this.exportData(msg.chartId, msg.format);
          break;
        case 'savePng':
          await this.savePng(msg.chartId, msg.dataUrl);
          break;
        case 'openFile':
          await this.openFile(msg.path);
          break;
        case 'predict':
          await this.predict(msg.input, msg.skipPreprocessing === true);
          break;
        case 'copyContract':
          await this.copyContract(msg.document);
          break;
        case 'recoverRun':
          await this.recovery?.run(msg.answers);
          break;
        case 'recoverSave':
          await this.recovery?.save();
          break;
        default:
          assertNever(msg);
      }
    } catch (e) {
      this.post({ type: 'notice', level: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }

  private bundle(): { bundle: Bundle; files: FileReport[] } {
    const snap = this.index.snapshot();
    const bundle = snap.bundles.find((b) => b.root === this.root) ?? looseBundle(this.root, snap.files);
    return { bundle, files: snap.files };
  }

  private async loadLogs(bundle: Bundle, files: FileReport[]): Promise<LoadedLog[]> {
    const byPath = new Map(files.map((f) => [f.path, f]));
    const out: LoadedLog[] = [];
    for (const p of bundle.files.log) {
      const r = byPath.get(p);
      if (!r || r.format === 'image') continue;
      const cached = BundlePanel.logCache.get(p);
      let data: LogData | null;
      if (cached && r.size !== undefined && r.mtimeMs !== undefined && cached.size === r.size && cached.mtimeMs === r.mtimeMs) data = cached.data;
      else {
        try {
          data = await loadLogData(this.index.source, r);
        } catch {
          data = null; // the overview already shows the file's read error; curves fall back to its summary
        }
        BundlePanel.logCache.set(p, { size: r.size, mtimeMs: r.mtimeMs, data });
      }
      if (data) out.push({ path: p, format: r.format, data });
    }
    return out;
  }

  /** Rebuilds and sends the view model; with `focus`, also moves the view to the focused file. */
  private async refresh(focus = false): Promise<void> {
    const gen = ++this.generation;
    const { bundle, files } = this.bundle();
    this.shown = bundle;
    const logs = await this.loadLogs(bundle, files);
    if (gen !== this.generation) return;
    this.logs = logs;
    this.model = this.build(bundle, files);
    this.post({ type: 'state', model: this.model });
    const paths = new Set(Object.values(bundle.files).flat());
    this.post({ type: 'predictionSchema', schema: buildPredictionSchema(files.filter((f) => paths.has(f.path))) });
    this.contract = buildContractView(
      bundle,
      files.filter((f) => paths.has(f.path)),
    );
    this.post({ type: 'contract', contract: this.contract });
    if (focus && this.model.focus) this.post({ type: 'focus', tab: this.model.focus.tab, path: this.model.focus.path });
  }

  private async refreshCurves(): Promise<void> {
    if (!this.model) return this.refresh();
    const { bundle, files } = this.bundle();
    this.model = this.build(bundle, files);
    this.post({ type: 'curves', curves: this.model.curves });
  }

  private build(bundle: Bundle, files: FileReport[]): BundleViewModel {
    const paths = new Set([...bundle.files.scaler, ...bundle.files.structure, ...bundle.files.weights, ...bundle.files.model, ...bundle.files.log]);
    const vm = buildBundleViewModel({
      bundle,
      files: files.filter((f) => paths.has(f.path)),
      logs: this.logs,
      curveOptions: this.options,
      focusPath: this.focusPath,
    });
    for (const img of vm.curves.images) img.src = this.panel.webview.asWebviewUri(toUri(img.path)).toString();
    return vm;
  }

  /** Puts one document of the input contract on the clipboard (host side: webview clipboard access varies). */
  private async copyContract(id: ContractDocumentId): Promise<void> {
    const doc = this.contract?.documents.find((d) => d.id === id);
    if (!doc) {
      this.post({ type: 'notice', level: 'error', message: vscode.l10n.t('This bundle has no input contract to copy.') });
      return;
    }
    await vscode.env.clipboard.writeText(doc.text);
    this.post({ type: 'notice', level: 'info', message: vscode.l10n.t('Copied the {0} to the clipboard.', doc.label) });
  }

  private async saveAs(defaultName: string, filters: Record<string, string[]>, bytes: Uint8Array): Promise<void> {
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(toUri(this.root), defaultName), filters });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, bytes);
    this.post({ type: 'notice', level: 'info', message: vscode.l10n.t('Saved {0}', target.fsPath || target.toString()) });
  }

  private static fileStem(chartId: string): string {
    return (
      chartId
        .replace(/^metric:/, '')
        .replace(/[^\w.-]+/g, '_')
        .slice(0, 80) || 'curve'
    );
  }

  private async exportData(chartId: string, format: 'csv' | 'json'): Promise<void> {
    const text = exportChart(this.root, this.logs, chartId, format);
    if (text === null) throw new Error(vscode.l10n.t('No chart {0} to export', chartId));
    const filters: Record<string, string[]> = format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] };
    await this.saveAs(`${BundlePanel.fileStem(chartId)}.${format}`, filters, new TextEncoder().encode(text));
  }

  private async savePng(chartId: string, dataUrl: string): Promise<void> {
    const bytes = pngBytesFromDataUrl(dataUrl);
    if (!bytes) throw new Error(vscode.l10n.t('The chart image is not a PNG'));
    await this.saveAs(`${BundlePanel.fileStem(chartId)}.png`, { PNG: ['png'] }, bytes);
  }

  private async openFile(path: string): Promise<void> {
    const { bundle } = this.bundle();
    const known = [...bundle.files.scaler, ...bundle.files.structure, ...bundle.files.weights, ...bundle.files.model, ...bundle.files.log];
    if (!known.includes(path)) throw new Error(vscode.l10n.t('That file is not part of this bundle'));
    await vscode.commands.executeCommand('vscode.open', toUri(path));
  }

  /** Runs a prediction of the bundle in the worker thread (files are read where the extension runs). */
  private async predict(input: string, skipPreprocessing: boolean): Promise<void> {
    if (!BundlePanel.predictClient) BundlePanel.predictClient = new PredictClient(this.distDir);
    const backend = vscode.workspace.getConfiguration('modelBundles').get<string>('predictionBackend', 'auto');
    try {
      const r = await BundlePanel.predictClient.predict({
        target: this.root,
        input: { text: input, name: 'the prediction input' },
        skipScaler: skipPreprocessing,
        skipTargetScaler: skipPreprocessing,
        backend: backend === 'wasm' || backend === 'cpu' ? backend : 'auto',
      });
      this.post({
        type: 'predictionResult',
        result: {
          rows: r.rows,
          outputs: r.outputs,
          scaledInput: r.scaledInput,
          unscaledOutput: r.unscaledOutput,
          backend: r.backend,
          inferenceMs: r.inferenceMs,
          warnings: r.warnings,
          ...(r.notes ? { notes: r.notes } : {}),
          preprocessing: r.preprocessing,
        },
      });
    } catch (e) {
      const message = e instanceof PredictionError || e instanceof Error ? e.message : String(e);
      this.post({ type: 'predictionError', message });
    }
  }

  private dispose(): void {
    BundlePanel.panels.delete(this.root);
    if (BundlePanel.panels.size === 0) {
      BundlePanel.logCache.clear();
      BundlePanel.predictClient?.dispose();
      BundlePanel.predictClient = null;
    }
    for (const d of this.disposables) d.dispose();
  }
}
