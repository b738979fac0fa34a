import type { AdminState } from '../admin/AdminClient.ts';
import { h, icon } from '../ui/dom.ts';

/** The status bar: connection, open plugin and its deployed version, deploy progress, problems, cursor, theme. */
export class StatusBar {
  readonly element: HTMLElement;
  readonly #connection: HTMLElement;
  readonly #plugin: HTMLElement;
  readonly #message: HTMLElement;
  readonly #problems: HTMLButtonElement;
  readonly #cursor: HTMLElement;

  constructor(actions: { showProblems(): void; toggleTheme(): void }) {
    this.#connection = h('span', { class: 'status-item', id: 'status-connection' });
    this.#plugin = h('span', { class: 'status-item', id: 'status-plugin' });
    this.#message = h('span', { class: 'status-item status-message', id: 'status-message', role: 'status', 'aria-live': 'polite' });
    this.#problems = h('button', {
      class: 'status-item',
      id: 'status-problems',
      title: 'Problems (Ctrl+Shift+M)',
      onclick: () => actions.showProblems(),
    });
    this.#cursor = h('span', { class: 'status-item', id: 'status-cursor' });
    this.element = h(
      'footer',
      { class: 'statusbar', 'aria-label': 'Status bar' },
      this.#connection,
      this.#plugin,
      this.#message,
      h('span', { class: 'spacer' }),
      this.#problems,
      this.#cursor,
      h('span', { class: 'status-item' }, 'TypeScript'),
      h(
        'button',
        {
          class: 'status-item',
          title: 'Toggle dark/light (Ctrl+Alt+D)',
          'aria-label': 'Toggle dark or light theme',
          onclick: () => actions.toggleTheme(),
        },
        icon('theme'),
      ),
    );
    this.setProblems(0, 0);
  }

  setConnection(state: AdminState, url: string): void {
    this.#connection.textContent = state === 'open' ? '● Gateway' : state === 'connecting' ? '◌ Connecting…' : '○ Disconnected';
    this.#connection.title = `Admin API ${url}: ${state}`;
    this.#connection.dataset.state = state;
  }

  setPlugin(name: string | undefined, version: string | undefined, dirty: boolean): void {
    this.#plugin.textContent = name ? `${name}${version ? ` v${version}` : ' (not deployed)'}${dirty ? ' ●' : ''}` : '';
    this.#plugin.title = dirty ? 'Edited since the last deploy' : '';
  }

  /** A transient message (deploy progress and results). */
  setMessage(text: string, kind: 'info' | 'ok' | 'error' = 'info'): void {
    this.#message.textContent = text;
    this.#message.dataset.kind = kind;
  }

  setProblems(errors: number, warnings: number): void {
    this.#problems.textContent = `⊗ ${errors}  ⚠ ${warnings}`;
    this.#problems.setAttribute('aria-label', `${errors} errors, ${warnings} warnings`);
    this.#problems.dataset.errors = String(errors);
  }

  setCursor(line: number, column: number): void {
    this.#cursor.textContent = `Ln ${line}, Col ${column}`;
  }
}
