import { Connection, RTCDtlsTransport, RTCRtpReceiver, RTCRtpSender } from 'werift';
import { applyNativeDtlsCrypto } from './nativeDtlsCrypto.ts';
import { applyMdnsPatch } from './mdnsPatch.ts';
import { applySourceFilterPatch } from './sourceFilterPatch.ts';

let applied = false;

/**
 * Patches werift (0.25.x) where its defaults are wrong for a server. Applied once, at gateway start.
 *
 * - werift's ICE `Connection` falls back to a public STUN server when none is configured, even with
 *   `iceServers: []` (werift issue #691), which stalls gathering ~5 s on offline machines and sends
 *   traffic nobody asked for. Cardea uses a STUN server only when one is configured.
 * - werift's DTLS ECDHE over X25519 runs in OpenSSL instead of pure JS (nativeDtlsCrypto.ts).
 * - Only the selected candidate pair talks to a PeerConnection, and stray DTLS records cannot tear
 *   it down (sourceFilterPatch.ts, issue 11).
 */
export function applyWeriftPatches(): void {
  if (applied) return;
  applied = true;
  applyNativeDtlsCrypto();
  applyMdnsPatch();
  applySourceFilterPatch();
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

/** The current wall-clock time as a 64-bit NTP timestamp (RFC 5905 §6: seconds since 1900 . 2^-32 fraction). */
export function ntpNow(): bigint {
  const ms = performance.timeOrigin + performance.now() + NTP_EPOCH_OFFSET_MS;
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 2 ** 32);
  return (BigInt(seconds) << 32n) | BigInt(fraction);
}

/** Milliseconds from 1900-01-01 to 1970-01-01. */
const NTP_EPOCH_OFFSET_MS = 2_208_988_800_000;

/**
 * Makes a werift RTCRtpSender's Sender Reports carry a correct NTP time. werift computes
 * `ntpTimestamp` on every sendRtp with an ntpTime() that turns the decimal digits of the seconds'
 * fraction into the 32-bit NTP fraction (0.0623 s becomes 0.000015 s: wrong by up to ~1 s and not
 * monotonic, shared/research/werift.md), and its SRs copy that value (RFC 3550 §6.4.1). The
 * property is replaced by one that records the correct time whenever werift sets it.
 */
export function fixSenderNtp(sender: object): void {
  let value = 0n;
  Object.defineProperty(sender, 'ntpTimestamp', {
    configurable: true,
    enumerable: true,
    get: () => value,
    set: () => {
      value = ntpNow();
    },
  });
}

/** PeerConnection configs whose media Cardea's fast path owns (SRTP, RTP and RTCP). */
const bypassed = new WeakSet<object>();

/** Marks a werift PeerConnection's config: its transports and RTP objects leave media to Cardea. */
export function markMediaBypass(config: object): void {
  bypassed.add(config);
}

let bypassApplied = false;

/**
 * For PeerConnections marked with markMediaBypass(): werift keeps ICE, DTLS and SCTP but neither
 * decrypts SRTP (its startSrtp still derives the keys, RFC 5764 §4.2, which Cardea reads) nor runs
 * its RTCP loops (whose SRTCP index would collide with Cardea's own SRTCP for the same key).
 */
export function applyBypassPatches(): void {
  if (bypassApplied) return;
  bypassApplied = true;
  type Dtls = { config?: object; srtpStarted: boolean; updateSrtpSession(): void; startSrtp(): void };
  const dtls = RTCDtlsTransport.prototype as unknown as Dtls;
  const startSrtp = dtls.startSrtp;
  dtls.startSrtp = function patchedStartSrtp(this: Dtls) {
    if (this.config === undefined || !bypassed.has(this.config)) return startSrtp.call(this);
    if (this.srtpStarted) return;
    this.srtpStarted = true;
    this.updateSrtpSession();
  };
  type Receiver = { config?: object; runRtcp(): Promise<void> };
  const receiver = RTCRtpReceiver.prototype as unknown as Receiver;
  const receiverRtcp = receiver.runRtcp;
  receiver.runRtcp = function patchedReceiverRtcp(this: Receiver) {
    return this.config !== undefined && bypassed.has(this.config) ? Promise.resolve() : receiverRtcp.call(this);
  };
  type Sender = { dtlsTransport?: { config?: object }; runRtcp(): Promise<void> };
  const sender = RTCRtpSender.prototype as unknown as Sender;
  const senderRtcp = sender.runRtcp;
  sender.runRtcp = function patchedSenderRtcp(this: Sender) {
    const config = this.dtlsTransport?.config;
    return config !== undefined && bypassed.has(config) ? Promise.resolve() : senderRtcp.call(this);
  };
}
