import type { JsonObject } from '@cardea/plugin-sdk';
import type { Mountpoint, MountpointStream } from './Mountpoint.ts';

/** `rtpmap` as SDP writes it (RFC 8866 §6.6): Opus always with two channels (RFC 7587 §7). */
export function rtpmapOf(s: MountpointStream): string {
  return s.codec === 'opus' ? `opus/${s.clockRate}/2` : `${s.codec.toUpperCase()}/${s.clockRate}`;
}

/** A mountpoint as `list` shows it (public fields only). */
export function listEntry(mp: Mountpoint): JsonObject {
  return {
    id: mp.id,
    type: 'live',
    description: mp.settings.description,
    ...(mp.settings.metadata !== undefined ? { metadata: mp.settings.metadata } : {}),
    enabled: mp.enabled,
    media: mp.streams.map((s) => ({ mid: s.mid, type: s.type, label: s.label, ...(s.msid !== undefined ? { msid: s.msid } : {}) })),
  };
}

/**
 * A mountpoint as `info` shows it. `full` (the right secret, or a mountpoint without one) adds
 * what Janus treats as sensitive: secret, pin, is_private and the ports the source sends to.
 */
export function infoEntry(mp: Mountpoint, full: boolean): JsonObject {
  const { settings, options } = mp;
  return {
    id: mp.id,
    name: settings.name,
    description: settings.description,
    ...(settings.metadata !== undefined ? { metadata: settings.metadata } : {}),
    ...(full && options.secret !== undefined ? { secret: options.secret } : {}),
    ...(full && options.pin !== undefined ? { pin: options.pin } : {}),
    ...(full ? { is_private: settings.isPrivate } : {}),
    enabled: mp.enabled,
    viewers: mp.viewers.size,
    type: 'live',
    media: mp.streams.map((s) => ({
      mid: s.mid,
      mindex: s.mindex,
      type: s.type,
      label: s.label,
      ...(s.msid !== undefined ? { msid: s.msid } : {}),
      pt: s.pt,
      codec: s.codec,
      rtpmap: rtpmapOf(s),
      ...(s.fmtp !== undefined ? { fmtp: s.fmtp } : {}),
      ...(full ? { port: s.port, ...(s.rtcpPort > 0 ? { rtcpport: s.rtcpPort } : {}) } : {}),
    })),
  };
}

/** The `stream` of a `created` answer: with the ports the source should send to. */
export function createdEntry(mp: Mountpoint): JsonObject {
  return {
    id: mp.id,
    type: 'live',
    description: mp.settings.description,
    is_private: mp.settings.isPrivate,
    ports: mp.streams.map((s) => ({ type: s.type, mid: s.mid, ...(s.msid !== undefined ? { msid: s.msid } : {}), port: s.port })),
  };
}
