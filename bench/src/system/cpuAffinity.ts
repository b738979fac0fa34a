// CPU pinning with util-linux `taskset`, so a gateway's "one core" is one core and the load
// generator does not steal it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const tasksetPaths = ['/usr/bin/taskset', '/bin/taskset', '/usr/local/bin/taskset'];

/** The taskset binary, or undefined when it is not installed (pinning is then skipped and reported). */
export function tasksetPath(): string | undefined {
  return tasksetPaths.find((p) => existsSync(p));
}

/** How many cores the bench can use, for choosing whether pinning the generator apart is possible. */
export function coreCount(): number {
  return availableParallelism();
}

/**
 * Pins every thread of process `pid` (`taskset -a`: the libuv pool and V8's helper threads too) to
 * `core`. Returns a function that restores the previous affinity, or undefined when pinning was not
 * possible (no taskset, or not enough cores).
 */
export function pinProcess(pid: number, core: number): (() => void) | undefined {
  const taskset = tasksetPath();
  if (!taskset || core >= coreCount()) return undefined;
  let previousMask: string | undefined;
  try {
    // "pid 123's current affinity mask: ff"
    previousMask = /:\s*([0-9a-f,]+)\s*$/i.exec(execFileSync(taskset, ['-p', String(pid)], { encoding: 'utf8' }))?.[1];
    execFileSync(taskset, ['-a', '-cp', String(core), String(pid)], { stdio: 'ignore' });
  } catch (_error) {
    return undefined; // e.g. a container that forbids sched_setaffinity: run unpinned, reported as such
  }
  return () => {
    if (previousMask === undefined) return;
    try {
      execFileSync(taskset, ['-a', '-p', previousMask, String(pid)], { stdio: 'ignore' });
    } catch (_error) {
      // Restoring is a courtesy to the caller (a test runner); a failure leaves it on one core, harmless.
    }
  };
}
