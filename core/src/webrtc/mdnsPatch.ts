import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { Connection, UdpTransport } from 'werift';

/**
 * Patches werift where remote input could crash the gateway: its mDNS lookups and its ICE UDP
 * sockets' errors. Checked against werift 0.25.2 (lib/index.mjs: `Connection.addRemoteCandidate`,
 * `MdnsLookup`, `UdpTransport.init`). Applied once, at gateway start, from weriftPatches.ts.
 *
 * - `Connection.addRemoteCandidate` sends any candidate whose host merely *contains* ".local"
 *   (`evil.local.example` too) to a `MdnsLookup` created per Connection: a `multicast-dns` socket
 *   bound to 0.0.0.0:5353 with no 'error' listener, so EADDRINUSE (avahi holds 5353) or EMFILE
 *   killed the process, and every PeerConnection took one more file descriptor. Other host names
 *   would be resolved by `dns.lookup()` on each connectivity check. Cardea resolves mDNS names
 *   itself (WebRtcPeer, with the gateway's one MdnsResolver, only when configured) and hands
 *   werift IP literals only: this patch drops anything else before werift sees it, so
 *   `MdnsLookup` is never created.
 * - `UdpTransport.init` binds the ICE socket and waits for 'listening' with no 'error' listener: a
 *   bind failing with EMFILE or EADDRINUSE threw from the event loop, and a later send error
 *   (e.g. EACCES towards a broadcast address a client put in a candidate) would too. The patched
 *   init keeps an 'error' listener on the socket for its whole life and turns a bind failure into
 *   a rejected init (werift gathers with `Promise.allSettled`, so that PeerConnection just has no
 *   candidate on that socket and fails ICE cleanly).
 */
export function applyMdnsPatch(): void {
  if (applied) return;
  applied = true;
  patchAddRemoteCandidate();
  patchUdpTransportInit();
}

let applied = false;

/** What the patches counted since start, for the Admin API and tests. */
export const weriftGuardCounters = {
  /** Remote candidates werift was handed with a host that is not an IP literal, dropped. */
  nonIpCandidates: 0,
  /** ICE UDP sockets whose bind failed (EMFILE, EADDRINUSE, ...). */
  udpBindFailures: 0,
  /** Errors on bound ICE UDP sockets, logged nowhere else. */
  udpSocketErrors: 0,
};

interface RemoteCandidate {
  host: string;
}

function patchAddRemoteCandidate(): void {
  const proto = Connection.prototype as unknown as { addRemoteCandidate: (this: object, candidate: RemoteCandidate | undefined) => Promise<void> };
  const original = proto.addRemoteCandidate;
  proto.addRemoteCandidate = function guardedAddRemoteCandidate(candidate) {
    if (candidate && (typeof candidate.host !== 'string' || isIP(candidate.host) === 0)) {
      weriftGuardCounters.nonIpCandidates++;
      return Promise.resolve();
    }
    return original.call(this, candidate);
  };
}

interface UdpTransportInternals {
  socket: Socket;
  closed: boolean;
  init: (this: UdpTransportInternals) => Promise<void>;
}

function patchUdpTransportInit(): void {
  const proto = UdpTransport.prototype as unknown as UdpTransportInternals;
  const original = proto.init;
  proto.init = async function guardedInit(this: UdpTransportInternals) {
    const socket = this.socket;
    let bound = false;
    socket.on('error', () => {
      if (bound) weriftGuardCounters.udpSocketErrors++;
    });
    let onBindError: ((error: Error) => void) | undefined;
    const bindFailed = new Promise<never>((_, reject) => {
      onBindError = reject;
      socket.once('error', reject);
    });
    try {
      await Promise.race([original.call(this), bindFailed]);
      bound = true;
    } catch (error) {
      weriftGuardCounters.udpBindFailures++;
      this.closed = true;
      try {
        socket.close();
      } catch {
        // ERR_SOCKET_DGRAM_NOT_RUNNING: the failed bind already released the handle.
      }
      throw error;
    } finally {
      if (onBindError) socket.off('error', onBindError);
    }
  };
}
