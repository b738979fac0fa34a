// Configuration: defaults (Janus's where Janus has one), file < environment < CLI precedence, and
// validation errors that name the failing field (core/src/config/).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { configSchema } from '../../core/src/config/configSchema.ts';
import { ConfigError, loadConfig, parseConfig } from '../../core/src/config/loadConfig.ts';
import { webRtcOptionsFromConfig } from '../../core/src/webrtc/WebRtcOptions.ts';

/** Asserts that `work` throws a ConfigError whose message contains every one of `needles`. */
function assertConfigError(work: () => unknown, ...needles: string[]): void {
  assert.throws(work, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    assert.equal(error.name, 'ConfigError');
    for (const needle of needles) assert.ok(error.message.includes(needle), `message ${JSON.stringify(error.message)} lacks ${needle}`);
    return true;
  });
}

/** A temporary JSON config file; removed by the returned cleanup. */
function configFile(content: string): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cardea-config-'));
  const file = path.join(dir, 'cardea.json');
  writeFileSync(file, content);
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('config: an empty config gets the Janus defaults', () => {
  const config = parseConfig({});
  assert.equal(config.transports.websocket.port, 8188);
  assert.equal(config.transports.websocket.enabled, true);
  assert.equal(config.transports.http.port, 8088);
  assert.equal(config.transports.http.basePath, '/janus');
  assert.equal(config.transports.http.longPollTimeout, 30);
  assert.equal(config.transports.admin.port, 7088);
  assert.equal(config.transports.admin.basePath, '/admin');
  assert.deepEqual(config.webrtc.iceIp, ['127.0.0.1']);
  assert.equal(config.webrtc.iceLite, true);
  assert.equal(config.webrtc.portRange, undefined);
  assert.equal(config.webrtc.stunServer, undefined);
  assert.equal(config.general.sessionTimeout, 60);
  assert.equal(config.general.reclaimSessionTimeout, 0);
  assert.equal(config.general.candidatesTimeout, 45);
  assert.equal(config.general.acceptNewSessions, true);
  assert.equal(config.general.apiSecret, undefined);
  assert.equal(config.general.logLevel, 'info');
});

test('config: loadConfig with no flags and an empty environment gives the defaults', () => {
  assert.deepEqual(loadConfig([], {}), parseConfig({}));
});

test('config: the schema and parseConfig agree', () => {
  assert.deepEqual(configSchema.parse({}), parseConfig({}));
});

test('config: --ws-port and --ice-ip override the defaults', () => {
  const config = loadConfig(['--ws-port', '9000', '--ice-ip', '127.0.0.2'], {});
  assert.equal(config.transports.websocket.port, 9000);
  assert.deepEqual(config.webrtc.iceIp, ['127.0.0.2']);
  assert.equal(config.transports.http.port, 8088);
});

test('config: --ice-ip takes a comma-separated list', () => {
  assert.deepEqual(loadConfig(['--ice-ip', '127.0.0.1, 192.0.2.10,2001:db8::1'], {}).webrtc.iceIp, [
    '127.0.0.1',
    '192.0.2.10',
    '2001:db8::1',
  ]);
});

test('config: the other CLI flags land on their fields', () => {
  const config = loadConfig(
    [
      '--http-port',
      '9001',
      '--admin-port',
      '9002',
      '--nat-1-1',
      '203.0.113.5',
      '--port-range',
      '20000-20100',
      '--stun-server',
      'stun.example.org:3478',
      '--ice-lite',
      'false',
      '--log-level',
      'warn',
      '--admin-secret',
      'adm',
      '--api-secret',
      'api',
    ],
    {},
  );
  assert.equal(config.transports.http.port, 9001);
  assert.equal(config.transports.admin.port, 9002);
  assert.equal(config.webrtc.nat11, '203.0.113.5');
  assert.deepEqual(config.webrtc.portRange, [20000, 20100]);
  assert.equal(config.webrtc.stunServer, 'stun.example.org:3478');
  assert.equal(config.webrtc.iceLite, false);
  assert.equal(config.general.logLevel, 'warn');
  assert.equal(config.general.adminSecret, 'adm');
  assert.equal(config.general.apiSecret, 'api');
});

test('config: CARDEA_HTTP_PORT sets the HTTP port', () => {
  assert.equal(loadConfig([], { CARDEA_HTTP_PORT: '9100' }).transports.http.port, 9100);
});

test('config: environment variables set their fields, and empty ones are ignored', () => {
  const config = loadConfig([], {
    CARDEA_WS_PORT: '9200',
    CARDEA_ADMIN_PORT: '',
    CARDEA_ICE_IP: '127.0.0.3,127.0.0.4',
    CARDEA_ICE_LITE: '0',
    CARDEA_API_SECRET: 'from-env',
  });
  assert.equal(config.transports.websocket.port, 9200);
  assert.equal(config.transports.admin.port, 7088);
  assert.deepEqual(config.webrtc.iceIp, ['127.0.0.3', '127.0.0.4']);
  assert.equal(config.webrtc.iceLite, false);
  assert.equal(config.general.apiSecret, 'from-env');
});

test('config: a CLI flag beats the environment, which beats the config file', () => {
  const { file, cleanup } = configFile(
    JSON.stringify({ transports: { websocket: { port: 1111 }, http: { port: 2222 }, admin: { port: 3333 } } }),
  );
  try {
    const config = loadConfig(['-c', file, '--ws-port', '4444'], { CARDEA_WS_PORT: '5555', CARDEA_HTTP_PORT: '6666' });
    assert.equal(config.transports.websocket.port, 4444);
    assert.equal(config.transports.http.port, 6666);
    assert.equal(config.transports.admin.port, 3333);
  } finally {
    cleanup();
  }
});

test('config: a config file keeps the defaults of the fields it omits', () => {
  const { file, cleanup } = configFile(JSON.stringify({ general: { sessionTimeout: 5 } }));
  try {
    const config = loadConfig(['--config', file], {});
    assert.equal(config.general.sessionTimeout, 5);
    assert.equal(config.general.candidatesTimeout, 45);
    assert.equal(config.transports.websocket.port, 8188);
  } finally {
    cleanup();
  }
});

test('config: a missing config file is a ConfigError naming the file', () => {
  const missing = path.join(tmpdir(), 'cardea-no-such-dir', 'nope.json');
  assertConfigError(() => loadConfig(['-c', missing], {}), missing);
});

test('config: a config file that is not a JSON object is a ConfigError', () => {
  for (const content of ['not json', '[1, 2]', '"text"']) {
    const { file, cleanup } = configFile(content);
    try {
      assertConfigError(() => loadConfig(['-c', file], {}), file);
    } finally {
      cleanup();
    }
  }
});

test("config: --ws-port 'abc' is a ConfigError naming transports.websocket.port", () => {
  assertConfigError(() => loadConfig(['--ws-port', 'abc'], {}), 'transports.websocket.port');
});

test('config: a port out of range is a ConfigError naming the field', () => {
  assertConfigError(() => loadConfig([], { CARDEA_HTTP_PORT: '70000' }), 'transports.http.port');
  assertConfigError(() => parseConfig({ transports: { admin: { port: -1 } } }), 'transports.admin.port');
});

test('config: an unknown top-level key is a ConfigError naming the key', () => {
  assertConfigError(() => parseConfig({ transport: {} }), 'transport');
  assertConfigError(() => parseConfig({ generla: { sessionTimeout: 5 } }), 'generla');
});

test('config: portRange [5, 1] is a ConfigError naming webrtc.portRange', () => {
  assertConfigError(() => parseConfig({ webrtc: { portRange: [5, 1] } }), 'webrtc.portRange');
  assertConfigError(() => loadConfig(['--port-range', '5-1'], {}), 'webrtc.portRange');
  assertConfigError(() => loadConfig(['--port-range', 'lots'], {}), 'webrtc.portRange');
});

test('config: every failing field is named in one ConfigError', () => {
  assertConfigError(
    () => parseConfig({ general: { sessionTimeout: -1, logLevel: 'loud' }, webrtc: { iceIp: ['not-an-ip'], stunServer: 'no-port' } }),
    'general.sessionTimeout',
    'general.logLevel',
    'webrtc.iceIp.0',
    'webrtc.stunServer',
  );
});

test('config: an empty iceIp list or a bad address is rejected', () => {
  assertConfigError(() => parseConfig({ webrtc: { iceIp: [] } }), 'webrtc.iceIp');
  assertConfigError(() => loadConfig(['--nat-1-1', 'example.org'], {}), 'webrtc.nat11');
  assertConfigError(() => loadConfig([], { CARDEA_ICE_LITE: 'maybe' }), 'webrtc.iceLite');
});

test('config: a non-object config is a ConfigError', () => {
  assertConfigError(() => parseConfig(null), '(root)');
  assertConfigError(() => parseConfig([]), '(root)');
});

test('config: webRtcOptionsFromConfig carries the WebRTC section over, with the no-media timer in ms', () => {
  const config = parseConfig({
    webrtc: { iceIp: ['127.0.0.5'], nat11: '203.0.113.9', portRange: [30000, 30010], iceLite: false, noMediaTimer: 2.5 },
  });
  assert.deepEqual(webRtcOptionsFromConfig(config), {
    iceIp: ['127.0.0.5'],
    nat11: '203.0.113.9',
    portRange: [30000, 30010],
    iceLite: false,
    stunServer: undefined,
    noMediaTimerMs: 2500,
    mediaPlane: 'fast',
  });
});

test('config: plugins.builtinHost defaults to in-process; --builtin-host and CARDEA_BUILTIN_HOST set it; the built-ins get their own wider sandbox limits', () => {
  const defaults = loadConfig([], {});
  assert.equal(defaults.plugins.builtinHost, 'in-process');
  assert.equal(defaults.plugins.sandbox.deadlineMs, 100, 'user plugins keep their limits');
  assert.equal(defaults.plugins.builtinSandbox.deadlineMs, 1000);
  assert.equal(defaults.plugins.builtinSandbox.memoryMb, 256);
  assert.equal(loadConfig(['--builtin-host', 'sandbox'], {}).plugins.builtinHost, 'sandbox');
  assert.equal(loadConfig([], { CARDEA_BUILTIN_HOST: 'sandbox' }).plugins.builtinHost, 'sandbox');
  assert.throws(() => loadConfig(['--builtin-host', 'docker'], {}));
  assertConfigError(() => loadConfig([], { CARDEA_BUILTIN_HOST: 'docker' }), 'plugins.builtinHost');
});
