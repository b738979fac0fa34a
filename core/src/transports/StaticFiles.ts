import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** A file served over HTTP. */
export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/**
 * Static files under URL prefixes: the demo pages, and the stock janus.js and adapter.js from their
 * npm packages (served, never copied into the repository).
 */
export class StaticFiles {
  readonly #mounts: Array<{ prefix: string; dir: string }> = [];
  readonly #files = new Map<string, string>();
  readonly #generated = new Map<string, () => unknown>();

  /** Serves `dir` under `prefix` (e.g. "/demo/"). */
  mount(prefix: string, dir: string): this {
    this.#mounts.push({ prefix, dir });
    return this;
  }

  /** Serves one file at `path`. */
  file(path: string, file: string): this {
    this.#files.set(path, file);
    return this;
  }

  /** Serves JSON computed per request at `path` (e.g. the studio's view of the bound ports). */
  json(path: string, body: () => unknown): this {
    this.#generated.set(path, body);
    return this;
  }

  async get(urlPath: string): Promise<StaticFile | undefined> {
    const generated = this.#generated.get(urlPath);
    if (generated) return { body: Buffer.from(JSON.stringify(generated())), contentType: types['.json'] ?? 'application/json' };
    const single = this.#files.get(urlPath);
    if (single) return load(single);
    for (const { prefix, dir } of this.#mounts) {
      if (!urlPath.startsWith(prefix)) continue;
      const rest = decodeURIComponent(urlPath.slice(prefix.length)) || 'index.html';
      const full = normalize(join(dir, rest));
      if (!full.startsWith(dir + sep) && full !== dir) return undefined;
      const file = await load(full.endsWith(sep) ? join(full, 'index.html') : full);
      if (file) return file;
    }
    return undefined;
  }
}

async function load(path: string): Promise<StaticFile | undefined> {
  try {
    return { body: await readFile(path), contentType: types[extname(path)] ?? 'application/octet-stream' };
  } catch {
    return undefined; // missing file: the caller answers 404
  }
}

/** Options of {@link demoFiles}. */
export interface DemoFilesOptions {
  /**
   * What the studio reads at `/studio/config.json` to find the gateway's Admin API and Janus API
   * (e.g. `{ admin: { port, path }, janus: { httpPath, wsPort } }`); default: not served, and the
   * studio falls back to the default ports or what its sign-in form is given.
   */
  studioConfig?: () => unknown;
}

/**
 * The demo files of Cardea: the pages in core/demo, the stock janus.js + adapter.js, and Cardea
 * Studio's Vite build (studio/dist, from `npm run studio:build`) at /studio/.
 */
export function demoFiles(options: DemoFilesOptions = {}): StaticFiles {
  const require = createRequire(import.meta.url);
  const janusDir = join(require.resolve('janus-gateway/package.json'), '..');
  const adapterDir = join(require.resolve('webrtc-adapter/package.json'), '..');
  const demoDir = fileURLToPath(new URL('../../demo', import.meta.url));
  const studioDir = fileURLToPath(new URL('../../../studio/dist', import.meta.url));
  const files = new StaticFiles()
    .file('/vendor/janus.js', join(janusDir, 'src', 'janus.js'))
    .file('/vendor/adapter.js', join(adapterDir, 'out', 'adapter.js'))
    .file('/', join(demoDir, 'index.html'))
    .mount('/demo/', demoDir)
    .file('/studio', join(studioDir, 'index.html'))
    .mount('/studio/', studioDir);
  if (options.studioConfig) files.json('/studio/config.json', options.studioConfig);
  return files;
}
