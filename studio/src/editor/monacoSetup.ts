// Monaco without any CDN: the editor and language workers are bundled by Vite (`?worker`), and the
// TypeScript language service knows the plugin SDK through its generated declarations.
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/languages/features/json/json.worker?worker';
import TsWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';
import sdkTypes from 'virtual:cardea-sdk-types';
import zodTypes from 'virtual:cardea-zod-types';

export { monaco };

let ready = false;

/**
 * Wires the workers and the TypeScript defaults once: strict checking, ES2023 without the DOM (a
 * plugin runs in the gateway's sandbox, not a page), `.ts` imports between a plugin's files, and
 * the SDK (and zod, which it re-exports) as extra libs.
 */
export function setupMonaco(): void {
  if (ready) return;
  ready = true;
  self.MonacoEnvironment = {
    getWorker(_workerId: string, label: string): Worker {
      if (label === 'typescript' || label === 'javascript') return new TsWorker();
      if (label === 'json') return new JsonWorker();
      return new EditorWorker();
    },
  };
  const ts = monaco.typescript;
  ts.typescriptDefaults.setCompilerOptions({
    target: ts.ScriptTarget.ES2020,
    // Programmatic options name lib files, not the tsconfig's short names.
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.ESNext,
    // 100 = Bundler: `./room.ts` and `./room` both resolve between a plugin's files.
    moduleResolution: 100 as unknown as typeof ts.ModuleResolutionKind.NodeJs,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    noFallthroughCasesInSwitch: true,
    isolatedModules: true,
    types: [],
  });
  ts.typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
  ts.typescriptDefaults.setEagerModelSync(true);
  ts.typescriptDefaults.addExtraLib(sdkTypes, 'file:///node_modules/@types/cardea__plugin-sdk/index.d.ts');
  // The SDK re-exports zod as `z`: its declarations resolve `zod` to these, as from a node_modules.
  for (const [file, text] of Object.entries(zodTypes)) ts.typescriptDefaults.addExtraLib(text, `file:///node_modules/zod/${file}`);
  defineThemes();
}

/** VS Code's own dark and light themes, with the studio's accent. */
function defineThemes(): void {
  monaco.editor.defineTheme('cardea-dark', {
    base: 'vs-dark',
    inherit: true,
    rules: [],
    colors: { 'editor.background': '#1e1f22', 'editorGutter.background': '#1e1f22' },
  });
  monaco.editor.defineTheme('cardea-light', { base: 'vs', inherit: true, rules: [], colors: {} });
}

/** Marker owner of the TypeScript diagnostics (the same as Monaco's own adapter, so they never duplicate). */
export const TS_MARKER_OWNER = 'typescript';
