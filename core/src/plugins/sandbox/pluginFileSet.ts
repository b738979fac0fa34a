// The files of a multi-file plugin upload (`{ files, entry }`): which paths are allowed, the caps,
// and how a relative import finds its file among them. Nothing here touches the disk: the files
// are the upload's strings, and an import can only name another of them (or the SDK).
import type { PluginLanguage } from './compilePlugin.ts';

/** Most files in one upload. */
export const MAX_FILES = 256;

/**
 * A file's path inside the upload: POSIX, relative, no `.` or `..` segments, ending in
 * `.ts`, `.mts`, `.js` or `.mjs` (e.g. `src/index.ts`, `src/rooms/Room.ts`).
 */
const FILE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*\/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(?:ts|mts|js|mjs)$/;

/** Why a file set cannot be compiled (the message names the file). */
export class PluginFileSetError extends Error {
  override name = 'PluginFileSetError';
}

/** The loader esbuild compiles `path` with: by its extension. */
export function languageOf(path: string): PluginLanguage {
  return /\.m?ts$/.test(path) ? 'ts' : 'js';
}

/** Checks the paths, the entry and the caps (`maxChars`: the files' total length). */
export function checkFileSet(files: Readonly<Record<string, string>>, entry: string, maxChars: number): void {
  const paths = Object.keys(files);
  if (paths.length === 0) throw new PluginFileSetError('files is empty');
  if (paths.length > MAX_FILES) throw new PluginFileSetError(`more than ${MAX_FILES} files`);
  let total = 0;
  for (const path of paths) {
    if (!FILE_PATH.test(path) || path.split('/').some((part) => part === '.' || part === '..'))
      throw new PluginFileSetError(`'${path}' is not a valid file path (relative, POSIX, .ts/.mts/.js/.mjs, no '.' or '..')`);
    const text = files[path];
    if (typeof text !== 'string') throw new PluginFileSetError(`'${path}' is not text`);
    total += text.length;
  }
  if (total > maxChars) throw new PluginFileSetError(`files exceed ${maxChars} characters in total`);
  if (!Object.hasOwn(files, entry)) throw new PluginFileSetError(`entry '${entry}' is not one of the files`);
}

/**
 * The file a relative import names, or undefined. `specifier` is joined to the importer's folder
 * (never above the upload's root); then tried as written, with `.ts`/`.js`, as a folder's
 * `index.ts`/`index.js`, and a `.js` specifier as its `.ts` source (the TypeScript ESM habit).
 */
export function resolveRelative(files: Readonly<Record<string, string>>, importer: string, specifier: string): string | undefined {
  const parts = importer.split('/').slice(0, -1);
  for (const part of specifier.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined; // above the root: not one of the files
      parts.pop();
    } else parts.push(part);
  }
  const base = parts.join('/');
  const candidates = [base, `${base}.ts`, `${base}.js`, `${base}/index.ts`, `${base}/index.js`];
  if (/\.m?js$/.test(base)) candidates.push(base.replace(/js$/, 'ts'));
  return candidates.find((candidate) => Object.hasOwn(files, candidate));
}
