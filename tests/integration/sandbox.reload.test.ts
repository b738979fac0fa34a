// Hot reload under load: while a built-in EchoTest session and a user plugin's echo session carry
// media (werift clients in this process), the user plugin is redeployed through the Admin API.
// Neither session may lose a packet; the user plugin's session keeps its state.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { startSandboxGateway, type SandboxGateway } from '../support/adminClient.ts';
import { EchoPeer, type ArrivalStats } from '../support/adminEchoPeer.ts';
import { USER_ECHO, userEchoSource } from '../support/adminPluginSources.ts';
import { connectJanus, type JanusClient } from '../support/janusClient.ts';

const ECHOTEST = 'janus.plugin.echotest';
/** Audio is sent every 20 ms; a gap above this means media stalled (loopback, 2 shared cores). */
const MAX_GAP_MS = 250;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function assertNoGap(what: string, stats: ArrivalStats): void {
  assert.ok(stats.packets > 0, `${what}: packets keep arriving`);
  assert.equal(stats.missing, 0, `${what}: no packet lost (${JSON.stringify(stats)})`);
  assert.ok(stats.maxGapMs < MAX_GAP_MS, `${what}: largest gap ${stats.maxGapMs.toFixed(0)} ms < ${MAX_GAP_MS} ms`);
}

async function messages(client: JanusClient, handle: number): Promise<{ version: string; messages: number }> {
  const reply = await client.message(handle, { request: 'count' });
  const data = reply.plugindata?.data as { version: string; messages: number };
  return { version: data.version, messages: data.messages };
}

describe('sandbox: hot reload of a user plugin under load', () => {
  let gw: SandboxGateway;
  let client: JanusClient;
  let echo: EchoPeer;
  let user: EchoPeer;

  before(async () => {
    applyWeriftPatches();
    gw = await startSandboxGateway();
    await gw.deploy(USER_ECHO, userEchoSource('1.0.0'));
    client = await connectJanus('ws', gw.wsUrl);
    await client.create();
    echo = await EchoPeer.start(client, ECHOTEST);
    user = await EchoPeer.start(client, USER_ECHO);
  });

  after(async () => {
    await echo?.close();
    await user?.close();
    await client?.close();
    await gw?.close();
  });

  it('redeploying moves live handles to v2 with their state; no packet gap for them or for the built-in', async () => {
    const before1 = await messages(client, user.handle);
    assert.equal(before1.version, '1.0.0');
    const mark = performance.now();
    const outcome = await gw.deploy(USER_ECHO, userEchoSource('2.0.0'));
    const requestMs = performance.now() - mark;
    assert.equal(outcome.version, '2.0.0');
    assert.deepEqual(outcome.previous?.version, '1.0.0');
    assert.equal(outcome.migrated, 1, 'the live handle moved to v2');
    assert.equal(outcome.draining, 0);
    assert.ok(outcome.reloadMs < 1000, `reload took ${outcome.reloadMs.toFixed(1)} ms (request round trip ${requestMs.toFixed(1)} ms)`);

    await sleep(1500);
    assertNoGap('built-in echotest audio', echo.audio.since(mark));
    assertNoGap('built-in echotest video', echo.video.since(mark));
    assertNoGap('user plugin audio', user.audio.since(mark));
    assertNoGap('user plugin video', user.video.since(mark));

    const after1 = await messages(client, user.handle);
    assert.equal(after1.version, '2.0.0', 'the handle is served by v2');
    assert.equal(after1.messages, before1.messages + 1, 'the per-handle state came along (exportState → importState)');
  });

  it('a version without state handover leaves live handles on the old version until they detach', async () => {
    const mark = performance.now();
    const outcome = await gw.deploy(USER_ECHO, userEchoSource('3.0.0', false));
    assert.equal(outcome.migrated, 0);
    assert.equal(outcome.draining, 1, 'the live handle stays on v2');
    const old = await messages(client, user.handle);
    assert.equal(old.version, '2.0.0');

    const fresh = await client.attach(USER_ECHO);
    assert.equal((await messages(client, fresh)).version, '3.0.0', 'new attaches go to v3');
    const listed = await gw.admin({ janus: 'list_plugins' });
    const row = (listed.plugins as Array<{ name: string; versions?: Array<{ version: string; role: string; handles: number }> }>).find(
      (p) => p.name === USER_ECHO,
    );
    assert.deepEqual(
      row?.versions?.map((v) => `${v.version}:${v.role}:${v.handles}`),
      ['2.0.0:draining:1', '3.0.0:serving:1'],
    );

    await sleep(1000);
    assertNoGap('user plugin audio on the draining version', user.audio.since(mark));
    assertNoGap('built-in echotest audio', echo.audio.since(mark));

    await client.detach(fresh);
    await user.close();
    await client.detach(user.handle);
    const after = await gw.admin({ janus: 'list_plugins' });
    const afterRow = (after.plugins as Array<{ name: string; versions?: Array<{ version: string }> }>).find((p) => p.name === USER_ECHO);
    assert.deepEqual(
      afterRow?.versions?.map((v) => v.version),
      ['3.0.0'],
      'the drained version is unloaded when its last handle detaches',
    );
  });

  it('rollback_plugin makes the previous version serve again', async () => {
    const reply = await gw.admin({ janus: 'rollback_plugin', name: USER_ECHO });
    assert.equal(reply.janus, 'success', JSON.stringify(reply));
    assert.equal((reply.plugin as { version: string }).version, '2.0.0');
    const handle = await client.attach(USER_ECHO);
    assert.equal((await messages(client, handle)).version, '2.0.0');
    await client.detach(handle);
  });
});
