// The plugin-runner worker: hosts the QuickJS sandboxes of one user plugin (every loaded version of
// it) off the gateway's main thread, so a plugin running up to its deadline never delays media or
// signalling. It speaks only the JSON messages of SandboxProtocol.ts with the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { SandboxCallError, SandboxFault, SandboxInstance } from './SandboxInstance.ts';
import type { FromWorker, SandboxErrorInfo, ToWorker } from './SandboxProtocol.ts';
import type { WasmModule } from './webAssembly.ts';

/** What the main thread hands the worker at start. */
export interface RunnerWorkerData {
  /** The compiled QuickJS WebAssembly module (compiled once by the main thread, instantiated per version). */
  wasmModule: WasmModule;
  /** The module `@cardea/plugin-sdk`, generated from plugin-sdk/src (`sdkModule.ts`). */
  sdkSource: string;
}

const port = parentPort;
if (!port) throw new Error('pluginRunnerWorker must run in a worker thread');
const { wasmModule, sdkSource } = workerData as RunnerWorkerData;
const instances = new Map<string, SandboxInstance>();
const post = (message: FromWorker): void => port.postMessage(message);

function errorInfo(error: unknown): SandboxErrorInfo {
  if (error instanceof SandboxCallError) return error.info;
  if (error instanceof Error) return { name: error.name, message: error.message, stack: '' };
  return { name: 'Error', message: String(error), stack: '' };
}

async function onMessage(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'load': {
      try {
        const { instance, identity } = await SandboxInstance.create(
          message.instance,
          wasmModule,
          sdkSource,
          message.code,
          message.filename,
          message.limits,
          post,
        );
        instances.set(message.instance, instance);
        post({ type: 'reply', id: message.id, ok: true, value: { ...identity } });
      } catch (error) {
        const info = errorInfo(error);
        if (error instanceof SandboxFault) info.message = `plugin stopped while loading: ${error.message}`;
        post({ type: 'reply', id: message.id, ok: false, error: info });
      }
      return;
    }
    case 'call': {
      const instance = instances.get(message.instance);
      if (!instance || instance.dead) {
        post({
          type: 'reply',
          id: message.id,
          ok: false,
          error: { name: 'SandboxFault', message: 'plugin instance is stopped', stack: '' },
        });
        return;
      }
      instance.call(message.id, message.method, message.args);
      if (instance.dead) instances.delete(message.instance);
      return;
    }
    case 'settle': {
      const instance = instances.get(message.instance);
      instance?.settle(message.callId, message.ok, message.value);
      if (instance?.dead) instances.delete(message.instance);
      return;
    }
    case 'drop':
      instances.get(message.instance)?.drop();
      instances.delete(message.instance);
      return;
  }
}

port.on('message', (message: ToWorker) => {
  onMessage(message).catch((error: unknown) => {
    // Only a bug in the runner gets here; report it as a crash of the instance concerned.
    const instance = 'instance' in message ? message.instance : '';
    post({ type: 'fault', instance, kind: 'crash', message: `runner error: ${errorInfo(error).message}` });
  });
});
