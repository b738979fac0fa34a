// Run as a child by memory.lazyLoad.test.ts: starts a gateway, reports which lazily loaded packages
// were imported by then, then uses each lazily loaded subsystem once and reports that it worked.
import { registerHooks } from 'node:module';

const loaded: string[] = [];
registerHooks({
  load(url, context, nextLoad) {
    loaded.push(url);
    return nextLoad(url, context);
  },
});
const imported = (pkg: string): boolean => loaded.some((url) => url.includes(`/node_modules/${pkg}/`));

const { Gateway, parseConfig } = await import('../../../core/src/index.ts');
const { pino } = await import('pino');
const { builtinPlugins } = await import('../../../app/src/builtinPlugins.ts');
const config = parseConfig({
  general: { logLevel: 'silent', adminSecret: 'lazy-load-probe' },
  transports: { websocket: { port: 0 }, http: { port: 0 }, admin: { port: 0 } },
});
const gateway = await Gateway.start({ config, log: pino({ level: 'silent' }), plugins: builtinPlugins });
const atStart = { esbuild: imported('esbuild'), libopus: imported('libopus-wasm') };
await gateway.close();

const { compilePlugin } = await import('../../../core/src/plugins/sandbox/compilePlugin.ts');
const compiled = await compilePlugin({ name: 'lazy', language: 'ts', source: 'const n: number = 41;\nexport default n + 1;\n' });

const { OpusFrameDecoder, OpusFrameEncoder } = await import('../../../core/src/media/audio/OpusCodec.ts');
const encoder = await OpusFrameEncoder.create({ sampleRate: 48000, complexity: 4, bitrate: 32000, expectedLoss: 0 });
const decoder = await OpusFrameDecoder.create(48000);
const tone = new Int16Array(960).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48000)));
const packet = encoder.encode(tone);
const pcm = decoder.decodePacket(packet);
encoder.free();
decoder.free();

process.stdout.write(
  JSON.stringify({
    atStart,
    afterUse: { esbuild: imported('esbuild'), libopus: imported('libopus-wasm') },
    compiledHasAnswer: compiled.code.includes('41'),
    opusPacketBytes: packet.length,
    decodedSamples: pcm.length,
  }),
);
