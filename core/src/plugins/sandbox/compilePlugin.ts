import type { Plugin } from 'esbuild';
import type { PluginUpload } from '@cardea/admin-types';
import { SDK_MODULE_NAME } from './sdkModule.ts';
import { checkFileSet, languageOf, resolveRelative } from './pluginFileSet.ts';

/** Language of an uploaded plugin source. */
export type PluginLanguage = 'ts' | 'js';

/**
 * What a deploy uploads: the plugin's name (for the module's file name in stack traces) and either
 * one module (`source`, `language`, optional `sourcemap`) or a set of files with an entry
 * (`files`, `entry`): the wire shapes of `deploy_plugin` (admin-types' `PluginUpload`).
 */
export type PluginSource = { name: string } & PluginUpload;

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

/** Largest accepted source (all files together) and bundled module, in characters. */
const MAX_SOURCE = 2 * 1024 * 1024;

/** Namespace of an uploaded file in esbuild (stripped from the source map's `sources`). */
const FILES = 'cardea-plugin-file';

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

/** The upload's files as esbuild's only file system: relative imports among them, the SDK, nothing else. */
function onlyTheFiles(files: Readonly<Record<string, string>>): Plugin {
  return {
    name: 'cardea-plugin-files',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return { path: args.path, namespace: FILES };
        if (args.path === SDK_MODULE_NAME) return { path: args.path, external: true };
        if (args.path.startsWith('./') || args.path.startsWith('../')) {
          const found = resolveRelative(files, args.importer, args.path);
          if (found !== undefined) return { path: found, namespace: FILES };
          return { errors: [{ text: `cannot find '${args.path}' (from ${args.importer}) among the plugin's files` }] };
        }
        return { errors: [{ text: `import '${args.path}' is not allowed: a plugin may import only ${SDK_MODULE_NAME} and its own files` }] };
      });
      pluginBuild.onLoad({ filter: /.*/, namespace: FILES }, (args) => ({ contents: files[args.path] ?? '', loader: languageOf(args.path) }));
    },
  };
}

/**
 * Compiles an uploaded plugin (TypeScript or JavaScript) into one ES module with esbuild: types
 * stripped, `@cardea/plugin-sdk` left as the only import (the sandbox provides it), and a source
 * map that leads back to the upload: to each file by its path for a set of files, through the
 * uploaded map for one module that brings one.
 */
export async function compilePlugin(input: PluginSource): Promise<CompiledPlugin> {
  const safeName = input.name.replace(/[^A-Za-z0-9._-]/g, '_');
  const filename = `${safeName}.mjs`;
  const common = {
    bundle: true,
    format: 'esm' as const,
    platform: 'neutral' as const,
    target: 'es2023',
    write: false as const,
    outfile: filename,
    sourcemap: 'external' as const,
    sourcesContent: true,
    logLevel: 'silent' as const,
  };
  let options;
  if ('files' in input) {
    try {
      checkFileSet(input.files, input.entry, MAX_SOURCE);
    } catch (error) {
      throw new PluginCompileError((error as Error).message);
    }
    options = { ...common, entryPoints: [input.entry], plugins: [onlyTheFiles(input.files)] };
  } else {
    if (input.source.length > MAX_SOURCE) throw new PluginCompileError(`source exceeds ${MAX_SOURCE} characters`);
    let contents = input.source;
    if (input.sourcemap !== undefined) {
      // esbuild follows an inline map of its input, composing it into the output map.
      contents += `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(input.sourcemap, 'utf8').toString('base64')}\n`;
    }
    options = { ...common, stdin: { contents, loader: input.language, sourcefile: `${safeName}.${input.language}` }, plugins: [onlyTheSdk] };
  }
  // esbuild is imported on the first deploy: a gateway that never compiles a plugin does not load it
  // (`npm run bench -- memory` measures idle memory).
  const { build } = await import('esbuild');
  let result;
  try {
    result = await build(options);
  } catch (error) {
    const failure = error as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> };
    const lines = (failure.errors ?? []).map((e) => (e.location ? `${locationOf(e.location)}: ${e.text}` : e.text));
    throw new PluginCompileError(lines.length > 0 ? lines.join('\n') : String(error));
  }
  const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'))?.text;
  const mapText = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text;
  if (code === undefined || mapText === undefined) throw new PluginCompileError('esbuild produced no module');
  if (code.length > MAX_SOURCE) throw new PluginCompileError(`compiled module exceeds ${MAX_SOURCE} characters`);
  const map = 'files' in input ? withFilePaths(mapText) : mapText;
  return { code: code.replace(/\n\/\/# sourceMappingURL=\S+\n?$/, '\n'), map, filename };
}

/** `file:line:column` of a compile error, the file by its upload path (no namespace). */
function locationOf(location: { file: string; line: number; column: number }): string {
  // One module's errors keep their `line:column` form; a set of files' name the file.
  if (!location.file.startsWith(`${FILES}:`)) return `${location.line}:${location.column}`;
  return `${location.file.slice(FILES.length + 1)}:${location.line}:${location.column}`;
}

/** The map with each source named by its upload path (`src/Room.ts`), not esbuild's `namespace:path`. */
function withFilePaths(mapText: string): string {
  const map = JSON.parse(mapText) as { sources?: string[] };
  map.sources = map.sources?.map((source) => (source.startsWith(`${FILES}:`) ? source.slice(FILES.length + 1) : source));
  return JSON.stringify(map);
}
