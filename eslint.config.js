// ESLint flat config for Cardea: type-aware typescript-eslint over the TypeScript sources.
// Run with `npm run lint` (`eslint .`). Formatting is Prettier's job (.prettierrc.json), not ESLint's.
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** The TypeScript the root tsconfig.json covers; only these files are linted. */
const sources = [
  'admin-types/src/**/*.ts',
  'app/src/**/*.ts',
  'core/src/**/*.ts',
  'plugin-sdk/src/**/*.ts',
  'plugins/*/src/**/*.ts',
  'tests/**/*.ts',
  'bench/src/**/*.ts',
  'studio/src/**/*.ts',
  'studio/templates/**/*.ts',
  'studio/build/**/*.ts',
  'studio/vite.config.ts',
];

/** Where console output is the point (CLI entry, test runners, benchmarks), not a stray debug line. */
const consoleAllowed = ['app/src/main.ts', 'tests/**/*.ts', 'bench/**/*.ts'];

/**
 * The layer order (README "Layout", STYLE.md habit 1), checked by `no-restricted-imports`: inside
 * core/src, transports → api → plugins → media → webrtc → wasm; a layer imports the ones after it,
 * never one before it, and never the composition root (Gateway.ts, index.ts). config/ and util/ sit
 * below every layer (any layer may import them; they import none). The rule sees the specifier as
 * written, so relative paths are matched by the folder they climb into (`../api/…`, `../../api/…`);
 * no layer has a subfolder named like another layer, so that is exact here. Dynamic `import()` is
 * not checked by the rule (core/src has none across layers). tests/unit/lint.layers.test.ts proves
 * each restriction fires.
 */
const coreLayers = ['transports', 'api', 'plugins', 'media', 'webrtc'];
const layerOrder = 'layers import downwards only: transports → api → plugins → media → webrtc → wasm (README, Layout)';

/** What no file of core/src may import: the plugin packages, the app, and other workspaces' sources. */
const coreOutward = [
  {
    regex: '^@cardea/(plugin-(?!sdk$)[^/]+|app|studio|tests|bench|core)(/|$)',
    message: 'The core never imports plugin packages or the app: the entry point (app/src/main.ts) composes them.',
  },
  {
    regex: '^\\.{1,2}/(.*/)?(plugins/[^/]+|plugin-sdk|app|studio|tests|bench|admin-types)/src/',
    message: 'Import another workspace by its package name (@cardea/plugin-sdk, @cardea/admin-types), never by path.',
  },
];

/** The per-folder blocks: one per layer (and for config/ and util/), each with everything it may not import. */
function coreLayerBlocks() {
  const upward = (names) => ({
    regex: `^(\\.\\./)+(${names.join('|')})(/|$)`,
    message: `Upward import: ${layerOrder}.`,
  });
  const root = {
    regex: '^(\\.\\./)+(Gateway|index)\\.ts$',
    message: `The composition root imports the layers, not the other way: ${layerOrder}.`,
  };
  const blocks = coreLayers.map((layer, index) => ({
    files: [`core/src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...coreOutward, ...(index > 0 ? [upward(coreLayers.slice(0, index))] : []), root] }],
    },
  }));
  blocks.push({
    files: ['core/src/config/**/*.ts', 'core/src/util/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...coreOutward, upward(coreLayers), root] }] },
  });
  blocks.push({
    files: ['core/src/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: coreOutward }] },
  });
  return blocks;
}

/** Packages whose imports are fenced: the plugins, the SDK, and the Admin API's wire types. */
const packageBlocks = [
  {
    // A built-in is written exactly as a user plugin is, so that it runs in the sandbox too
    // (schemas use the SDK's re-exported `z`).
    files: ['plugins/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!\\.|@cardea/plugin-sdk$)', message: 'A plugin imports only @cardea/plugin-sdk and its own files.' },
            { regex: '^\\.{1,2}/(.*/)?src/', message: 'A plugin imports only @cardea/plugin-sdk and its own files.' },
          ],
        },
      ],
    },
  },
  {
    files: ['plugin-sdk/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^@cardea/', message: 'The plugin SDK is the contract: it imports nothing from the core or other workspaces.' },
            {
              regex: '^\\.{1,2}/(.*/)?src/',
              message: 'The plugin SDK is the contract: it imports nothing from the core or other workspaces.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['admin-types/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!\\./)', message: 'The Admin API wire types import nothing, so every layer and client may use them.' }] },
      ],
    },
  },
];

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    'studio/dist/',
    'tests/pages/',
    'wasm/build/',
    // AssemblyScript (i32, load<T>…) is not TypeScript the type checker understands.
    'wasm/assembly/',
    '**/*.js',
    '!eslint.config.js',
    // tsconfig's `include` globs skip dot-files, so the project service could not type them.
    '**/.*',
  ]),
  {
    files: sources,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's describe/it/test return promises the runner itself awaits; awaiting them in
          // a test file is not the documented style.
          allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
      // `_name` marks a parameter or binding kept for its position or to document a shape.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Handlers are declared `async` to satisfy an interface that returns a Promise (plugin
      // handlers, transport callbacks) even when a given implementation has nothing to await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: consoleAllowed,
    rules: {
      'no-console': 'off',
    },
  },
  {
    // Tests poke at wire JSON and third-party objects (werift, ws, playwright) whose shapes are
    // asserted at run time; demanding a typed path for every `JSON.parse` result is noise there.
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The studio is a browser app: warnings and errors for developers go to the browser console.
    files: ['studio/src/**/*.ts'],
    rules: { 'no-console': ['error', { allow: ['warn', 'error'] }] },
  },
  {
    // Monkey-patching a prototype means reading a method off it and re-invoking it with
    // `original.call(this)`; unbound-method cannot see that the `this` is re-bound.
    files: ['core/src/webrtc/weriftPatches.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // `return [JSON.parse(text)]` into a declared `unknown[] | undefined`: the rule allows any → unknown
    // but not through the `| undefined` union, so it flags a value already typed as unknown.
    files: ['core/src/transports/jsonFrames.ts'],
    rules: { '@typescript-eslint/no-unsafe-return': 'off' },
  },
  ...coreLayerBlocks(),
  ...packageBlocks,
  {
    // This file is plain JavaScript outside the tsconfig: syntax-level checks only.
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
