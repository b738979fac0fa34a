import type { AdminClient } from '../admin/AdminClient.ts';
import type { StudioConfig } from '../config/StudioConfig.ts';
import { EditorArea } from '../editor/EditorArea.ts';
import { firstMessageFor, ForkError, forkFiles } from '../editor/forkBuiltin.ts';
import { ENTRY_FILE, PluginProject } from '../editor/PluginProject.ts';
import { LogPanel } from '../panels/LogPanel.ts';
import { ProblemsPanel } from '../panels/ProblemsPanel.ts';
import { TryItPanel } from '../panels/TryItPanel.ts';
import { instantiate, templates } from '../templates.ts';
import { h, icon, replaceChildren } from '../ui/dom.ts';
import { applyTheme, currentTheme } from '../ui/theme.ts';
import { PluginsModel } from '../views/PluginsModel.ts';
import { isBuiltin, PluginsView } from '../views/PluginsView.ts';
import { SessionsView } from '../views/SessionsView.ts';
import { DeployController } from './DeployController.ts';
import { pickForkName } from './ForkDialog.ts';
import { loadBuiltin, loadProject } from './ProjectLoader.ts';
import { installShortcuts, showShortcuts, type Shortcut } from './shortcuts.ts';
import { forgetDeployed } from './sourceHistory.ts';
import { StatusBar } from './StatusBar.ts';
import { pickTemplate } from './TemplatePicker.ts';

type SideView = 'plugins' | 'sessions';
type PanelTab = 'logs' | 'problems' | 'tryit';

/**
 * The studio's workbench, laid out like VS Code: activity bar, side bar (plugins, sessions), the
 * editor with a tab per file, the bottom panel (logs, problems, try it) and the status bar.
 */
export class Workbench {
  readonly element: HTMLElement;
  readonly #admin: AdminClient;
  readonly #plugins: PluginsModel;
  readonly #pluginsView: PluginsView;
  readonly #sessionsView: SessionsView;
  readonly #editor: EditorArea;
  readonly #logs: LogPanel;
  readonly #problems: ProblemsPanel;
  readonly #tryIt: TryItPanel;
  readonly #status: StatusBar;
  readonly #deployer: DeployController;
  readonly #sidebar: HTMLElement;
  readonly #panel: HTMLElement;
  readonly #panelTabs = new Map<PanelTab, { tab: HTMLButtonElement; body: HTMLElement }>();
  readonly #activity = new Map<SideView, HTMLButtonElement>();
  readonly #deployButton: HTMLButtonElement;
  readonly #rollbackButton: HTMLButtonElement;
  readonly #revertButton: HTMLButtonElement;
  readonly #forkButton: HTMLButtonElement;
  readonly #versionLabel: HTMLElement;
  readonly #shortcuts: Shortcut[];
  #project: PluginProject | undefined;
  #projectListeners: Array<() => void> = [];
  #view: SideView = 'plugins';
  #panelTab: PanelTab = 'logs';

  constructor(admin: AdminClient, config: StudioConfig, signOut: () => void) {
    this.#admin = admin;
    this.#plugins = new PluginsModel(admin);
    this.#deployer = new DeployController(admin);
    const reveal = (file: string, line: number, column: number): void => this.#reveal(file, line, column);
    this.#pluginsView = new PluginsView(this.#plugins, {
      open: (name) => void this.openPlugin(name),
      fork: (name) => void this.fork(name),
      newPlugin: () => void this.newPlugin(),
      rollback: (name) => void this.rollback(name),
      unload: (name) => void this.#unload(name),
    });
    this.#sessionsView = new SessionsView(admin);
    this.#logs = new LogPanel(admin, reveal);
    this.#problems = new ProblemsPanel(reveal);
    this.#tryIt = new TryItPanel(config.janusUrl);
    this.#status = new StatusBar({ showProblems: () => this.#showPanel('problems'), toggleTheme: () => this.#toggleTheme() });

    this.#versionLabel = h('span', { class: 'version-label muted', id: 'editor-version' });
    this.#deployButton = h(
      'button',
      { class: 'primary', id: 'deploy', title: 'Check, deploy and hot-reload (Ctrl+S)', onclick: () => void this.deploy() },
      icon('deploy'),
      'Deploy',
    );
    this.#rollbackButton = h(
      'button',
      {
        id: 'rollback',
        title: 'Roll back to the previous version (Ctrl+Alt+Z)',
        onclick: () => this.#project && void this.rollback(this.#project.name),
      },
      icon('rollback'),
      'Roll back',
    );
    this.#revertButton = h(
      'button',
      { id: 'revert', title: 'Discard the edits since the last deploy', onclick: () => this.#revert() },
      'Discard edits',
    );
    this.#forkButton = h(
      'button',
      {
        class: 'primary',
        id: 'fork',
        title: 'Open a copy of this built-in under a new name, to edit and deploy',
        onclick: () => this.#project && void this.fork(this.#project.name),
      },
      icon('fork'),
      'Fork',
    );
    const toolbar = h(
      'div',
      { class: 'editor-actions', role: 'toolbar', 'aria-label': 'Plugin actions' },
      this.#versionLabel,
      this.#revertButton,
      this.#rollbackButton,
      this.#deployButton,
      this.#forkButton,
    );
    this.#editor = new EditorArea(this.#welcome(), toolbar);

    this.#sidebar = h('aside', { class: 'sidebar', 'aria-label': 'Side bar' });
    const panelTabs = h('div', { class: 'panel-tabs', role: 'tablist', 'aria-label': 'Panel' });
    const panelBodies = h('div', { class: 'panel-bodies' });
    for (const [id, label, body] of [
      ['logs', 'Logs', this.#logs.element],
      ['problems', 'Problems', this.#problems.element],
      ['tryit', 'Try it', this.#tryIt.element],
    ] as const) {
      const tab = h(
        'button',
        { role: 'tab', id: `panel-tab-${id}`, class: 'panel-tab', 'aria-controls': `panel-${id}`, onclick: () => this.#showPanel(id) },
        label,
      );
      const wrapper = h('div', { role: 'tabpanel', id: `panel-${id}`, class: 'panel-body', 'aria-labelledby': `panel-tab-${id}` }, body);
      panelTabs.append(tab);
      panelBodies.append(wrapper);
      this.#panelTabs.set(id, { tab, body: wrapper });
    }
    this.#panel = h(
      'section',
      { class: 'panel', 'aria-label': 'Panel' },
      h(
        'div',
        { class: 'panel-header' },
        panelTabs,
        h(
          'button',
          { class: 'icon-button', 'aria-label': 'Hide panel (Ctrl+J)', title: 'Hide panel (Ctrl+J)', onclick: () => this.#togglePanel() },
          icon('close'),
        ),
      ),
      panelBodies,
    );

    const activity = h('nav', { class: 'activitybar', 'aria-label': 'Views' });
    for (const [id, label, glyph] of [
      ['plugins', 'Plugins (Ctrl+Shift+E)', 'plugins'],
      ['sessions', 'Sessions (Ctrl+Shift+H)', 'sessions'],
    ] as const) {
      const button = h(
        'button',
        { class: 'activity', 'aria-label': label, title: label, onclick: () => this.#activityClicked(id) },
        icon(glyph),
      );
      this.#activity.set(id, button);
      activity.append(button);
    }
    activity.append(
      h(
        'button',
        {
          class: 'activity',
          'aria-label': 'New plugin (Ctrl+Alt+N)',
          title: 'New plugin (Ctrl+Alt+N)',
          onclick: () => void this.newPlugin(),
        },
        icon('add'),
      ),
      h('span', { class: 'spacer' }),
      h(
        'button',
        {
          class: 'activity',
          'aria-label': 'Toggle dark or light theme',
          title: 'Dark/light (Ctrl+Alt+D)',
          onclick: () => this.#toggleTheme(),
        },
        icon('theme'),
      ),
      h(
        'button',
        {
          class: 'activity',
          'aria-label': 'Keyboard shortcuts',
          title: 'Keyboard shortcuts (Ctrl+Alt+H)',
          onclick: () => showShortcuts(this.#shortcuts),
        },
        icon('keyboard'),
      ),
      h('button', { class: 'activity', 'aria-label': 'Sign out', title: 'Sign out', onclick: () => signOut() }, icon('logout')),
    );

    this.element = h('div', { class: 'workbench' }, activity, this.#sidebar, this.#editor.element, this.#panel, this.#status.element);

    this.#shortcuts = [
      { keys: 'Mod+S', label: 'Deploy / hot-reload the open plugin', run: () => void this.deploy() },
      { keys: 'Mod+Alt+Z', label: 'Roll back the open plugin', run: () => this.#project && void this.rollback(this.#project.name) },
      { keys: 'Mod+Alt+N', label: 'New plugin from a template', run: () => void this.newPlugin() },
      { keys: 'Mod+B', label: 'Show or hide the side bar', run: () => this.#toggleSidebar() },
      { keys: 'Mod+J', label: 'Show or hide the panel', run: () => this.#togglePanel() },
      { keys: 'Mod+Shift+E', label: 'Plugins', run: () => this.#showView('plugins') },
      { keys: 'Mod+Shift+H', label: 'Sessions and handles', run: () => this.#showView('sessions') },
      { keys: 'Mod+Alt+L', label: 'Logs panel', run: () => this.#showPanel('logs') },
      { keys: 'Mod+Shift+M', label: 'Problems panel', run: () => this.#showPanel('problems') },
      { keys: 'Mod+Alt+T', label: 'Try-it panel', run: () => (this.#showPanel('tryit'), this.#tryIt.focusMessage()) },
      { keys: 'Mod+Alt+D', label: 'Dark / light theme', run: () => this.#toggleTheme() },
      { keys: 'Mod+Alt+H', label: 'This list', run: () => showShortcuts(this.#shortcuts) },
    ];
    this.#wire(config);
  }

  /** Starts polling and shows the default views. */
  start(): void {
    installShortcuts(this.#shortcuts);
    this.#plugins.start();
    this.#showView('plugins');
    // On a narrow screen the side bar overlays the editor: start with it closed.
    if (matchMedia('(max-width: 800px)').matches) this.element.classList.add('no-sidebar');
    this.#showPanel('logs');
    this.#renderProjectState();
  }

  /** Opens a deployed user plugin in the editor, or a built-in's sources read-only. */
  async openPlugin(name: string): Promise<void> {
    if (this.#project?.name === name) return;
    this.#status.setMessage(`Opening ${name}…`);
    try {
      const listing = this.#plugins.get(name);
      if (listing && isBuiltin(listing)) {
        const { project, version } = await loadBuiltin(this.#admin, name);
        this.#setProject(project);
        this.#status.setMessage(`Opened the built-in ${name} v${version}, read-only: Fork it to edit a copy`);
        return;
      }
      const { project, origin } = await loadProject(this.#admin, name, this.#plugins.get(name)?.hash ?? null);
      this.#setProject(project);
      this.#status.setMessage(
        origin === 'unavailable' ? `The gateway did not return the source of ${name}` : `Opened ${name}`,
        origin === 'unavailable' ? 'error' : 'info',
      );
    } catch (error) {
      this.#status.setMessage(`Cannot open ${name}: ${(error as Error).message}`, 'error');
    }
  }

  /** Creates a plugin from a template (not deployed until the first Deploy). */
  async newPlugin(preselect?: string): Promise<void> {
    const picked = await pickTemplate((name) => this.#plugins.get(name) !== undefined, preselect);
    if (!picked) return;
    const project = new PluginProject(picked.name, instantiate(picked.template, picked.name));
    this.#setProject(project);
    this.#tryIt.setMessage(picked.template.tryMessage);
    this.#status.setMessage(`${picked.name} created from the ${picked.template.title} template: edit, then deploy with Ctrl+S`);
    this.#editor.focus();
  }

  /**
   * Opens a copy of built-in `name` (its sources from the gateway, read-only until now) as a new
   * user plugin under a name the user picks, the plugin's own name rewritten in it; not deployed
   * until the first Deploy.
   */
  async fork(name: string): Promise<void> {
    try {
      const source =
        this.#project?.name === name && this.#project.readOnly ? this.#project : (await loadBuiltin(this.#admin, name)).project;
      const files = source.sources();
      if (source !== this.#project) source.dispose();
      const copyName = await pickForkName(name, Object.keys(files).length, (n) => this.#plugins.get(n) !== undefined);
      if (!copyName) return;
      const project = new PluginProject(copyName, forkFiles(files, name, copyName));
      this.#setProject(project);
      this.#tryIt.setMessage(firstMessageFor(name));
      this.#status.setMessage(`${copyName} forked from ${name}: edit, then deploy with Ctrl+S`);
      this.#editor.focus();
    } catch (error) {
      const message = error instanceof ForkError ? error.message : `cannot read its sources: ${(error as Error).message}`;
      this.#status.setMessage(`Cannot fork ${name}: ${message}`, 'error');
    }
  }

  async deploy(): Promise<void> {
    const project = this.#project;
    if (!project) {
      this.#status.setMessage('Open or create a plugin first', 'error');
      return;
    }
    if (project.readOnly) {
      this.#status.setMessage(`${project.name} is a built-in and read-only: Fork it to deploy a copy`, 'error');
      return;
    }
    await this.#deployer.deploy(project);
  }

  async rollback(name: string): Promise<void> {
    await this.#deployer.rollback(name, this.#project);
  }

  async #unload(name: string): Promise<void> {
    if (!confirm(`Unload ${name} from the gateway? Its stored versions stay on disk; attached handles are detached.`)) return;
    try {
      await this.#admin.request('unload_plugin', { name, force: true });
      forgetDeployed(name);
      if (this.#project?.name === name) this.#setProject(undefined);
      this.#status.setMessage(`Unloaded ${name}`, 'ok');
      await this.#plugins.refresh();
    } catch (error) {
      this.#status.setMessage(`Unload failed: ${(error as Error).message}`, 'error');
    }
  }

  #wire(config: StudioConfig): void {
    const admin = this.#admin;
    this.#status.setConnection(admin.state, config.adminUrl);
    admin.events.on('state', (state) => this.#status.setConnection(state, config.adminUrl));
    this.#plugins.events.on('changed', (plugins) => {
      this.#tryIt.setPlugins(
        plugins.map((p) => p.name),
        this.#project?.deployed ? this.#project.name : undefined,
      );
      this.#renderProjectState();
    });
    this.#plugins.events.on('error', (message) => this.#status.setMessage(`Plugin list: ${message}`, 'error'));
    this.#editor.events.on('cursor', (line, column) => this.#status.setCursor(line, column));
    this.#editor.events.on('markers', (errors, warnings) => this.#status.setProblems(errors, warnings));
    this.#logs.onUnread = (errors) =>
      this.#panelTabs.get('logs')?.tab.classList.toggle('has-errors', errors > 0 && this.#panelTab !== 'logs');
    const d = this.#deployer.events;
    d.on('busy', (what) => {
      this.#deployButton.disabled = what !== undefined;
      this.#rollbackButton.disabled = what !== undefined;
      if (what) this.#status.setMessage(what);
    });
    d.on('problems', (problems) => {
      this.#problems.show(problems);
      if (problems.length > 0) this.#showPanel('problems');
    });
    d.on('failed', (message) => this.#status.setMessage(message, 'error'));
    d.on('deployed', (name, o) => {
      const how = o.unchanged
        ? 'unchanged'
        : o.previous
          ? `hot-reloaded from v${o.previous.version}, ${o.migrated} handle(s) migrated`
          : 'first version';
      this.#status.setMessage(`Deployed ${name} v${o.version} #${o.hash.slice(0, 8)} in ${Math.round(o.reloadMs)} ms (${how})`, 'ok');
      void this.#plugins.refresh().then(() =>
        this.#tryIt.setPlugins(
          this.#plugins.plugins.map((p) => p.name),
          this.#tryIt.attached ? undefined : name,
        ),
      );
      void this.#logs.show(name);
      this.#renderProjectState();
    });
    d.on('rolledBack', (name, o) => {
      this.#status.setMessage(`Rolled ${name} back to v${o.version} #${o.hash.slice(0, 8)}`, 'ok');
      void this.#plugins.refresh();
      this.#renderProjectState();
    });
  }

  #setProject(project: PluginProject | undefined): void {
    for (const off of this.#projectListeners) off();
    this.#projectListeners = [];
    const old = this.#project;
    this.#project = project;
    this.#editor.setProject(project);
    old?.dispose();
    this.#problems.show([]);
    this.#pluginsView.setCurrent(project?.name);
    if (project) {
      this.#projectListeners.push(project.events.on('dirty', () => this.#renderProjectState()));
      if (project.deployed)
        this.#tryIt.setPlugins(
          this.#plugins.plugins.map((p) => p.name),
          project.name,
        );
    }
    void this.#logs.show(project?.name, project?.deployed !== undefined);
    this.#renderProjectState();
  }

  #renderProjectState(): void {
    const project = this.#project;
    const listing = project ? this.#plugins.get(project.name) : undefined;
    const version = listing?.version ?? project?.deployed?.version;
    this.#status.setPlugin(project?.name, listing ? version : undefined, project?.dirty ?? false);
    this.#versionLabel.textContent = project
      ? project.readOnly
        ? `${project.name} · built-in${listing ? ` v${listing.version}` : ''} · read-only`
        : listing
          ? `${project.name} · running v${listing.version}`
          : `${project.name} · not deployed`
      : '';
    this.#deployButton.hidden = !project || project.readOnly;
    this.#forkButton.hidden = !project?.readOnly;
    this.#rollbackButton.hidden = !project || project.readOnly || !listing;
    this.#revertButton.hidden = !project?.deployed || !project.dirty;
  }

  #revert(): void {
    const project = this.#project;
    if (!project?.deployed || !confirm(`Discard your edits to ${project.name} since v${project.deployed.version} was deployed?`)) return;
    project.revert();
    this.#status.setMessage(`Showing the deployed code of ${project.name} v${project.deployed.version}`);
  }

  #reveal(file: string, line: number, column: number): void {
    const project = this.#project;
    if (!project) return;
    const base = file.split('/').pop() ?? file;
    // A single-file plugin is compiled by the gateway as `<name>.ts`: that is the entry file.
    const path = project.model(base) ? base : base === `${project.name.replace(/[^A-Za-z0-9._-]/g, '_')}.ts` ? ENTRY_FILE : undefined;
    if (path === undefined || !this.#editor.reveal(path, line, column))
      this.#status.setMessage(`${file} is not a file of ${project.name}`, 'error');
  }

  #showView(view: SideView): void {
    this.#view = view;
    this.element.classList.remove('no-sidebar');
    for (const [id, button] of this.#activity) {
      button.classList.toggle('active', id === view);
      button.setAttribute('aria-pressed', String(id === view));
    }
    replaceChildren(this.#sidebar, view === 'plugins' ? this.#pluginsView.element : this.#sessionsView.element);
    this.#sessionsView.setVisible(view === 'sessions');
  }

  /** As in VS Code: the active view's icon hides the side bar, another one switches to its view. */
  #activityClicked(view: SideView): void {
    if (view === this.#view && !this.element.classList.contains('no-sidebar')) this.#toggleSidebar();
    else this.#showView(view);
  }

  #toggleSidebar(): void {
    const hidden = this.element.classList.toggle('no-sidebar');
    this.#sessionsView.setVisible(!hidden && this.#view === 'sessions');
  }

  #showPanel(tab: PanelTab): void {
    this.#panelTab = tab;
    this.element.classList.remove('no-panel');
    for (const [id, { tab: button, body }] of this.#panelTabs) {
      button.setAttribute('aria-selected', String(id === tab));
      button.classList.toggle('active', id === tab);
      body.hidden = id !== tab;
    }
    if (tab === 'logs') {
      this.#logs.markRead();
      this.#panelTabs.get('logs')?.tab.classList.remove('has-errors');
    }
  }

  #togglePanel(): void {
    this.element.classList.toggle('no-panel');
  }

  #toggleTheme(): void {
    applyTheme(currentTheme() === 'dark' ? 'light' : 'dark');
  }

  #welcome(): HTMLElement {
    return h(
      'div',
      { class: 'welcome' },
      h('h1', null, 'Cardea Studio'),
      h('p', { class: 'muted' }, 'Start a plugin from a template, deploy it with Ctrl+S, then talk to it from the Try it panel below.'),
      h(
        'div',
        { class: 'template-cards' },
        templates.map((t) =>
          h(
            'button',
            { class: 'template-card', dataset: { template: t.id }, onclick: () => void this.newPlugin(t.id) },
            h('strong', null, t.title),
            h('span', { class: 'muted' }, t.description),
          ),
        ),
      ),
      h('p', { class: 'muted small' }, 'Deployed plugins are listed on the left; open one to edit the code the gateway runs.'),
    );
  }
}
