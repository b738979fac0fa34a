import { isIP } from 'node:net';

/**
 * What the connection-address of a remote ICE candidate names (RFC 8839 §5.1):
 * - `ip`: an IPv4 or IPv6 literal, used as it is;
 * - `mdns`: a Multicast DNS name (RFC 6762 §3: a name in the `local.` domain), which browsers put
 *   in host candidates to hide local addresses (draft-ietf-mmusic-mdns-ice-candidates);
 * - `hostname`: anything else (`evil.local.example`, `example.org`, garbage). Cardea never
 *   resolves these: a remote peer could otherwise make the gateway run DNS lookups of names it
 *   chooses, each holding a libuv thread-pool thread for as long as the resolver takes. Janus
 *   (libnice) likewise accepts only IP literals and `.local` names.
 */
export type CandidateHostKind = 'ip' | 'mdns' | 'hostname';

/** One DNS label of an mDNS name: 1–63 letters, digits, hyphens or underscores (UUIDs fit). */
const MDNS_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i;

/** Longest name accepted, in characters (RFC 1035 §2.3.4). */
const MAX_NAME_LENGTH = 253;

/** Classifies a candidate's connection-address. */
export function classifyCandidateHost(host: string): CandidateHostKind {
  if (isIP(host) !== 0) return 'ip';
  return mdnsName(host) === undefined ? 'hostname' : 'mdns';
}

/**
 * The canonical form of an mDNS name (lower case, no trailing dot), or undefined when `host` is
 * not one: only a name whose last label is `local` (any case, optionally followed by the root
 * dot) qualifies, with at least one well-formed label before it.
 */
export function mdnsName(host: string): string | undefined {
  const name = (host.endsWith('.') ? host.slice(0, -1) : host).toLowerCase();
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return undefined;
  const labels = name.split('.');
  if (labels.length < 2 || labels[labels.length - 1] !== 'local') return undefined;
  return labels.every((label) => MDNS_LABEL.test(label)) ? name : undefined;
}

/**
 * The connection-address of an `a=candidate` value (with or without the `candidate:` /
 * `a=candidate:` prefix): its fifth field (RFC 8839 §5.1), or undefined when there is none.
 */
export function candidateAddress(candidate: string): string | undefined {
  return candidate.trim().split(/\s+/)[4];
}

/** The candidate with its connection-address replaced by `address`. */
export function withCandidateAddress(candidate: string, address: string): string {
  const fields = candidate.trim().split(/\s+/);
  if (fields.length < 5) return candidate;
  fields[4] = address;
  return fields.join(' ');
}

/**
 * Takes out of a remote SDP the `a=candidate` lines whose connection-address is not an IP literal
 * (werift would resolve them itself, see mdnsPatch.ts), returning them as trickle values
 * (`candidate:...`), deduplicated: with max-bundle every m-line repeats the same candidates.
 */
export function takeNonIpCandidates(sdp: string): { sdp: string; taken: string[] } {
  const taken = new Set<string>();
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const kept = sdp.split(eol).filter((line) => {
    if (!line.startsWith('a=candidate:')) return true;
    const candidate = line.slice(2);
    const address = candidateAddress(candidate);
    if (address === undefined || classifyCandidateHost(address) === 'ip') return true;
    taken.add(candidate);
    return false;
  });
  return { sdp: kept.join(eol), taken: [...taken] };
}
