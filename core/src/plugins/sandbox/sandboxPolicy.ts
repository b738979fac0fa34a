// What a sandboxed plugin may do beyond the checks every plugin gets (PluginCapabilities): its
// files are opened inside its own media directory only (ConfinedFiles, handed to the capabilities),
// the gateway's UDP may be aimed at loopback addresses only (a user plugin must not turn the gateway
// into a packet cannon towards arbitrary hosts), and it holds at most so many of each resource.
import { isIP } from 'node:net';
import type { CapabilityLimits } from '../capabilities/PluginCapabilities.ts';

/** What one sandboxed plugin version may hold at once. */
export const SANDBOX_LIMITS: CapabilityLimits = {
  /** Each mixer is a 20 ms timer and codec work. */
  mixers: 16,
  /** Each recording is an open file and a disk backlog. */
  recordings: 64,
  /** Each forwarder is a copy of a stream on the gateway's uplink. */
  forwarders: 64,
};

const isLoopback = (host: string): boolean => (isIP(host) === 4 && host.startsWith('127.')) || host === '::1' || host === 'localhost';

/** Refuses a forwarding target that is not a loopback address (RangeError). */
export function loopbackOnly(host: string): void {
  if (!isLoopback(host)) throw new RangeError('sandboxed plugins may forward to loopback addresses only');
}
