// `model-bundles card <bundle> [--out FILE]`: the bundle's model card in Markdown. docs/deploy.md.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildCard } from '../core/deploy/card';
import { NodeFileSource } from '../core/io/nodeFileSource';
import { loadBundle, TargetError } from './bundleTarget';

const HELP = `Usage: model-bundles card <bundle-folder-or-file> [--out FILE]

Writes the bundle's model card (Markdown): parts with SHA-256, architecture, training, preprocessing
with ranges, the input contract, versions and findings. Without --out, prints it.
`;

export async function runCard(argv: string[]): Promise<number> {
  let values: { out?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    }));
  } catch (e) {
    process.stderr.write(`model-bundles card: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`model-bundles card: takes one bundle folder or file\n${HELP}`);
    return 2;
  }
  try {
    const { report, bundle, files } = await loadBundle(positionals[0]);
    const md = await buildCard(bundle, files, new NodeFileSource(), { tool: report.tool });
    if (values.out) {
      writeFileSync(values.out, md);
      process.stdout.write(`wrote ${values.out}\n`);
    } else process.stdout.write(md);
    return 0;
  } catch (e) {
    if (e instanceof TargetError) {
      process.stderr.write(`model-bundles card: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
