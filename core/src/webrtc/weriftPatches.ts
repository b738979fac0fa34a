import { Connection } from 'werift';

let applied = false;

/**
 * Patches werift (0.25.x) where its defaults are wrong for a server. Applied once, at gateway start.
 *
 * - werift's ICE `Connection` falls back to a public STUN server when none is configured, even with
 *   `iceServers: []` (werift issue #691), which stalls gathering ~5 s on offline machines and sends
 *   traffic nobody asked for. Cardea uses a STUN server only when one is configured.
 */
export function applyWeriftPatches(): void {
  if (applied) return;
  applied = true;
  const proto = Connection.prototype as unknown as {
    applyStunTurnServersFromOptions(this: ConnectionInternals): void;
  };
  const original = proto.applyStunTurnServersFromOptions;
  proto.applyStunTurnServersFromOptions = function patched(this: ConnectionInternals) {
    original.call(this);
    if (this.options.stunServer === undefined) this.stunServer = undefined;
  };
}

interface ConnectionInternals {
  options: { stunServer?: unknown };
  stunServer: unknown;
}
