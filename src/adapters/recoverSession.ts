// The host side of the bundle view's "Recover scaler" form: runs the core's recovery (the model
// through the prediction worker), sends the form's state, and writes the files only after a modal
// confirmation. Thin: the work is in src/core/recover/.
import * as vscode from 'vscode';
import { baseName, dirName, type FileSource } from '../core/io/fileSource';
import type { ModelRunner } from '../core/recover/proof';
import { recoverScaler, type RecoverResult } from '../core/recover/recover';
import { prefill, recoverViewOf, requestOf } from '../core/recover/view';
import type { RecoverAnswers, RecoverView } from '../shared/recoverView';
import { pathToUri } from './vscodeFileSource';

const EMPTY: RecoverAnswers = { script: '', data: '', random_state: '', test_size: '', scaler: '', loss: '' };

export class RecoverSession {
  private result: RecoverResult | null = null;
  private answers: RecoverAnswers = { ...EMPTY };
  private running = false;
  private saved: string[] = [];
  private last: RecoverView | null = null;

  constructor(
    private readonly source: FileSource,
    private readonly root: string,
    private readonly runModel: ModelRunner,
    private readonly post: (view: RecoverView) => void,
  ) {}

  private send(): void {
    this.last = recoverViewOf(this.result, this.answers, this.running, this.saved);
    this.post(this.last);
  }

  /** Sends the last state again (the webview was reloaded). */
  repost(): void {
    if (this.last) this.post(this.last);
  }

  /** Starts from the script (given, or found beside the bundle). */
  async start(script: string | null): Promise<void> {
    this.answers = { ...EMPTY, script: script ?? '' };
    this.result = null;
    await this.run(this.answers);
  }

  /** Recomputes with the user's answers. */
  async run(answers: RecoverAnswers): Promise<void> {
    const fromScript = this.result ? prefill(this.result, EMPTY) : null;
    this.answers = answers;
    this.running = true;
    this.saved = [];
    this.send();
    try {
      this.result = await recoverScaler(
        {
          ...requestOf(this.root, answers, fromScript),
          toolVersion: String(vscode.extensions.getExtension('model-bundle-inspector.model-bundle-inspector')?.packageJSON?.version ?? ''),
          runModel: this.runModel,
        },
        this.source,
      );
      this.answers = prefill(this.result, answers);
    } finally {
      this.running = false;
      this.send();
    }
  }

  /** Writes the recovered files after the user confirms. */
  async save(): Promise<void> {
    const r = this.result;
    if (!r || !r.files.length || r.proof?.status === 'failed' || r.proof?.status === 'close' || r.exitCode === 2) return;
    const names = r.files.map((f) => baseName(f.path)).join(', ');
    const proof = r.proof?.status === 'proven' ? r.proof.message : `${r.proof?.message ?? 'no proof'} (not proven)`;
    const write = vscode.l10n.t('Write');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Write {0} into {1}?', names, dirName(r.files[0].path)),
      { modal: true, detail: vscode.l10n.t('Proof: {0}', proof) },
      write,
    );
    if (choice !== write) return;
    for (const f of r.files) await vscode.workspace.fs.writeFile(pathToUri(f.path), f.bytes);
    this.saved = r.files.map((f) => f.path);
    this.send();
    void vscode.window.showInformationMessage(vscode.l10n.t('Recovered scaler saved: {0}', names));
  }
}
