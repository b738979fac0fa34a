import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { PluginUpload } from '@cardea/admin-types';
import type { PluginLanguage } from './sandbox/compilePlugin.ts';

/** A deployed plugin version as stored: the bundled module, its map, and what was uploaded. */
export interface PluginArtifact {
  /** sha256 of the bundled module, hex. */
  hash: string;
  name: string;
  code: string;
  map: string;
  filename: string;
  language: PluginLanguage;
}

/** Most previous versions remembered per plugin (for rollback). */
const MAX_HISTORY = 10;

const entrySchema = z.object({
  current: z.string(),
  /** Previously current hashes, oldest first. */
  history: z.array(z.string()),
});
type ManifestEntry = z.output<typeof entrySchema>;

/** `manifest.json` on disk: `{ version: 1, plugins: { <name>: entry } }`. */
const manifestFileSchema = z.object({ version: z.literal(1), plugins: z.unknown() });

/**
 * The manifest in memory: a Map by plugin name, never a plain object, so names that are
 * `Object.prototype` members (`toString`, `constructor`, `hasOwnProperty`, …) are ordinary keys.
 */
interface Manifest {
  plugins: Map<string, ManifestEntry>;
}

/** Reads the manifest's plugins from parsed JSON (own properties only: JSON.parse never sets a prototype). */
function parseManifest(json: unknown): Manifest {
  // The plugins object is walked as JSON.parse made it: a schema's parse would rebuild it as a
  // plain object, where a `__proto__` key would set the prototype instead of an entry.
  const file = manifestFileSchema.parse(json);
  if (typeof file.plugins !== 'object' || file.plugins === null || Array.isArray(file.plugins)) throw new Error('manifest.json: plugins is not an object');
  const plugins = new Map<string, ManifestEntry>();
  for (const [name, entry] of Object.entries(file.plugins)) plugins.set(name, entrySchema.parse(entry));
  return { plugins };
}

/** The manifest as JSON text; `Object.fromEntries` defines own properties, `__proto__` included. */
function serializeManifest(manifest: Manifest): string {
  return JSON.stringify({ version: 1, plugins: Object.fromEntries(manifest.plugins) }, null, 2);
}

/** `<hash>.upload.json`: one module (`source`, `sourcemap?`) or a set of files (`files`, `entry`). */
const uploadSchema = z.union([
  z.object({ source: z.string(), sourcemap: z.string().optional() }),
  z.object({ files: z.record(z.string(), z.string()), entry: z.string() }),
]);

/** What was uploaded for a version, as `upload()` hands it back. */
export type StoredUpload = { hash: string; language: PluginLanguage } & (
  | { source: string; sourcemap?: string }
  | { files: Record<string, string>; entry: string }
);

const metaSchema = z.object({ name: z.string(), filename: z.string(), language: z.enum(['ts', 'js']) });

/** sha256 of a bundled module: the identity of a plugin version. */
export function contentHash(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

/**
 * Deployed user plugins on disk, by content hash, so they survive a restart:
 * `<dir>/<hash>.mjs`, `<hash>.mjs.map`, `<hash>.json` (name, language), and `manifest.json` with
 * each plugin's current hash and its history for rollback. Writes are atomic (temp file, rename).
 * The directory is created on the first deploy, so a gateway that never deploys writes nothing.
 */
export class PluginArtifactStore {
  readonly dir: string;
  #manifest: Manifest | undefined;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  /** The plugins to load at start: name → current hash. */
  async current(): Promise<Map<string, string>> {
    const manifest = await this.#load();
    return new Map([...manifest.plugins].map(([name, entry]) => [name, entry.current]));
  }

  async read(hash: string): Promise<PluginArtifact> {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`not a content hash: ${hash}`);
    const [code, map, metaText] = await Promise.all([
      readFile(this.#file(`${hash}.mjs`), 'utf8'),
      readFile(this.#file(`${hash}.mjs.map`), 'utf8'),
      readFile(this.#file(`${hash}.json`), 'utf8'),
    ]);
    if (contentHash(code) !== hash) throw new Error(`stored module ${hash} does not match its hash`);
    const meta = metaSchema.parse(JSON.parse(metaText));
    return { hash, code, map, ...meta };
  }

  /** Stores a version's files (idempotent: same content, same names). */
  async write(artifact: PluginArtifact): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const meta = { name: artifact.name, filename: artifact.filename, language: artifact.language };
    await this.#atomic(`${artifact.hash}.mjs`, artifact.code);
    await this.#atomic(`${artifact.hash}.mjs.map`, artifact.map);
    await this.#atomic(`${artifact.hash}.json`, JSON.stringify(meta));
  }

  /** Keeps what was uploaded for a version (one module and its map, or the set of files), for the studio to reopen. */
  async writeUpload(hash: string, upload: PluginUpload): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const kept =
      'files' in upload
        ? { files: upload.files, entry: upload.entry }
        : { source: upload.source, ...(upload.sourcemap !== undefined ? { sourcemap: upload.sourcemap } : {}) };
    await this.#atomic(`${hash}.upload.json`, JSON.stringify(kept));
  }

  /** What was uploaded for `name`'s current version, if kept. */
  async upload(name: string): Promise<StoredUpload | undefined> {
    const hash = (await this.current()).get(name);
    if (!hash) return undefined;
    try {
      const [uploadText, metaText] = await Promise.all([readFile(this.#file(`${hash}.upload.json`), 'utf8'), readFile(this.#file(`${hash}.json`), 'utf8')]);
      const upload = uploadSchema.parse(JSON.parse(uploadText));
      const meta = metaSchema.parse(JSON.parse(metaText));
      if ('files' in upload) return { hash, language: meta.language, files: upload.files, entry: upload.entry };
      return { hash, language: meta.language, source: upload.source, ...(upload.sourcemap !== undefined ? { sourcemap: upload.sourcemap } : {}) };
    } catch {
      return undefined; // deployed before uploads were kept, or removed by hand: nothing to return
    }
  }

  /** Makes `hash` the current version of `name`, remembering the one it replaces. */
  async setCurrent(name: string, hash: string): Promise<void> {
    const manifest = await this.#load();
    const entry = manifest.plugins.get(name);
    if (entry && entry.current !== hash) {
      entry.history = [...entry.history.filter((h) => h !== entry.current), entry.current].slice(-MAX_HISTORY);
      entry.current = hash;
    } else if (!entry) {
      manifest.plugins.set(name, { current: hash, history: [] });
    }
    await this.#save(manifest);
  }

  /** The version before the current one, or undefined. */
  async previous(name: string): Promise<string | undefined> {
    const entry = (await this.#load()).plugins.get(name);
    return entry?.history[entry.history.length - 1];
  }

  /** Rollback: the previous version becomes current; the current one is forgotten. */
  async popCurrent(name: string): Promise<void> {
    const manifest = await this.#load();
    const entry = manifest.plugins.get(name);
    const previous = entry?.history.pop();
    if (!entry || previous === undefined) return;
    entry.current = previous;
    await this.#save(manifest);
  }

  /** Unload: the plugin is no longer loaded at start (its files stay). */
  async remove(name: string): Promise<void> {
    const manifest = await this.#load();
    if (!manifest.plugins.delete(name)) return;
    await this.#save(manifest);
  }

  #file(name: string): string {
    return path.join(this.dir, name);
  }

  async #load(): Promise<Manifest> {
    if (this.#manifest) return this.#manifest;
    let text: string;
    try {
      text = await readFile(this.#file('manifest.json'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.#manifest = { plugins: new Map() };
      return this.#manifest;
    }
    this.#manifest = parseManifest(JSON.parse(text));
    return this.#manifest;
  }

  async #save(manifest: Manifest): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.#atomic('manifest.json', serializeManifest(manifest));
  }

  async #atomic(name: string, text: string): Promise<void> {
    const target = this.#file(name);
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, text, 'utf8');
    await rename(temp, target);
  }
}
