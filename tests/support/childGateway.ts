// `npm start` in a child process, on loopback with OS-chosen ports, for tests that must see
// whether the gateway process survives (a crash in-process would take the test runner with it)
// or that run it under OS limits (`prlimit`), or whose timing must not include the test process's
// own event-loop stalls (the gateway in its own process, the clients in the test's).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GATEWAY_NODE_FLAGS } from '../../app/src/nodeFlags.ts';
import { adminRequest, type AdminReply } from './adminClient.ts';

const main = fileURLToPath(new URL('../../app/src/main.ts', import.meta.url));

export const CHILD_ADMIN_SECRET = 'child-admin-secret';

export interface ChildGatewayOptions {
  /** Config file contents (merged under the CLI's ports, secret and log level). */
  config?: Record<string, unknown>;
  /** Runs the gateway under `prlimit --nofile=N:N`. */
  nofile?: number;
  /** Log level (default warn). */
  logLevel?: string;
}

export interface ChildGateway {
  wsUrl: string;
  httpUrl: string;
  adminUrl: string;
  child: ChildProcess;
  /** Exit code or signal once the process ended; undefined while it runs. */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** An Admin API request over HTTP with the child's admin secret. */
  admin(request: Record<string, unknown>): Promise<AdminReply>;
  /** Everything the process wrote so far (pino's JSON lines go to stdout, the banner to stderr). */
  output(): string;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** Starts `app/src/main.ts` as a child process and resolves once it prints its URLs. */
export async function startChildGateway(options: ChildGatewayOptions = {}): Promise<ChildGateway> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cardea-child-'));
  const configPath = path.join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify({ ...options.config, plugins: { dir: path.join(dir, 'plugins') } }));
  // The Node flags `npm start` runs the gateway with (app/src/nodeFlags.ts).
  const args = [
    ...GATEWAY_NODE_FLAGS,
    main,
    '--config', configPath,
    '--ws-port', '0', '--http-port', '0', '--admin-port', '0',
    '--admin-secret', CHILD_ADMIN_SECRET,
    '--log-level', options.logLevel ?? 'warn',
  ];
  const [command, argv] = options.nofile === undefined ? [process.execPath, args] : ['prlimit', [`--nofile=${options.nofile}:${options.nofile}`, process.execPath, ...args]];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exit: ChildGateway['exit'];
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => {
    exit = { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  const urls = await new Promise<{ ws: string; http: string; admin: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start in 30 s:\n${output}`)), 30_000);
    const check = (): void => {
      const ws = /Janus API \(WebSocket\):\s+(ws:\/\/\S+)/.exec(output)?.[1];
      const http = /Janus API \(HTTP\):\s+(http:\/\/\S+)/.exec(output)?.[1];
      const admin = /Admin API:\s+(http:\/\/\S+)/.exec(output)?.[1];
      if (ws && http && admin) {
        clearTimeout(timer);
        resolve({ ws: `${ws}/`, http, admin });
      }
    };
    child.stderr.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited at start (${JSON.stringify(exit)}):\n${output}`));
    });
  });
  let stopped: Promise<void> | undefined;
  return {
    wsUrl: urls.ws,
    httpUrl: urls.http,
    adminUrl: urls.admin,
    child,
    get exit() {
      return exit;
    },
    admin: (request) => adminRequest(urls.admin, request, CHILD_ADMIN_SECRET),
    output: () => output,
    stop: () =>
      (stopped ??= (async () => {
        if (exit === undefined) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}
