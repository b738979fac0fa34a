import type { Plugin } from 'esbuild';
import { SDK_MODULE_NAME } from './sdkModule.ts';

/** Language of an uploaded plugin source. */
export type PluginLanguage = 'ts' | 'js';

/** What a deploy uploads. */
export interface PluginSource {
  /** Plugin name, used for the module's file name in stack traces. */
  name: string;
  source: string;
  language: PluginLanguage;
  /** Source map of `source` (JSON text), e.g. from a studio that compiled TypeScript itself. */
  sourcemap?: string | undefined;
}

/** A plugin bundled into one ES module for the sandbox. */
export interface CompiledPlugin {
  code: string;
  /** Source map of `code` back to the uploaded sources (JSON text). */
  map: string;
  /** The module's file name, as stack traces show it. */
  filename: string;
}

/** A source that does not compile or imports what a plugin may not import. */
export class PluginCompileError extends Error {
  override name = 'PluginCompileError';
}

/** Largest accepted source and bundled module, in characters. */
const MAX_SOURCE = 2 * 1024 * 1024;

/** A plugin may import the SDK and nothing else: no files, no packages, no Node built-ins. */
const onlyTheSdk: Plugin = {
  name: 'cardea-only-the-sdk',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (args.path === SDK_MODULE_NAME) return { path: args.path, external: true };
      return { errors: [{ text: `import '${args.path}' is not allowed: a plugin may import only ${SDK_MODULE_NAME}` }] };
    });
  },
};

/**
 * Compiles an uploaded plugin (TypeScript or JavaScript) into one ES module with esbuild: types
 * stripped, `@cardea/plugin-sdk` left as the only import (the sandbox provides it), and a source
 * map that leads back to the upload (through the uploaded map, when one is given).
 */
export async function compilePlugin(input: PluginSource): Promise<CompiledPlugin> {
  if (input.source.length > MAX_SOURCE) throw new PluginCompileError(`source exceeds ${MAX_SOURCE} characters`);
  const safeName = input.name.replace(/[^A-Za-z0-9._-]/g, '_');
  const filename = `${safeName}.mjs`;
  let contents = input.source;
  if (input.sourcemap !== undefined) {
    // esbuild follows an inline map of its input, composing it into the output map.
    contents += `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(input.sourcemap, 'utf8').toString('base64')}\n`;
  }
  // esbuild is imported on the first deploy: a gateway that never compiles a plugin does not load it
  // (`npm run bench -- memory` measures idle memory).
  const { build } = await import('esbuild');
  let result;
  try {
    result = await build({
      stdin: { contents, loader: input.language, sourcefile: `${safeName}.${input.language}` },
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2023',
      write: false,
      outfile: filename,
      sourcemap: 'external',
      sourcesContent: true,
      plugins: [onlyTheSdk],
      logLevel: 'silent',
    });
  } catch (error) {
    const failure = error as { errors?: Array<{ text: string; location?: { line: number; column: number } | null }> };
    const lines = (failure.errors ?? []).map((e) => (e.location ? `${e.location.line}:${e.location.column}: ${e.text}` : e.text));
    throw new PluginCompileError(lines.length > 0 ? lines.join('\n') : String(error));
  }
  const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'))?.text;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text;
  if (code === undefined || map === undefined) throw new PluginCompileError('esbuild produced no module');
  if (code.length > MAX_SOURCE) throw new PluginCompileError(`compiled module exceeds ${MAX_SOURCE} characters`);
  return { code: code.replace(/\n\/\/# sourceMappingURL=\S+\n?$/, '\n'), map, filename };
}
