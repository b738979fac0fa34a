// The plugin contract is one: every member of the SDK's PluginApi and every handler of
// PluginHandlers is offered to sandboxed plugins (or refused with a stated reason), the contract
// lists the core derives from match the SDK's interfaces, and both hosts run on the same API
// implementation, so a call naming a handle that just left behaves the same in both.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import ts from 'typescript';
import * as sdkModule from '@cardea/plugin-sdk';
import { PLUGIN_API_MEMBERS, PLUGIN_HANDLERS, type DefinedPlugin, type PluginEvent } from '@cardea/plugin-sdk';
import { WeriftMediaPlane } from '../../core/src/media/WeriftMediaPlane.ts';
import { InProcessPluginHost } from '../../core/src/plugins/InProcessPluginHost.ts';
import type { CoreHandle, LoadedPlugin } from '../../core/src/plugins/PluginHostTypes.ts';
import { compilePlugin } from '../../core/src/plugins/sandbox/compilePlugin.ts';
import { PluginRunner } from '../../core/src/plugins/sandbox/PluginRunner.ts';
import { REFUSED_IN_SANDBOX, SERVED_BY_THE_BRIDGE, sandboxApiTable } from '../../core/src/plugins/sandbox/sandboxApiTable.ts';
import { SandboxInstance } from '../../core/src/plugins/sandbox/SandboxInstance.ts';
import { SandboxPluginHost } from '../../core/src/plugins/sandbox/SandboxPluginHost.ts';
import { bundleSdkModule, sdkEntry, sdkModuleSource } from '../../core/src/plugins/sandbox/sdkModule.ts';
import { wasm } from '../../core/src/plugins/sandbox/webAssembly.ts';

const sdkSrc = path.resolve(import.meta.dirname, '../../plugin-sdk/src');

/** The callable members of PluginApi and the keys of PluginHandlers, read from the SDK's sources by the TypeScript compiler. */
function contractFromSources(): { members: string[]; handlers: string[] } {
  const program = ts.createProgram([path.join(sdkSrc, 'index.ts')], {
    allowImportingTsExtensions: true,
    noEmit: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const find = (file: string, name: string): ts.Type => {
    const source = program.getSourceFile(path.join(sdkSrc, file));
    assert.ok(source, file);
    const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
    assert.ok(decl, `${name} in ${file}`);
    return checker.getTypeAtLocation(decl);
  };
  const members: string[] = [];
  const api = find('PluginApi.ts', 'PluginApi');
  for (const prop of checker.getPropertiesOfType(api)) {
    const type = checker.getTypeOfSymbol(prop);
    if (type.getCallSignatures().length > 0) members.push(prop.name);
    else for (const inner of checker.getPropertiesOfType(type)) members.push(`${prop.name}.${inner.name}`);
  }
  const handlers = checker.getPropertiesOfType(find('PluginDefinition.ts', 'PluginHandlers')).map((p) => p.name);
  return { members, handlers };
}

describe('plugin contract: the lists and the sandbox table', () => {
  it("the SDK's PLUGIN_API_MEMBERS and PLUGIN_HANDLERS list exactly what its interfaces declare", () => {
    const { members, handlers } = contractFromSources();
    assert.ok(members.includes('media.forwardRtp') && members.includes('pushEvent'), 'members were read');
    assert.deepEqual([...PLUGIN_API_MEMBERS].sort(), members.sort());
    assert.deepEqual([...PLUGIN_HANDLERS].sort(), handlers.sort());
  });

  it('the sandbox offers every API member (a table row or the bridge) or refuses it with a stated reason', () => {
    const rows = new Set(Object.keys(sandboxApiTable));
    const served: Record<string, string> = SERVED_BY_THE_BRIDGE;
    const refused: Record<string, string> = REFUSED_IN_SANDBOX;
    for (const member of PLUGIN_API_MEMBERS) {
      const ways = [rows.has(member), member in served, member in refused].filter(Boolean).length;
      assert.equal(ways, 1, `${member}: exactly one of table row, bridge, refusal`);
      if (member in served) assert.ok((served[member] ?? '').length > 10, `${member}: the bridge's reason is stated`);
      if (member in refused) assert.ok((refused[member] ?? '').length > 10, `${member}: the refusal's reason is stated`);
    }
    const listed = new Set<string>(PLUGIN_API_MEMBERS);
    for (const op of rows) assert.ok(listed.has(op), `table row ${op} is an SDK member`);
  });
});

/** The probe plugin: self-contained (it is also serialised into a sandboxed plugin's source). */
function probePlugin(sdk: typeof sdkModule): DefinedPlugin {
  let mixer = 0;
  const seen = (api: sdkModule.PluginApi, name: string): void => api.log.info(`seen ${name}`);
  const outcome = async (work: () => Promise<unknown>): Promise<string> => {
    try {
      await work();
      return 'ignored';
    } catch (error) {
      const message = String((error as Error).message);
      return /went away/.test(message) ? 'gone' : /not attached/.test(message) ? 'foreign' : `other: ${message}`;
    }
  };
  return sdk.definePlugin({
    name: 'cardea.plugin.contractprobe',
    version: '1.0.0',
    init: (api) => seen(api, 'init'),
    destroy: (api) => seen(api, 'destroy'),
    createSession: (_info, api) => seen(api, 'createSession'),
    destroySession: (_handle, api) => seen(api, 'destroySession'),
    querySession: (_handle, api) => {
      seen(api, 'querySession');
      return {};
    },
    handleAdminMessage: (_body, api) => {
      seen(api, 'handleAdminMessage');
      return {};
    },
    setupMedia: (_handle, api) => seen(api, 'setupMedia'),
    hangupMedia: (_handle, api) => seen(api, 'hangupMedia'),
    handleData: (_message, api) => seen(api, 'handleData'),
    handleTalking: (_event, api) => seen(api, 'handleTalking'),
    handleLayerSwitch: (event, api) => seen(api, `handleLayerSwitch ${event.mid}/${String(event.substream)}`),
    handleMixerEvent: (_event, api) => seen(api, 'handleMixerEvent'),
    exportState: (api) => {
      seen(api, 'exportState');
      return { mixer };
    },
    importState: (_state, api) => seen(api, 'importState'),
    async handleMessage({ handle, body }, api) {
      seen(api, 'handleMessage');
      if (body.request === 'mixer') {
        mixer = await api.media.createMixer();
        return sdk.ok({ mixer });
      }
      if (body.request === 'calls') {
        const results: Record<string, string> = {};
        for (const [label, target] of [
          ['departed', Number(body.departed)],
          ['foreign', Number(body.foreign)],
        ] as const) {
          const calls: Record<string, () => Promise<unknown>> = {
            pushEvent: () => api.pushEvent(target, { data: { late: true } }),
            closePeerConnection: () => api.closePeerConnection(target),
            endHandle: () => api.endHandle(target),
            sendData: () => api.sendData(target, 'late'),
            addRoute: () => api.media.addRoute({ from: handle, to: target }),
            removeRoute: () => api.media.removeRoute({ from: target, to: handle }),
            requestKeyframe: () => api.media.requestKeyframe(target),
            setBitrateCap: () => api.media.setBitrateCap(target, 100_000),
            setSending: () => api.media.setSending(target, 'video', false),
            setSimulcastTarget: () => api.media.setSimulcastTarget(target, '1', { substream: 0 }),
            detectTalking: () => api.media.detectTalking(target, null),
            addToMixer: () => api.media.addToMixer(target, mixer),
            removeFromMixer: () => api.media.removeFromMixer(target, mixer),
            negotiate: () => api.negotiate(target, { type: 'offer', streams: [{ kind: 'audio' }] }),
            forwardRtp: () => api.media.forwardRtp(target, { mid: '0', host: '127.0.0.1', port: 9 }),
            startRecording: () => api.media.startRecording(target, { file: 'late.mjr' }),
          };
          for (const [name, call] of Object.entries(calls)) results[`${label}.${name}`] = await outcome(call);
        }
        return sdk.ok(results);
      }
      return sdk.ok({});
    },
  });
}

/** A handle as the API layer would hand it to a host, recording what the plugin did to it. */
function fakeHandle(id: number): CoreHandle & { events: PluginEvent[]; actions: string[] } {
  const events: PluginEvent[] = [];
  const actions: string[] = [];
  return {
    id,
    opaqueId: undefined,
    events,
    actions,
    pushEvent: (event) => events.push(event),
    negotiate: () => Promise.reject(new Error('no PeerConnection in this test')),
    closePeerConnection: () => actions.push('closePeerConnection'),
    end: () => actions.push('end'),
    sendData: () => actions.push('sendData'),
    setBitrateCap: () => actions.push('setBitrateCap'),
  };
}

/** A pino logger whose lines (the plugin's `api.log` among them) are kept. */
function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(String((JSON.parse(line) as { msg?: string }).msg));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

async function until(lines: string[], wanted: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!lines.includes(wanted)) {
    if (Date.now() > deadline) throw new Error(`never logged '${wanted}' (got ${lines.join(' | ')})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `work` run on the first call only (closing a probe twice is harmless). */
function once(work: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= work());
}

type Probe = { host: LoadedPlugin; media: WeriftMediaPlane; lines: string[]; close(): Promise<void> };

async function inProcessProbe(): Promise<Probe> {
  const media = new WeriftMediaPlane();
  const { log, lines } = capturingLogger();
  const host = await InProcessPluginHost.load(probePlugin(sdkModule), media, log);
  return { host, media, lines, close: once(async () => (await host.close(), media.close())) };
}

let mediaDir = '';
async function sandboxProbe(): Promise<Probe & { sandbox: SandboxPluginHost }> {
  const media = new WeriftMediaPlane();
  const { log, lines } = capturingLogger();
  const runner = new PluginRunner('contractprobe', log);
  const source = `import * as sdk from '@cardea/plugin-sdk';\nexport default (${probePlugin.toString()})(sdk);\n`;
  const compiled = await compilePlugin({ name: 'cardea.plugin.contractprobe', source, language: 'js' });
  const sandbox = await SandboxPluginHost.load({
    runner,
    instance: 'contractprobe#1',
    ...compiled,
    hash: 'test',
    expectedName: 'cardea.plugin.contractprobe',
    limits: {
      memoryMb: 64,
      deadlineMs: 1000,
      cpuMsPerSecond: 1000,
      maxCallsPerSecond: 10_000,
      maxCallBytes: 64 * 1024,
      maxLogLinesPerSecond: 10_000,
    },
    callTimeoutMs: 10_000,
    media,
    kv: new Map(),
    log,
    mediaDir,
  });
  return { host: sandbox, sandbox, media, lines, close: once(async () => (await sandbox.close(), await runner.close(), media.close())) };
}

describe('plugin contract: both hosts on one API', () => {
  before(async () => {
    mediaDir = await mkdtemp(path.join(tmpdir(), 'cardea-contract-'));
  });
  after(async () => {
    await rm(mediaDir, { recursive: true, force: true });
  });

  /** Drives every handler once; returns what the plugin logged having seen. */
  async function driveHandlers(probe: Probe, reload?: SandboxPluginHost): Promise<string[]> {
    try {
      return await driveEveryHandler(probe, reload);
    } finally {
      await probe.close(); // idempotent: a failed step must not leave the runner worker alive
    }
  }

  async function driveEveryHandler(probe: Probe, reload?: SandboxPluginHost): Promise<string[]> {
    const { host, media, lines } = probe;
    const witness = fakeHandle(101);
    await host.createSession(witness);
    const mixer = (await host.handleMessage({ handle: 101, transaction: 't', body: { request: 'mixer' } })) as unknown as {
      data: { mixer: number };
    };
    await host.querySession(101);
    await host.handleAdminMessage({});
    await host.setupMedia(101);
    await host.hangupMedia(101);
    await host.handleData?.(101, 'JanusDataChannel', 'hi');
    media.events.emit('talking', { handle: 101, mid: '0', talking: true, level: 10 });
    await until(lines, 'seen handleTalking');
    media.events.emit('layer', { handle: 101, mid: '1', substream: 2 });
    await until(lines, 'seen handleLayerSwitch 1/2');
    media.audio.events.emit('event', { type: 'announcement-ended', mixer: mixer.data.mixer, fileId: 1 });
    await until(lines, 'seen handleMixerEvent');
    if (reload) {
      await reload.importState(await reload.exportState());
    }
    await host.destroySession(101);
    await probe.close();
    await until(lines, 'seen destroy');
    return lines.filter((l) => l.startsWith('seen ')).map((l) => l.slice(5).split(' ')[0] ?? '');
  }

  it('a sandboxed plugin gets every handler of PluginHandlers (handleLayerSwitch too)', async () => {
    const probe = await sandboxProbe();
    const seen = new Set(await driveHandlers(probe, probe.sandbox));
    for (const handler of PLUGIN_HANDLERS) assert.ok(seen.has(handler), `the sandbox called ${handler}`);
  });

  it('an in-process built-in gets the same handlers (hot-reload hooks aside: built-ins are not hot-reloaded)', async () => {
    const seen = new Set(await driveHandlers(await inProcessProbe()));
    for (const handler of PLUGIN_HANDLERS) {
      if (handler === 'exportState' || handler === 'importState') continue;
      assert.ok(seen.has(handler), `the in-process host called ${handler}`);
    }
  });

  it('a call naming a handle that just left is ignored (or rejected as gone when it must return a value) in both hosts alike', async () => {
    const outcomes: Array<Record<string, unknown>> = [];
    for (const make of [inProcessProbe, sandboxProbe]) {
      const probe = await make();
      try {
        const self = fakeHandle(201);
        const leaving = fakeHandle(202);
        await probe.host.createSession(self);
        await probe.host.createSession(leaving);
        await probe.host.handleMessage({ handle: 201, transaction: 't', body: { request: 'mixer' } });
        await probe.host.destroySession(202);
        const result = await probe.host.handleMessage({
          handle: 201,
          transaction: 't',
          body: { request: 'calls', departed: 202, foreign: 999_999 },
        });
        assert.equal(result.kind, 'ok', JSON.stringify(result));
        outcomes.push(result.kind === 'ok' ? result.data : {});
        assert.deepEqual(leaving.events, [], 'nothing reached the departed handle');
        assert.deepEqual(leaving.actions, []);
      } finally {
        await probe.close();
      }
    }
    const [inProcess, sandboxed] = outcomes;
    assert.deepEqual(sandboxed, inProcess, 'the sandbox behaves as the in-process host');
    for (const [call, outcome] of Object.entries(inProcess ?? {})) {
      const [target, name] = call.split('.');
      const expected =
        target === 'foreign' ? 'foreign' : ['negotiate', 'forwardRtp', 'startRecording'].includes(name ?? '') ? 'gone' : 'ignored';
      assert.equal(outcome, expected, call);
    }
  });
});

describe('plugin contract: the sandbox SDK module is generated from plugin-sdk/src', () => {
  const limits = {
    memoryMb: 64,
    deadlineMs: 100,
    cpuMsPerSecond: 500,
    maxCallsPerSecond: 1000,
    maxCallBytes: 64 * 1024,
    maxLogLinesPerSecond: 200,
  };

  async function boot(sdkSource: string, plugin: string): Promise<{ identity: { name: string; handlers: string[] }; heapBytes: number }> {
    const wasmModule = await wasm.compile(
      await readFile(createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-sync/wasm')),
    );
    const { instance, identity } = await SandboxInstance.create(
      'sdk-test',
      wasmModule,
      sdkSource,
      plugin,
      'p.mjs',
      limits,
      () => undefined,
    );
    const heapBytes = instance.memoryUsedBytes();
    instance.drop();
    return { identity, heapBytes };
  }

  it("exports what plugin-sdk/src/index.ts exports, with the SDK's own SDK_VERSION and lists", async (t) => {
    const source = await sdkModuleSource();
    const plugin = `import * as sdk from '@cardea/plugin-sdk';
      const exported = Object.keys(sdk).sort().join(',');
      export default sdk.definePlugin({ name: 'v' + sdk.SDK_VERSION + ':' + exported, version: '1.0.0', handleMessage: () => sdk.ok({}), handleLayerSwitch() {} });`;
    const { identity, heapBytes } = await boot(source, plugin);
    t.diagnostic(`SDK module: ${source.length} characters; QuickJS heap after loading a plugin: ${heapBytes} bytes`);
    const expected = Object.keys(sdkModule).sort().join(',');
    assert.equal(identity.name, `v${sdkModule.SDK_VERSION}:${expected}`);
    assert.deepEqual(identity.handlers, ['handleLayerSwitch']);
  });

  it('bundles npm dependencies the SDK re-exports (zod), loading within the default sandbox limits', async (t) => {
    const source = await bundleSdkModule({
      contents: "export * from './index.ts';\nexport { z } from 'zod';\n",
      resolveDir: path.dirname(sdkEntry()),
    });
    assert.ok(source.length > 100_000, `zod is in the module (${source.length} characters)`);
    const plugin = `import { definePlugin, ok, z } from '@cardea/plugin-sdk';
      const schema = z.object({ request: z.literal('join'), room: z.number().int() });
      const ok1 = schema.safeParse({ request: 'join', room: 3 }).success;
      const ok2 = schema.safeParse({ request: 'join', room: 'x' }).success;
      export default definePlugin({ name: 'zod:' + ok1 + ',' + ok2, version: '1.0.0', handleMessage: () => ok({}) });`;
    const { identity, heapBytes } = await boot(source, plugin);
    t.diagnostic(`SDK module with zod: ${source.length} characters; QuickJS heap after loading a plugin: ${heapBytes} bytes`);
    assert.equal(identity.name, 'zod:true,false');
    assert.ok(heapBytes < 8 * 1024 * 1024, `QuickJS heap with zod: ${heapBytes} bytes`);
  });
});
