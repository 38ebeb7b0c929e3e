// One esbuild script for every bundle: extension host, CLI (Node, CommonJS) and webview (browser).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };
// h5wasm (HDF5) is ESM-only and asks `import.meta.url` for its own location (createRequire): in the
// CommonJS bundles that is the bundle's URL. utf8 keeps its embedded wasm string at 1-2 bytes a
// byte instead of 4-byte \x escapes (10 MB instead of 11.6 MB).
const nodeCjs = { define: { 'import.meta.url': '__importMetaUrl' }, charset: 'utf8' };
// "use strict" first: the banner would otherwise push esbuild's directive out of first place.
const importMetaUrl = `"use strict";\nvar __importMetaUrl = require('url').pathToFileURL(__filename).href;`;

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
