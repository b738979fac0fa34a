/** Least time between two `slowlink` events of one leg and direction (ms). */
export const SLOWLINK_INTERVAL_MS = 5000;

interface LegCounter {
  handle: number;
  mid: string;
  kind: 'audio' | 'video';
  uplink: boolean;
  lost: number;
  lastEvent: number;
}

/** One `slowlink` report (Janus core event: `mid`, `media`, `uplink`, `lost`). */
export interface SlowLink {
  handle: number;
  mid: string;
  kind: 'audio' | 'video';
  /** Janus's sense (janus.js `slowLink`): true = the client NACKed what the gateway sent it; false = the gateway lost packets the client sent. */
  uplink: boolean;
  /** Packets lost in the last period. */
  lost: number;
}

/**
 * Counts lost packets per leg (handle, mid, direction) and, once per period, reports the legs whose
 * count reached the threshold — at most one report per leg and direction per SLOWLINK_INTERVAL_MS.
 * Fed from NACK handling (a few RTCP packets a second), not from the per-packet path. Bounded: legs
 * of handles that go away are dropped by forget().
 */
export class SlowLinkMonitor {
  readonly #threshold: number;
  readonly #legs = new Map<string, LegCounter>();

  /** @param threshold lost packets per period from which a leg is reported; 0 disables. */
  constructor(threshold: number) {
    this.#threshold = threshold;
  }

  lost(handle: number, mid: string, kind: 'audio' | 'video', uplink: boolean, packets: number): void {
    if (this.#threshold <= 0) return;
    const key = `${handle}|${mid}|${uplink ? 1 : 0}`;
    let leg = this.#legs.get(key);
    if (!leg) this.#legs.set(key, (leg = { handle, mid, kind, uplink, lost: 0, lastEvent: -Infinity }));
    leg.lost += packets;
  }

  /** Ends a period: calls `report` for each leg over the threshold (rate-limited) and resets the counts. */
  flush(now: number, report: (event: SlowLink) => void): void {
    for (const leg of this.#legs.values()) {
      if (leg.lost >= this.#threshold && now - leg.lastEvent >= SLOWLINK_INTERVAL_MS) {
        leg.lastEvent = now;
        report({ handle: leg.handle, mid: leg.mid, kind: leg.kind, uplink: leg.uplink, lost: leg.lost });
      }
      leg.lost = 0;
    }
  }

  forget(handle: number): void {
    for (const [key, leg] of this.#legs) if (leg.handle === handle) this.#legs.delete(key);
  }
}
