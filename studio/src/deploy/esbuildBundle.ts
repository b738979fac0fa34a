// Client-side bundling of multi-file plugins with esbuild's WebAssembly build (lazy-loaded: the
// wasm file is only fetched the first time a plugin of several files is deployed).
import * as esbuild from 'esbuild-wasm';
import wasmURL from 'esbuild-wasm/esbuild.wasm?url';
import type { PluginUpload } from './bundle.ts';

const SDK = '@cardea/plugin-sdk';
const NAMESPACE = 'studio';
let initialized: Promise<void> | undefined;

/** Resolves `./room`, `./room.ts` or `./lib/index.ts` against the importing file. */
function resolveFile(files: Record<string, string>, importer: string, specifier: string): string | undefined {
  const dir = importer.includes('/') ? importer.slice(0, importer.lastIndexOf('/') + 1) : '';
  const parts: string[] = [];
  for (const part of (dir + specifier).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const base = parts.join('/');
  return [base, `${base}.ts`, `${base}/index.ts`].find((candidate) => candidate in files);
}

/** Bundles the files into one ES module that imports only the SDK, with a source map of the files. */
export async function bundleFiles(files: Record<string, string>, entry: string): Promise<PluginUpload> {
  initialized ??= esbuild.initialize({ wasmURL, worker: true });
  await initialized;
  const filesPlugin: esbuild.Plugin = {
    name: 'studio-files',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return { path: args.path, namespace: NAMESPACE };
        if (args.path === SDK) return { path: SDK, external: true };
        if (args.path.startsWith('./') || args.path.startsWith('../')) {
          const found = resolveFile(files, args.importer, args.path);
          if (found !== undefined) return { path: found, namespace: NAMESPACE };
          return { errors: [{ text: `cannot find '${args.path}' among the plugin's files` }] };
        }
        return { errors: [{ text: `import '${args.path}' is not allowed: a plugin may import only ${SDK} and its own files` }] };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: files[args.path] ?? '', loader: 'ts' }));
    },
  };
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    outfile: 'plugin.js',
    sourcemap: 'external',
    sourcesContent: true,
    logLevel: 'silent',
    plugins: [filesPlugin],
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text;
  const mapText = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text;
  if (code === undefined || mapText === undefined) throw new Error('esbuild produced no bundle');
  const map = JSON.parse(mapText) as { sources: string[] };
  map.sources = map.sources.map((s) => s.replace(`${NAMESPACE}:`, ''));
  return { language: 'js', source: code.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n'), sourcemap: JSON.stringify(map) };
}
