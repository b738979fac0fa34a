import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tasksetPath, coreCount } from '../system/cpuAffinity.ts';
import type { GatewayProcess } from './GatewayProcessTypes.ts';
import { GATEWAY_NODE_FLAGS } from '@cardea/app';
import { ChildGateway } from './ChildGateway.ts';
import { freePorts } from './ports.ts';

/** How the gateway hosts its built-in plugins (its `--builtin-host`). */
export type BuiltinHost = 'in-process' | 'sandbox';

/** Options of `CardeaProcess.start()`. */
export interface CardeaProcessOptions {
  /** Core the gateway is pinned to with `taskset -c` (default 0); unpinned when taskset is missing. */
  core?: number;
  /** The gateway's `--log-level` (default `warn`: logging must not be what is measured). */
  logLevel?: string;
  /** Milliseconds to wait for the WebSocket port to accept connections (default 20000). */
  startTimeoutMs?: number;
  /** The gateway's `--ice-ip` (default: Cardea's own default, 127.0.0.1); 127.0.0.2 inside a bench namespace. */
  iceIp?: string;
  /** The gateway's `--builtin-host` (default: CARDEA_BENCH_BUILTIN_HOST, set by the bench's `--builtin-host`, else the gateway's default). */
  builtinHost?: BuiltinHost;
}

/**
 * A Cardea gateway (`app/src/main.ts`, the `cardea` program) in a child process of the bench, pinned to one core, on
 * free loopback ports; its CPU and memory are read from procfs by pid.
 */
export class CardeaProcess implements GatewayProcess {
  readonly kind = 'cardea';
  readonly #child: ChildGateway;
  /** Process id of the gateway (taskset execs node, so this is node's pid). */
  readonly pid: number;
  /** Janus API WebSocket URL, e.g. `ws://127.0.0.1:40123/`. */
  readonly wsUrl: string;
  /** Janus API HTTP URL, e.g. `http://127.0.0.1:40124/janus`. */
  readonly httpUrl: string;
  /** The core the gateway is pinned to, or undefined when it runs unpinned. */
  readonly pinnedCore: number | undefined;
  /** The `cardea` package version. */
  readonly version: string = cardeaVersion();

  private constructor(child: ChildProcess, ports: number[], pinnedCore: number | undefined) {
    this.#child = new ChildGateway(child, 'the Cardea gateway');
    this.pid = this.#child.pid;
    this.wsUrl = `ws://127.0.0.1:${ports[0]}/`;
    this.httpUrl = `http://127.0.0.1:${ports[1]}/janus`;
    this.pinnedCore = pinnedCore;
  }

  /** Starts the gateway and resolves once its WebSocket port accepts connections. */
  static async start(options: CardeaProcessOptions = {}): Promise<CardeaProcess> {
    const core = options.core ?? 0;
    const ports = await freePorts(3);
    const main = fileURLToPath(new URL('./main.ts', import.meta.resolve('@cardea/app')));
    // CARDEA_BENCH_CPU_PROF=<dir>: the gateway writes a V8 CPU profile there when it exits (profiling runs only).
    const profileDir = process.env.CARDEA_BENCH_CPU_PROF;
    // CARDEA_BENCH_NODE_FLAGS: extra node flags for the gateway (e.g. `--trace-gc`), space-separated.
    const nodeFlags = (process.env.CARDEA_BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
    const args = [
      ...GATEWAY_NODE_FLAGS, // as `npm start` runs it
      ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
      ...nodeFlags, // after the defaults: V8 takes the last value of a flag
      main,
      ...['--ws-port', String(ports[0]), '--http-port', String(ports[1]), '--admin-port', String(ports[2])],
      ...['--log-level', options.logLevel ?? 'warn', '--admin-secret', randomUUID()],
      ...(options.iceIp === undefined ? [] : ['--ice-ip', options.iceIp]),
      // Which media plane to measure (`fast` or `werift`); unset: the gateway's default.
      ...(process.env.CARDEA_BENCH_MEDIA_PLANE ? ['--media-plane', process.env.CARDEA_BENCH_MEDIA_PLANE] : []),
      // Where AudioBridge mixers run (`worker` or `main`) and the worker's nice value; unset: the gateway's defaults.
      ...(process.env.CARDEA_BENCH_AUDIO_MIXER_THREAD ? ['--audio-mixer-thread', process.env.CARDEA_BENCH_AUDIO_MIXER_THREAD] : []),
      ...(process.env.CARDEA_BENCH_AUDIO_MIXER_NICE ? ['--audio-mixer-nice', process.env.CARDEA_BENCH_AUDIO_MIXER_NICE] : []),
    ];
    const builtinHost = options.builtinHost ?? process.env.CARDEA_BENCH_BUILTIN_HOST;
    if (builtinHost !== undefined) args.push('--builtin-host', builtinHost);
    const taskset = tasksetPath();
    const pinned = taskset !== undefined && core < coreCount();
    // CARDEA_* variables of the caller's shell would override nothing (flags win) but could add an API secret.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CARDEA_')));
    const child = pinned
      ? spawn(taskset, ['-c', String(core), process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
      : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    if (child.pid === undefined) {
      const [error] = (await once(child, 'error')) as [Error];
      throw new Error(`cannot start the Cardea gateway: ${error.message}`);
    }
    const gateway = new CardeaProcess(child, ports, pinned ? core : undefined);
    try {
      await gateway.#child.waitForPort(ports[0] as number, options.startTimeoutMs ?? 20_000);
    } catch (error) {
      await gateway.close();
      throw error;
    }
    return gateway;
  }

  /** User + system CPU seconds the gateway has used so far (undefined without procfs). */
  cpuSeconds(): number | undefined {
    return this.#child.cpuSeconds();
  }

  /** The gateway's resident and peak resident memory in bytes (undefined without procfs). */
  memory(): { rssBytes: number; peakRssBytes: number } | undefined {
    return this.#child.memory();
  }

  /** The last few KiB of the gateway's output. */
  outputTail(): string {
    return this.#child.outputTail();
  }

  /** Stops the gateway (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. Idempotent. */
  close(): Promise<void> {
    return this.#child.stop();
  }
}

/** The version in the repository's package.json ("unknown" when unreadable). */
function cardeaVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return manifest.version ?? 'unknown';
  } catch (_error) {
    return 'unknown'; // recorded as such in the results
  }
}
