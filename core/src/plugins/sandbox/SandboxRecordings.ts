// The `.mjr` recording calls of one sandboxed plugin version, checked before they reach the media
// plane: a plugin records only handles attached to it, writes only regular files inside its own
// media directory, never through a symlink (ConfinedFiles; the rule of mixer recordings), holds at most MAX_RECORDINGS at once, and stops only its own.
// Its recordings stop when the version is unloaded or faults.
import type { Json, JsonObject } from '@cardea/plugin-sdk';
import type { MediaRecorders } from '../../media/recording/MediaRecorders.ts';
import type { ConfinedFiles } from './ConfinedFiles.ts';
import { parseApiArgs, type ApiOp } from './sandboxApiSchemas.ts';

/** Most recordings one sandboxed plugin may hold: each one is an open file and a disk backlog. */
const MAX_RECORDINGS = 64;

/** The recording operations, as `sandboxApiSchemas` names them. */
export const recordingOps = new Set<ApiOp>(['media.startRecording', 'media.stopRecording']);

export class SandboxRecordings {
  readonly #recorders: MediaRecorders;
  readonly #files: ConfinedFiles;
  readonly #checkHandle: (id: number) => void;
  readonly #mine = new Set<number>();

  /** `checkHandle` throws for a handle not attached to the version. */
  constructor(recorders: MediaRecorders, files: ConfinedFiles, checkHandle: (id: number) => void) {
    this.#recorders = recorders;
    this.#files = files;
    this.#checkHandle = checkHandle;
  }

  /** Runs one recording operation (validated here) and returns its JSON result. */
  async execute(op: ApiOp, rawArgs: Json[]): Promise<Json> {
    switch (op) {
      case 'media.startRecording': {
        const [h, options] = parseApiArgs(op, rawArgs);
        this.#checkHandle(h);
        // Recordings the core stopped (their handle went) no longer count.
        for (const id of this.#mine) if (this.#recorders.info(id) === undefined) this.#mine.delete(id);
        if (this.#mine.size >= MAX_RECORDINGS) throw new RangeError(`at most ${MAX_RECORDINGS} recordings per plugin`);
        const { full } = this.#files.resolve(options.file);
        const id = await this.#recorders.start(h, { ...options, file: full }, () => this.#files.openWritable(options.file));
        try {
          this.#checkHandle(h); // the handle may have gone while the file was being opened
        } catch (error) {
          await this.#recorders.stop(id);
          throw error;
        }
        this.#mine.add(id);
        return id;
      }
      case 'media.stopRecording': {
        const [id] = parseApiArgs(op, rawArgs);
        if (!this.#mine.delete(id)) return null;
        const info = await this.#recorders.stop(id);
        return info ? (info as unknown as JsonObject) : null;
      }
      default:
        throw new TypeError(`${op} is not a recording operation`);
    }
  }

  /** Stops every recording of this version (files flushed and closed). Idempotent. */
  async close(): Promise<void> {
    const ids = [...this.#mine];
    this.#mine.clear();
    await Promise.all(ids.map((id) => this.#recorders.stop(id)));
  }
}
