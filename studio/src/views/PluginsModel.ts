import type { AdminClient } from '../admin/AdminClient.ts';
import type { PluginListing } from '../admin/AdminTypes.ts';
import { Emitter } from '../ui/Emitter.ts';

/** How often the plugin list is refreshed besides the deploy events (handle counts change). */
const POLL_MS = 3000;

/** The gateway's plugins (`list_plugins`), kept fresh by polling and by the admin event stream. */
export class PluginsModel {
  readonly events = new Emitter<{ changed: [plugins: PluginListing[]]; error: [message: string] }>();
  readonly #admin: AdminClient;
  #plugins: PluginListing[] = [];
  #timer = 0;
  #inFlight: Promise<void> | undefined;

  constructor(admin: AdminClient) {
    this.#admin = admin;
    admin.events.on('plugin', (event) => {
      if (event.event !== 'log') void this.refresh();
    });
    admin.events.on('state', (state) => {
      if (state === 'open') void this.refresh();
    });
  }

  get plugins(): PluginListing[] {
    return this.#plugins;
  }

  get(name: string): PluginListing | undefined {
    return this.#plugins.find((p) => p.name === name);
  }

  start(): void {
    void this.refresh();
    this.#timer = window.setInterval(() => void this.refresh(), POLL_MS);
  }

  stop(): void {
    window.clearInterval(this.#timer);
  }

  /** Fetches the list now (joining a fetch already under way). */
  refresh(): Promise<void> {
    this.#inFlight ??= this.#admin
      .request<{ plugins: PluginListing[] }>('list_plugins')
      .then((reply) => {
        const next = [...reply.plugins].sort((a, b) => a.name.localeCompare(b.name));
        if (JSON.stringify(next) === JSON.stringify(this.#plugins)) return;
        this.#plugins = next;
        this.events.emit('changed', next);
      })
      .catch((error: unknown) => this.events.emit('error', (error as Error).message))
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }
}
