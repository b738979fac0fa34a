import type { Direction, MediaKind, MediaLine } from '@cardea/plugin-sdk';

/** An SDP the gateway refuses (Janus error 465). */
export class InvalidSdpError extends Error {
  override name = 'InvalidSdpError';
}

const directions = new Set<Direction>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

/** Largest SDP accepted, in characters; a browser offer is a few KiB. */
export const MAX_SDP_LENGTH = 256 * 1024;

/**
 * Checks that an SDP is one a WebRTC gateway can use (RFC 8866 structure, RFC 8839 ICE credentials,
 * RFC 8122 fingerprint) and summarises its m-lines for plugins. Written by hand because werift's
 * parser accepts malformed input silently; this is the gate that turns bad SDP into error 465.
 */
export function summariseSdp(sdp: string): MediaLine[] {
  if (sdp.length > MAX_SDP_LENGTH) throw new InvalidSdpError('SDP too large');
  const lines = sdp.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0] !== 'v=0') throw new InvalidSdpError('SDP must start with v=0');
  for (const line of lines) {
    if (!/^[a-z]=/.test(line)) throw new InvalidSdpError(`malformed SDP line: ${line.slice(0, 40)}`);
  }
  let sessionUfrag = false;
  let sessionPwd = false;
  let sessionFingerprint = false;
  const media: MediaLine[] = [];
  let current: (MediaLine & { ufrag: boolean; pwd: boolean; fingerprint: boolean; rtpmap: Map<string, string>; pts: string[] }) | undefined;
  const finish = (): void => {
    if (!current) return;
    if ((!current.ufrag && !sessionUfrag) || (!current.pwd && !sessionPwd)) throw new InvalidSdpError(`m-line ${current.mindex} has no ICE credentials`);
    if (!current.fingerprint && !sessionFingerprint) throw new InvalidSdpError(`m-line ${current.mindex} has no DTLS fingerprint`);
    current.codecs = current.pts.map((pt) => current?.rtpmap.get(pt)).filter((c): c is string => c !== undefined);
    const { ufrag: _u, pwd: _w, fingerprint: _f, rtpmap: _r, pts: _p, ...line } = current;
    media.push(line);
  };
  for (const line of lines) {
    if (line.startsWith('m=')) {
      finish();
      const m = /^m=(audio|video|application) (\d+) ([A-Z/]+[A-Z]) ?(.*)$/.exec(line);
      if (!m) throw new InvalidSdpError(`malformed m-line: ${line.slice(0, 60)}`);
      const kind: MediaKind = m[1] === 'application' ? 'data' : (m[1] as MediaKind);
      current = {
        mindex: media.length,
        mid: String(media.length),
        kind,
        direction: 'sendrecv',
        codecs: [],
        ufrag: false,
        pwd: false,
        fingerprint: false,
        rtpmap: new Map(),
        pts: kind === 'data' ? [] : (m[4] ?? '').split(' ').filter(Boolean),
      };
      continue;
    }
    if (line.startsWith('a=ice-ufrag:')) {
      if (current) current.ufrag = true;
      else sessionUfrag = true;
    } else if (line.startsWith('a=ice-pwd:')) {
      if (current) current.pwd = true;
      else sessionPwd = true;
    } else if (line.startsWith('a=fingerprint:')) {
      if (current) current.fingerprint = true;
      else sessionFingerprint = true;
    }
    if (!current) continue;
    if (line.startsWith('a=mid:')) current.mid = line.slice(6).trim();
    else if (directions.has(line.slice(2) as Direction)) current.direction = line.slice(2) as Direction;
    else if (line.startsWith('a=rtpmap:')) {
      const r = /^a=rtpmap:(\d+) ([^/]+)/.exec(line);
      if (r?.[1] && r[2]) current.rtpmap.set(r[1], r[2].toLowerCase());
    } else if (line.startsWith('a=rid:')) {
      const r = /^a=rid:(\S+) send/.exec(line);
      if (r?.[1]) (current.rids ??= []).push(r[1]);
    }
  }
  finish();
  if (media.length === 0) throw new InvalidSdpError('SDP has no m-lines');
  return media;
}
