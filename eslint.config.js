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
  {
    // This file is plain JavaScript outside the tsconfig: syntax-level checks only.
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
