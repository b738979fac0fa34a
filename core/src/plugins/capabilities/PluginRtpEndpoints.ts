import type { PluginMedia, RtpEndpointId } from '@cardea/plugin-sdk';
import type { MediaPlane } from '../../media/MediaPlaneTypes.ts';

/** A plugin named an RTP endpoint it did not open (a programmer error, like ForeignHandleError for handles). */
export class ForeignRtpEndpointError extends Error {
  override name = 'ForeignRtpEndpointError';
}

/** Most RTP endpoints one plugin may hold open (the plane's own bound is shared by all plugins). */
export const MAX_RTP_ENDPOINTS_PER_PLUGIN = 256;
/** Closed ids remembered so that late calls naming them are ignored, not refused (oldest forgotten first). */
const REMEMBERED_CLOSED = 1024;

/**
 * A plugin's RTP endpoints: the plugin API's three RTP-endpoint members with their ownership
 * checks. An endpoint belongs to the plugin that opened it; routes may name it only from that
 * plugin; every open endpoint is closed when the plugin unloads.
 */
export class PluginRtpEndpoints {
  readonly #media: MediaPlane;
  readonly #plugin: string;
  readonly #open = new Set<RtpEndpointId>();
  readonly #closed = new Set<RtpEndpointId>();
  #unloaded = false;

  constructor(media: MediaPlane, plugin: string) {
    this.#media = media;
    this.#plugin = plugin;
  }

  /** The members of PluginMedia this class implements. */
  api(): Pick<PluginMedia, 'openRtpEndpoint' | 'closeRtpEndpoint' | 'rtpEndpointStats'> {
    return {
      openRtpEndpoint: async (options) => {
        if (this.#unloaded) throw new Error('plugin unloaded');
        if (this.#open.size >= MAX_RTP_ENDPOINTS_PER_PLUGIN) throw new RangeError(`at most ${MAX_RTP_ENDPOINTS_PER_PLUGIN} RTP endpoints per plugin`);
        const info = await this.#media.openRtpEndpoint(options);
        if (this.#unloaded) {
          // Unloaded while the ports were being bound: nobody is left to close it.
          this.#media.closeRtpEndpoint(info.id);
          throw new Error('plugin unloaded');
        }
        this.#open.add(info.id);
        return info;
      },
      closeRtpEndpoint: async (id) => {
        if (!this.#open.delete(id)) return;
        this.#remember(id);
        this.#media.closeRtpEndpoint(id);
      },
      rtpEndpointStats: async (id) => (this.#open.has(id) ? this.#media.rtpEndpointStats(id) : undefined),
    };
  }

  /** For route checks: true for an open endpoint of this plugin, false for one it closed; throws for any other id. */
  live(id: RtpEndpointId): boolean {
    if (this.#open.has(id)) return true;
    if (this.#closed.has(id)) return false;
    throw new ForeignRtpEndpointError(`RTP endpoint ${id} is not open in ${this.#plugin}`);
  }

  /** Hot reload: gives up every open endpoint (still running, routes intact) for the next version. */
  release(): RtpEndpointId[] {
    const ids = [...this.#open];
    this.#open.clear();
    return ids;
  }

  /** Hot reload: takes over endpoints released by the previous version (the cap is not applied: they were the plugin's already). */
  adopt(ids: readonly RtpEndpointId[]): void {
    for (const id of ids) if (this.#media.rtpEndpointStats(id) !== undefined) this.#open.add(id);
  }

  /** Closes every endpoint (the plugin unloads). Idempotent. */
  close(): void {
    this.#unloaded = true;
    for (const id of this.#open) this.#media.closeRtpEndpoint(id);
    this.#open.clear();
  }

  #remember(id: RtpEndpointId): void {
    this.#closed.add(id);
    if (this.#closed.size > REMEMBERED_CLOSED) for (const old of this.#closed) {
      this.#closed.delete(old);
      break;
    }
  }
}
