import type { AdminClient } from '../admin/AdminClient.ts';
import type { FaultKind, PluginLogEntry, PluginStreamEvent } from '../admin/AdminTypes.ts';
import { h, replaceChildren } from '../ui/dom.ts';

/** Lines kept per plugin. */
const MAX_LINES = 1000;

/** A stack frame position: `room.ts:12:5`. */
const FRAME = /([A-Za-z0-9_.\-/]+\.(?:ts|js|mjs)):(\d+):(\d+)/g;

/** What each kind of fault means, for someone who just saw their plugin stopped. */
export function explainFault(kind: FaultKind): string {
  switch (kind) {
    case 'cpu':
      return 'It ran past its deadline: one call into the plugin (a handler, a timer, promise jobs) ran longer than the sandbox allows, or it used more than its CPU time per second. Look for a loop that never ends or heavy work inside a handler.';
    case 'memory':
      return 'It ran out of memory: its heap grew past the sandbox’s memory cap. Look for data that grows without bound (maps never cleared, arrays appended to forever).';
    case 'crash':
      return 'Its sandbox crashed (an internal error of the runtime, not a thrown exception).';
  }
}

type Line =
  | { kind: 'log'; entry: PluginLogEntry }
  | { kind: 'fault'; at: string; version: string; fault: FaultKind; message: string; handles: number }
  | { kind: 'deploy'; at: string; text: string };

/**
 * The log panel: the open plugin's log lines (history from `plugin_logs`, then live from the admin
 * event stream), errors with their source-mapped stacks whose frames jump into the editor, faults
 * with an explanation, and deploys.
 */
export class LogPanel {
  readonly element: HTMLElement;
  readonly #list: HTMLOListElement;
  readonly #title: HTMLElement;
  readonly #lines = new Map<string, Line[]>();
  readonly #admin: AdminClient;
  readonly #reveal: (file: string, line: number, column: number) => void;
  #plugin: string | undefined;
  #unread = 0;
  onUnread: ((errors: number) => void) | undefined;

  constructor(admin: AdminClient, reveal: (file: string, line: number, column: number) => void) {
    this.#admin = admin;
    this.#reveal = reveal;
    this.#title = h('span', { class: 'muted' }, 'No plugin open');
    this.#list = h('ol', { class: 'entries logs', id: 'log-lines', 'aria-label': 'Plugin log', 'aria-live': 'polite' });
    this.element = h(
      'div',
      { class: 'log-panel' },
      h('div', { class: 'panel-toolbar' }, this.#title, h('button', { onclick: () => this.clear() }, 'Clear')),
      this.#list,
    );
    admin.events.on('plugin', (event) => this.#onEvent(event));
  }

  /** Shows one plugin's log, loading its recent history when it is deployed. */
  async show(plugin: string | undefined, deployed = true): Promise<void> {
    this.#plugin = plugin;
    this.#title.textContent = plugin ? `Log of ${plugin}` : 'No plugin open';
    this.#render();
    if (!plugin || !deployed) return;
    try {
      const { logs } = await this.#admin.request<{ logs: PluginLogEntry[] }>('plugin_logs', { name: plugin, limit: 200 });
      const live = (this.#lines.get(plugin) ?? []).filter(
        (l) => l.kind !== 'log' || !logs.some((e) => e.at === l.entry.at && e.message === l.entry.message),
      );
      this.#lines.set(plugin, [...logs.map((entry): Line => ({ kind: 'log', entry })), ...live].slice(-MAX_LINES));
    } catch (error) {
      // A plugin that is not deployed yet has no log: nothing to load.
      console.warn(`no log history for ${plugin}`, error);
    }
    if (this.#plugin === plugin) this.#render();
  }

  clear(): void {
    if (this.#plugin) this.#lines.set(this.#plugin, []);
    this.#render();
  }

  /** The panel became visible: unread errors are read. */
  markRead(): void {
    this.#unread = 0;
    this.onUnread?.(0);
  }

  #onEvent(event: PluginStreamEvent): void {
    const at = new Date().toISOString();
    let line: Line;
    switch (event.event) {
      case 'log':
        line = { kind: 'log', entry: event.entry };
        break;
      case 'fault':
        line = { kind: 'fault', at, version: event.version, fault: event.kind, message: event.message, handles: event.handles };
        break;
      case 'deployed':
      case 'rolled_back': {
        const o = event.outcome;
        const verb = event.event === 'deployed' ? (o.unchanged ? 'Deployed (unchanged)' : 'Deployed') : 'Rolled back to';
        line = {
          kind: 'deploy',
          at,
          text: `${verb} v${o.version} #${o.hash.slice(0, 8)}${o.previous ? ` (was v${o.previous.version})` : ''} in ${Math.round(o.reloadMs)} ms; ${o.migrated} handle(s) migrated, ${o.draining} draining`,
        };
        break;
      }
      case 'unloaded':
        line = { kind: 'deploy', at, text: 'Unloaded' };
        break;
    }
    const lines = this.#lines.get(event.plugin) ?? [];
    lines.push(line);
    if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
    this.#lines.set(event.plugin, lines);
    if (event.plugin !== this.#plugin) return;
    this.#list.append(this.#renderLine(line));
    this.#list.lastElementChild?.scrollIntoView({ block: 'nearest' });
    const isError = line.kind === 'fault' || (line.kind === 'log' && line.entry.level === 'error');
    if (isError) this.onUnread?.(++this.#unread);
  }

  #render(): void {
    const lines = this.#plugin ? (this.#lines.get(this.#plugin) ?? []) : [];
    replaceChildren(
      this.#list,
      lines.length === 0 ? h('li', { class: 'muted empty' }, 'No log lines yet.') : lines.map((l) => this.#renderLine(l)),
    );
    this.#list.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }

  #renderLine(line: Line): HTMLElement {
    if (line.kind === 'deploy') {
      return h(
        'li',
        { class: 'entry deploy', dataset: { kind: 'deploy' } },
        h('span', { class: 'entry-time muted' }, time(line.at)),
        h('span', { class: 'entry-kind' }, 'deploy'),
        ` ${line.text}`,
      );
    }
    if (line.kind === 'fault') {
      return h(
        'li',
        { class: 'entry fault', dataset: { kind: 'fault', fault: line.fault } },
        h('span', { class: 'entry-time muted' }, time(line.at)),
        h('span', { class: 'entry-kind' }, `fault: ${line.fault}`),
        ` v${line.version} stopped: ${line.message}. ${line.handles} handle(s) detached.`,
        h(
          'p',
          { class: 'fault-explanation' },
          explainFault(line.fault),
          ' The gateway restarts the plugin unless it faults more than 3 times a minute.',
        ),
      );
    }
    const e = line.entry;
    return h(
      'li',
      { class: `entry log ${e.level}`, dataset: { kind: 'log', level: e.level } },
      h('span', { class: 'entry-time muted' }, time(e.at)),
      h('span', { class: `entry-kind level-${e.level}` }, e.level),
      h('span', { class: 'muted' }, ` v${e.version} `),
      h('span', { class: 'entry-text' }, e.message),
      e.fields && Object.keys(e.fields).length > 0 ? h('code', { class: 'entry-fields muted' }, ` ${JSON.stringify(e.fields)}`) : null,
      e.stack ? this.#stack(e.stack) : null,
    );
  }

  /** A stack whose frames are links into the editor. */
  #stack(stack: string): HTMLElement {
    const pre = h('pre', { class: 'stack mono' });
    for (const text of stack.split('\n')) {
      let last = 0;
      for (const m of text.matchAll(FRAME)) {
        const [whole, file = '', line = '0', column = '0'] = m;
        pre.append(text.slice(last, m.index));
        pre.append(
          h(
            'a',
            {
              href: '#',
              class: 'frame-link',
              title: `Open ${file} at line ${line}`,
              onclick: (ev: Event) => (ev.preventDefault(), this.#reveal(file, Number(line), Number(column))),
            },
            whole,
          ),
        );
        last = (m.index ?? 0) + whole.length;
      }
      pre.append(`${text.slice(last)}\n`);
    }
    return pre;
  }
}

function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}
