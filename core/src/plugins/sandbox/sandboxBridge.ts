/**
 * The bridge between a sandboxed plugin and the host, evaluated inside QuickJS after the SDK module
 * (generated from plugin-sdk/src: `sdkModule.ts`) and before the plugin. This is the only
 * hand-written JavaScript of the sandbox: how API calls leave QuickJS and how handler calls enter it.
 *
 * `BRIDGE_SOURCE` is a script whose value is a function of the host bridge and the SDK module's
 * namespace. Called once by the runner, it builds the frozen API object a plugin's handlers receive
 * from the SDK's own list of members (`PLUGIN_API_MEMBERS`): `log.*` and `timers.*` are served here
 * (lines and timers go through the bridge to the runner worker), every other member becomes a call
 * to the host, which maps it onto the core's plugin API (`sandboxApiTable.ts`). It returns the
 * runner's private entry points (`bind`, `call`, `settle`, `fire`); the bridge never becomes a global.
 *
 * Bridge operations (all payloads JSON strings; a non-empty return value is a refusal):
 * - `api`   `{id, op, args}`: an async API call; settled later through `settle(id, ok, json)`.
 *   Missing or `undefined` arguments travel as `null`; a result of `null` resolves as `undefined`.
 * - `done`  `{id, ok, value | error}`: a handler call finished.
 * - `log`   `{level, message, fields?, error?}`.
 * - `timer` `{id, ms, repeat}` / `clear` `id`: host timers; they fire through `fire(id)`.
 *
 * Errors handed to the plugin are created here, in the sandbox's realm, from strings: nothing of
 * the host's realm is reachable from them. Intrinsics are captured before plugin code runs, so a
 * plugin that replaces `JSON.stringify` or `Array.prototype.push` breaks only itself.
 */
export const BRIDGE_SOURCE = String.raw`(function (bridge, sdk) {
  'use strict';
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const freeze = Object.freeze;
  const isArray = Array.isArray;
  const PromiseCtor = Promise;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const RangeErrorCtor = RangeError;
  const SDK_VERSION = sdk.SDK_VERSION;
  const members = [];
  for (let i = 0; i < sdk.PLUGIN_API_MEMBERS.length; i++) members[i] = String(sdk.PLUGIN_API_MEMBERS[i]);
  const handlerNames = [];
  for (let i = 0; i < sdk.PLUGIN_HANDLERS.length; i++) handlerNames[i] = String(sdk.PLUGIN_HANDLERS[i]);
  const pending = new Map();
  const timers = new Map();
  let nextCall = 1;
  let nextTimer = 1;
  let plugin;

  function isJsonObject(value) { return typeof value === 'object' && value !== null && !isArray(value); }
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
  function logger(level) {
    return (message, fields) => {
      let line;
      try { line = stringify({ level, message: String(message), fields: isJsonObject(fields) ? fields : undefined }); }
      catch (_) { line = stringify({ level, message: String(message) }); }
      bridge('log', line);
    };
  }
  function addTimer(callback, ms, repeat) {
    if (typeof callback !== 'function') throw new TypeErrorCtor('timer callback must be a function');
    const id = nextTimer++;
    const refused = bridge('timer', stringify({ id, ms: Number(ms) || 0, repeat }));
    if (refused) throw new RangeErrorCtor(refused);
    timers.set(id, { callback, repeat });
    return id;
  }
  /** Members served inside the sandbox, by namespace. */
  const local = {
    log: { debug: logger('debug'), info: logger('info'), warn: logger('warn'), error: logger('error') },
    timers: {
      setTimeout: (callback, ms) => addTimer(callback, ms, false),
      setInterval: (callback, ms) => addTimer(callback, ms, true),
      clear: (id) => { if (timers.delete(id)) bridge('clear', String(id)); },
    },
  };
  function remote(op) {
    return (...args) => call(op, args);
  }
  const api = {};
  for (let i = 0; i < members.length; i++) {
    const name = members[i];
    const dot = name.indexOf('.');
    if (dot < 0) { api[name] = remote(name); continue; }
    const space = name.slice(0, dot);
    const key = name.slice(dot + 1);
    if (api[space] === undefined) api[space] = {};
    if (local[space] === undefined) api[space][key] = remote(name);
    else if (typeof local[space][key] === 'function') api[space][key] = local[space][key];
    else throw new ErrorCtor('the sandbox bridge does not implement ' + name);
  }
  for (const space of Object.keys(api)) if (typeof api[space] === 'object') freeze(api[space]);
  freeze(api);

  function done(id, succeeded, value) {
    let payload;
    try {
      payload = succeeded ? stringify({ id, ok: true, value: value === undefined ? null : value }) : stringify({ id, ok: false, error: errorInfo(value) });
    } catch (e) {
      payload = stringify({ id, ok: false, error: errorInfo(e) });
    }
    bridge('done', payload);
  }

  return freeze({
    bind(definition) {
      if (plugin !== undefined) throw new ErrorCtor('already bound');
      if (!isJsonObject(definition) || definition.sdkVersion !== SDK_VERSION) {
        throw new sdk.InvalidPluginError('the default export must be definePlugin({...}) from @cardea/plugin-sdk (SDK ' + SDK_VERSION + ')');
      }
      plugin = definition;
      const handlers = [];
      for (let i = 0; i < handlerNames.length; i++) {
        const key = handlerNames[i];
        if (key !== 'handleMessage' && typeof definition[key] === 'function') handlers[handlers.length] = key;
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
