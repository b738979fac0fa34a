// Source filtering and DTLS hardening below werift's ICE agent (issue 11, off-path teardown).
// Checked against werift 0.25.2: its StunProtocol hands every non-STUN datagram to the PeerConnection
// whatever its source, answers and acts on STUN binding requests without checking USERNAME or
// MESSAGE-INTEGRITY, and its DTLS closes the association on any alert record (epoch 0 plaintext
// included, or an epoch-1 record whose first two bytes happen to name an alert), on any unknown
// content type, and restarts the handshake on a ClientHello after it completed. Both media planes
// read datagrams from the ICE Connection's onData, so filtering at StunProtocol covers both.
import { CandidatePairState, Connection, parseMessage, RTCDtlsTransport, StunProtocol } from 'werift';

/** Why a datagram was dropped before it reached DTLS, SRTP or the ICE agent's state. */
export interface DroppedDatagrams {
  /** Non-STUN datagrams from an address other than the selected candidate pair's. */
  foreign_source: number;
  /** Non-STUN datagrams before selection, from an address no authenticated check came from. */
  unvalidated_source: number;
  /** STUN binding requests with an unknown ufrag or a missing or wrong MESSAGE-INTEGRITY (RFC 8489 §14.5). */
  stun_unauthenticated: number;
  /** Datagrams outside RFC 7983's ranges, or truncated STUN or DTLS, or an unknown DTLS content type. */
  malformed: number;
  /** Epoch-0 DTLS records after the handshake: plaintext alerts (RFC 6347 §4.1.2.7), ClientHellos, … */
  late_plaintext: number;
  /** Encrypted DTLS alerts after the handshake that fail authentication. */
  unauthenticated_alert: number;
}

/** The counters of one ICE Connection (all zero until something was dropped). */
export function droppedDatagrams(connection: object): Readonly<DroppedDatagrams> {
  return counters.get(connection) ?? ZERO;
}

const ZERO: Readonly<DroppedDatagrams> = Object.freeze(emptyCounters());

function emptyCounters(): DroppedDatagrams {
  return { foreign_source: 0, unvalidated_source: 0, stun_unauthenticated: 0, malformed: 0, late_plaintext: 0, unauthenticated_alert: 0 };
}

type Address = readonly [string, number];

interface Pair {
  protocol: object;
  remoteCandidate: { host: string; port: number };
  state: CandidatePairState;
  requestsReceived: number;
}

interface ConnectionInternals {
  localUsername: string;
  localPassword: string;
  userHistory: Record<string, string>;
  iceLite: boolean;
  nominated: Pair | undefined;
  checkList: Pair[];
  ensureProtocol: (this: ConnectionInternals, protocol: object) => void;
}

interface DtlsRecordHeader {
  contentType: number;
  protocolVersion: { major: number; minor: number };
  epoch: number;
  sequenceNumber: number;
  contentLen: number;
}

interface DtlsSocketInternals {
  cipher: { decryptPacket(pkt: { recordLayerHeader: DtlsRecordHeader; fragment: Buffer }): Buffer };
}

interface DtlsTransportInternals {
  iceTransport: { connection: object };
  dtls?: DtlsSocketInternals;
  setState: (this: DtlsTransportInternals, state: string, emitEvent?: boolean) => void;
}

interface ProtocolInternals {
  datagramReceived: (this: object, data: Buffer, addr: Address) => void;
}

/** The ICE Connection that owns each StunProtocol (its local candidate's socket). */
const owners = new WeakMap<object, ConnectionInternals>();
const counters = new WeakMap<object, DroppedDatagrams>();
/** The DTLS socket of each Connection whose handshake completed. */
const handshaken = new WeakMap<object, DtlsSocketInternals>();

function count(connection: object, reason: keyof DroppedDatagrams): void {
  let c = counters.get(connection);
  if (!c) counters.set(connection, (c = emptyCounters()));
  c[reason]++;
}

const STUN_HEADER = 20;
const DTLS_HEADER = 13;
const STUN_CLASS_MASK = 0x0110;

let applied = false;

/** Installs the filter on werift's prototypes. Idempotent; called from applyWeriftPatches(). */
export function applySourceFilterPatch(): void {
  if (applied) return;
  applied = true;

  const connection = Connection.prototype as unknown as ConnectionInternals;
  const ensureProtocol = connection.ensureProtocol;
  connection.ensureProtocol = function patchedEnsureProtocol(this: ConnectionInternals, protocol: object) {
    owners.set(protocol, this);
    ensureProtocol.call(this, protocol);
  };

  const dtls = RTCDtlsTransport.prototype as unknown as DtlsTransportInternals;
  const setState = dtls.setState;
  dtls.setState = function patchedSetState(this: DtlsTransportInternals, state: string, emitEvent?: boolean) {
    // Registered before werift's listeners run: the PeerConnection (and the fast plane) start
    // using the association from this state change on.
    if (state === 'connected' && this.dtls) handshaken.set(this.iceTransport.connection, this.dtls);
    else if (state === 'closed' || state === 'failed') handshaken.delete(this.iceTransport.connection);
    setState.call(this, state, emitEvent);
  };

  const protocol = StunProtocol.prototype as unknown as ProtocolInternals;
  const datagramReceived = protocol.datagramReceived;
  protocol.datagramReceived = function filteredDatagram(this: object, data: Buffer, addr: Address) {
    const owner = owners.get(this);
    if (!owner || data.length === 0) return datagramReceived.call(this, data, addr);
    const first = data[0] as number;
    // RFC 7983 §7: 0-3 STUN, 20-63 DTLS, 128-191 RTP/RTCP; nothing else is ours.
    if (first <= 3) return onStun(this, owner, data, addr, datagramReceived);
    const dtlsRange = first >= 20 && first <= 63;
    if (!dtlsRange && (first < 128 || first > 191)) return count(owner, 'malformed');
    const reason = sourceVerdict(this, owner, addr);
    if (reason) return count(owner, reason);
    if (!dtlsRange) return datagramReceived.call(this, data, addr);
    const filtered = filterDtls(owner, data);
    if (filtered) datagramReceived.call(this, filtered, addr);
  };
}

/** Why `addr` may not send application data on `protocol` now (undefined: it may). */
function sourceVerdict(protocol: object, owner: ConnectionInternals, addr: Address): keyof DroppedDatagrams | undefined {
  const selected = owner.nominated;
  if (selected) return sameAddress(selected, protocol, addr) ? undefined : 'foreign_source';
  // Before selection: only an address an authenticated check came from (or, for a full agent, one
  // whose check to it succeeded) is a candidate pair worth talking DTLS with.
  for (const pair of owner.checkList) {
    if (sameAddress(pair, protocol, addr) && (pair.requestsReceived > 0 || pair.state === CandidatePairState.SUCCEEDED)) return undefined;
  }
  return 'unvalidated_source';
}

function sameAddress(pair: Pair, protocol: object, addr: Address): boolean {
  return pair.protocol === protocol && pair.remoteCandidate.port === addr[1] && pair.remoteCandidate.host === addr[0];
}

/**
 * STUN: binding requests must carry our ufrag and a valid MESSAGE-INTEGRITY with our password
 * (RFC 8445 §7.3, RFC 8489 §9.1.3); they are dropped silently otherwise, so a forged one neither
 * creates a pair, repairs a role, nor draws a response. Responses are left to werift, which matches
 * them to its own transactions and checks their integrity.
 */
function onStun(
  protocol: object,
  owner: ConnectionInternals,
  data: Buffer,
  addr: Address,
  next: (this: object, data: Buffer, addr: Address) => void,
): void {
  if (data.length < STUN_HEADER) return count(owner, 'malformed');
  // Class bits (RFC 8489 §5): only requests (of any method: werift answers others with 400) need credentials.
  if ((data.readUInt16BE(0) & STUN_CLASS_MASK) !== 0) return next.call(protocol, data, addr);
  const unverified = parseMessage(data);
  if (!unverified) return count(owner, 'malformed');
  const username = unverified.getAttributeValue('USERNAME') as unknown;
  const ufrag = typeof username === 'string' ? username.split(':')[0] : undefined;
  const password = ufrag === undefined ? undefined : (Object.hasOwn(owner.userHistory, ufrag) ? owner.userHistory[ufrag] : ufrag === owner.localUsername ? owner.localPassword : undefined);
  if (password === undefined || !parseMessage(data, Buffer.from(password, 'utf8'))) return count(owner, 'stun_unauthenticated');
  const previous = owner.nominated;
  next.call(protocol, data, addr);
  // ICE-lite: the controlling agent moves the selected pair by nominating another one
  // (USE-CANDIDATE on an authenticated check, RFC 8445 §7.3.1.5); werift keeps its first
  // nomination for good, so follow the new one here. This is the only way the remote address changes.
  if (!owner.iceLite || !previous || owner.nominated !== previous || sameAddress(previous, protocol, addr)) return;
  if (!unverified.attributesKeys.includes('USE-CANDIDATE')) return;
  const pair = owner.checkList.find((p) => sameAddress(p, protocol, addr));
  if (pair) owner.nominated = pair;
}

/**
 * DTLS records (RFC 6347 §4.1): truncated datagrams and unknown content types are dropped; once
 * the handshake is done, epoch-0 records (a plaintext alert, a ClientHello, …) are ignored
 * (§4.1.2.7) and an encrypted alert is passed on only if it authenticates. Returns what werift may
 * see: `data` itself when every record passes (the common case, no allocation), else the passing
 * records, or undefined.
 */
function filterDtls(owner: ConnectionInternals, data: Buffer): Buffer | undefined {
  const socket = handshaken.get(owner);
  let kept: Buffer[] | undefined;
  let offset = 0;
  while (offset < data.length) {
    if (data.length - offset < DTLS_HEADER) return drop(owner, 'malformed', kept);
    const length = data.readUInt16BE(offset + 11);
    const end = offset + DTLS_HEADER + length;
    if (end > data.length) return drop(owner, 'malformed', kept);
    const type = data[offset] as number;
    const reason = type < 20 || type > 23 ? 'malformed' : socket ? afterHandshake(socket, data, offset, end) : undefined;
    if (reason) {
      count(owner, reason);
      kept ??= offset > 0 ? [data.subarray(0, offset)] : [];
    } else if (kept) {
      kept.push(data.subarray(offset, end));
    }
    offset = end;
  }
  if (!kept) return data;
  return kept.length > 0 ? Buffer.concat(kept) : undefined;
}

function drop(owner: ConnectionInternals, reason: keyof DroppedDatagrams, kept: Buffer[] | undefined): Buffer | undefined {
  count(owner, reason);
  return kept && kept.length > 0 ? Buffer.concat(kept) : undefined;
}

const ALERT = 21;

function afterHandshake(socket: DtlsSocketInternals, data: Buffer, offset: number, end: number): keyof DroppedDatagrams | undefined {
  const epoch = data.readUInt16BE(offset + 3);
  if (epoch === 0) return 'late_plaintext';
  if (data[offset] !== ALERT) return undefined;
  const recordLayerHeader: DtlsRecordHeader = {
    contentType: ALERT,
    protocolVersion: { major: data[offset + 1] as number, minor: data[offset + 2] as number },
    epoch,
    sequenceNumber: data.readUIntBE(offset + 5, 6),
    contentLen: end - offset - DTLS_HEADER,
  };
  try {
    socket.cipher.decryptPacket({ recordLayerHeader, fragment: data.subarray(offset + DTLS_HEADER, end) });
    return undefined;
  } catch {
    // A forged or corrupted alert: AES-GCM authentication failed (or the record is too short for it).
    return 'unauthenticated_alert';
  }
}
