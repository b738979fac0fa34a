// Janus's own post-processor (Debian package janus-tools), the judge of Cardea's `.mjr` files.
// Tests that need it skip with this reason when it is absent (tests/run.ts installs it as root).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const JANUS_PP_REC = '/usr/bin/janus-pp-rec';

/** Why a test must skip, or false when janus-pp-rec is installed. */
export const noJanusPpRec: string | false = existsSync(JANUS_PP_REC) ? false : `${JANUS_PP_REC} missing (apt-get install janus-tools)`;

/** The JSON header as janus-pp-rec parses it (`--json`). */
export async function ppRecHeader(mjr: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(JANUS_PP_REC, ['--json', '-d', '0', mjr], { timeout: 10_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** Converts a recording (to `.opus`, `.webm`, … by `out`'s extension); rejects when janus-pp-rec fails. */
export async function ppRecConvert(mjr: string, out: string): Promise<string> {
  const { stdout, stderr } = await run(JANUS_PP_REC, ['-d', '4', '-o', mjr, out], { timeout: 30_000 });
  return `${stdout}${stderr}`;
}
