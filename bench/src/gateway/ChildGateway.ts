import type { ChildProcess } from 'node:child_process';
import { processCpuSeconds, processMemory } from '../system/procStats.ts';
import { canConnect } from './ports.ts';

/** Keep this much of the child's output, to explain a failed start. */
const outputTailBytes = 4096;

/**
 * The lifetime of a gateway child process, shared by Cardea and Janus: its output tail, procfs
 * readings by pid, waiting for its port, and a stop that escalates SIGTERM → SIGKILL. A bench that
 * dies without stop() (an uncaught error, process.exit) still kills the child.
 */
export class ChildGateway {
  readonly pid: number;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #label: string;
  #output = '';
  #stopped = false;
  readonly #killOnExit = (): void => {
    this.#child.kill('SIGKILL');
  };

  /** `label` names the gateway in error messages ("the Cardea gateway", "Janus"). */
  constructor(child: ChildProcess, label: string) {
    this.#child = child;
    this.#label = label;
    this.pid = child.pid as number;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    process.once('exit', this.#killOnExit);
    void this.#exited.then(() => process.off('exit', this.#killOnExit));
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString()).slice(-outputTailBytes);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  cpuSeconds(): number | undefined {
    return processCpuSeconds(this.pid);
  }

  memory(): { rssBytes: number; peakRssBytes: number } | undefined {
    return processMemory(this.pid);
  }

  outputTail(): string {
    return this.#output;
  }

  /** Resolves once `port` accepts connections; fails if the child exits or the time runs out. */
  async waitForPort(port: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let exited = false;
    void this.#exited.then(() => (exited = true));
    while (!(await canConnect(port))) {
      if (exited) throw new Error(`${this.#label} exited during start:\n${this.#output}`);
      if (performance.now() > deadline) throw new Error(`${this.#label} did not listen on ${port} within ${timeoutMs} ms:\n${this.#output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM, then SIGKILL after 5 s; resolves when the child has exited. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      if (this.#child.exitCode === null && this.#child.signalCode === null) {
        this.#child.kill('SIGTERM');
        const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
        await this.#exited;
        clearTimeout(timer);
      }
    }
    await this.#exited;
  }
}
