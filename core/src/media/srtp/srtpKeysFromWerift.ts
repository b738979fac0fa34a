// Taking the negotiated SRTP keys from werift, so Cardea can own SRTP for the media it forwards
// while werift keeps ICE, DTLS and SCTP (see README.md in this folder for the whole bypass).
import type { RTCDtlsTransport } from 'werift';
import type { SrtpMasterKey } from './SrtpFanoutTypes.ts';

/** Both directions of one DTLS-SRTP association. */
export interface WeriftSrtpKeys {
  /** DTLS-SRTP protection profile id (werift: 0x0001 AES_CM_128_HMAC_SHA1_80 or 0x0007 AEAD_AES_128_GCM). */
  profile: number;
  /** What Cardea sends with: egress streams (addEgress). */
  local: SrtpMasterKey;
  /** What the peer sends with: ingress streams (addIngress). */
  remote: SrtpMasterKey;
}

/**
 * Reads the keys werift exported after its DTLS handshake (RFC 5764 §4.2): `dtlsTransport.srtp`
 * is the SrtpSession werift built in startSrtp() from `dtls.extractSessionKeys()`, and its
 * `config` holds the master keys and salts of both directions plus the negotiated profile.
 * Throws when the transport has not reached the `connected` state (no keys yet).
 */
export function srtpKeysFromWerift(dtlsTransport: RTCDtlsTransport): WeriftSrtpKeys {
  if (dtlsTransport.state !== 'connected' || !dtlsTransport.srtpStarted)
    throw new Error(`DTLS transport is '${dtlsTransport.state}': SRTP keys exist once it is connected`);
  const { keys, profile } = dtlsTransport.srtp.config;
  return {
    profile,
    local: { profile, masterKey: Buffer.from(keys.localMasterKey), masterSalt: Buffer.from(keys.localMasterSalt) },
    remote: { profile, masterKey: Buffer.from(keys.remoteMasterKey), masterSalt: Buffer.from(keys.remoteMasterSalt) },
  };
}
