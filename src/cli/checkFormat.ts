// `model-bundles check <path...> --format text|json|github|sarif [--strict]`: check's findings for
// CI systems (GitHub Actions annotations, SARIF 2.1.0 for code scanning). docs/deploy.md#ci.
import { parseArgs } from 'node:util';
import { checkExitCode } from '../core/bundles/bundle';
import { githubAnnotations, sarifLog } from '../core/deploy/ciFormats';
import { NodeFileSource } from '../core/io/nodeFileSource';
import { withoutTemplates } from '../core/io/messageTemplate';
import { buildReport } from '../core/report/report';
import { formatBundle } from '../core/report/textReport';

const FORMATS = ['text', 'json', 'github', 'sarif'] as const;

/** `check` with `--format`: returns the exit code (0 clean, 1 findings that fail, 2 usage / unreadable path). */
export async function runCheckFormat(argv: string[]): Promise<number> {
  let values: { format?: string; strict?: boolean; json?: boolean };
  let paths: string[];
  try {
    ({ values, positionals: paths } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { format: { type: 'string', default: 'text' }, strict: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    }));
  } catch (e) {
    process.stderr.write(`model-bundles check: ${(e as Error).message}\n`);
    return 2;
  }
  const format = values.json ? 'json' : (values.format ?? 'text');
  if (!(FORMATS as readonly string[]).includes(format)) {
    process.stderr.write(`model-bundles check: unknown --format "${format}" (one of ${FORMATS.join(', ')})\n`);
    return 2;
  }
  if (paths.length === 0) {
    process.stderr.write('model-bundles check: needs at least one file or folder\n');
    return 2;
  }
  const source = new NodeFileSource();
  for (const p of paths) {
    if (!(await source.stat(p))) {
      process.stderr.write(`model-bundles: ${p}: no such file or folder\n`);
      return 2;
    }
  }
  const report = await buildReport(paths, source, { verifyHashes: true, pinRoot: process.cwd() });
  const code = checkExitCode(report.bundles, values.strict ?? false);
  const n = report.bundles.reduce((a, b) => a + b.findings.length, 0);
  const verdict = `${report.bundles.length} bundle(s), ${n} finding(s): ${code === 0 ? 'OK' : 'FAILED'}`;
  if (format === 'github') {
    process.stdout.write([...githubAnnotations(report.bundles), verdict, ''].join('\n'));
  } else if (format === 'sarif') {
    process.stdout.write(`${JSON.stringify(sarifLog(report.bundles, report.tool), null, 2)}\n`);
    process.stderr.write(`${verdict}\n`);
  } else if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ tool: report.tool, bundles: report.bundles, exitCode: code }, withoutTemplates, 2)}\n`);
  } else {
    const lines: string[] = [];
    for (const b of report.bundles) lines.push(...formatBundle(b), '');
    process.stdout.write(`${lines.join('\n')}${verdict}\n`);
  }
  return code;
}
