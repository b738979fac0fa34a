import type { MediaKind, SimulcastTarget, TalkingOptions } from '@cardea/plugin-sdk';
import type { PlaneRoute } from './MediaPlaneTypes.ts';

/** One edge of the routing graph, kept at its source. */
export interface Edge {
  to: number;
  kind: MediaKind;
  fromMid: string | undefined;
  toMid: string | undefined;
}

/**
 * The routes plugins draw, independent of how packets move: edges by source handle (kept while a
 * handle has no PeerConnection yet), simulcast targets per destination mid, talking detection per
 * handle. Both media planes keep their graph here.
 */
export class RouteGraph {
  readonly #edges = new Map<number, Edge[]>();
  readonly #targets = new Map<string, SimulcastTarget>();
  readonly #talking = new Map<number, TalkingOptions>();

  /** The edges out of `from` (a live array: do not mutate). */
  edgesFrom(from: number): readonly Edge[] | undefined {
    return this.#edges.get(from);
  }

  add(route: PlaneRoute): void {
    let edges = this.#edges.get(route.from);
    if (!edges) this.#edges.set(route.from, (edges = []));
    for (const kind of route.kinds) {
      const same = edges.find((e) => e.to === route.to && e.kind === kind && e.fromMid === route.fromMid && e.toMid === route.toMid);
      if (!same) edges.push({ to: route.to, kind, fromMid: route.fromMid, toMid: route.toMid });
    }
  }

  remove(route: PlaneRoute): void {
    const edges = this.#edges.get(route.from);
    if (!edges) return;
    const kinds = new Set(route.kinds);
    const matches = (e: Edge): boolean =>
      e.to === route.to && kinds.has(e.kind) && (route.fromMid === undefined || e.fromMid === route.fromMid) && (route.toMid === undefined || e.toMid === route.toMid);
    this.#edges.set(route.from, edges.filter((e) => !matches(e)));
  }

  /** Handles that send to `handleId`. */
  sourcesOf(handleId: number): number[] {
    const sources: number[] = [];
    for (const [from, edges] of this.#edges) if (edges.some((e) => e.to === handleId)) sources.push(from);
    return sources;
  }

  setTarget(handleId: number, mid: string, target: SimulcastTarget): void {
    this.#targets.set(`${handleId}|${mid}`, { ...target });
  }

  target(handleId: number, mid: string): SimulcastTarget {
    return { ...this.#targets.get(`${handleId}|${mid}`) };
  }

  setTalking(handleId: number, options: TalkingOptions | null): void {
    if (options) this.#talking.set(handleId, { ...options });
    else this.#talking.delete(handleId);
  }

  talking(handleId: number): TalkingOptions | undefined {
    return this.#talking.get(handleId);
  }

  /** Forgets every edge from or to a handle and its settings. */
  forget(handleId: number): void {
    this.#edges.delete(handleId);
    for (const [from, edges] of this.#edges) this.#edges.set(from, edges.filter((e) => e.to !== handleId));
    for (const key of this.#targets.keys()) if (key.startsWith(`${handleId}|`)) this.#targets.delete(key);
    this.#talking.delete(handleId);
  }

  clear(): void {
    this.#edges.clear();
    this.#targets.clear();
    this.#talking.clear();
  }
}

/** When to ask sources for a keyframe after a destination's PeerConnection comes up (ms). */
export const KEYFRAME_RETRY_MS = [0, 300, 1000];
/** A simulcast layer with no packet for this long counts as not arriving (ms). */
export const LAYER_IDLE_MS = 1000;
/** Least time between keyframe requests for one pending layer switch (ms). */
export const KEYFRAME_INTERVAL_MS = 300;
/** Timestamp step written across a source switch, per kind (one 20 ms Opus frame; one 30 fps frame). */
export const SWITCH_STEP = { audio: 960, video: 3000 } as const;

/**
 * The simulcast layer a destination should receive now: the target, or the highest layer below it
 * that is actually arriving (a browser short of bandwidth stops sending its top layers), else the
 * lowest arriving one.
 */
export function wantedLayer(target: SimulcastTarget, layers: ReadonlyArray<{ layer: number | undefined; lastRtpAt: number }>, now: number): number {
  let top = 0;
  for (const t of layers) if (t.layer !== undefined && t.layer > top) top = t.layer;
  const goal = Math.min(target.substream ?? top, top);
  let below = -1;
  let lowest = Number.POSITIVE_INFINITY;
  for (const t of layers) {
    if (t.layer === undefined || now - t.lastRtpAt >= LAYER_IDLE_MS) continue;
    if (t.layer <= goal && t.layer > below) below = t.layer;
    if (t.layer < lowest) lowest = t.layer;
  }
  return below >= 0 ? below : Number.isFinite(lowest) ? lowest : goal;
}
