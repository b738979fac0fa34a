import { ENTRY_FILE } from '../editor/PluginProject.ts';

/** What `deploy_plugin` uploads. */
export interface PluginUpload {
  language: 'ts' | 'js';
  source: string;
  /** Source map of `source` back to the studio's files (multi-file plugins). */
  sourcemap?: string;
}

/**
 * Turns a project into one upload. The gateway compiles one module that may import only the SDK,
 * so a single-file plugin goes up as TypeScript as it is (the gateway's esbuild compiles it, and
 * keeps it as written), while a plugin of several files is bundled here, with esbuild's
 * WebAssembly build loaded on first use, into one JavaScript module plus a source map whose
 * `sourcesContent` holds every file — so stack traces point into the right file, and the files
 * can be restored from what the gateway stores.
 */
export async function bundleProject(files: Record<string, string>): Promise<PluginUpload> {
  const paths = Object.keys(files);
  const entry = files[ENTRY_FILE];
  if (entry === undefined) throw new Error(`a plugin needs ${ENTRY_FILE}`);
  if (paths.length === 1) return { language: 'ts', source: entry };
  const { bundleFiles } = await import('./esbuildBundle.ts');
  return bundleFiles(files, ENTRY_FILE);
}

/**
 * The files of a deployed plugin, from what it was uploaded as: the sources inside the uploaded
 * source map of a bundled plugin, or the single TypeScript file.
 */
export function filesFromUpload(upload: PluginUpload): Record<string, string> {
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
