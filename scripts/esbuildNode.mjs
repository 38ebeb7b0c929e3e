// esbuild options shared by every Node (CommonJS) bundle: the extension, the CLI, the prediction worker.
// h5wasm (HDF5) is ESM-only and asks `import.meta.url` for its own location (createRequire): in the
// CommonJS bundles that is the bundle's URL. utf8 keeps its embedded wasm string at 1-2 bytes a
// byte instead of 4-byte \x escapes (10 MB instead of 11.6 MB).
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';

export const nodeCjs = { define: { 'import.meta.url': '__importMetaUrl' }, charset: 'utf8' };
// "use strict" first: the banner would otherwise push esbuild's directive out of first place.
export const importMetaUrl = `"use strict";\nvar __importMetaUrl = require('url').pathToFileURL(__filename).href;`;

// TensorFlow.js backends register themselves on import, but their package.json marks the Node entry
// as free of side effects, so esbuild would drop `import '@tensorflow/tfjs-backend-cpu'`: keep it.
const keepTfjsBackends = {
  name: 'keep-tfjs-backends',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-backend-(cpu|wasm)$/ }, async (args) => {
      if (args.pluginData?.keepTfjs) return undefined;
      const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { keepTfjs: true } });
      return { ...r, sideEffects: true };
    });
  },
};
nodeCjs.plugins = [keepTfjsBackends];

// ONNX Runtime (docs/onnx.md). onnxruntime-node loads a native binding (`.node` + libonnxruntime) per
// platform: it stays outside the bundles and is copied, for one target, into dist/node_modules/ where
// `require('onnxruntime-node')` from dist/*.js finds it. onnxruntime-web is bundled; its wasm and
// loader are copied beside the bundles.
nodeCjs.external = ['onnxruntime-node'];

/**
 * Copies the ONNX Runtime files the bundles load at run time into `dist`: onnxruntime-web's wasm
 * and loader always; onnxruntime-node's JS and the binaries of `target` (`linux-x64`, `darwin-arm64`,
 * `win32-x64`...; default the building machine's; `none` for a platform-neutral build that runs ONNX
 * models on onnxruntime-web only).
 */
export function copyOnnxRuntime(dist, target = process.env.ORT_TARGET ?? `${process.platform}-${process.arch}`) {
  const web = 'node_modules/onnxruntime-web/dist';
  mkdirSync(dist, { recursive: true });
  for (const f of ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs']) cpSync(`${web}/${f}`, `${dist}/${f}`);
  // One platform's binaries only: whatever an earlier build for another target left goes first.
  rmSync(`${dist}/node_modules`, { recursive: true, force: true });
  if (target === 'none') return null;
  const [platform, arch] = target.split('-');
  const bin = `node_modules/onnxruntime-node/bin/napi-v6/${platform}/${arch}`;
  if (!existsSync(bin)) throw new Error(`onnxruntime-node has no binaries for ${target} (${bin})`);
  const out = `${dist}/node_modules`;
  cpSync('node_modules/onnxruntime-node/package.json', `${out}/onnxruntime-node/package.json`);
  cpSync('node_modules/onnxruntime-node/dist', `${out}/onnxruntime-node/dist`, { recursive: true, filter: (p) => !p.endsWith('.map') && !p.endsWith('.d.ts') });
  cpSync(bin, `${out}/onnxruntime-node/bin/napi-v6/${platform}/${arch}`, { recursive: true });
  cpSync('node_modules/onnxruntime-common/package.json', `${out}/onnxruntime-common/package.json`);
  cpSync('node_modules/onnxruntime-common/dist', `${out}/onnxruntime-common/dist`, {
    recursive: true,
    filter: (p) => !p.endsWith('.map') && !p.endsWith('.d.ts'),
  });
  return target;
}
