// `check` output for CI systems: GitHub Actions workflow commands (annotations on the files) and
// SARIF 2.1.0 (code scanning). docs/deploy.md#ci.
import { FINDING_CODES, findingDocsAnchor } from '../bundles/findings';
import type { Bundle, Finding, Severity } from '../types';

/** Where the finding docs live (SARIF `helpUri`). */
export const DOCS_URL = 'https://github.com/model-bundle-inspector/model-bundle-inspector/blob/main/docs/bundles.md';

/** GitHub's escaping of a workflow command's message (the data after `::`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub's escaping of a workflow command's property value (`file=`, `title=`): also `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const GITHUB_LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** The file a finding is shown on: its path, else the bundle's root. */
function fileOf(f: Finding, b: Bundle): string {
  return f.path ?? b.root;
}

/** One workflow command per finding (`::error file=...,line=...,title=...::message`). */
export function githubAnnotations(bundles: Bundle[]): string[] {
  const out: string[] = [];
  for (const b of bundles) {
    for (const f of b.findings) {
      const props = [`file=${escapeProperty(fileOf(f, b))}`];
      if (f.line) props.push(`line=${f.line}`);
      props.push(`title=${escapeProperty(`model-bundles: ${f.code}`)}`);
      out.push(`::${GITHUB_LEVEL[f.severity]} ${props.join(',')}::${escapeData(f.message)}`);
    }
  }
  return out;
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** A path as a SARIF artifact URI: relative paths as URI references (segments percent-encoded), absolute ones as file: URIs. */
export function artifactUri(path: string): string {
  const encoded = path
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
  return path.startsWith('/') ? `file://${encoded}` : encoded;
}

/** PascalCase rule name from a kebab-case code (`missing-scaler` -> `MissingScaler`). */
function ruleName(code: string): string {
  return code.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/** The SARIF 2.1.0 log of a check: one run, every finding code as a rule, one result per finding. */
export function sarifLog(bundles: Bundle[], tool: { name: string; version: string }): Record<string, unknown> {
  const codes = Object.keys(FINDING_CODES) as (keyof typeof FINDING_CODES)[];
  // Codes outside the catalogue (from a newer reader) still get a rule, after the known ones.
  for (const b of bundles)
    for (const f of b.findings) if (!codes.includes(f.code as keyof typeof FINDING_CODES)) codes.push(f.code as keyof typeof FINDING_CODES);
  const rules = codes.map((code) => {
    const entry = FINDING_CODES[code] as { severities: readonly Severity[]; summary: string } | undefined;
    return {
      id: code,
      name: ruleName(code),
      shortDescription: { text: entry ? entry.summary : code },
      helpUri: `${DOCS_URL}${findingDocsAnchor(code)}`,
      defaultConfiguration: { level: SARIF_LEVEL[entry?.severities[0] ?? 'warning'] },
    };
  });
  const results = bundles.flatMap((b) =>
    b.findings.map((f) => {
      const ruleIndex = codes.indexOf(f.code as keyof typeof FINDING_CODES);
      return {
        ruleId: f.code,
        ruleIndex,
        level: SARIF_LEVEL[f.severity],
        message: { text: f.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: artifactUri(fileOf(f, b)) },
              ...(f.line ? { region: { startLine: f.line } } : {}),
            },
          },
        ],
        properties: { bundle: b.root },
      };
    }),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: tool.name, version: tool.version, informationUri: DOCS_URL.replace(/\/blob\/.*$/, ''), rules } },
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}
