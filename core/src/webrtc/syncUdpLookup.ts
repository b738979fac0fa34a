import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';

/** The part of a dgram socket's internal state this module touches (Node 20–24 `lib/dgram.js`). */
interface DgramState {
  handle?: { lookup?: LookupFn & { [syncMark]?: true } };
}

type LookupFn = (address: string, callback: (error: Error | null, ip?: string) => void) => void;

const syncMark = Symbol('cardea.syncLookup');
const patched = new WeakSet<Socket>();

/**
 * Makes `socket.send(buf, offset, length, port, ip)` to an IP literal send at once instead of a tick
 * later. Node resolves the destination of every unconnected send through `dns.lookup()`, which for
 * an IP literal runs the isIP regular expressions and defers the send with `process.nextTick` — per
 * datagram, on the fast path's fan-out (~0.3–0.5 µs of a ~4 µs loopback send, measured with a
 * 1100-byte send loop on one core). No public API takes the address pre-resolved, and a
 * connected socket cannot be used because werift sends ICE checks on the same socket to other
 * addresses. The replacement answers synchronously for IP literals (cached per address string)
 * and defers to Node's own lookup for anything else (host names keep their normal resolution).
 * A socket whose internals do not look as expected is left alone. Idempotent.
 */
export function useSyncUdpLookup(socket: Socket): void {
  if (patched.has(socket)) return;
  patched.add(socket);
  const stateKey = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  if (stateKey === undefined) return;
  const state = (socket as unknown as Record<symbol, DgramState | undefined>)[stateKey];
  const handle = state?.handle;
  const original = handle?.lookup;
  if (!handle || typeof original !== 'function' || original[syncMark]) return;
  let lastAddress: string | null = null;
  const lookup: LookupFn & { [syncMark]?: true } = (address, callback) => {
    if (address === lastAddress) {
      callback(null, address);
      return;
    }
    if (typeof address === 'string' && isIP(address) !== 0) {
      lastAddress = address;
      callback(null, address);
      return;
    }
    original.call(handle, address, callback);
  };
  lookup[syncMark] = true;
  handle.lookup = lookup;
}
