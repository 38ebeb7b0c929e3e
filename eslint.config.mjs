// ESLint flat config: typescript-eslint's type-checked rules, the purity rules of the design and the
// import direction of the core's wings (docs/architecture.md). `npm run lint` runs it with zero
// warnings allowed.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The wings of src/core, from the top (may import those below) to the bottom. */
const CORE_WINGS = ['report', 'bundles', 'export', 'deploy', 'recover', 'predict', 'lint', 'formats', 'codecs', 'io'];
/** Wings that sit side by side: none of them may import another one on the same level or above. */
const LEVEL = { report: 0, bundles: 1, export: 1, deploy: 0, recover: 0, predict: 2, lint: 2, formats: 3, codecs: 4, io: 5 };

/** Patterns forbidding imports of the wings at or above `wing` (its own folder excepted). */
function upwardPatterns(wing) {
  const above = CORE_WINGS.filter((w) => w !== wing && LEVEL[w] <= LEVEL[wing]);
  return above.map((w) => ({
    group: [`**/core/${w}/**`, `../${w}/**`, `../../${w}/**`, `../../../${w}/**`],
    message: `core/${wing} may not import core/${w} (imports run report/bundles → predict/lint → formats → codecs → io; docs/architecture.md).`,
  }));
}

const FAMILIES = ['pickle', 'keras', 'tfjs', 'logs', 'torch', 'onnx', 'safetensors'];

const vscodeBan = { name: 'vscode', message: 'src/core is pure: no vscode (adapters translate).' };
const nodeBans = ['child_process', 'node:child_process', 'fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'vm', 'node:vm'].map((name) => ({
  name,
  message: 'src/core reads files only through FileSource (io/nodeFileSource.ts is the one exception) and never runs code.',
}));

function coreRule(wing, extraPatterns = []) {
  return {
    files: [`src/core/${wing}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { paths: [vscodeBan, ...nodeBans], patterns: [...upwardPatterns(wing), ...extraPatterns] }],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', 'test/fixtures/**', 'test-output/**', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // No code from strings, anywhere (design: nothing from the workspace is ever evaluated).
      'no-eval': 'error',
      'no-implied-eval': 'off',
      '@typescript-eslint/no-implied-eval': 'error',
      'no-new-func': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Binary readers index typed arrays and narrow `unknown` JSON/pickle values step by step; these
      // rules flag that everyday code without finding bugs in it.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Wire types and opcodes are compared with the numbers decoded from the bytes.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      'no-control-regex': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  // The core's wings: pure, and imports run one way.
  ...CORE_WINGS.filter((w) => w !== 'formats').map((w) => coreRule(w)),
  coreRule('formats'),
  // A format family imports no other family except through formats/shared (or a codec).
  ...FAMILIES.map((family) => ({
    files: [`src/core/formats/${family}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [vscodeBan, ...nodeBans],
          patterns: [
            ...upwardPatterns('formats'),
            ...FAMILIES.filter((f) => f !== family).map((f) => ({
              group: [`../${f}/**`, `**/formats/${f}/**`],
              message: `formats/${family} may not import formats/${f}: share through formats/shared/ or a codec.`,
            })),
            { group: ['../readers', '../inspect', '../foreignModel'], message: 'a format family may not import the registry or the dispatcher above it.' },
          ],
        },
      ],
    },
  })),
  {
    files: ['src/core/formats/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [vscodeBan, ...nodeBans],
          patterns: [
            ...upwardPatterns('formats'),
            { group: FAMILIES.map((f) => `../${f}/**`), message: 'formats/shared is below the families: it imports none of them.' },
            { group: ['../readers', '../inspect', '../foreignModel'], message: 'formats/shared may not import the registry or the dispatcher.' },
          ],
        },
      ],
    },
  },
  {
    // The Node FileSource is the one module of the core that touches the file system.
    files: ['src/core/io/nodeFileSource.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeBan], patterns: upwardPatterns('io') }] },
  },
  {
    files: ['src/core/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [vscodeBan, ...nodeBans], patterns: [{ group: ['./*/**'], message: 'core/types.ts is the contract: it imports no wing.' }] },
      ],
    },
  },
  {
    // The DOM does not exist in the core.
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'document', message: 'src/core must not use the DOM' },
        { name: 'window', message: 'src/core must not use the DOM' },
      ],
    },
  },
  {
    // The webview is another runtime: it imports only the shared protocol and view models.
    files: ['webview/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../src/*', '!../src/shared', '../src/core/**', '../src/adapters/**'], message: 'the webview may import only src/shared.' }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off', // node:test's test() and describe() return promises the runner awaits
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
