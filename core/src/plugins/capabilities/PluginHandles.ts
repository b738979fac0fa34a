import type { CoreHandle } from '../PluginHostTypes.ts';
import { ForeignHandleError, HandleGoneError } from './capabilityErrors.ts';

/** How many departed handle ids are remembered, to tell "gone" from "never mine". */
const DEPARTED_MEMORY = 10_000;

/**
 * The handles attached to one plugin (or one sandboxed version of it), and those that recently left.
 *
 * A call naming a handle that left is a race, not a bug: the client detached (or its session timed
 * out, or a hot reload moved the handle to the next version) while the plugin was busy with it. Such
 * calls are ignored, as Janus's `push_event` on a gone handle is, so the plugin goes on; a call that
 * must return a value for the handle rejects with {@link HandleGoneError}. A handle that was never
 * the plugin's is refused with {@link ForeignHandleError} in every case.
 */
export class PluginHandles {
  readonly #owner: string;
  readonly #live = new Map<number, CoreHandle>();
  readonly #departed = new Set<number>();

  /** `owner` names the plugin in error messages. */
  constructor(owner: string) {
    this.#owner = owner;
  }

  get size(): number {
    return this.#live.size;
  }

  ids(): number[] {
    return [...this.#live.keys()];
  }

  /** True for a live handle of this plugin. */
  has(id: number): boolean {
    return this.#live.has(id);
  }

  attach(handle: CoreHandle): void {
    this.#departed.delete(handle.id);
    this.#live.set(handle.id, handle);
  }

  /** The handle left (detach, or moved to another version): later calls naming it are ignored. */
  depart(id: number): CoreHandle | undefined {
    const handle = this.#live.get(id);
    if (!handle) return undefined;
    this.#live.delete(id);
    this.#departed.add(id);
    if (this.#departed.size > DEPARTED_MEMORY) this.#departed.delete(this.#departed.values().next().value as number);
    return handle;
  }

  /** Every live handle departs; returns them. */
  departAll(): CoreHandle[] {
    const handles = [...this.#live.values()];
    for (const handle of handles) this.depart(handle.id);
    return handles;
  }

  /** The live handle; throws for a departed one (HandleGoneError) and a foreign one (ForeignHandleError). */
  require(id: number): CoreHandle {
    const handle = this.#live.get(id);
    if (handle) return handle;
    if (this.#departed.has(id)) throw new HandleGoneError(`handle ${id} went away`);
    throw this.#foreign(id);
  }

  /** The live handle, or undefined for one that departed (the race); throws for a foreign one. */
  live(id: number): CoreHandle | undefined {
    const handle = this.#live.get(id);
    if (handle) return handle;
    if (this.#departed.has(id)) return undefined;
    throw this.#foreign(id);
  }

  #foreign(id: number): ForeignHandleError {
    return new ForeignHandleError(`handle ${id} is not attached to ${this.#owner}`);
  }
}
