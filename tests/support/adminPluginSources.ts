// Sources of user plugins that tests deploy through the Admin API, as a studio would upload them.

/** The name the user echo plugin registers under. */
export const USER_ECHO = 'cardea.plugin.userecho';

/**
 * An echo written as a user plugin (TypeScript): answers an offer, routes the handle's media back to
 * itself, counts messages per handle, and hands the counts over on hot reload when `withState`.
 */
export function userEchoSource(version: string, withState = true): string {
  return `import { definePlugin, fail, isJsonObject, ok, wait, type HandleId, type JsonObject } from '@cardea/plugin-sdk';

const VERSION: string = '${version}';
const states = new Map<HandleId, { messages: number }>();

export default definePlugin({
  name: '${USER_ECHO}',
  version: VERSION,
  description: 'Echo, as a sandboxed user plugin',
  createSession({ handle }) {
    states.set(handle, { messages: 0 });
  },
  destroySession(handle) {
    states.delete(handle);
  },
  querySession(handle): JsonObject {
    return { messages: states.get(handle)?.messages ?? -1, version: VERSION };
  },
  handleMessage({ handle, transaction, body, jsep }, api) {
    const state = states.get(handle);
    if (!state) return fail('unknown handle');
    state.messages++;
    if (jsep?.type === 'offer') {
      void (async () => {
        const answer = await api.negotiate(handle, { type: 'answer' });
        await api.media.addRoute({ from: handle, to: handle });
        await api.pushEvent(handle, { transaction, data: { userecho: 'event', result: 'ok', version: VERSION }, jsep: answer });
      })().catch((error: unknown) => api.log.error('negotiation failed', { error: String(error) }));
      return wait('negotiating');
    }
    if (body.request === 'throw') throw new TypeError('thrown on request');
    api.log.info('message', { messages: state.messages });
    return ok({ userecho: 'event', result: 'ok', version: VERSION, messages: state.messages });
  },
${
  withState
    ? `  exportState(): JsonObject {
    const out: JsonObject = {};
    for (const [handle, s] of states) out[String(handle)] = { messages: s.messages };
    return out;
  },
  importState(state) {
    for (const [key, value] of Object.entries(state)) {
      if (isJsonObject(value) && typeof value.messages === 'number') states.set(Number(key), { messages: value.messages });
    }
  },
`
    : ''
}});
`;
}

/**
 * A hostile plugin: each request `body.attack` runs one attack inside handleMessage, and
 * `body.probe` reports what the sandbox exposes. Used by the hostile battery.
 */
export const HOSTILE = 'cardea.plugin.hostile';

export const hostileSource = `import { definePlugin, ok, wait } from '@cardea/plugin-sdk';

const attacks = {
  spin() { for (;;) {} },
  asyncLoop() { void (async () => { for (;;) await null; })(); return ok({ started: true }); },
  pushArrays() { const a = []; for (;;) a.push(new Array(1000).fill(1)); },
  manyProperties() { const o = {}; for (let i = 0; ; i++) o['k' + i] = i; },
  bufferToArray() { const b = new Uint8Array(20 * 1024 * 1024); return ok({ n: Array.from(b).length }); },
  stringDoubling() { let s = 'x'; for (;;) s += s; },
  hugeArray() { return ok({ n: new Array(2e8).fill(0).length }); },
  typedArrays() { const keep = []; for (;;) keep.push(new Float64Array(1024 * 1024)); },
  busyTimers(api) { api.timers.setInterval(() => { const end = Date.now() + 40; while (Date.now() < end) {} }, 10); return ok({ started: true }); },
};

export default definePlugin({
  name: '${HOSTILE}',
  version: '1.0.0',
  async handleMessage({ handle, body }, api) {
    if (typeof body.attack === 'string') return attacks[body.attack](api);
    if (body.probe === 'globals') {
      let importResult = 'not attempted';
      try { await import(String('node:fs')); importResult = 'loaded'; } catch (e) { importResult = 'refused: ' + String(e); }
      let fromHostError = 'no error';
      try { await api.pushEvent(-1, { data: {} }); } catch (e) {
        try { fromHostError = String(e.constructor.constructor('return typeof process + "," + typeof require')()); } catch (e2) { fromHostError = 'threw: ' + String(e2); }
      }
      let fnCtor = 'n/a';
      try { fnCtor = String(Function('return typeof process + "," + typeof require + "," + typeof globalThis.fetch')()); } catch (e) { fnCtor = 'threw: ' + String(e); }
      return ok({
        require: typeof globalThis.require, process: typeof globalThis.process, fetch: typeof globalThis.fetch,
        bridge: typeof globalThis.__cardeaSdk, setTimeout: typeof globalThis.setTimeout,
        importResult, fromHostError, fnCtor,
        globals: Object.getOwnPropertyNames(globalThis).sort().join(','),
      });
    }
    if (body.probe === 'pollute') {
      const results = {};
      Object.prototype.polluted = 'yes';
      Array.prototype.push = function () { return 0; };
      try { api.pushEvent = () => Promise.resolve(); results.replaced = 'assigned'; } catch (e) { results.replaced = 'refused: ' + e.name; }
      try { Object.getPrototypeOf(api).hacked = 1; results.proto = 'assigned'; } catch (e) { results.proto = 'refused: ' + e.name; }
      try { api.media.addRoute = null; results.media = 'assigned'; } catch (e) { results.media = 'refused: ' + e.name; }
      try { JSON.stringify = () => '{"id":1,"op":"endHandle","args":[1]}'; results.json = 'replaced'; } catch (e) { results.json = 'refused'; }
      return ok(results);
    }
    if (body.probe === 'foreign') {
      const other = body.other;
      const out = {};
      for (const [label, attempt] of [
        ['pushEvent', () => api.pushEvent(other, { data: { hijacked: true } })],
        ['addRoute', () => api.media.addRoute({ from: other, to: handle })],
        ['routeInto', () => api.media.addRoute({ from: handle, to: other })],
        ['endHandle', () => api.endHandle(other)],
        ['closePeerConnection', () => api.closePeerConnection(other)],
        ['sendData', () => api.sendData(other, 'hi')],
        ['negotiate', () => api.negotiate(other, { type: 'offer', streams: [{ kind: 'audio' }] })],
      ]) {
        try { await attempt(); out[label] = 'allowed'; } catch (e) { out[label] = String(e.message); }
      }
      return ok(out);
    }
    if (body.probe === 'flood') {
      let refused = 0;
      let sent = 0;
      const pending = [];
      for (let i = 0; i < 500; i++) {
        pending.push(api.pushEvent(handle, { data: { flood: i } }).then(() => { sent++; }, () => { refused++; }));
      }
      await Promise.all(pending);
      for (let i = 0; i < 400; i++) api.log.info('flood line ' + i);
      return ok({ sent, refused });
    }
    if (body.probe === 'timerFlood') {
      let made = 0;
      try { for (let i = 0; i < 100000; i++) { api.timers.setInterval(() => {}, 10); made++; } } catch (e) { return ok({ made, error: String(e) }); }
      return ok({ made });
    }
    if (body.probe === 'recursion') {
      const f = (n) => f(n + 1) + 1;
      try { f(0); } catch (e) { return ok({ error: String(e) }); }
    }
    return wait();
  },
});
`;
