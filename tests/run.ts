// The `npm test` entry: browser prerequisites, typecheck + lint, then node's test runner over the suites.
//
//   node tests/run.ts                  all suites (unit, integration, e2e), after typecheck and lint
//   node tests/run.ts unit --no-lint   only tests/unit, skipping typecheck and lint
//   node tests/run.ts e2e --test-name-pattern=videoroom   `--test-*` flags go through to `node --test`
//
// Uses Node built-ins only, so it runs straight after `npm ci`.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, globSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const suites = ['unit', 'integration', 'e2e'] as const;
type Suite = (typeof suites)[number];

/**
 * What the integration and e2e suites need from the OS: browsers; janus-pp-rec (janus-tools) to
 * check `.mjr` recordings; the reference Janus 1.1.2 (`janus`) for the side-by-side bench test;
 * FFmpeg as an RTP source; rsvg-convert for the bench's figures; opusinfo (opus-tools) to check
 * Ogg Opus files. Installed here when missing (as root), so that no test has a reason to skip on a
 * fresh machine (and a skipped test fails a full run, see below).
 */
const browserBinaries = ['/usr/bin/chromium', '/usr/bin/firefox-esr', '/usr/bin/janus-pp-rec', '/usr/bin/janus', '/usr/bin/ffmpeg', '/usr/bin/rsvg-convert', '/usr/bin/opusinfo'];
const aptPackages = ['chromium', 'firefox-esr', 'iproute2', 'janus-tools', 'janus', 'ffmpeg', 'librsvg2-bin', 'util-linux', 'opus-tools'];

const started = performance.now();
const summary: string[] = [];

function parseArgs(argv: string[]): { selected: Suite[]; lint: boolean; passThrough: string[] } {
  const selected: Suite[] = [];
  const passThrough: string[] = [];
  let lint = true;
  for (const arg of argv) {
    if (arg === '--no-lint') lint = false;
    else if (arg.startsWith('--test-')) passThrough.push(arg);
    else if ((suites as readonly string[]).includes(arg)) selected.push(arg as Suite);
    else fail(`unknown argument '${arg}'; usage: node tests/run.ts [${suites.join('|')}]... [--no-lint] [--test-*=...]`, 2);
  }
  return { selected: selected.length > 0 ? suites.filter((s) => selected.includes(s)) : [...suites], lint, passThrough };
}

function fail(message: string, code = 1): never {
  console.error(`\n[run] FAILED: ${message}`);
  printSummary();
  process.exit(code);
}

function printSummary(): void {
  if (summary.length === 0) return;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\n[run] summary (${seconds} s):\n${summary.map((line) => `  - ${line}`).join('\n')}`);
}

/** Runs a command with inherited output; returns its exit status (signals count as failure). */
function run(command: string, args: string[], options: SpawnSyncOptions = {}): number {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.error) console.error(`[run] could not start ${command}: ${result.error.message}`);
  return result.status ?? 1;
}

/** Runs a package's bin script with this Node (24), not whatever `node` the PATH finds first. */
function runBin(name: string, args: string[]): number {
  const bin = path.join(root, 'node_modules', '.bin', name);
  if (!existsSync(bin)) fail(`${bin} is missing: run 'npm ci' first`);
  return run(process.execPath, [realpathSync(bin), ...args]);
}

function timed<T>(label: string, step: () => T): T {
  const t0 = performance.now();
  console.log(`\n[run] ${label}`);
  const value = step();
  console.log(`[run] ${label}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return value;
}

function ensureBrowsers(): void {
  const missing = browserBinaries.filter((bin) => !existsSync(bin));
  if (missing.length === 0) {
    summary.push(`browsers: ${browserBinaries.join(', ')} present`);
    return;
  }
  if (process.getuid?.() !== 0) {
    console.warn(
      `[run] ${missing.join(', ')} missing and not root, so not installing them; e2e tests that need them will skip.\n` +
        `[run] To install: sudo apt-get update && sudo apt-get install -y ${aptPackages.join(' ')}`,
    );
    summary.push(`browsers: missing ${missing.join(', ')} (not root: not installed, e2e tests skip)`);
    return;
  }
  timed(`installing ${aptPackages.join(' ')} (missing: ${missing.join(', ')})`, () => {
    console.log('[run] $ apt-get update');
    if (run('apt-get', ['update']) !== 0) fail('apt-get update failed');
    console.log(`[run] $ DEBIAN_FRONTEND=noninteractive apt-get install -y ${aptPackages.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['install', '-y', ...aptPackages], { env }) !== 0) fail(`apt-get install ${aptPackages.join(' ')} failed`);
  });
  summary.push(`browsers: installed ${aptPackages.join(', ')}`);
}

function main(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) fail(`Node ${process.versions.node} runs this; Cardea needs Node 24 (use 'npm test' or 'npx node tests/run.ts')`);
  const { selected, lint, passThrough } = parseArgs(process.argv.slice(2));

  if (selected.includes('e2e') || selected.includes('integration')) ensureBrowsers();

  if (lint) {
    if (timed('typecheck: tsc -p tsconfig.json', () => runBin('tsc', ['-p', 'tsconfig.json'])) !== 0)
      fail('typecheck (tsc) reported errors above');
    if (timed('typecheck: tsc -p tests/tsconfig.json', () => runBin('tsc', ['-p', 'tests/tsconfig.json'])) !== 0)
      fail('typecheck of the tests (tsc) reported errors above');
    if (timed('typecheck: tsc -p studio/tsconfig.json', () => runBin('tsc', ['-p', 'studio/tsconfig.json'])) !== 0)
      fail('typecheck of the studio (tsc) reported errors above');
    summary.push('typecheck: ok');
    if (timed('lint: eslint .', () => runBin('eslint', ['.'])) !== 0) fail('lint (eslint) reported problems above');
    summary.push('lint: ok');
  } else {
    summary.push('typecheck + lint: skipped (--no-lint)');
  }

  const files: string[] = [];
  for (const suite of selected) {
    const found = globSync(`tests/${suite}/**/*.test.ts`, { cwd: root }).sort();
    console.log(`[run] ${suite}: ${found.length} test file(s)`);
    summary.push(`${suite}: ${found.length} test file(s)`);
    files.push(...found);
  }
  if (files.length === 0) {
    // `node --test` with no paths would fall back to its own default globs over the whole tree.
    console.log(`[run] no test files under ${selected.map((s) => `tests/${s}`).join(', ')}; nothing to run`);
    printSummary();
    return;
  }

  // A second reporter writes TAP to a file, read afterwards for its skip count: every program a test
  // needs is installed above, so a skipped test in a full run hides a failure and fails the run.
  const tapFile = path.join(root, 'tests', '.tmp', `run-${process.pid}.tap`);
  mkdirSync(path.dirname(tapFile), { recursive: true });
  const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`];
  const args = ['--test', '--test-concurrency=1', '--test-timeout=120000', ...reporters, ...passThrough, ...files];
  const status = timed(`tests: node ${args.slice(0, 3).join(' ')} <${files.length} files>`, () => run(process.execPath, args));
  const skipped = skippedTests(tapFile);
  rmSync(tapFile, { force: true });
  summary.push(`tests: ${status === 0 ? 'passed' : `FAILED (node --test exit code ${status})`}`);
  const filtered = passThrough.some((arg) => arg.startsWith('--test-name-pattern') || arg.startsWith('--test-skip-pattern'));
  if (skipped.length > 0 && !filtered) {
    summary.push(`skipped: ${skipped.length} test(s) skipped, which fails the run:\n${skipped.map((line) => `      ${line}`).join('\n')}`);
    printSummary();
    process.exitCode = status === 0 ? 1 : status;
    return;
  }
  printSummary();
  process.exitCode = status;
}

/** The TAP lines of skipped tests (`ok N - name # SKIP reason`) in the run's TAP output. */
function skippedTests(tapFile: string): string[] {
  if (!existsSync(tapFile)) return [];
  return readFileSync(tapFile, 'utf8')
    .split('\n')
    .filter((line) => /^\s*ok \d+ - .* # SKIP\b/.test(line))
    .map((line) => line.trim());
}

main();
