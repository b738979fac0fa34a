import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor } from './polling.ts';

/** A plugin event as the harness page recorded it. */
export interface HarnessEvent {
  msg?: Record<string, unknown> & { result?: Record<string, unknown> | string; error?: string };
  jsep?: { type: string; sdp: string } | null;
  data?: string;
  cleanup?: boolean;
}

/** Inbound counters of one mid. */
export interface MidStats {
  kind: string;
  packets: number;
  bytes: number;
  frames: number;
  width: number;
  height: number;
}

type Track = { type: 'audio' | 'video' | 'data'; capture?: boolean; recv?: boolean; simulcast?: boolean };

/** One browser user driving the stock janus.js through tests/pages/harness.js. */
export class HarnessUser {
  readonly page: Page;
  readonly #context: BrowserContext;

  private constructor(context: BrowserContext, page: Page) {
    this.#context = context;
    this.page = page;
  }

  static async open(browser: Browser, harnessUrl: string): Promise<HarnessUser> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(harnessUrl);
    return new HarnessUser(context, page);
  }

  connect(server: string, name = 'main'): Promise<boolean> {
    return this.page.evaluate(([n, s]) => window.harness.connect(n, s), [name, server] as const);
  }

  attach(handle: string, plugin: string, janus = 'main'): Promise<number> {
    return this.page.evaluate(([h, j, p]) => window.harness.attach(h, j, p), [handle, janus, plugin] as const);
  }

  send(handle: string, message: Record<string, unknown>, jsep?: unknown): Promise<unknown> {
    return this.page.evaluate(([h, m, j]) => window.harness.send(h, m, j), [handle, message, jsep] as const);
  }

  createOffer(handle: string, tracks: Track[]): Promise<{ type: string; sdp: string }> {
    return this.page.evaluate(([h, t]) => window.harness.createOffer(h, t), [handle, tracks] as const);
  }

  createAnswer(handle: string, jsep: unknown, tracks: Track[]): Promise<{ type: string; sdp: string }> {
    return this.page.evaluate(([h, j, t]) => window.harness.createAnswer(h, j, t), [handle, jsep, tracks] as const);
  }

  handleRemoteJsep(handle: string, jsep: unknown): Promise<boolean> {
    return this.page.evaluate(([h, j]) => window.harness.handleRemoteJsep(h, j), [handle, jsep] as const);
  }

  events(handle: string): Promise<HarnessEvent[]> {
    return this.page.evaluate((h) => window.harness.events(h), handle);
  }

  /** Waits for an event whose message satisfies `match`, and returns it. */
  async waitForEvent(handle: string, match: (e: HarnessEvent) => boolean, what: string, timeoutMs = 10_000): Promise<HarnessEvent> {
    const events = await waitFor(() => this.events(handle), (list) => list.some(match), timeoutMs, what);
    return events.find(match) as HarnessEvent;
  }

  stats(handle: string): Promise<Record<string, MidStats>> {
    return this.page.evaluate((h) => window.harness.stats(h), handle);
  }

  /** Total decoded video frames and audio packets over every mid. */
  async totals(handle: string): Promise<{ frames: number; audioPackets: number; videoPackets: number }> {
    const stats = Object.values(await this.stats(handle));
    return {
      frames: stats.reduce((n, s) => n + s.frames, 0),
      audioPackets: stats.filter((s) => s.kind === 'audio').reduce((n, s) => n + s.packets, 0),
      videoPackets: stats.filter((s) => s.kind === 'video').reduce((n, s) => n + s.packets, 0),
    };
  }

  close(): Promise<void> {
    return this.#context.close();
  }
}

declare global {
  interface Window {
    harness: {
      connect(name: string, server: string): Promise<boolean>;
      attach(handle: string, janus: string, plugin: string): Promise<number>;
      send(handle: string, message: Record<string, unknown>, jsep?: unknown): Promise<unknown>;
      createOffer(handle: string, tracks: readonly Track[]): Promise<{ type: string; sdp: string }>;
      createAnswer(handle: string, jsep: unknown, tracks: readonly Track[]): Promise<{ type: string; sdp: string }>;
      handleRemoteJsep(handle: string, jsep: unknown): Promise<boolean>;
      events(handle: string): HarnessEvent[];
      stats(handle: string): Promise<Record<string, MidStats>>;
      hangup(handle: string): boolean;
      detach(handle: string): Promise<unknown>;
      destroy(janus: string): Promise<unknown>;
    };
  }
}
