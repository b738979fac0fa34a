// Re-runs the bench inside a fresh network namespace (NetNamespace.ts) and removes the namespace
// when the child ends, whatever way it ends. The child sees BENCH_NETNS and runs the scenario.
import { spawn } from 'node:child_process';
import { NetNamespace } from './NetNamespace.ts';

/** Runs this same command line inside a new namespace; resolves with the child's exit code. */
export async function rerunInNamespace(): Promise<number> {
  const ns = NetNamespace.create();
  const { command, args } = ns.wrap([process.execPath, ...process.execArgv, ...process.argv.slice(1)]);
  // Ctrl-C reaches the child through the terminal's process group; the parent stays to clean up.
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  try {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, BENCH_NETNS: ns.name } });
    const forward = (): void => {
      child.kill('SIGTERM');
    };
    process.on('SIGTERM', forward);
    const code = await new Promise<number>((resolve) => {
      child.once('error', () => resolve(1));
      child.once('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
    });
    process.off('SIGTERM', forward);
    return code;
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', ignore);
    ns.close();
  }
}
