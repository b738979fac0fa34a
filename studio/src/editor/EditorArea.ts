import { h, icon, replaceChildren } from '../ui/dom.ts';
import { Emitter } from '../ui/Emitter.ts';
import { monaco } from './monacoSetup.ts';
import { ENTRY_FILE, type PluginProject } from './PluginProject.ts';

/**
 * The editor group: one tab per file of the open plugin (plus a "+" to add a file; none for a
 * built-in, which is read-only), a Monaco editor, and a welcome page while no plugin is open.
 */
export class EditorArea {
  readonly element: HTMLElement;
  readonly events = new Emitter<{ cursor: [line: number, column: number]; markers: [errors: number, warnings: number] }>();
  readonly #tabs: HTMLElement;
  readonly #host: HTMLElement;
  readonly #welcome: HTMLElement;
  readonly #editor: monaco.editor.IStandaloneCodeEditor;
  #project: PluginProject | undefined;
  #active: string | undefined;
  #unsubscribe: Array<() => void> = [];
  readonly #viewStates = new Map<string, monaco.editor.ICodeEditorViewState | null>();

  constructor(welcome: HTMLElement, toolbar: HTMLElement) {
    this.#tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Open files' });
    this.#host = h('div', { class: 'editor-host', role: 'region', 'aria-label': 'Code editor' });
    this.#welcome = welcome;
    this.element = h('div', { class: 'editor-area' }, h('div', { class: 'editor-titlebar' }, this.#tabs, toolbar), this.#host, welcome);
    this.#editor = monaco.editor.create(this.#host, {
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      tabSize: 2,
      scrollBeyondLastLine: false,
      fixedOverflowWidgets: true,
      ariaLabel: 'Plugin source',
      model: null,
    });
    this.#editor.onDidChangeCursorPosition((e) => this.events.emit('cursor', e.position.lineNumber, e.position.column));
    monaco.editor.onDidChangeMarkers(() => this.#countMarkers());
    this.#showWelcome(true);
  }

  get editor(): monaco.editor.IStandaloneCodeEditor {
    return this.#editor;
  }

  get project(): PluginProject | undefined {
    return this.#project;
  }

  get activePath(): string | undefined {
    return this.#active;
  }

  /** Shows a project (or the welcome page for none). */
  setProject(project: PluginProject | undefined): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#viewStates.clear();
    this.#project = project;
    this.#active = undefined;
    if (!project) {
      this.#editor.setModel(null);
      this.#renderTabs();
      this.#showWelcome(true);
      return;
    }
    this.#showWelcome(false);
    this.#editor.updateOptions({
      readOnly: project.readOnly,
      readOnlyMessage: { value: `${project.name} is a built-in: **Fork** it to edit a copy.` },
    });
    this.#unsubscribe.push(
      project.events.on('files', () => {
        if (this.#active && !project.model(this.#active)) this.open(ENTRY_FILE);
        else this.#renderTabs();
      }),
      project.events.on('dirty', () => this.#renderTabs()),
    );
    this.open(ENTRY_FILE);
  }

  /** Opens one of the project's files in the editor. */
  open(path: string): void {
    const model = this.#project?.model(path);
    if (!model) return;
    if (this.#active) this.#viewStates.set(this.#active, this.#editor.saveViewState());
    this.#active = path;
    this.#editor.setModel(model);
    const state = this.#viewStates.get(path);
    if (state) this.#editor.restoreViewState(state);
    this.#renderTabs();
    this.#countMarkers();
  }

  /** Opens a file at a position and puts the cursor there (from a stack trace or a problem). */
  reveal(path: string, line: number, column = 1): boolean {
    if (!this.#project?.model(path)) return false;
    this.open(path);
    this.#editor.setPosition({ lineNumber: line, column });
    this.#editor.revealPositionInCenter({ lineNumber: line, column });
    this.#editor.focus();
    return true;
  }

  focus(): void {
    this.#editor.focus();
  }

  #showWelcome(show: boolean): void {
    this.#welcome.hidden = !show;
    this.#host.hidden = show;
  }

  #renderTabs(): void {
    const project = this.#project;
    if (!project) {
      replaceChildren(this.#tabs);
      return;
    }
    replaceChildren(
      this.#tabs,
      project.paths.map((path) =>
        h(
          'div',
          { class: `tab${path === this.#active ? ' active' : ''}`, role: 'presentation' },
          h(
            'button',
            {
              class: 'tab-label',
              role: 'tab',
              'aria-selected': path === this.#active ? 'true' : 'false',
              dataset: { file: path },
              onclick: () => this.open(path),
            },
            icon('file'),
            path,
          ),
          path === ENTRY_FILE || project.readOnly
            ? null
            : h(
                'button',
                {
                  class: 'icon-button tab-close',
                  'aria-label': `Remove ${path}`,
                  title: `Remove ${path} from the plugin`,
                  onclick: () => {
                    if (confirm(`Remove ${path} from ${project.name}?`)) project.removeFile(path);
                  },
                },
                icon('close'),
              ),
        ),
      ),
      project.readOnly
        ? h('span', { class: 'dirty-note readonly-note', title: 'The sources of a built-in: fork it to edit a copy' }, 'read-only')
        : h(
            'button',
            {
              class: 'icon-button tab-add',
              'aria-label': 'Add a file',
              title: 'Add a file to this plugin',
              onclick: () => this.#addFile(),
            },
            icon('add'),
          ),
      project.dirty ? h('span', { class: 'dirty-note', title: 'Edited since the last deploy' }, '● not deployed') : null,
    );
  }

  #addFile(): void {
    const project = this.#project;
    if (!project) return;
    const name = prompt('New file name (e.g. room.ts)', 'helpers.ts');
    if (!name) return;
    try {
      const path = name.endsWith('.ts') ? name : `${name}.ts`;
      project.addFile(path, `// Import it from index.ts: import { ... } from './${path}';\n\nexport {};\n`);
      this.open(path);
    } catch (error) {
      alert((error as Error).message);
    }
  }

  #countMarkers(): void {
    let errors = 0;
    let warnings = 0;
    for (const model of this.#project?.models() ?? []) {
      for (const marker of monaco.editor.getModelMarkers({ resource: model.uri })) {
        if (marker.severity === monaco.MarkerSeverity.Error) errors++;
        else if (marker.severity === monaco.MarkerSeverity.Warning) warnings++;
      }
    }
    this.events.emit('markers', errors, warnings);
  }
}
