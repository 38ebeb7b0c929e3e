// The GitHub Action (action.yml, `runs.using: node20`): runs the bundled CLI, dist/cli.js, as
// `model-bundles check <paths> --format <format> [--strict]` and exits with its exit code.
// Inputs arrive as INPUT_<NAME> environment variables (GitHub's convention). Plain Node, no
// dependencies, so the action needs nothing installed. docs/deploy.md#ci.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

function input(name, fallback) {
  const v = process.env[`INPUT_${name.toUpperCase()}`];
  return v === undefined || v.trim() === '' ? fallback : v.trim();
}

function main() {
  // MODEL_BUNDLES_CLI: another entry point (the tests run src/cli.ts through tsx).
  const cli = process.env.MODEL_BUNDLES_CLI || join(__dirname, '..', 'dist', 'cli.js');
  if (!existsSync(cli)) {
    process.stdout.write(
      `::error title=model-bundles::${cli} is missing: use the action from a release tag, which carries the built CLI (npm run build writes dist/cli.js)\n`,
    );
    return 2;
  }
  const paths = input('paths', '.').split(/[\s]+/).filter(Boolean);
  const format = input('format', 'github');
  const strict = /^(true|yes|1|on)$/i.test(input('strict', 'false'));
  const output = input('output', '');
  const args = ['check', ...paths, '--format', format, ...(strict ? ['--strict'] : [])];
  const r = spawnSync(process.execPath, [...process.execArgv, cli, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', output ? 'pipe' : 'inherit', 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) {
    process.stdout.write(`::error title=model-bundles::cannot run ${cli}: ${r.error.message}\n`);
    return 2;
  }
  if (output) {
    writeFileSync(output, r.stdout);
    process.stdout.write(`model-bundles: wrote ${output}\n`);
  }
  return r.status === null ? 2 : r.status;
}

process.exitCode = main();
