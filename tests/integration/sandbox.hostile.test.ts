// The hostile battery: a user plugin attacks from inside its sandbox, one attack per test, while a
// built-in EchoTest session and another user plugin's session carry on beside it. Each attack must
// be contained: the attacker's request fails or the attacker is stopped (its handle gets an error
// event and is detached), and the gateway and the bystanders keep working without a packet gap.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { CardeaConfigInput } from '@cardea/core';
import { applyWeriftPatches } from '../../core/src/webrtc/weriftPatches.ts';
import { startSandboxGateway, type SandboxGateway } from '../support/adminClient.ts';
import { EchoPeer } from '../support/adminEchoPeer.ts';
import { HOSTILE, hostileSource, USER_ECHO, userEchoSource } from '../support/adminPluginSources.ts';
import { connectJanus, JanusRequestError, type JanusClient, type JanusMessage } from '../support/janusClient.ts';
import { waitFor } from '../support/polling.ts';

const ECHOTEST = 'janus.plugin.echotest';
const MAX_GAP_MS = 250;

/** What one attack did to the attacker's request and handle. */
interface AttackResult {
  reply: JanusMessage | JanusRequestError;
  /** Async messages the attacker's handle got (error event, detached, ...). */
  events: JanusMessage[];
}

/** A gateway with two bystander sessions carrying media, and a fresh hostile plugin per test. */
/** What each test of a hostile suite gets. */
interface HostileContext {
  attack: (body: Record<string, unknown>, settleMs?: number) => Promise<AttackResult>;
  gw: () => SandboxGateway;
  bystanders: () => { echo: EchoPeer; user: EchoPeer };
}

function hostileSuite(title: string, overrides: CardeaConfigInput, body: (ctx: HostileContext) => void): void {
  describe(title, () => {
    let gw: SandboxGateway;
    let bystanderClient: JanusClient;
    let attacker: JanusClient;
    let echo: EchoPeer;
    let user: EchoPeer;

    before(async () => {
      applyWeriftPatches();
      gw = await startSandboxGateway(overrides);
      await gw.deploy(USER_ECHO, userEchoSource('1.0.0'));
      bystanderClient = await connectJanus('ws', gw.wsUrl);
      await bystanderClient.create();
      echo = await EchoPeer.start(bystanderClient, ECHOTEST);
      user = await EchoPeer.start(bystanderClient, USER_ECHO);
      attacker = await connectJanus('ws', gw.wsUrl);
      await attacker.create();
    });

    after(async () => {
      await echo?.close();
      await user?.close();
      await attacker?.close();
      await bystanderClient?.close();
      await gw?.close();
    });

    beforeEach(async () => {
      await gw.admin({ janus: 'unload_plugin', name: HOSTILE, force: true });
      await gw.deploy(HOSTILE, hostileSource, 'js');
    });

    /** Runs one attack, then checks that everything else is fine. */
    async function attack(request: Record<string, unknown>, settleMs = 300): Promise<AttackResult> {
      const mark = performance.now();
      const handle = await attacker.attach(HOSTILE);
      const from = attacker.events.length;
      const reply = await attacker.message(handle, request).catch((error: unknown) => {
        if (error instanceof JanusRequestError) return error;
        throw error;
      });
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      const events = attacker.events.slice(from).filter((m) => m.sender === handle);

      // The gateway answers, and both bystanders kept their media and still answer.
      assert.equal((await attacker.info()).janus, 'server_info');
      for (const [what, peer] of [
        ['built-in echotest', echo],
        ['user plugin', user],
      ] as const) {
        const stats = peer.audio.since(mark);
        assert.equal(stats.missing, 0, `${what}: no packet lost during the attack (${JSON.stringify(stats)})`);
        assert.ok(stats.maxGapMs < MAX_GAP_MS, `${what}: largest gap ${stats.maxGapMs.toFixed(0)} ms`);
      }
      const answer = await bystanderClient.message(user.handle, { request: 'count' });
      assert.equal(answer.plugindata?.data.result, 'ok', 'the bystander user plugin still answers');
      return { reply, events };
    }

    body({ attack, gw: () => gw, bystanders: () => ({ echo, user }) });
  });
}

/** The attacker was stopped: its request failed or it got the error event, then it was detached. */
function assertStopped(result: AttackResult, kind: 'cpu' | 'memory'): void {
  const fault = result.events.find((m) => m.janus === 'event' && m.plugindata?.data.fault !== undefined);
  assert.equal(fault?.plugindata?.data.fault, kind, `the handle got a ${kind} fault event: ${JSON.stringify(result.events)}`);
  assert.equal(fault?.plugindata?.data.error_code, 499);
  assert.ok(
    result.events.some((m) => m.janus === 'detached'),
    'the handle was detached',
  );
}

function data(result: AttackResult): Record<string, unknown> {
  assert.ok(
    !(result.reply instanceof JanusRequestError),
    `request failed: ${result.reply instanceof JanusRequestError ? result.reply.message : ''}`,
  );
  return result.reply.plugindata?.data ?? {};
}

hostileSuite('sandbox hostile battery: CPU and escapes', {}, ({ attack, gw, bystanders }) => {
  it('while(true){} is stopped at its deadline; the plugin restarts for new attaches', async () => {
    const result = await attack({ attack: 'spin' });
    assert.ok(result.reply instanceof JanusRequestError && result.reply.code === 462, 'the request fails with 462');
    assert.match(String(result.reply.message), /deadline of 100 ms exceeded/);
    assertStopped(result, 'cpu');
    const listed = await gw().admin({ janus: 'list_plugins' });
    const row = (listed.plugins as Array<{ name: string; state: string }>).find((p) => p.name === HOSTILE);
    await waitFor(
      async () =>
        ((await gw().admin({ janus: 'list_plugins' })).plugins as Array<{ name: string; state: string }>).find((p) => p.name === HOSTILE)
          ?.state,
      (s) => s === 'running',
      5000,
      `restart (was ${row?.state})`,
    );
  });

  it('an async loop (for(;;) await null) is stopped at its deadline', async () => {
    const result = await attack({ attack: 'asyncLoop' });
    assertStopped(result, 'cpu');
  });

  it('timers that keep the sandbox busy exceed the CPU budget and are stopped', async () => {
    const result = await attack({ attack: 'busyTimers' }, 2500);
    assertStopped(result, 'cpu');
    const logs = await gw().admin({ janus: 'plugin_logs', name: HOSTILE });
    assert.ok(
      (logs.logs as Array<{ message: string }>).some((l) => l.message.includes('CPU budget')),
      'the fault is in plugin_logs',
    );
  });

  it('require, process, fetch, import() and the Function constructor reached through host errors give nothing', async () => {
    const out = data(await attack({ probe: 'globals' }));
    assert.equal(out.require, 'undefined');
    assert.equal(out.process, 'undefined');
    assert.equal(out.fetch, 'undefined');
    assert.equal(out.setTimeout, 'undefined', 'timers come through the API only');
    assert.equal(out.bridge, 'undefined', 'the SDK bridge is not reachable as a global');
    assert.match(String(out.importResult), /^refused: .*could not load module 'node:fs'/);
    assert.equal(out.fromHostError, 'undefined,undefined', 'an error from a host call is a sandbox-realm error');
    assert.equal(out.fnCtor, 'undefined,undefined,undefined');
    const globals = String(out.globals).split(',');
    for (const name of ['require', 'process', 'Buffer', 'fetch', 'setTimeout', 'console', 'module', 'WebAssembly']) {
      assert.ok(!globals.includes(name), `no global ${name}`);
    }
  });

  it('prototype pollution of the API objects stays inside the plugin', async () => {
    const out = data(await attack({ probe: 'pollute' }));
    assert.match(String(out.replaced), /^refused/, 'the API object is frozen');
    assert.match(String(out.media), /^refused/, 'api.media is frozen');
    const probe: Record<string, unknown> = {};
    assert.equal(probe.polluted, undefined, "the host realm's Object.prototype is untouched");
    assert.equal(probe.hacked, undefined);
    // The polluted plugin itself still works: the SDK captured its intrinsics before plugin code ran.
    const handle = await connectJanus('ws', gw().wsUrl);
    try {
      await handle.create();
      const h = await handle.attach(HOSTILE);
      const again = await handle.message(h, { probe: 'globals' });
      assert.equal(again.plugindata?.data.process, 'undefined');
    } finally {
      await handle.close();
    }
  });

  it("naming another plugin's handles is refused", async () => {
    const { echo, user } = bystanders();
    for (const other of [echo.handle, user.handle]) {
      const out = data(await attack({ probe: 'foreign', other }));
      for (const [call, outcome] of Object.entries(out)) {
        assert.match(String(outcome), /is not attached to cardea\.plugin\.hostile/, `${call} on handle ${other}: ${String(outcome)}`);
      }
    }
  });

  it('an event flood is cut by the in-flight and rate limits', async () => {
    const result = await attack({ probe: 'flood' }, 500);
    const out = data(result);
    assert.ok(Number(out.refused) > 0, `some events refused: ${JSON.stringify(out)}`);
    assert.ok(Number(out.sent) <= 2000, `events bounded: ${JSON.stringify(out)}`);
    const delivered = result.events.filter((m) => m.janus === 'event').length;
    assert.ok(delivered <= Number(out.sent), `delivered ${delivered}`);
    const logs = await gw().admin({ janus: 'plugin_logs', name: HOSTILE, limit: 500 });
    assert.ok((logs.logs as unknown[]).length <= 500, 'log lines are bounded');
  });

  it('a timer flood is capped', async () => {
    const out = data(await attack({ probe: 'timerFlood' }));
    assert.equal(out.made, 1000);
    assert.match(String(out.error), /too many timers/);
  });

  it('unbounded recursion is a catchable stack overflow, not a crash', async () => {
    const out = data(await attack({ probe: 'recursion' }));
    assert.match(String(out.error), /stack overflow/);
  });
});

// Memory bombs: a generous deadline so that the memory cap, not the clock, stops them.
hostileSuite(
  'sandbox hostile battery: memory bombs',
  { plugins: { sandbox: { memoryMb: 32, deadlineMs: 3000, cpuMsPerSecond: 1000 } } },
  ({ attack }) => {
    for (const [bomb, description] of [
      ['pushArrays', 'pushing 1000-element arrays forever'],
      ['manyProperties', 'millions of properties on one object'],
      ['bufferToArray', 'a 20 MB buffer copied into an Array'],
      ['hugeArray', 'new Array(2e8).fill(0)'],
      ['typedArrays', '8 MB typed arrays forever'],
    ] as const) {
      it(`${description} is stopped at the memory cap`, async () => {
        const result = await attack({ attack: bomb });
        assert.ok(result.reply instanceof JanusRequestError, 'the request fails');
        assert.match(result.reply.message, /memory cap of 32 MiB reached/);
        assertStopped(result, 'memory');
      });
    }

    it('string doubling ends in a RangeError inside the plugin', async () => {
      const result = await attack({ attack: 'stringDoubling' });
      assert.ok(result.reply instanceof JanusRequestError && result.reply.code === 462);
      assert.match(result.reply.message, /string too long|memory/);
    });
  },
);
