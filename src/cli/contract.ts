// `model-bundles contract <bundle> [--out DIR] [--strict-ranges] [--json]`: the bundle's input
// contract (JSON Schema 2020-12 of a row and a batch, OpenAPI 3.1 for POST /predict). docs/deploy.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildContract, ContractError, formatContract } from '../core/deploy/contract';
import { loadBundle, TargetError } from './bundleTarget';

const HELP = `Usage: model-bundles contract <bundle-folder-or-file> [--out DIR] [--strict-ranges] [--json]

Writes the input contract of a bundle: input-row.schema.json and input-batch.schema.json (JSON Schema
2020-12) and openapi.json (OpenAPI 3.1, POST /predict) into DIR; without --out, prints a summary
(--json: the three documents as one JSON object). Training ranges are documentation with an
x-extrapolation warning; --strict-ranges makes them minimum/maximum limits.
`;

export async function runContract(argv: string[]): Promise<number> {
  let values: { out?: string; 'strict-ranges'?: boolean; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        'strict-ranges': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    process.stderr.write(`model-bundles contract: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`model-bundles contract: takes one bundle folder or file\n${HELP}`);
    return 2;
  }
  try {
    const { bundle, files } = await loadBundle(positionals[0]);
    const c = buildContract(bundle, files, { strictRanges: values['strict-ranges'] });
    if (values.out) {
      mkdirSync(values.out, { recursive: true });
      const written: string[] = [];
      for (const [file, doc] of [
        ['input-row.schema.json', c.row],
        ['input-batch.schema.json', c.batch],
        ['openapi.json', c.openapi],
      ] as const) {
        writeFileSync(join(values.out, file), `${JSON.stringify(doc, null, 2)}\n`);
        written.push(join(values.out, file));
      }
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ written, notes: c.notes }, null, 2)}\n`
          : `${written.map((w) => `wrote ${w}`).join('\n')}\n${c.notes.map((n) => `note: ${n}\n`).join('')}`,
      );
    } else if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ row: c.row, batch: c.batch, openapi: c.openapi, example: c.example, sources: c.sources, notes: c.notes }, null, 2)}\n`,
      );
    } else process.stdout.write(formatContract(c));
    return 0;
  } catch (e) {
    if (e instanceof TargetError) {
      process.stderr.write(`model-bundles contract: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ContractError) {
      process.stderr.write(`model-bundles contract: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
