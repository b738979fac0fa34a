/**
 * The SDK as a sandboxed plugin sees it: JavaScript evaluated inside QuickJS, before the plugin.
 *
 * `BOOTSTRAP_SOURCE` is a script whose value is a function of the host bridge. Called once by the
 * runner, it builds the frozen API object a plugin's handlers receive and returns the runner's
 * private entry points (`bind`, `call`, `settle`, `fire`). The bridge never becomes a global: it
 * lives in this closure only. The public SDK functions are parked on a global for exactly as long
 * as it takes `SDK_MODULE_SOURCE` (the module `@cardea/plugin-sdk`) to pick them up, before any
 * plugin code runs.
 *
 * Bridge operations (all payloads JSON strings; a non-empty return value is a refusal):
 * - `api`   `{id, op, args}`: an async API call; settled later through `settle(id, ok, json)`.
 * - `done`  `{id, ok, value | error}`: a handler call finished.
 * - `log`   `{level, message, fields?, error?}`.
 * - `timer` `{id, ms, repeat}` / `clear` `id`: host timers; they fire through `fire(id)`.
 *
 * Errors handed to the plugin are created here, in the sandbox's realm, from strings: nothing of
 * the host's realm is reachable from them.
 */
export const BOOTSTRAP_SOURCE = String.raw`(function (bridge) {
  'use strict';
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const freeze = Object.freeze;
  const isArray = Array.isArray;
  const PromiseCtor = Promise;
  const ErrorCtor = Error;
  const SDK_VERSION = 1;
  const pending = new Map();
  const timers = new Map();
  let nextCall = 1;
  let nextTimer = 1;
  let plugin;

  class InvalidPluginError extends Error {
    constructor(message) { super(message); this.name = 'InvalidPluginError'; }
  }
  function isJsonObject(value) { return typeof value === 'object' && value !== null && !isArray(value); }
  function definePlugin(definition) {
    if (!isJsonObject(definition)) throw new InvalidPluginError('definePlugin needs an object');
    if (typeof definition.name !== 'string' || definition.name.length === 0) throw new InvalidPluginError('a plugin needs a non-empty string name');
    if (typeof definition.version !== 'string' || !/^\d+\.\d+\.\d+/.test(definition.version)) {
      throw new InvalidPluginError('plugin ' + definition.name + ': version must be semver, got ' + String(definition.version));
    }
    if (typeof definition.handleMessage !== 'function') throw new InvalidPluginError('plugin ' + definition.name + ': handleMessage is required');
    return freeze({ ...definition, sdkVersion: SDK_VERSION });
  }
  function ok(data) { return { kind: 'ok', data }; }
  function wait(hint) { return hint === undefined ? { kind: 'wait' } : { kind: 'wait', hint }; }
  function fail(reason) { return { kind: 'error', reason }; }
  function pluginError(pluginKey, code, error) { return ok({ [pluginKey]: 'event', error_code: code, error }); }
  class PluginRequestError extends Error {
    constructor(code, message) { super(message); this.name = 'PluginRequestError'; this.code = code; }
  }

  function errorInfo(e) {
    try {
      if (e instanceof ErrorCtor) return { name: String(e.name), message: String(e.message), stack: String(e.stack === undefined ? '' : e.stack) };
      return { name: 'Error', message: 'non-error thrown: ' + String(e), stack: '' };
    } catch (_) {
      return { name: 'Error', message: 'unprintable error', stack: '' };
    }
  }
  function call(op, args) {
    return new PromiseCtor((resolve, reject) => {
      const id = nextCall++;
      const refused = bridge('api', stringify({ id, op, args }));
      if (refused) reject(new ErrorCtor(refused));
      else pending.set(id, { resolve, reject });
    });
  }
  const none = () => undefined;
  const rtpEndpointsRefused = 'media.openRtpEndpoint is not available to sandboxed plugins yet (it waits for the sandbox policy: loopback-only addresses and port caps); built-in plugins have it';
  function logger(level) {
    return (message, fields) => {
      let line;
      try { line = stringify({ level, message: String(message), fields: isJsonObject(fields) ? fields : undefined }); }
      catch (_) { line = stringify({ level, message: String(message) }); }
      bridge('log', line);
    };
  }
  function addTimer(callback, ms, repeat) {
    if (typeof callback !== 'function') throw new TypeError('timer callback must be a function');
    const id = nextTimer++;
    const refused = bridge('timer', stringify({ id, ms: Number(ms) || 0, repeat }));
    if (refused) throw new RangeError(refused);
    timers.set(id, { callback, repeat });
    return id;
  }
  const api = freeze({
    log: freeze({ debug: logger('debug'), info: logger('info'), warn: logger('warn'), error: logger('error') }),
    timers: freeze({
      setTimeout: (callback, ms) => addTimer(callback, ms, false),
      setInterval: (callback, ms) => addTimer(callback, ms, true),
      clear: (id) => { if (timers.delete(id)) bridge('clear', String(id)); },
    }),
    store: freeze({
      get: (key) => call('store.get', [key]).then((v) => (v === null ? undefined : v)),
      set: (key, value) => call('store.set', [key, value]).then(none),
      delete: (key) => call('store.delete', [key]).then(none),
    }),
    media: freeze({
      addRoute: (route) => call('media.addRoute', [route]).then(none),
      removeRoute: (route) => call('media.removeRoute', [route]).then(none),
      requestKeyframe: (handle) => call('media.requestKeyframe', [handle]).then(none),
      setBitrateCap: (handle, bps) => call('media.setBitrateCap', [handle, bps]).then(none),
      setSending: (handle, kind, sending) => call('media.setSending', [handle, kind, sending]).then(none),
      setSimulcastTarget: (handle, mid, target) => call('media.setSimulcastTarget', [handle, mid, target]).then(none),
      detectTalking: (handle, options) => call('media.detectTalking', [handle, options === undefined ? null : options]).then(none),
      createMixer: (options) => call('media.createMixer', [options === undefined ? null : options]),
      destroyMixer: (mixer) => call('media.destroyMixer', [mixer]).then(none),
      addToMixer: (handle, mixer, options) => call('media.addToMixer', [handle, mixer, options === undefined ? null : options]).then(none),
      updateMixerParticipant: (handle, mixer, options) => call('media.updateMixerParticipant', [handle, mixer, options]).then(none),
      removeFromMixer: (handle, mixer) => call('media.removeFromMixer', [handle, mixer]).then(none),
      resetMixerDecoder: (handle, mixer) => call('media.resetMixerDecoder', [handle, mixer]).then(none),
      playFile: (mixer, path, options) => call('media.playFile', [mixer, path, options === undefined ? null : options]),
      stopFile: (mixer, fileId) => call('media.stopFile', [mixer, fileId]).then(none),
      recordMixer: (mixer, path) => call('media.recordMixer', [mixer, path]).then(none),
      mixerStats: (mixer) => call('media.mixerStats', [mixer]),
      forwardMixer: (mixer, forward) => call('media.forwardMixer', [mixer, forward]),
      stopMixerForward: (mixer, id) => call('media.stopMixerForward', [mixer, id]).then(none),
      startRecording: (handle, options) => call('media.startRecording', [handle, options]),
      stopRecording: (id) => call('media.stopRecording', [id]).then((v) => (v === null ? undefined : v)),
      // Refused for now, with the reason: a sandboxed plugin's endpoint needs the sandbox policy
      // (loopback-only bind and remote, port caps) in the one PluginCapabilities implementation.
      openRtpEndpoint: () => PromiseCtor.reject(new ErrorCtor(rtpEndpointsRefused)),
      closeRtpEndpoint: () => PromiseCtor.resolve(undefined),
      rtpEndpointStats: () => PromiseCtor.resolve(undefined),
    }),
    pushEvent: (handle, event) => call('pushEvent', [handle, event]).then(none),
    negotiate: (handle, request) => call('negotiate', [handle, request]),
    closePeerConnection: (handle, reason) => call('closePeerConnection', [handle, reason === undefined ? null : reason]).then(none),
    endHandle: (handle) => call('endHandle', [handle]).then(none),
    sendData: (handle, text, label) => call('sendData', [handle, text, label === undefined ? null : label]).then(none),
  });
  function done(id, succeeded, value) {
    let payload;
    try {
      payload = succeeded ? stringify({ id, ok: true, value: value === undefined ? null : value }) : stringify({ id, ok: false, error: errorInfo(value) });
    } catch (e) {
      payload = stringify({ id, ok: false, error: errorInfo(e) });
    }
    bridge('done', payload);
  }

  Object.defineProperty(globalThis, '__cardeaSdk', {
    configurable: true,
    value: freeze({ definePlugin, ok, wait, fail, pluginError, isJsonObject, InvalidPluginError, PluginRequestError, SDK_VERSION }),
  });

  return freeze({
    bind(definition) {
      if (plugin !== undefined) throw new ErrorCtor('already bound');
      if (!isJsonObject(definition) || definition.sdkVersion !== SDK_VERSION) {
        throw new InvalidPluginError('the default export must be definePlugin({...}) from @cardea/plugin-sdk (SDK ' + SDK_VERSION + ')');
      }
      plugin = definition;
      const handlers = [];
      for (const key of ['init', 'destroy', 'createSession', 'destroySession', 'querySession', 'handleAdminMessage', 'setupMedia', 'hangupMedia', 'handleData', 'handleTalking', 'handleMixerEvent', 'exportState', 'importState']) {
        if (typeof definition[key] === 'function') handlers.push(key);
      }
      return stringify({
        name: definition.name,
        version: definition.version,
        description: typeof definition.description === 'string' ? definition.description : '',
        author: typeof definition.author === 'string' ? definition.author : '',
        handlers,
      });
    },
    call(id, method, argsJson) {
      let result;
      try {
        const handler = plugin[method];
        result = typeof handler === 'function' ? handler.apply(plugin, [...parse(argsJson), api]) : undefined;
      } catch (e) {
        done(id, false, e);
        return;
      }
      PromiseCtor.resolve(result).then((value) => done(id, true, value), (e) => done(id, false, e));
    },
    settle(id, succeeded, valueJson) {
      const entry = pending.get(id);
      if (entry === undefined) return;
      pending.delete(id);
      if (succeeded) entry.resolve(valueJson === '' ? undefined : parse(valueJson));
      else entry.reject(new ErrorCtor(valueJson));
    },
    fire(id) {
      const timer = timers.get(id);
      if (timer === undefined) return;
      if (!timer.repeat) timers.delete(id);
      try {
        timer.callback();
      } catch (e) {
        bridge('log', stringify({ level: 'error', message: 'timer callback threw', error: errorInfo(e) }));
      }
    },
  });
})`;

/** The module `@cardea/plugin-sdk` inside the sandbox: the runtime half of the SDK. */
export const SDK_MODULE_SOURCE = `const sdk = globalThis.__cardeaSdk;
delete globalThis.__cardeaSdk;
export const definePlugin = sdk.definePlugin;
export const ok = sdk.ok;
export const wait = sdk.wait;
export const fail = sdk.fail;
export const pluginError = sdk.pluginError;
export const isJsonObject = sdk.isJsonObject;
export const InvalidPluginError = sdk.InvalidPluginError;
export const PluginRequestError = sdk.PluginRequestError;
export const SDK_VERSION = sdk.SDK_VERSION;
`;

/** The module specifier the shim answers to. */
export const SDK_MODULE_NAME = '@cardea/plugin-sdk';
