// One esbuild script for every bundle: extension host, CLI (Node, CommonJS) and webview (browser).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };
import { importMetaUrl, nodeCjs } from './esbuildNode.mjs';

await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode'],
    ...nodeCjs,
    banner: { js: importMetaUrl },
  }),
  esbuild.build({
    ...common,
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    ...nodeCjs,
    banner: { js: `#!/usr/bin/env node\n${importMetaUrl}` },
  }),
  esbuild.build({
    ...common,
    entryPoints: ['src/predictWorker.ts'],
    outfile: 'dist/predictWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    ...nodeCjs,
    banner: { js: importMetaUrl },
  }),
  esbuild.build({
    ...common,
    entryPoints: ['src/inspectWorker.ts'],
    outfile: 'dist/inspectWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    ...nodeCjs,
    banner: { js: importMetaUrl },
  }),
  esbuild.build({
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  }),
]);
// TensorFlow.js' wasm backend loads its .wasm files at run time from beside the bundle.
mkdirSync('dist', { recursive: true });
const tfWasm = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
for (const f of readdirSync(tfWasm)) if (f.endsWith('.wasm')) copyFileSync(`${tfWasm}/${f}`, `dist/${f}`);
console.log('built dist/extension.js, dist/cli.js, dist/webview.js');
