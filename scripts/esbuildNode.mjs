// esbuild options shared by every Node (CommonJS) bundle: the extension, the CLI, the prediction worker.
// h5wasm (HDF5) is ESM-only and asks `import.meta.url` for its own location (createRequire): in the
// CommonJS bundles that is the bundle's URL. utf8 keeps its embedded wasm string at 1-2 bytes a
// byte instead of 4-byte \x escapes (10 MB instead of 11.6 MB).
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
