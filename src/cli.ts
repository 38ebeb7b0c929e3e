// The `model-bundles` command line: the core without VS Code, for terminals and CI pipelines.
// Contract: spec/cli-json.md (inspect, check; JSON shapes and exit codes).
import { parseArgs } from 'node:util';
import { NodeFileSource } from './core/nodeFileSource';
import { buildReport, TOOL_VERSION } from './core/report';
import { formatReport } from './core/textReport';
import type { InspectReport } from './core/types';

const USAGE = `model-bundles ${TOOL_VERSION}: find, validate and summarise trained-model bundles

Usage:
  model-bundles inspect <path...> [--json]   read every model, weights, scaler and log file
  model-bundles check <path...> [--json] [--strict]
                                             validate bundles; exit 1 on errors (--strict: also warnings)
  model-bundles --help | --version

Paths are files or folders (scanned recursively; node_modules, .git and virtual environments are
skipped). Nothing is ever written into the inspected folders, and nothing in a pickle is executed.
`;

/** Thrown for a bad command line (exit 2). */
class UsageError extends Error {}

function exitCodeOf(report: InspectReport, strict: boolean): number {
  const bad = report.bundles.some((b) =>
    b.findings.some((f) => f.severity === 'error' || (strict && f.severity === 'warning')),
  );
  return bad ? 1 : 0;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          json: { type: 'boolean', default: false },
          strict: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
          version: { type: 'boolean', short: 'v', default: false },
        },
      });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  })();
  if (values.version) {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }
  const [command, ...paths] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (command !== 'inspect' && command !== 'check') throw new UsageError(`unknown command "${command}"`);
  if (paths.length === 0) throw new UsageError(`${command} needs at least one file or folder`);
  if (values.strict && command !== 'check') throw new UsageError('--strict only applies to check');
  const source = new NodeFileSource();
  for (const p of paths) {
    if (!(await source.stat(p))) {
      process.stderr.write(`model-bundles: ${p}: no such file or folder\n`);
      return 2;
    }
  }
  const report = await buildReport(paths, source);
  if (command === 'inspect') {
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return 0;
  }
  const code = exitCodeOf(report, values.strict ?? false);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ tool: report.tool, bundles: report.bundles, exitCode: code }, null, 2)}\n`);
  } else {
    const n = report.bundles.reduce((a, b) => a + b.findings.length, 0);
    process.stdout.write(formatReport({ ...report, files: report.files.filter((f) => f.error) }));
    process.stdout.write(`${report.bundles.length} bundle(s), ${n} finding(s): ${code === 0 ? 'OK' : 'FAILED'}\n`);
  }
  return code;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`model-bundles: ${msg}\n${e instanceof UsageError ? "Run 'model-bundles --help' for usage.\n" : ''}`);
    process.exitCode = 2;
  },
);
