// What a media scenario needs from the gateway under test, whichever it is (Cardea or Janus).
import type { GatewayKind } from '../BenchTypes.ts';

/** A gateway running in a child process of the bench, pinned to one core, measured through procfs. */
export interface GatewayProcess {
  readonly kind: GatewayKind;
  /** Process id whose /proc/<pid>/stat and status are sampled (all threads included). */
  readonly pid: number;
  /** Janus API WebSocket URL on loopback. */
  readonly wsUrl: string;
  /** The core the gateway is pinned to, or undefined when it runs unpinned. */
  readonly pinnedCore: number | undefined;
  /** Version string of the gateway (`1.1.2` for Janus, the package version for Cardea). */
  readonly version: string;
  /** User + system CPU seconds used so far (undefined without procfs or once the process is gone). */
  cpuSeconds(): number | undefined;
  /** Resident and peak resident memory in bytes (undefined without procfs). */
  memory(): { rssBytes: number; peakRssBytes: number } | undefined;
  /** The last few KiB of the gateway's output, to explain a failure. */
  outputTail(): string;
  /** Stops the gateway and releases everything it holds (config folders included). Idempotent. */
  close(): Promise<void>;
}
