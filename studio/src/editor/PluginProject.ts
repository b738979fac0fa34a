import { Emitter } from '../ui/Emitter.ts';
import { ENTRY_FILE } from './entryFile.ts';
import { monaco } from './monacoSetup.ts';

export { ENTRY_FILE };

/** A version of the plugin the gateway runs. */
export interface DeployedVersion {
  version: string;
  hash: string;
}

export type PluginProjectEvents = {
  /** A file was added or removed. */
  files: [];
  /** The project's text differs (or no longer differs) from what the gateway runs. */
  dirty: [dirty: boolean];
};

/** What is kept in localStorage between visits: unsaved edits over a deployed version. */
interface Draft {
  baseHash: string | null;
  files: Record<string, string>;
}

/** How a project is opened. */
export interface PluginProjectOptions {
  /** A built-in's sources, shown but not edited (fork it to edit): no draft, no deploy. Default false. */
  readOnly?: boolean;
}

const DRAFT_PREFIX = 'cardea.studio.draft.';
/** `room.ts`, `lib/room.ts`: segments of letters, digits, `-`, `_` and `.`, ending in `.ts`. */
const FILE_NAME = /^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*\/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*\.ts$/;

/**
 * One plugin as the studio edits it: its files (Monaco models under `file:///plugins/<name>/`, or
 * `file:///builtins/<name>/` for a built-in shown read-only), what the gateway runs (version, hash
 * and the text deployed), and a draft of unsaved edits kept in localStorage so a reload loses
 * nothing. The models of one project sit in one folder, so their relative imports typecheck
 * against each other (and against the SDK's declarations).
 */
export class PluginProject {
  readonly name: string;
  readonly readOnly: boolean;
  readonly events = new Emitter<PluginProjectEvents>();
  readonly #models = new Map<string, monaco.editor.ITextModel>();
  #deployedText = new Map<string, string>();
  #deployed: DeployedVersion | undefined;
  #dirty = false;
  #draftTimer = 0;

  constructor(name: string, files: Record<string, string>, deployed?: DeployedVersion, options: PluginProjectOptions = {}) {
    this.name = name;
    this.readOnly = options.readOnly ?? false;
    this.#deployed = deployed;
    for (const [path, text] of Object.entries(files)) this.#addModel(path, text);
    if (deployed) this.#deployedText = new Map(Object.entries(files));
    this.#updateDirty();
  }

  /** True for a file name the studio accepts (`room.ts`, `handlers-2.ts`, `lib/room.ts`). */
  static validFileName(path: string): boolean {
    return FILE_NAME.test(path);
  }

  /** Unsaved edits kept for `name`, if they were made over `hash` (the version deployed now). */
  static draftFor(name: string, hash: string | null): Record<string, string> | undefined {
    try {
      const draft = JSON.parse(localStorage.getItem(DRAFT_PREFIX + name) ?? 'null') as Draft | null;
      if (draft && draft.baseHash === hash && typeof draft.files === 'object') return draft.files;
    } catch (error) {
      console.warn(`ignoring unreadable draft of ${name}`, error);
    }
    return undefined;
  }

  get deployed(): DeployedVersion | undefined {
    return this.#deployed;
  }

  get dirty(): boolean {
    return this.#dirty;
  }

  /** File paths, the entry first. */
  get paths(): string[] {
    return [...this.#models.keys()].sort((a, b) => (a === ENTRY_FILE ? -1 : b === ENTRY_FILE ? 1 : a.localeCompare(b)));
  }

  model(path: string): monaco.editor.ITextModel | undefined {
    return this.#models.get(path);
  }

  models(): monaco.editor.ITextModel[] {
    return this.paths.map((p) => this.#models.get(p)).filter((m): m is monaco.editor.ITextModel => m !== undefined);
  }

  /** The file a Monaco model belongs to. */
  pathOf(model: monaco.editor.ITextModel): string | undefined {
    for (const [path, m] of this.#models) if (m === model) return path;
    return undefined;
  }

  /** Every file's text. */
  sources(): Record<string, string> {
    return Object.fromEntries(this.paths.map((p) => [p, this.#models.get(p)?.getValue() ?? '']));
  }

  addFile(path: string, text: string): monaco.editor.ITextModel {
    if (this.readOnly) throw new Error(`${this.name} is read-only: fork it to edit`);
    if (!PluginProject.validFileName(path)) throw new Error(`'${path}' is not a valid file name (letters, digits, - _ . and .ts)`);
    if (this.#models.has(path)) throw new Error(`${path} already exists`);
    const model = this.#addModel(path, text);
    this.events.emit('files');
    this.#changed();
    return model;
  }

  removeFile(path: string): void {
    if (this.readOnly) throw new Error(`${this.name} is read-only: fork it to edit`);
    if (path === ENTRY_FILE) throw new Error(`${ENTRY_FILE} is the plugin's entry and cannot be removed`);
    this.#models.get(path)?.dispose();
    this.#models.delete(path);
    this.events.emit('files');
    this.#changed();
  }

  /** Records that the current text is what the gateway now runs. */
  markDeployed(version: DeployedVersion, files: Record<string, string>): void {
    this.#deployed = version;
    this.#deployedText = new Map(Object.entries(files));
    this.#updateDirty();
    this.#saveDraft();
  }

  /** Replaces every file (a rollback brought back older sources). */
  replaceAll(files: Record<string, string>, version: DeployedVersion): void {
    for (const [path, model] of this.#models) {
      if (!(path in files)) {
        model.dispose();
        this.#models.delete(path);
      }
    }
    for (const [path, text] of Object.entries(files)) {
      const model = this.#models.get(path);
      if (model) {
        if (model.getValue() !== text) model.setValue(text);
      } else this.#addModel(path, text);
    }
    this.events.emit('files');
    this.markDeployed(version, files);
  }

  /** Discards the edits since the last deploy (nothing to do for a plugin never deployed). */
  revert(): void {
    if (this.#deployed) this.replaceAll(Object.fromEntries(this.#deployedText), this.#deployed);
  }

  dispose(): void {
    window.clearTimeout(this.#draftTimer);
    for (const model of this.#models.values()) model.dispose();
    this.#models.clear();
  }

  #addModel(path: string, text: string): monaco.editor.ITextModel {
    const root = this.readOnly ? 'builtins' : 'plugins';
    const uri = monaco.Uri.parse(`file:///${root}/${encodeURIComponent(this.name)}/${path}`);
    monaco.editor.getModel(uri)?.dispose();
    const model = monaco.editor.createModel(text, 'typescript', uri);
    model.onDidChangeContent(() => this.#changed());
    this.#models.set(path, model);
    return model;
  }

  #changed(): void {
    this.#updateDirty();
    window.clearTimeout(this.#draftTimer);
    this.#draftTimer = window.setTimeout(() => this.#saveDraft(), 400);
  }

  #updateDirty(): void {
    const files = this.sources();
    const same =
      this.readOnly ||
      (this.#deployed !== undefined &&
        Object.keys(files).length === this.#deployedText.size &&
        Object.entries(files).every(([path, text]) => this.#deployedText.get(path) === text));
    if (same === !this.#dirty) return;
    this.#dirty = !same;
    this.events.emit('dirty', this.#dirty);
  }

  #saveDraft(): void {
    if (this.readOnly) return;
    const key = DRAFT_PREFIX + this.name;
    if (!this.#dirty) {
      localStorage.removeItem(key);
      return;
    }
    const draft: Draft = { baseHash: this.#deployed?.hash ?? null, files: this.sources() };
    try {
      localStorage.setItem(key, JSON.stringify(draft));
    } catch (error) {
      console.warn('draft not saved (storage full?)', error);
    }
  }
}
