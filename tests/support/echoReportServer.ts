import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';

/** What tests/pages/firefox-echotest.js POSTs to /report every 500 ms. */
export interface EchoReport {
  id: string;
  /** janus.js callbacks, timestamped ("webrtcup true", "event {...}", "error: ..."). */
  events: string[];
  /** When getStats() was last sampled (ms since the epoch); 0 before the PeerConnection exists. */
  sampledAt: number;
  /** inbound-rtp packetsReceived / framesDecoded of the echoed streams. */
  audioPackets: number;
  videoPackets: number;
  framesDecoded: number;
  /** outbound-rtp packetsSent: what the browser sent to the gateway. */
  audioPacketsSent: number;
  videoPacketsSent: number;
  iceConnectionState: string | null;
  connectionState: string | null;
  candidatePair: { state: string; nominated: boolean; selected: boolean; local: string | null; remote: string | null } | null;
  localCandidates: string[];
  /** The first failure the page saw (janus.js error callback, uncaught exception). */
  error: string | null;
}

/** Serves the report page on 127.0.0.1 (random port) and keeps the latest report per page id. */
export interface EchoReportServer {
  /** The page's URL for a Janus API `server` URL; its reports are kept under `id`. */
  pageUrl(server: string, id: string): string;
  /** The latest report of page `id`, if one arrived. */
  latest(id: string): EchoReport | undefined;
  close(): Promise<void>;
}

const pagesDir = path.resolve(import.meta.dirname, '..', 'pages');
const require = createRequire(import.meta.url);

/** URL path → file: the page, and the same janus.js + adapter.js the gateway's demo serves. */
const files: Record<string, { file: string; type: string }> = {
  '/': { file: path.join(pagesDir, 'firefox-echotest.html'), type: 'text/html; charset=utf-8' },
  '/firefox-echotest.js': { file: path.join(pagesDir, 'firefox-echotest.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/janus.js': {
    file: path.join(path.dirname(require.resolve('janus-gateway/package.json')), 'src', 'janus.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/vendor/adapter.js': {
    file: path.join(path.dirname(require.resolve('webrtc-adapter/package.json')), 'out', 'adapter.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

/** Largest report accepted (bytes); the page's event log stays far below it. */
const MAX_REPORT = 1024 * 1024;

/**
 * Starts the test's own HTTP server. The page it serves talks to the gateway cross-origin (the
 * gateway's HTTP API allows any origin) and reports back here, same-origin.
 */
export async function startEchoReportServer(): Promise<EchoReportServer> {
  const reports = new Map<string, EchoReport>();
  const server = createServer((req, res) => {
    handle(req, res, reports).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    pageUrl: (janusServer, id) => `http://127.0.0.1:${port}/?server=${encodeURIComponent(janusServer)}&id=${encodeURIComponent(id)}`,
    latest: (id) => reports.get(id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, reports: Map<string, EchoReport>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (req.method === 'POST' && url.pathname === '/report') {
    const report = JSON.parse(await readBody(req)) as EchoReport;
    reports.set(report.id, report);
    res.writeHead(204).end();
    return;
  }
  const entry = req.method === 'GET' ? files[url.pathname] : undefined;
  if (!entry) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const body = await readFile(entry.file);
  res.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-store' }).end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REPORT) throw new Error(`report larger than ${MAX_REPORT} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
