// A private network namespace for media benchmarks. Janus (libnice) never gathers ICE candidates on
// interfaces flagged as loopback, so the gateways and the load generator meet inside a namespace
// holding `lo` plus one veth pair whose end carries 127.0.0.2/32 (shared/janus-reference.md). Both
// gateways are measured there, under identical conditions; nothing inside can reach a real network.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ipPaths = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];

/** The address the veth end inside the namespace carries; ICE candidates use it. */
export const namespaceIceAddress = '127.0.0.2';

/** The iproute2 binary, or undefined when it is not installed. */
export function ipPath(): string | undefined {
  return ipPaths.find((p) => existsSync(p));
}

/** The namespace this process runs in, when it was started by `NetNamespace.exec()` (env BENCH_NETNS). */
export function currentNamespace(): string | undefined {
  return process.env.BENCH_NETNS || undefined;
}

/**
 * Why a namespace cannot be made here, or undefined when it can: needs Linux, root and iproute2.
 * (Creating one is the only real test; this rules out the obvious cases with a readable reason.)
 */
export function namespaceUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating a network namespace needs root';
  if (!ipPath()) return 'iproute2 (`ip`) is not installed: apt-get install iproute2';
  return undefined;
}

/**
 * One network namespace `cardea-bench-<pid>-<n>` with `lo` up and a veth pair `vb0`/`vb1`, `vb0`
 * holding 127.0.0.2/32. Created by `create()`, removed by `close()` (idempotent) and, as a last
 * resort, when this process exits.
 */
export class NetNamespace {
  static #count = 0;
  readonly name: string;
  readonly #ip: string;
  #closed = false;
  readonly #removeOnExit = (): void => this.#remove();

  private constructor(name: string, ip: string) {
    this.name = name;
    this.#ip = ip;
  }

  /** Creates the namespace; throws with iproute2's message when that fails (and leaves nothing behind). */
  static create(): NetNamespace {
    const reason = namespaceUnavailableReason();
    if (reason) throw new Error(`cannot create a network namespace: ${reason}`);
    const ns = new NetNamespace(`cardea-bench-${process.pid}-${NetNamespace.#count++}`, ipPath() as string);
    const run = (...args: string[]): void => {
      execFileSync(ns.#ip, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    };
    try {
      run('netns', 'add', ns.name);
      process.once('exit', ns.#removeOnExit);
      run('-n', ns.name, 'link', 'set', 'lo', 'up');
      run('-n', ns.name, 'link', 'add', 'vb0', 'type', 'veth', 'peer', 'name', 'vb1');
      run('-n', ns.name, 'addr', 'add', `${namespaceIceAddress}/32`, 'dev', 'vb0');
      run('-n', ns.name, 'link', 'set', 'vb0', 'up');
      run('-n', ns.name, 'link', 'set', 'vb1', 'up');
    } catch (error) {
      ns.close();
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`cannot create network namespace ${ns.name}: ${stderr || (error as Error).message}`);
    }
    return ns;
  }

  /** Command + arguments that run `argv` inside the namespace (`ip netns exec <name> ...`). */
  wrap(argv: string[]): { command: string; args: string[] } {
    return { command: this.#ip, args: ['netns', 'exec', this.name, ...argv] };
  }

  /** Deletes the namespace (its veth pair goes with it). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.off('exit', this.#removeOnExit);
    this.#remove();
  }

  #remove(): void {
    try {
      execFileSync(this.#ip, ['netns', 'delete', this.name], { stdio: 'ignore' });
    } catch (_error) {
      // Already gone (never fully created, or deleted by hand): nothing left to clean up.
    }
  }
}
