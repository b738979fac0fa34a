import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ScenarioOptions, ScenarioResult } from '../BenchTypes.ts';
import { machineInfo, packageVersions, repoRoot, type MachineInfo } from './machineInfo.ts';

/** Where results go by default: bench/results/ (git-ignored). */
export const defaultResultsDir = path.join(repoRoot, 'bench', 'results');

/** The JSON file a run writes: the scenario's numbers plus where and with what they were measured. */
export interface BenchReport {
  scenario: string;
  gateway: string;
  /** ISO time the report was written. */
  finishedAt: string;
  options: { quick: boolean; max: number | null };
  machine: MachineInfo;
  packages: Record<string, string | null>;
  result: Record<string, unknown>;
}

/**
 * Writes `<outDir>/<scenario>-<gateway>-<timestamp>.json` (outDir default bench/results/) and
 * returns its path and content.
 */
export async function writeReport(
  result: ScenarioResult,
  options: Pick<ScenarioOptions, 'quick' | 'max'>,
  outDir: string = defaultResultsDir,
): Promise<{ file: string; report: BenchReport }> {
  const finishedAt = new Date();
  const report: BenchReport = {
    scenario: result.scenario,
    gateway: result.gateway,
    finishedAt: finishedAt.toISOString(),
    options: { quick: options.quick, max: options.max ?? null },
    machine: machineInfo(),
    packages: packageVersions(),
    result: result.data,
  };
  // 2025-01-31T12-34-56-789Z: sortable, and no ':' (not allowed in Windows file names).
  const stamp = finishedAt.toISOString().replace(/[:.]/g, '-');
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, `${result.scenario}-${result.gateway}-${stamp}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return { file, report };
}
