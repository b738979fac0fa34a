import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { coreCount, tasksetPath } from '../system/cpuAffinity.ts';
import type { GatewayProcess } from './GatewayProcessTypes.ts';
import { ChildGateway } from './ChildGateway.ts';
import { freePorts } from './ports.ts';

/** Where Debian's `janus` package puts the binary and its sample configuration. */
export const janusBinary = '/usr/bin/janus';
const janusSampleConfigs = '/etc/janus';
const janusLibDir = '/usr/lib/x86_64-linux-gnu/janus';

/** How to get Janus when it is missing; printed by the bench and by skipped tests. */
export const janusInstallHint = 'install Janus 1.1.2 with `bash bench/scripts/install-janus.sh` (as root: apt-get install janus)';

/** Why Janus cannot run here, or undefined when /usr/bin/janus and its sample configs exist. */
export function janusUnavailableReason(): string | undefined {
  if (!existsSync(janusBinary)) return `${janusBinary} not found: ${janusInstallHint}`;
  if (!existsSync(path.join(janusSampleConfigs, 'janus.jcfg'))) return `${janusSampleConfigs}/janus.jcfg not found: ${janusInstallHint}`;
  return undefined;
}

/** Options of `JanusProcess.start()`. */
export interface JanusProcessOptions {
  /** Core Janus is pinned to with `taskset -c` (default 0); unpinned when taskset is missing. */
  core?: number;
  /**
   * The only address Janus gathers ICE candidates on (`ice_enforce_list`); must be a non-loopback
   * interface's, i.e. 127.0.0.2 inside a bench namespace (required: Janus never gathers on `lo`).
   */
  iceIp: string;
  /** Janus `debug_level` (default 3, warnings: logging must not be what is measured). */
  debugLevel?: number;
  /** Milliseconds to wait for the WebSocket port (default 20000). */
  startTimeoutMs?: number;
}

/** Plugins the bench loads; the others (SIP, streaming files, Lua, ...) need files or services. */
const enabledPlugins = ['echotest', 'videoroom', 'audiobridge', 'videocall'];
const enabledTransports = ['websockets'];

/**
 * The real Janus 1.1.2 (Debian package) in a child process of the bench, started on loopback with a
 * generated configuration folder and pinned to one core; close() kills it and removes the folder.
 */
export class JanusProcess implements GatewayProcess {
  readonly kind = 'janus';
  readonly #child: ChildGateway;
  readonly #configDir: string;
  readonly pid: number;
  readonly wsUrl: string;
  readonly pinnedCore: number | undefined;
  readonly version: string;

  private constructor(child: ChildProcess, configDir: string, wsPort: number, pinnedCore: number | undefined, version: string) {
    this.#child = new ChildGateway(child, 'Janus');
    this.#configDir = configDir;
    this.pid = this.#child.pid;
    this.wsUrl = `ws://127.0.0.1:${wsPort}/`;
    this.pinnedCore = pinnedCore;
    this.version = version;
  }

  /** Writes the configuration, starts `/usr/bin/janus -F <dir>` and resolves once its WebSocket port accepts connections. */
  static async start(options: JanusProcessOptions): Promise<JanusProcess> {
    const reason = janusUnavailableReason();
    if (reason) throw new Error(reason);
    const [wsPort] = (await freePorts(1)) as [number];
    const configDir = await mkdtemp(path.join(tmpdir(), 'cardea-bench-janus-'));
    let child: ChildProcess;
    const core = options.core ?? 0;
    const taskset = tasksetPath();
    const pinned = taskset !== undefined && core < coreCount();
    try {
      await writeJanusConfig(configDir, { wsPort, iceIp: options.iceIp, debugLevel: options.debugLevel ?? 3 });
      const argv = [janusBinary, '-o', '-F', configDir, '-C', path.join(configDir, 'janus.jcfg')];
      child = pinned
        ? spawn(taskset, ['-c', String(core), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      if (child.pid === undefined) {
        const [error] = (await once(child, 'error')) as [Error];
        throw new Error(`cannot start Janus: ${error.message}`);
      }
    } catch (error) {
      await rm(configDir, { recursive: true, force: true });
      throw error;
    }
    const janus = new JanusProcess(child, configDir, wsPort, pinned ? core : undefined, janusVersion());
    try {
      await janus.#child.waitForPort(wsPort, options.startTimeoutMs ?? 20_000);
    } catch (error) {
      await janus.close();
      throw error;
    }
    return janus;
  }

  cpuSeconds(): number | undefined {
    return this.#child.cpuSeconds();
  }

  memory(): { rssBytes: number; peakRssBytes: number } | undefined {
    return this.#child.memory();
  }

  outputTail(): string {
    return this.#child.outputTail();
  }

  /** Stops Janus (SIGTERM, SIGKILL after 5 s), waits for it, removes the config folder. Idempotent. */
  async close(): Promise<void> {
    await this.#child.stop();
    await rm(this.#configDir, { recursive: true, force: true });
  }
}

/** `janus --version`'s "(1.1.2)", or "unknown". */
function janusVersion(): string {
  // `janus --version` exits non-zero after printing; read stdout whatever the status.
  const { stdout } = spawnSync(janusBinary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  return /Janus version:\s*\d+\s*\(([^)]+)\)/.exec(stdout ?? '')?.[1] ?? 'unknown';
}

/**
 * Fills `dir` from Debian's sample configs (/etc/janus/*.jcfg), following shared/janus-reference.md:
 * the core config and the WebSocket transport are written anew (loopback, one free port, ICE only
 * on `iceIp`, half-trickle, no event handlers or loggers), the plugin configs are copied with the
 * sample rooms and mountpoints that need files or services dropped, and only the plugins and
 * transports the bench drives are loaded.
 */
export async function writeJanusConfig(dir: string, o: { wsPort: number; iceIp: string; debugLevel: number }): Promise<void> {
  const disabled = async (kind: string, keep: string[]): Promise<string> => {
    const names = (await readdir(path.join(janusLibDir, kind)).catch(() => [] as string[])).filter((f) => f.endsWith('.so'));
    return names.filter((f) => !keep.some((k) => f === `libjanus_${k}.so`)).join(',');
  };
  const janusJcfg = `# Generated by Cardea's bench (bench/src/gateway/JanusProcess.ts) from Debian's /etc/janus/janus.jcfg.
general: {
	configs_folder = "${dir}"
	plugins_folder = "${janusLibDir}/plugins"
	transports_folder = "${janusLibDir}/transports"
	events_folder = "${janusLibDir}/events"
	loggers_folder = "${janusLibDir}/loggers"
	debug_level = ${o.debugLevel}
	log_to_stdout = true
	session_timeout = 60
}
certificates: {
}
media: {
}
nat: {
	nice_debug = false
	full_trickle = false
	ice_enforce_list = "${o.iceIp}"
	ignore_mdns = true
}
plugins: {
	disable = "${await disabled('plugins', enabledPlugins)}"
}
transports: {
	disable = "${await disabled('transports', enabledTransports)}"
}
loggers: {
	disable = "${await disabled('loggers', [])}"
}
events: {
	broadcast = false
	disable = "${await disabled('events', [])}"
}
`;
  await writeFile(path.join(dir, 'janus.jcfg'), janusJcfg);
  await writeFile(
    path.join(dir, 'janus.transport.websockets.jcfg'),
    `general: {\n\tjson = "compact"\n\tws = true\n\tws_port = ${o.wsPort}\n\tws_ip = "127.0.0.1"\n\twss = false\n}\nadmin: {\n\tadmin_ws = false\n\tadmin_wss = false\n}\n`,
  );
  for (const plugin of enabledPlugins) {
    const file = `janus.plugin.${plugin}.jcfg`;
    const sample = await readFile(path.join(janusSampleConfigs, file), 'utf8').catch(() => '');
    await writeFile(path.join(dir, file), pluginConfig(plugin, sample));
  }
}

/** A plugin's config: Debian's sample, with plain-RTP sides bound to loopback. */
function pluginConfig(plugin: string, sample: string): string {
  let text = sample;
  if (plugin === 'audiobridge') {
    // Plain-RTP participants and forwarders stay on loopback; the sample rooms need no files.
    text = text.replace(/^general: \{/m, 'general: {\n\tlocal_ip = "127.0.0.1"');
  }
  return text;
}
