import type { PluginListing } from '../admin/AdminTypes.ts';
import { h, icon, replaceChildren } from '../ui/dom.ts';
import type { PluginsModel } from './PluginsModel.ts';

/** What the plugin list asks the workbench to do. */
export interface PluginsViewActions {
  /** Opens a user plugin to edit, or a built-in's sources read-only. */
  open(name: string): void;
  /** Opens a copy of a built-in under a new name. */
  fork(name: string): void;
  newPlugin(): void;
  rollback(name: string): void;
  unload(name: string): void;
}

/** A built-in (in-process, or sandboxed with `plugins.builtinHost: "sandbox"`), read-only in the studio. */
export const isBuiltin = (p: PluginListing): boolean => p.builtin === true || (p.host === 'in-process' && p.hash === null);
const isUser = (p: PluginListing): boolean => !isBuiltin(p);

/** The side bar's plugin list: user plugins (open, roll back, unload) and the built-ins (read, fork). */
export class PluginsView {
  readonly element: HTMLElement;
  readonly #list: HTMLElement;
  readonly #model: PluginsModel;
  readonly #actions: PluginsViewActions;
  #current: string | undefined;

  constructor(model: PluginsModel, actions: PluginsViewActions) {
    this.#model = model;
    this.#actions = actions;
    this.#list = h('div', { class: 'tree', role: 'list', 'aria-label': 'Plugins' });
    this.element = h(
      'section',
      { class: 'view', 'aria-labelledby': 'plugins-title' },
      h(
        'header',
        { class: 'view-header' },
        h('h2', { id: 'plugins-title' }, 'Plugins'),
        h(
          'button',
          {
            class: 'icon-button',
            title: 'New plugin from a template (Ctrl+Alt+N)',
            'aria-label': 'New plugin',
            onclick: () => actions.newPlugin(),
          },
          icon('add'),
        ),
        h(
          'button',
          { class: 'icon-button', title: 'Refresh', 'aria-label': 'Refresh plugins', onclick: () => void model.refresh() },
          icon('refresh'),
        ),
      ),
      this.#list,
    );
    model.events.on('changed', () => this.render());
    this.render();
  }

  /** Highlights the plugin open in the editor. */
  setCurrent(name: string | undefined): void {
    this.#current = name;
    this.render();
  }

  render(): void {
    const plugins = this.#model.plugins;
    const user = plugins.filter(isUser);
    const builtin = plugins.filter((p) => !isUser(p));
    replaceChildren(
      this.#list,
      h('h3', { class: 'tree-group' }, `User plugins (${user.length})`),
      user.length === 0
        ? h('p', { class: 'muted empty' }, 'None deployed yet. Start one from a template.')
        : user.map((p) => this.#row(p, true)),
      h('h3', { class: 'tree-group' }, `Built-in (${builtin.length})`),
      builtin.map((p) => this.#row(p, false)),
    );
  }

  #row(p: PluginListing, user: boolean): HTMLElement {
    const draining = p.versions?.filter((v) => v.role === 'draining') ?? [];
    const details = [
      `${p.handles} handle${p.handles === 1 ? '' : 's'}`,
      p.hash ? `#${p.hash.slice(0, 8)}` : 'in-process',
      ...(p.state !== 'running' ? [p.state] : []),
      ...(draining.length > 0 ? [`${draining.length} draining`] : []),
    ];
    const readable = user || p.forkable === true;
    const row = h(
      'div',
      {
        class: `tree-row plugin-row${p.name === this.#current ? ' selected' : ''}${p.state === 'failed' ? ' failed' : ''}`,
        role: 'listitem',
        dataset: { plugin: p.name },
        title: `${p.name} ${p.version}${p.description ? ` — ${p.description}` : ''}${p.hash ? `\nhash ${p.hash}` : ''}`,
      },
      h(
        'button',
        {
          class: 'row-main',
          'aria-label': `${user ? 'Open' : readable ? 'Read the built-in' : 'Built-in plugin'} ${p.name}, version ${p.version}`,
          disabled: !readable,
          onclick: () => this.#actions.open(p.name),
        },
        h('span', { class: `state-dot ${p.state}`, 'aria-hidden': 'true' }),
        h('span', { class: 'plugin-name' }, p.name),
        h('span', { class: 'badge version', dataset: { version: p.version } }, `v${p.version}`),
        h('span', { class: 'row-details muted' }, details.join(' · ')),
      ),
    );
    if (user) {
      row.append(
        h(
          'span',
          { class: 'row-actions' },
          h(
            'button',
            {
              class: 'icon-button',
              title: 'Roll back to the previous version',
              'aria-label': `Roll back ${p.name}`,
              onclick: () => this.#actions.rollback(p.name),
            },
            icon('rollback'),
          ),
          h(
            'button',
            { class: 'icon-button', title: 'Unload', 'aria-label': `Unload ${p.name}`, onclick: () => this.#actions.unload(p.name) },
            icon('trash'),
          ),
        ),
      );
    } else if (readable) {
      row.append(
        h(
          'span',
          { class: 'row-actions' },
          h(
            'button',
            {
              class: 'icon-button fork-button',
              title: 'Fork: open a copy under a new name, to edit and deploy',
              'aria-label': `Fork ${p.name}`,
              onclick: () => this.#actions.fork(p.name),
            },
            icon('fork'),
          ),
        ),
      );
    }
    return row;
  }
}
