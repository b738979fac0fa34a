// Where a built-in plugin's source files are, so `plugins.builtinHost: "sandbox"` can bundle it
// like a user plugin's upload. The core names no plugin package: the program that composes the
// gateway (app/src/builtinPlugins.ts) says where each built-in lives, and the core reads the files.
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PluginFilesUpload } from '@cardea/admin-types';

/** A built-in's sources: its package folder and the entry inside it. */
export interface BuiltinSource {
  /** The Janus name the plugin declares, e.g. `janus.plugin.videoroom`. */
  name: string;
  /** The plugin package's folder (absolute), e.g. `…/plugins/videoroom`. */
  root: string;
  /**
   * The entry file, relative to `root`, e.g. `src/index.ts`. Every `.ts`/`.mts`/`.js`/`.mjs` file
   * under the entry's folder is uploaded, by its path relative to `root` (so stacks read
   * `src/Room.ts:12`).
   */
  entry: string;
}

/** Reads a built-in's files as a files upload (`{ files, entry }`). */
export async function readBuiltinFiles(source: BuiltinSource): Promise<PluginFilesUpload> {
  const folder = path.dirname(path.join(source.root, source.entry));
  const entries: Dirent[] = await readdir(folder, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries) {
    if (!entry.isFile() || !/\.m?[jt]s$/.test(entry.name) || entry.name.endsWith('.d.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    files[path.relative(source.root, file).split(path.sep).join('/')] = await readFile(file, 'utf8');
  }
  return { files, entry: source.entry.split(path.sep).join('/') };
}
