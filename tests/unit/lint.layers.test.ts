// The layer rule of eslint.config.js fires: each virtual file below imports across a fence and must
// be refused by `no-restricted-imports`, and its downward twin must pass. The repository's own
// config is used as it is; only type-aware parsing is switched off, because the virtual files are
// not on disk for the TypeScript project service.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfig: [tseslint.configs.disableTypeChecked] });

/** The restricted-import messages ESLint reports for `source` as if it were the file at `file`. */
async function fenceErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: `${root}${file}` });
  assert.ok(result, 'ESLint answered');
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${file} parses`);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

/** Asserts that `specifier`, imported from `file`, is refused with a message matching `why`. */
async function refused(file: string, specifier: string, why: RegExp): Promise<void> {
  for (const source of [`import type { X } from '${specifier}';\nexport type Y = X;\n`, `export { X } from '${specifier}';\n`]) {
    const errors = await fenceErrors(file, source);
    assert.equal(errors.length, 1, `${file}: ${source.trim()} is refused (got ${JSON.stringify(errors)})`);
    assert.match(errors[0] ?? '', why);
  }
}

async function allowed(file: string, specifier: string): Promise<void> {
  const errors = await fenceErrors(file, `import type { X } from '${specifier}';\nexport type Y = X;\n`);
  assert.deepEqual(errors, [], `${file} may import ${specifier}`);
}

test('lint: a core layer importing a layer above it is refused, at any depth', async () => {
  await refused('core/src/media/LayerProbe.ts', '../api/JanusApi.ts', /Upward import: layers import downwards only/);
  await refused('core/src/media/fast/LayerProbe.ts', '../../plugins/PluginRegistry.ts', /Upward import/);
  await refused('core/src/webrtc/LayerProbe.ts', '../media/MediaPlaneTypes.ts', /Upward import/);
  await refused('core/src/plugins/sandbox/LayerProbe.ts', '../../transports/HttpTransport.ts', /Upward import/);
  await refused('core/src/api/LayerProbe.ts', '../transports/WebSocketTransport.ts', /Upward import/);
  await refused('core/src/util/LayerProbe.ts', '../webrtc/WebRtcPeer.ts', /Upward import/);
  await refused('core/src/media/LayerProbe.ts', '../Gateway.ts', /composition root/);
});

test('lint: downward imports inside the core pass', async () => {
  await allowed('core/src/transports/LayerProbe.ts', '../api/JanusApi.ts');
  await allowed('core/src/api/LayerProbe.ts', '../plugins/PluginRegistry.ts');
  await allowed('core/src/media/fast/LayerProbe.ts', '../../webrtc/WebRtcPeer.ts');
  await allowed('core/src/webrtc/LayerProbe.ts', '../util/logger.ts');
  await allowed('core/src/plugins/LayerProbe.ts', '@cardea/admin-types');
  await allowed('core/src/Gateway.ts', './transports/HttpTransport.ts');
});

test('lint: the core never imports plugin packages or the app', async () => {
  await refused('core/src/api/LayerProbe.ts', '@cardea/plugin-echotest', /never imports plugin packages/);
  await refused('core/src/Gateway.ts', '@cardea/app', /never imports plugin packages or the app/);
  await refused('core/src/plugins/LayerProbe.ts', '../../../plugins/videoroom/src/index.ts', /by its package name/);
  await allowed('core/src/plugins/LayerProbe.ts', '@cardea/plugin-sdk');
});

test('lint: a plugin imports only @cardea/plugin-sdk and its own files', async () => {
  await refused('plugins/echotest/src/LayerProbe.ts', 'node:fs', /only @cardea\/plugin-sdk and its own files/);
  await refused('plugins/echotest/src/LayerProbe.ts', '@cardea/core', /only @cardea\/plugin-sdk/);
  await refused('plugins/videoroom/src/LayerProbe.ts', '../../../core/src/Gateway.ts', /only @cardea\/plugin-sdk/);
  await allowed('plugins/videoroom/src/LayerProbe.ts', '@cardea/plugin-sdk');
  await allowed('plugins/videoroom/src/LayerProbe.ts', './videoroomSchemas.ts');
});

test('lint: the plugin SDK and the Admin API types import nothing from the core', async () => {
  await refused('plugin-sdk/src/LayerProbe.ts', '@cardea/core', /imports nothing from the core/);
  await refused('plugin-sdk/src/LayerProbe.ts', '../../core/src/Gateway.ts', /imports nothing from the core/);
  await refused('admin-types/src/LayerProbe.ts', '@cardea/plugin-sdk', /import nothing/);
  await allowed('plugin-sdk/src/LayerProbe.ts', './json.ts');
});
