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

  async get(urlPath: string): Promise<StaticFile | undefined> {
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

/** The demo files of Cardea: the pages in core/demo and the stock janus.js + adapter.js. */
export function demoFiles(): StaticFiles {
  const require = createRequire(import.meta.url);
  const janusDir = join(require.resolve('janus-gateway/package.json'), '..');
  const adapterDir = join(require.resolve('webrtc-adapter/package.json'), '..');
  const demoDir = fileURLToPath(new URL('../../demo', import.meta.url));
  return new StaticFiles()
    .file('/vendor/janus.js', join(janusDir, 'src', 'janus.js'))
    .file('/vendor/adapter.js', join(adapterDir, 'out', 'adapter.js'))
    .file('/', join(demoDir, 'index.html'))
    .mount('/demo/', demoDir);
}
