import type { PluginFilesUpload, PluginSource } from '../admin/AdminTypes.ts';
import { ENTRY_FILE } from '../editor/entryFile.ts';

/**
 * What `deploy_plugin` uploads for a project: its files as they are and the entry. The gateway
 * bundles them (relative imports among the files, the SDK and nothing else), and its stack traces
 * and stored source map name each file by its path, so the studio's links open the right tab.
 */
export function projectUpload(files: Record<string, string>): PluginFilesUpload {
  if (!(ENTRY_FILE in files)) throw new Error(`a plugin needs ${ENTRY_FILE}`);
  return { files, entry: ENTRY_FILE };
}

/**
 * A set of files whose entry is `<folder>/index.ts`, as paths relative to that folder (the
 * studio's projects start from `index.ts` at their root): `src/index.ts`, `src/Room.ts` →
 * `index.ts`, `Room.ts`. Files outside the entry's folder are left out. Undefined when the entry
 * is not an `index.ts`.
 */
export function filesBesideEntry(files: Record<string, string>, entry: string): Record<string, string> | undefined {
  const slash = entry.lastIndexOf('/');
  if (entry.slice(slash + 1) !== ENTRY_FILE) return undefined;
  const folder = entry.slice(0, slash + 1);
  return Object.fromEntries(
    Object.entries(files).flatMap(([path, text]) => (path.startsWith(folder) ? [[path.slice(folder.length), text] as const] : [])),
  );
}

/**
 * The files of a deployed plugin, from what it was uploaded as: the set of files (this studio's
 * deploys), the sources inside the uploaded source map (a module bundled elsewhere, or by an
 * earlier studio), or the single module.
 */
export function filesFromUpload(upload: PluginSource): Record<string, string> {
  if (upload.files !== undefined && upload.entry !== undefined) {
    const files = filesBesideEntry(upload.files, upload.entry);
    if (files) return files;
  }
  if (upload.sourcemap !== undefined) {
    try {
      const map = JSON.parse(upload.sourcemap) as { sources?: string[]; sourcesContent?: Array<string | null> };
      const files: Record<string, string> = {};
      map.sources?.forEach((source, i) => {
        const text = map.sourcesContent?.[i];
        if (typeof text === 'string') files[source.replace(/^(\.\/)+/, '')] = text;
      });
      if (ENTRY_FILE in files) return files;
    } catch (error) {
      console.warn('unreadable uploaded source map; showing the uploaded module instead', error);
    }
  }
  return { [upload.language === 'ts' ? ENTRY_FILE : 'index.js.ts']: upload.source };
}
