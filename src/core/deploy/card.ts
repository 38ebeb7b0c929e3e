// The model card of a bundle (Markdown): its parts with SHA-256, the architecture, the training
// (epochs, best validation value and its epoch), the preprocessing with its ranges, the input
// contract in short, the recorded versions and the findings. docs/deploy.md#model-card.
import { sha256Hex } from '../bundles/bundle';
import { artifactVersions } from '../bundles/versionDrift';
import { baseName, type FileSource } from '../io/fileSource';
import { buildContract, ContractError, featureLines } from './contract';
import type { SklearnScaler } from '../formats/pickle/sklearn';
import type { Bundle, FileReport, LogSummary, Scaler, SeriesSummary, Shape } from '../types';

/** Significant digits of the numbers a card shows. */
export const CARD_DIGITS = 7;

/** A number as the card shows it. */
export function cardNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(CARD_DIGITS)));
}

/** Escapes a table cell (pipes, newlines). */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

function shape(s: Shape | Shape[] | null): string {
  if (s === null) return '?';
  if (s.length > 0 && Array.isArray(s[0])) return (s as Shape[]).map(shape).join(', ');
  return `(${(s as Shape).map((d) => (d === null ? 'None' : String(d))).join(', ')})`;
}

/** Metrics where higher is better (the best epoch is the maximum). */
const HIGHER_IS_BETTER = /(acc|accuracy|auc|f1|precision|recall|r2|iou|dice)$/i;

/** The validation series of a log and its best value: `val_loss` first, else the first `val_*` / `validation*`. */
export function bestValidation(log: LogSummary): { series: string; value: number; step: number } | null {
  const names = Object.keys(log.series);
  const val = names.filter((n) => /^(val_|validation[_/]|epoch_val_)/i.test(n) || /\/validation\//i.test(n));
  const pick = val.find((n) => /loss$/i.test(n)) ?? val[0];
  if (!pick) return null;
  const s: SeriesSummary = log.series[pick];
  return HIGHER_IS_BETTER.test(pick) ? { series: pick, value: s.max, step: s.maxStep } : { series: pick, value: s.min, step: s.minStep };
}

function all(s: Scaler): SklearnScaler[] {
  const x = s as SklearnScaler;
  return [x, ...(x.steps ?? []).flatMap(all)];
}

/** Rows of a preprocessing object's per-feature numbers (ranges, means, categories). */
function preprocessingRows(s: SklearnScaler): string[][] {
  const rows: string[][] = [];
  const names = (n: number) => (s.featureNames && s.featureNames.length === n ? s.featureNames : Array.from({ length: n }, (_, i) => `x${i}`));
  const vec = (k: string): number[] | null =>
    Array.isArray(s.params[k]) ? (s.params[k] as number[]) : typeof s.params[k] === 'number' ? [s.params[k] as number] : null;
  const where = s.name ? `${s.name}: ${s.class}` : s.class;
  if (s.class === 'MinMaxScaler' && vec('data_min_') && vec('data_max_')) {
    const lo = vec('data_min_')!;
    const hi = vec('data_max_')!;
    names(lo.length).forEach((n, i) => rows.push([where, n, `training range ${cardNumber(lo[i])} .. ${cardNumber(hi[i])}`]));
  } else if (s.class === 'StandardScaler' && vec('mean_')) {
    const m = vec('mean_')!;
    const sd = vec('scale_');
    names(m.length).forEach((n, i) => rows.push([where, n, `mean ${cardNumber(m[i])}${sd ? `, std ${cardNumber(sd[i])}` : ''}`]));
  } else if (s.class === 'RobustScaler' && vec('center_')) {
    const c = vec('center_')!;
    const sc = vec('scale_');
    names(c.length).forEach((n, i) => rows.push([where, n, `median ${cardNumber(c[i])}${sc ? `, IQR scale ${cardNumber(sc[i])}` : ''}`]));
  } else if (s.class === 'MaxAbsScaler' && vec('max_abs_')) {
    const m = vec('max_abs_')!;
    names(m.length).forEach((n, i) => rows.push([where, n, `max |x| ${cardNumber(m[i])}`]));
  } else if (s.categories) {
    const cols = s.featureNames ?? s.columns?.map(String) ?? null;
    s.categories.forEach((c, i) => rows.push([where, cols?.[i] ?? `x${i}`, `categories ${c.map((x) => JSON.stringify(x)).join(', ')}`]));
  }
  return rows;
}

/** Options of buildCard. */
export interface CardOptions {
  /** Tool name and version for the card's footer. */
  tool: { name: string; version: string };
}

/** Writes the model card of a bundle (reads every part whole for its SHA-256). */
export async function buildCard(bundle: Bundle, files: FileReport[], source: FileSource, opts: CardOptions): Promise<string> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const name = baseName(bundle.root) || bundle.root;
  const out: string[] = [
    `# Model card: ${name}`,
    '',
    `Bundle \`${bundle.root}\`: ${bundle.complete ? 'complete (scaler, model, training log)' : 'incomplete (see the findings)'}.`,
    '',
  ];

  out.push('## Parts', '');
  const parts: string[][] = [];
  for (const role of ['model', 'structure', 'weights', 'scaler', 'log'] as const) {
    for (const p of bundle.files[role]) {
      const f = byPath.get(p);
      let hash: string;
      try {
        hash = await sha256Hex(await source.readFile(p));
      } catch (e) {
        hash = `unreadable (${(e as Error).message})`;
      }
      parts.push([role, `\`${p}\``, f?.format ?? 'unknown', f?.size !== undefined ? String(f.size) : '?', hash.length === 64 ? `\`${hash}\`` : hash]);
    }
  }
  out.push(...table(['role', 'file', 'format', 'bytes', 'sha256'], parts), '');

  out.push('## Architecture', '');
  const mr = [...bundle.files.model, ...bundle.files.structure].map((p) => byPath.get(p)).find((f) => f?.model);
  const m = mr?.model;
  if (m) {
    out.push(
      `- ${m.framework} ${m.className}${m.kerasVersion ? `, Keras ${m.kerasVersion}` : ''} (\`${baseName(mr.path)}\`)`,
      `- inputs ${m.inputShapes.map(shape).join(', ')}, outputs ${m.outputShapes.map(shape).join(', ')}`,
      `- parameters: ${m.totalParams} total, ${m.trainableParams} trainable, ${m.nonTrainableParams} non-trainable`,
      '',
    );
    const shown = m.layers.slice(0, 60);
    out.push(
      ...table(
        ['layer', 'class', 'output shape', 'params'],
        shown.map((l) => [l.name, l.className, shape(l.outputShape), String(l.params)]),
      ),
    );
    if (m.layers.length > shown.length) out.push('', `(${m.layers.length - shown.length} more layers)`);
    out.push('');
  } else out.push('No readable model structure in the bundle.', '');

  out.push('## Training', '');
  const logs = bundle.files.log.map((p) => byPath.get(p)).filter((f): f is FileReport => f?.log !== undefined);
  if (logs.length === 0) out.push('No training log was read.', '');
  for (const f of logs) {
    const log = f.log!;
    const best = bestValidation(log);
    out.push(`- \`${baseName(f.path)}\` (${log.source}): ${log.epochs} epochs${log.runs && log.runs > 1 ? `, ${log.runs} runs` : ''}`);
    out.push(best ? `- best ${best.series}: ${cardNumber(best.value)} at epoch ${best.step}` : '- no validation series');
    const rows = Object.entries(log.series).map(([n, s]) => [
      n,
      String(s.points),
      cardNumber(s.first),
      cardNumber(s.last),
      `${cardNumber(s.min)} (epoch ${s.minStep})`,
      `${cardNumber(s.max)} (epoch ${s.maxStep})`,
    ]);
    out.push('', ...table(['series', 'points', 'first', 'last', 'min', 'max'], rows), '');
  }

  out.push('## Preprocessing', '');
  const scalers = bundle.files.scaler.map((p) => byPath.get(p)).filter((f): f is FileReport => f?.scaler !== undefined);
  if (scalers.length === 0) out.push('No preprocessing object in the bundle.', '');
  for (const f of scalers) {
    const s = f.scaler! as SklearnScaler;
    const wrapped = [s, ...(s.others ?? [])];
    for (const w of wrapped) {
      out.push(
        `- \`${baseName(f.path)}\`${w.path ? ` [${w.path}]` : ''}: ${w.class}${w.sklearnVersion ? `, scikit-learn ${w.sklearnVersion}` : ''}, ${w.nFeaturesIn ?? '?'} feature${w.nFeaturesIn === 1 ? '' : 's'}${w.featureNames ? ` (${w.featureNames.join(', ')})` : ''}`,
      );
      const rows = all(w).flatMap(preprocessingRows);
      if (rows.length) out.push('', ...table(['transformer', 'feature', 'fitted on'], rows));
      out.push('');
    }
  }

  out.push('## Input contract', '');
  try {
    const c = buildContract(bundle, files);
    out.push(
      'One row is a JSON object with these fields, all required (a batch is an array of rows):',
      '',
      ...featureLines(c).map((l) => `- ${l}`),
      '',
      `Outputs: ${c.outputs.join(', ') || 'unknown'}. Example row: \`${JSON.stringify(c.example)}\`.`,
    );
    for (const n of c.notes) out.push('', `Note: ${n}`);
    out.push('', `Full JSON Schema and OpenAPI 3.1 document: \`model-bundles contract ${bundle.root} --out DIR\`.`, '');
  } catch (e) {
    if (!(e instanceof ContractError)) throw e;
    out.push(`No contract: ${e.message}.`, '');
  }

  out.push('## Versions', '');
  const versions = artifactVersions(files);
  if (versions.length === 0) out.push('No library version is recorded in the files.', '');
  else
    out.push(
      ...table(
        ['package', 'version', 'file', 'recorded as'],
        versions.map((v) => [v.package, v.version, baseName(v.file), v.field]),
      ),
      '',
    );
  const convertedBy = files.map((f) => f.model?.convertedBy).filter((x): x is string => typeof x === 'string');
  for (const by of new Set(convertedBy)) out.push(`- written by: ${by}`);
  if (convertedBy.length) out.push('');

  out.push('## Findings', '');
  if (bundle.findings.length === 0) out.push('None.', '');
  else
    out.push(
      ...table(
        ['severity', 'code', 'file', 'message'],
        bundle.findings.map((f) => [f.severity, f.code, f.path ? baseName(f.path) : '', f.message]),
      ),
      '',
    );
  out.push(`_Written by ${opts.tool.name} ${opts.tool.version} from the files alone (nothing was executed)._`, '');
  return out.join('\n');
}
