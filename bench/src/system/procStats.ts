// Per-process CPU time and memory from Linux procfs (proc(5)): /proc/<pid>/stat and /proc/<pid>/status.
// Elsewhere every reader returns undefined and the bench reports the number as unavailable.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`); 100, the Linux default, when getconf is unavailable. */
export function clockTicksPerSecond(): number {
  if (clockTicks !== undefined) return clockTicks;
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    clockTicks = Number.isFinite(value) && value > 0 ? value : 100;
  } catch (_error) {
    clockTicks = 100; // no getconf: USER_HZ is 100 on every mainstream Linux architecture
  }
  return clockTicks;
}

/** User + system CPU seconds a process (all its threads) has used so far, or undefined without procfs. */
export function processCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (_error) {
    return undefined; // not Linux, or the process is gone: the caller reports CPU as unavailable
  }
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  // Fields from there start at 3 (state); utime is field 14 and stime field 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / clockTicksPerSecond();
}

/** Resident and peak resident memory of a process in bytes (VmRSS, VmHWM), or undefined without procfs. */
export function processMemory(pid: number): { rssBytes: number; peakRssBytes: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (_error) {
    return undefined; // not Linux, or the process is gone
  }
  const kib = (field: string): number | undefined => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const rssBytes = kib('VmRSS');
  if (rssBytes === undefined) return undefined;
  return { rssBytes, peakRssBytes: kib('VmHWM') ?? rssBytes };
}

/**
 * Seconds core `core` (or all cores together, `'all'`) has spent busy (everything but idle and
 * iowait) since boot, from /proc/stat, or undefined without procfs. Compared with the bench's own
 * processes' CPU time it shows how much other work shared the machine.
 */
export function coreBusySeconds(core: number | 'all'): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch (_error) {
    return undefined; // not Linux
  }
  // "cpuN user nice system idle iowait irq softirq steal guest guest_nice" (guest time is already in user).
  const line = new RegExp(`^cpu${core === 'all' ? '' : core}\\s+(.*)$`, 'm').exec(stat)?.[1];
  if (line === undefined) return undefined;
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0);
  return busy / clockTicksPerSecond();
}
