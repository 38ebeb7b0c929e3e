// Maps bundle findings and training-script findings to diagnostic descriptions (file, severity,
// range, code and documentation link) and counts problems per bundle and role. Pure: the extension
// turns the descriptions into vscode.Diagnostic objects one to one.
import type { ScriptFinding } from '../lint/scriptLint';
import type { Bundle, FileReport, Finding, Role, Severity } from '../types';

/** Page documenting every finding code, one `## <code>` heading each. */
export const FINDING_DOCS_URL = 'https://github.com/model-bundle-inspector/model-bundle-inspector/blob/main/docs/bundles.md';

/** `source` of every diagnostic the extension publishes. */
export const DIAGNOSTIC_SOURCE = 'model-bundles';

/** Severity names of the editor (and of the `modelBundles.diagnostics.severity` setting). */
export type DiagnosticSeverityName = 'error' | 'warning' | 'information' | 'hint';

/** A severity override of the settings: a severity, or `off` to hide the code. */
export type SeverityOverride = DiagnosticSeverityName | 'off';

/** Per-code overrides (`{"missing-log": "off"}`). */
export type SeverityOverrides = Readonly<Record<string, SeverityOverride>>;

/** A 0-based range (UTF-16 columns). */
export interface TextRange {
  startLine: number;
  startCol: number;
  endLine: number;
  endCol: number;
}

/** Everything the editor needs to show one diagnostic. */
export interface DiagnosticDescription {
  /** The file it is shown on (an index path). */
  path: string;
  /** For notebooks: the cell index it belongs to (the range is inside that cell). */
  cell?: number;
  severity: DiagnosticSeverityName;
  message: string;
  /** The English template of `message` and its arguments, when the finding has one (for translation). */
  messageTemplate?: string;
  messageArgs?: (string | number)[];
  range: TextRange;
  code: string;
  /** Documentation anchor of the code. */
  link: string;
  source: typeof DIAGNOSTIC_SOURCE;
  /** Bundle root the finding belongs to (null for script findings and lone files). */
  bundleRoot: string | null;
}

/** Documentation link of a finding code. */
export function findingLink(code: string): string {
  return `${FINDING_DOCS_URL}#${encodeURIComponent(code.toLowerCase())}`;
}

const SEVERITY_NAMES: ReadonlySet<string> = new Set(['error', 'warning', 'information', 'hint', 'off']);

/** Reads the overrides setting, keeping valid entries and naming the invalid ones (for a warning in the log). */
export function parseSeverityOverrides(raw: unknown): { overrides: SeverityOverrides; invalid: string[] } {
  const overrides: Record<string, SeverityOverride> = {};
  const invalid: string[] = [];
  if (raw === null || raw === undefined) return { overrides, invalid };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { overrides, invalid: ['(not an object)'] };
  for (const [code, value] of Object.entries(raw as Record<string, unknown>)) {
    const v = typeof value === 'string' ? value.toLowerCase() : value;
    const name = v === 'info' ? 'information' : v;
    if (typeof name === 'string' && SEVERITY_NAMES.has(name)) overrides[code] = name as SeverityOverride;
    else invalid.push(code);
  }
  return { overrides, invalid };
}

/** The severity a finding is shown with, or null when the settings turn its code off. */
export function effectiveSeverity(code: string, severity: Severity, overrides: SeverityOverrides): DiagnosticSeverityName | null {
  const o = Object.prototype.hasOwnProperty.call(overrides, code) ? overrides[code] : undefined;
  if (o === 'off') return null;
  if (o) return o;
  return severity === 'info' ? 'information' : severity;
}

/** The file a bundle-level finding is shown on: its model, else structure, weights, scaler, log. */
export function bundleMainFile(bundle: Bundle): string | null {
  const f = bundle.files;
  return f.model[0] ?? f.structure[0] ?? f.weights[0] ?? f.scaler[0] ?? f.log[0] ?? null;
}

/** Every file path of a bundle. */
export function bundleFiles(bundle: Bundle): string[] {
  const f = bundle.files;
  return [...f.model, ...f.structure, ...f.weights, ...f.scaler, ...f.log];
}

/**
 * The file a finding is shown on: its own path when that is a file (of the bundle, or of `knownFiles`
 * when given), else the bundle's main file (findings about the bundle or one of its folders).
 */
export function findingTarget(finding: Finding, bundle: Bundle, knownFiles?: ReadonlySet<string>): string | null {
  const p = finding.path;
  if (p !== null && p !== bundle.root && p !== bundle.root + '/') {
    if (!knownFiles || knownFiles.has(p) || bundleFiles(bundle).includes(p)) return p;
  }
  return bundleMainFile(bundle);
}

/** The template fields of a finding, when it has them (none are added otherwise). */
function templateOf(f: { messageTemplate?: string; messageArgs?: (string | number)[] }): { messageTemplate?: string; messageArgs?: (string | number)[] } {
  return f.messageTemplate === undefined ? {} : { messageTemplate: f.messageTemplate, messageArgs: f.messageArgs ?? [] };
}

const FILE_START: TextRange = { startLine: 0, startCol: 0, endLine: 0, endCol: 0 };

/**
 * Diagnostics of an index snapshot: one per finding (deduplicated by file, code and message), plus
 * one `unreadable-file` per unreadable artifact that no bundle reports. Grouped by path, in order.
 */
export function describeSnapshot(
  snapshot: { files: FileReport[]; bundles: Bundle[] },
  overrides: SeverityOverrides = {},
): Map<string, DiagnosticDescription[]> {
  const out = new Map<string, DiagnosticDescription[]>();
  const seen = new Set<string>();
  const add = (d: DiagnosticDescription): void => {
    const key = `${d.path}\u0000${d.code}\u0000${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    const list = out.get(d.path);
    if (list) list.push(d);
    else out.set(d.path, [d]);
  };
  const reported = new Set<string>();
  const known = new Set(snapshot.files.map((f) => f.path));
  for (const b of snapshot.bundles) {
    for (const f of b.findings) {
      const path = findingTarget(f, b, known);
      if (path === null) continue;
      if (f.code === 'unreadable-file') reported.add(path);
      const severity = effectiveSeverity(f.code, f.severity, overrides);
      if (severity === null) continue;
      add({
        path,
        severity,
        message: f.message,
        ...templateOf(f),
        range: FILE_START,
        code: f.code,
        link: findingLink(f.code),
        source: DIAGNOSTIC_SOURCE,
        bundleRoot: b.root,
      });
    }
  }
  for (const r of snapshot.files) {
    if (r.error === null || r.role === 'other' || reported.has(r.path)) continue;
    const severity = effectiveSeverity('unreadable-file', 'error', overrides);
    if (severity === null) continue;
    add({
      path: r.path,
      severity,
      message: `${r.error.message} (${r.error.code})`,
      range: FILE_START,
      code: 'unreadable-file',
      link: findingLink('unreadable-file'),
      source: DIAGNOSTIC_SOURCE,
      bundleRoot: null,
    });
  }
  return out;
}

/** Diagnostics of a training script's findings (cell set for notebooks). */
export function describeScriptFindings(path: string, findings: ScriptFinding[], overrides: SeverityOverrides = {}, notebook = false): DiagnosticDescription[] {
  const out: DiagnosticDescription[] = [];
  for (const f of findings) {
    const severity = effectiveSeverity(f.code, f.severity, overrides);
    if (severity === null) continue;
    out.push({
      path,
      ...(notebook ? { cell: f.start.cell } : {}),
      severity,
      message: f.message,
      ...templateOf(f),
      range: { startLine: f.start.line, startCol: f.start.col, endLine: f.end.line, endCol: f.end.col },
      code: f.code,
      link: findingLink(f.code),
      source: DIAGNOSTIC_SOURCE,
      bundleRoot: null,
    });
  }
  return out;
}

/** Problems of a bundle by shown severity (findings turned off are not counted; `hint` counts as info). */
export interface ProblemCounts {
  errors: number;
  warnings: number;
  infos: number;
}

/** Counts a bundle's findings as the Problems panel will show them. */
export function countProblems(findings: Finding[], overrides: SeverityOverrides = {}): ProblemCounts {
  const c: ProblemCounts = { errors: 0, warnings: 0, infos: 0 };
  for (const f of findings) {
    const s = effectiveSeverity(f.code, f.severity, overrides);
    if (s === 'error') c.errors++;
    else if (s === 'warning') c.warnings++;
    else if (s !== null) c.infos++;
  }
  return c;
}

/** The four parts a tree shows per bundle (`weights` also holds full-model files). */
export type BundlePart = 'scaler' | 'structure' | 'weights' | 'log';

/** One part of a bundle as the tree shows it. */
export interface PartStatus {
  part: BundlePart;
  /** Display name: `Scaler`, `Structure`, `Weights` or `Model` (when only a full model holds them), `Training log`. */
  label: string;
  /** Files of the part (full-model files appear under structure and weights when no separate file exists). */
  files: string[];
  present: boolean;
  /** Findings about this part, with the severity they are shown with. */
  problems: { finding: Finding; severity: DiagnosticSeverityName }[];
  /** `ok` (present, no problem), `info`, `warning`, `error` (worst problem), or `missing`. */
  status: 'ok' | 'info' | 'warning' | 'error' | 'missing';
}

/** Which part a finding code is about when its path does not say (missing-* findings have none). */
const CODE_PART: Readonly<Record<string, BundlePart>> = {
  'missing-scaler': 'scaler',
  'missing-target-scaler': 'scaler',
  'target-scaler': 'scaler',
  'scaler-input-mismatch': 'scaler',
  'unsafe-pickle': 'scaler',
  'missing-structure': 'structure',
  'lambda-layer': 'structure',
  'keras3-tfjs': 'structure',
  'missing-weights': 'weights',
  'weights-structure-mismatch': 'weights',
  'tfjs-shard-missing': 'weights',
  'tfjs-shard-size': 'weights',
  'missing-log': 'log',
};

const ROLE_PART: Readonly<Record<Exclude<Role, 'other'>, BundlePart>> = {
  scaler: 'scaler',
  structure: 'structure',
  weights: 'weights',
  model: 'weights',
  log: 'log',
};

/** The part of a bundle a finding concerns (by its code first, then by the role of its file). */
export function findingPart(finding: Finding, bundle: Bundle): BundlePart | null {
  const byCode = CODE_PART[finding.code];
  if (byCode) return byCode;
  if (finding.path === null) return null;
  for (const role of ['scaler', 'structure', 'weights', 'model', 'log'] as const) {
    if (bundle.files[role].includes(finding.path)) return ROLE_PART[role];
  }
  return null;
}

const RANK = { ok: 0, info: 1, warning: 2, error: 3, missing: 4 } as const;

/** The four parts of a bundle with their files, findings and status, in tree order. */
export function bundleParts(bundle: Bundle, overrides: SeverityOverrides = {}): PartStatus[] {
  const f = bundle.files;
  const structure = f.structure.length > 0 ? f.structure : f.model;
  const weights = [...f.weights, ...f.model];
  const parts: PartStatus[] = [
    { part: 'scaler', label: 'Scaler', files: f.scaler, present: f.scaler.length > 0, problems: [], status: 'ok' },
    { part: 'structure', label: 'Structure', files: structure, present: structure.length > 0, problems: [], status: 'ok' },
    {
      part: 'weights',
      label: f.weights.length === 0 && f.model.length > 0 ? 'Model' : 'Weights',
      files: weights,
      present: weights.length > 0,
      problems: [],
      status: 'ok',
    },
    { part: 'log', label: 'Training log', files: f.log, present: f.log.length > 0, problems: [], status: 'ok' },
  ];
  for (const finding of bundle.findings) {
    const part = findingPart(finding, bundle);
    const severity = effectiveSeverity(finding.code, finding.severity, overrides);
    if (part === null || severity === null) continue;
    parts.find((p) => p.part === part)!.problems.push({ finding, severity });
  }
  for (const p of parts) {
    let s: PartStatus['status'] = p.present ? 'ok' : 'missing';
    for (const { severity } of p.problems) {
      const v = severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'info';
      if (p.present && RANK[v] > RANK[s]) s = v;
    }
    p.status = s;
  }
  return parts;
}

/** A short label of a bundle's problem counts for the tree (`2 errors, 1 warning`), empty when none. */
export function countsLabel(c: ProblemCounts): string {
  const parts: string[] = [];
  if (c.errors) parts.push(`${c.errors} error${c.errors === 1 ? '' : 's'}`);
  if (c.warnings) parts.push(`${c.warnings} warning${c.warnings === 1 ? '' : 's'}`);
  if (c.infos) parts.push(`${c.infos} info`);
  return parts.join(', ');
}

const count = (n: number): string => n.toLocaleString('en-US');

/** A one-line summary of a file for the tree (`MinMaxScaler · 8 features`, `Sequential · 4,417 params`, `300 epochs`). */
export function fileSummary(r: FileReport): string {
  const side = r.sideFiles?.length
    ? ` · ${r.sideFiles.length} side file${r.sideFiles.length === 1 ? '' : 's'}${r.sideFiles.some((s) => !s.present) ? ` (${r.sideFiles.filter((s) => !s.present).length} missing)` : ''}`
    : '';
  return fileSummaryCore(r) + side;
}

function fileSummaryCore(r: FileReport): string {
  if (r.error) return `unreadable: ${r.error.code}`;
  if (r.pickle && r.pickle.verdict !== 'safe') return `refused: ${r.pickle.verdict} pickle`;
  if (r.scaler) {
    const s = r.scaler;
    if (s.steps?.length) return `${s.class} · ${s.steps.length} step${s.steps.length === 1 ? '' : 's'}`;
    return s.nFeaturesIn !== null ? `${s.class} · ${s.nFeaturesIn} feature${s.nFeaturesIn === 1 ? '' : 's'}` : s.class;
  }
  if (r.model) return `${r.model.className} · ${count(r.model.totalParams)} params`;
  if (r.weights) return `${r.weights.layers.length} layer${r.weights.layers.length === 1 ? '' : 's'} · ${count(r.weights.totalParams)} params`;
  if (r.log) {
    const series = Object.keys(r.log.series).length;
    return `${r.log.epochs} epoch${r.log.epochs === 1 ? '' : 's'} · ${series} series`;
  }
  return r.format === 'unknown' ? '' : r.format;
}
