// Admin API helpers for tests: requests over HTTP (POST /admin) and over the admin WebSocket
// (subprotocol janus-admin-protocol), plus a gateway whose user plugins live in a temp directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { AdminReply, DeployOutcome } from '@cardea/admin-types';
import type { CardeaConfigInput } from '@cardea/core';
import { startTestGateway, type TestGateway } from './gateway.ts';
import { randomTransaction } from './janusClient.ts';

export type { AdminReply } from '@cardea/admin-types';

/** The admin secret startTestGateway configures. */
export const ADMIN_SECRET = 'test-admin-secret';

/** A test gateway with its own (temporary) user-plugin directory, removed on close. */
export interface SandboxGateway extends TestGateway {
  pluginDir: string;
  /** An Admin API request over HTTP; `admin_secret` is added unless `secret` is given (null: none). */
  admin(request: Record<string, unknown>, secret?: string | null): Promise<AdminReply>;
  /** deploy_plugin; rejects unless it succeeds. */
  deploy(name: string, source: string, language?: 'ts' | 'js', sourcemap?: string): Promise<DeployOutcome>;
}

/** POSTs one Admin API request to `adminUrl`. */
export async function adminRequest(
  adminUrl: string,
  request: Record<string, unknown>,
  secret: string | null = ADMIN_SECRET,
): Promise<AdminReply> {
  const body: Record<string, unknown> = { transaction: randomTransaction(), ...request };
  if (secret !== null) body.admin_secret = secret;
  const response = await fetch(adminUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return (await response.json()) as AdminReply;
}

/**
 * Starts a test gateway whose plugin directory is a fresh temp dir (or `pluginDir`, to restart on
 * the same store). `overrides` are merged into the config as startTestGateway does.
 */
export async function startSandboxGateway(overrides: CardeaConfigInput = {}, pluginDir?: string): Promise<SandboxGateway> {
  const dir = pluginDir ?? (await mkdtemp(path.join(tmpdir(), 'cardea-plugins-')));
  const gw = await startTestGateway({ ...overrides, plugins: { ...overrides.plugins, dir } });
  const admin = (request: Record<string, unknown>, secret: string | null = ADMIN_SECRET): Promise<AdminReply> =>
    adminRequest(gw.adminUrl, request, secret);
  return {
    ...gw,
    pluginDir: dir,
    admin,
    async deploy(name, source, language = 'ts', sourcemap) {
      const reply = await admin({ janus: 'deploy_plugin', name, source, language, ...(sourcemap !== undefined ? { sourcemap } : {}) });
      if (reply.janus !== 'success') throw new Error(`deploy_plugin ${name} failed: ${JSON.stringify(reply.error)}`);
      return reply.plugin as DeployOutcome;
    },
    async close() {
      await gw.close();
      if (pluginDir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An admin WebSocket connection: requests by transaction, and every unsolicited message recorded. */
export class AdminSocket {
  readonly events: AdminReply[] = [];
  readonly #socket: WebSocket;
  readonly #pending = new Map<string, (reply: AdminReply) => void>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data) => {
      const message = JSON.parse((data as Buffer).toString('utf8')) as AdminReply;
      const resolve = message.transaction !== undefined ? this.#pending.get(message.transaction) : undefined;
      if (resolve && message.transaction !== undefined) {
        this.#pending.delete(message.transaction);
        resolve(message);
      } else {
        this.events.push(message);
      }
    });
  }

  /** Connects to the admin port (the same port as `adminUrl`, any path). */
  static async connect(adminUrl: string): Promise<AdminSocket> {
    const url = adminUrl.replace(/^http/, 'ws');
    const socket = new WebSocket(url, 'janus-admin-protocol');
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new AdminSocket(socket);
  }

  request(request: Record<string, unknown>, secret: string | null = ADMIN_SECRET): Promise<AdminReply> {
    const transaction = randomTransaction();
    const body: Record<string, unknown> = { ...request, transaction };
    if (secret !== null) body.admin_secret = secret;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(transaction);
        reject(new Error(`no admin reply to ${String(request.janus)} within 10 s`));
      }, 10_000);
      this.#pending.set(transaction, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.#socket.send(JSON.stringify(body));
    });
  }

  /** Waits for an unsolicited message `predicate` accepts (already received ones count). */
  async waitForEvent(predicate: (message: AdminReply) => boolean, timeoutMs = 5000): Promise<AdminReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no matching admin event within ${timeoutMs} ms; got ${JSON.stringify(this.events.map((e) => e.janus + ':' + String(e.event)))}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.#socket.once('close', () => resolve());
      this.#socket.close();
    });
  }
}
