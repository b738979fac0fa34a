// What a result file records about where it was measured, so numbers from two machines or two
// commits are never compared blind.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The repository root (bench/src/report → ../../..). */
export const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

/** The machine and checkout a run happened on. */
export interface MachineInfo {
  cpuModel: string;
  /** Logical cores the bench process may use. */
  cores: number;
  memoryBytes: number;
  node: string;
  /** e.g. "linux 6.8.0 x64". */
  os: string;
  /** `git rev-parse HEAD`, or null outside a git checkout. */
  gitCommit: string | null;
  /** True when the working tree had uncommitted changes (the numbers are then not of `gitCommit` alone). */
  gitDirty: boolean | null;
  /** 1, 5 and 15 minute load averages when the report was written: other work on the host skews the numbers. */
  loadAverage: number[];
}

/** Describes this machine and checkout. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    node: process.version,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
    gitCommit: git(['rev-parse', 'HEAD'])?.trim() ?? null,
    gitDirty: ((status) => (status === undefined ? null : status.trim() !== ''))(git(['status', '--porcelain'])),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (_error) {
    return undefined; // no git, or not a checkout (a tarball): recorded as null
  }
}

/**
 * Installed versions of the packages a result depends on: the Cardea workspaces and every runtime
 * dependency of @cardea/core and @cardea/bench, read from node_modules (null when not installed).
 */
export function packageVersions(): Record<string, string | null> {
  const versions: Record<string, string | null> = { cardea: readVersion(repoRoot) };
  const names = new Set<string>(['@cardea/core', '@cardea/bench']);
  for (const workspace of ['core', 'bench']) {
    const manifest = readManifest(path.join(repoRoot, workspace));
    for (const name of Object.keys(manifest?.dependencies ?? {})) names.add(name);
  }
  for (const name of [...names].sort()) versions[name] = readVersion(path.join(repoRoot, 'node_modules', name));
  return versions;
}

function readManifest(dir: string): { version?: string; dependencies?: Record<string, string> } | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch (_error) {
    return undefined; // not installed: its version is reported as null
  }
}

function readVersion(dir: string): string | null {
  return readManifest(dir)?.version ?? null;
}
