// One esbuild script for every bundle: extension host, CLI (Node, CommonJS) and webview (browser).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };
import { copyOnnxRuntime, importMetaUrl, nodeCjs } from './esbuildNode.mjs';

/** A Node bundle (CommonJS, with import.meta.url and the tfjs side-effect plugin) of `src/<name>.ts`. */
const node = (name, extra = {}) =>
  esbuild.build({
    ...common,
    entryPoints: [`src/${name}.ts`],
    outfile: `dist/${name}.js`,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    ...nodeCjs,
    banner: { js: importMetaUrl },
    ...extra,
  });

await Promise.all([
  node('extension', { external: ['vscode', ...nodeCjs.external] }),
  node('cli', { banner: { js: `#!/usr/bin/env node\n${importMetaUrl}` } }),
  node('predictWorker'),
  node('inspectWorker'),
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
// ONNX Runtime: onnxruntime-web's wasm beside the bundles, onnxruntime-node's binaries of one
// platform (ORT_TARGET, default this machine's; `none` = web only) in dist/node_modules (docs/onnx.md).
const ortTarget = copyOnnxRuntime('dist');
console.log(`built dist/extension.js, dist/cli.js, dist/webview.js (onnxruntime-node: ${ortTarget ?? 'none, onnxruntime-web only'})`);
