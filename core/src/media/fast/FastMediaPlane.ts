import { MediaControl, type MediaControlOptions } from '../MediaControl.ts';
import { FastPacketPath, type FastPacketPathOptions } from './FastPacketPath.ts';

/** Options of the fast plane: the packet path's sizing and the control part's mixer placement. */
export type FastMediaPlaneOptions = FastPacketPathOptions & MediaControlOptions;

/**
 * Cardea's default media plane: the shared control part (MediaControl) over Cardea's own packet
 * path (FastPacketPath: SRTP, RTP and RTCP on the raw datagrams, werift only for ICE/DTLS/SCTP).
 */
export class FastMediaPlane extends MediaControl {
  /** Counters of what the fast path refused. */
  readonly drops: FastPacketPath['drops'];
  /** NACK handling: packets asked for, retransmitted from the buffers, NACKs sent to publishers. */
  readonly nack: FastPacketPath['nack'];
  /** RTX (RFC 4588): retransmissions sent as RTX, publishers' RTX unwrapped, and RTX without an OSN or a known stream. */
  readonly rtx: FastPacketPath['rtx'];

  constructor(options: FastMediaPlaneOptions = {}) {
    const path = new FastPacketPath(options);
    super(path, options);
    this.drops = path.drops;
    this.nack = path.nack;
    this.rtx = path.rtx;
  }
}
