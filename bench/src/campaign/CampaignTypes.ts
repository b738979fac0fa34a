// The shapes of a media campaign run (echotest, videoroom, ...): what a scenario plugs into the
// RampRunner, and the `result` it writes into the JSON report (read back by the Markdown report).
import type { GatewayProcess } from '../gateway/GatewayProcessTypes.ts';
import type { JanusWsClient } from '../load/JanusWsClient.ts';
import type { LeanPeer, LoadGenerator } from '../load/LoadGenerator.ts';

/** What a scenario's setup and join steps get. */
export interface CampaignContext {
  gateway: GatewayProcess;
  client: JanusWsClient;
  generator: LoadGenerator;
  /** Creates a Janus session kept alive until the run ends. */
  createSession(): Promise<number>;
  /** Milliseconds a PeerConnection may take to connect before the join counts as failed. */
  connectTimeoutMs: number;
}

/** One participant that joined: the PeerConnections it holds. */
export interface Joined {
  peers: LeanPeer[];
}

/** A media scenario as the RampRunner drives it. */
export interface CampaignPlan {
  scenario: string;
  /** What one ramp step adds, e.g. "echo session", "subscriber". */
  unit: string;
  /** Participants in the ramp (after setup). */
  max: number;
  /** Milliseconds between two joins (the paper's fixed interval). */
  intervalMs: number;
  /** Milliseconds of steady phase at `max`. */
  steadyMs: number;
  /**
   * Work before anything is measured (e.g. encoding the real Opus the generator sends:
   * `generator.fixtures.setAudio`); default none.
   */
  prepare?(generator: LoadGenerator): Promise<void>;
  /** Work before the ramp (rooms, publishers), measured as its own phase; default none. */
  setup?(ctx: CampaignContext, progress: (label: string) => void): Promise<void>;
  /** Adds participant `index` (0-based); rejects when it could not join. */
  join(ctx: CampaignContext, index: number): Promise<Joined>;
  /** Numbers the scenario wants recorded besides the samples (room sizes, forms). */
  describe(): Record<string, unknown>;
  /** Releases what the scenario started (timers); called once when the run ends, failed or not. Default none. */
  finish?(): void;
  /**
   * Groups the ramp's levels by this many participants (level N: the seconds with N…N+step−1
   * joined), for ramps that add several participants per second; default 1 (one level per count).
   */
  levelStep?: number;
}

/** One second of the run. */
export interface CampaignSample {
  /** Seconds since the ramp's start (negative during setup). */
  t: number;
  phase: 'setup' | 'ramp' | 'steady';
  /** Participants joined (ramp units) and PeerConnections open. */
  participants: number;
  peers: number;
  /** Gateway user + system CPU over the second, as a fraction of one core (null without procfs). */
  gatewayCpu: number | null;
  gatewayRssBytes: number | null;
  /** The load generator's own CPU over the second (fraction of one core). */
  generatorCpu: number;
  /** Bits per second into the gateway (what the generator sent) and out of it (what it received). */
  gatewayInBps: number;
  gatewayOutBps: number;
  rtpOutPps: number;
  rtpInPps: number;
  /** Receive loss over the second: 1 − received / expected (0 when nothing was expected). */
  loss: number;
  /** Fraction of the second's received packets that were late (> lateThresholdMs). */
  late: number;
  /**
   * CPU (in cores) every other process on the host used over the second: well above 0, another
   * workload shared the machine and the second's numbers are suspect (null without procfs).
   */
  hostOtherCpu: number | null;
}

/** Averages over every sample taken while `participants` were joined. */
export interface CampaignLevel {
  participants: number;
  peers: number;
  samples: number;
  gatewayCpu: number | null;
  gatewayRssBytes: number | null;
  generatorCpu: number;
  gatewayInBps: number;
  gatewayOutBps: number;
  /** RTP packets per second the generator sent to the gateway and received from it. */
  rtpOutPps: number;
  rtpInPps: number;
  loss: number;
  late: number;
  /** Mean CPU (in cores) of every other process on the host during the level (null without procfs). */
  hostOtherCpu: number | null;
  /** The generator skipped frames or ran above 90% of its core: numbers past here measure it, not the gateway. */
  generatorLimited: boolean;
}

/** The `result` of a media campaign JSON report. */
export interface CampaignData {
  scenario: string;
  gateway: string;
  gatewayVersion: string;
  unit: string;
  max: number;
  /** Participants that joined; fewer than max when the ramp stopped early (see stopReason). */
  joined: number;
  failedJoins: number;
  stopReason: string | null;
  /** The first failed joins' errors (at most 5). */
  joinErrors: string[];
  intervalMs: number;
  steadyMs: number;
  iceIp: string;
  netns: string | null;
  gatewayCore: number | null;
  generatorCore: number | null;
  gatewayIdleRssBytes: number | null;
  /** Steady phase at the highest load: the matched-load numbers the report compares. */
  steady: CampaignLevel | null;
  /** Largest participant count whose level and all below kept loss and late ≤ 1%. */
  maxHeld: number;
  levels: CampaignLevel[];
  samples: CampaignSample[];
  /** The generator's own cost and ceiling. */
  generator: {
    cpuUsPerPacket: number | null;
    ceilingPps: number | null;
    framesLate: number;
    framesSkipped: number;
    sendErrors: number;
    integritySampled: number;
    integrityCorrupt: number;
    decryptFailures: number;
    rtcpDecryptFailures: number;
    keyframeRequests: number;
    rtcpIn: number;
    /** RTCP the generator sent: compound reports, reception report blocks in them, SRs it received. */
    rtcpOut: number;
    reportBlocks: number;
    senderReportsIn: number;
    videoBitrate: number;
  };
  plan: Record<string, unknown>;
  /** 1-minute load average at start and end: other work on the host skews the numbers. */
  loadAverage: { start: number; end: number };
}
