import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** The file a built-in's folder starts from (what its package's `exports` names). */
export const BUILTIN_ENTRY = 'index.ts';
/** At most this many files are read from one built-in's folder. */
const MAX_FILES = 200;
/** At most this many bytes in all (the four built-ins hold 30–150 kB each). */
const MAX_BYTES = 4 * 1024 * 1024;

/** A built-in's source folder could not be read (missing, too large, no entry file). */
export class BuiltinSourceError extends Error {
  override name = 'BuiltinSourceError';
}

/** The files of one built-in: paths relative to its source folder (`/`-separated) → text. */
export interface BuiltinFiles {
  entry: string;
  files: Record<string, string>;
}

/**
 * Where the built-ins' sources are, by plugin name, as the composing program knows it (the core
 * imports no plugin package, so it cannot find them itself), and reading them for the Admin API's
 * `get_builtin_source`: the studio shows them read-only and forks them into user plugins. The
 * folders are the gateway's own, named by its launcher, so they are trusted; the limits only keep
 * a mistaken folder (a whole tree) from being sent to a browser.
 */
export class BuiltinSources {
  readonly #dirs: ReadonlyMap<string, string>;

  /** `dirs`: plugin name → absolute path of the folder holding its sources (its `src/`). */
  constructor(dirs: ReadonlyMap<string, string> = new Map()) {
    this.#dirs = dirs;
  }

  /** True when the sources of built-in `name` are known. */
  has(name: string): boolean {
    return this.#dirs.has(name);
  }

  /** Every file of built-in `name`'s folder (sub-folders included), or undefined when not known. */
  async read(name: string): Promise<BuiltinFiles | undefined> {
    const dir = this.#dirs.get(name);
    if (dir === undefined) return undefined;
    const files: Record<string, string> = {};
    let bytes = 0;
    let count = 0;
    let entries;
    try {
      entries = await readdir(dir, { recursive: true, withFileTypes: true });
    } catch (error) {
      throw new BuiltinSourceError(`cannot read the sources of ${name}: ${(error as Error).message}`);
    }
    for (const entry of entries.sort((a, b) => a.parentPath.localeCompare(b.parentPath) || a.name.localeCompare(b.name))) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath, entry.name);
      const stat = await lstat(full);
      if (++count > MAX_FILES) throw new BuiltinSourceError(`the sources of ${name} hold more than ${MAX_FILES} files`);
      bytes += stat.size;
      if (bytes > MAX_BYTES) throw new BuiltinSourceError(`the sources of ${name} are larger than ${MAX_BYTES} bytes`);
      files[path.relative(dir, full).split(path.sep).join('/')] = await readFile(full, 'utf8');
    }
    if (!(BUILTIN_ENTRY in files)) throw new BuiltinSourceError(`the sources of ${name} have no ${BUILTIN_ENTRY}`);
    return { entry: BUILTIN_ENTRY, files };
  }
}
