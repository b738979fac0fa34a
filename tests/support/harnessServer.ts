import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A loopback HTTP server for test pages (tests/pages) and the stock janus.js + adapter.js. */
export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

const pagesDir = fileURLToPath(new URL('../pages', import.meta.url));

export async function startHarnessServer(): Promise<HarnessServer> {
  const require = createRequire(import.meta.url);
  const files: Record<string, string> = {
    '/vendor/janus.js': join(require.resolve('janus-gateway/package.json'), '..', 'src', 'janus.js'),
    '/vendor/adapter.js': join(require.resolve('webrtc-adapter/package.json'), '..', 'out', 'adapter.js'),
    '/': join(pagesDir, 'harness.html'),
    '/harness.js': join(pagesDir, 'harness.js'),
  };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = files[path];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'Content-Type': path.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
