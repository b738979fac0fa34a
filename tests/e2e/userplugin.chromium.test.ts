// A user plugin deployed through the Admin API, used by the stock janus.js in headless Chromium:
// attach by name, messages both ways, media routed as the plugin asks (an echo), and a hot reload
// while the browser's media flows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startSandboxGateway, type SandboxGateway } from '../support/adminClient.ts';
import { USER_ECHO, userEchoSource } from '../support/adminPluginSources.ts';
import { chromiumMissing, launchChromium } from '../support/chromium.ts';
import { startHarnessServer, type HarnessServer } from '../support/harnessServer.ts';
import { HarnessUser } from '../support/harnessPage.ts';
import { waitFor } from '../support/polling.ts';

describe('user plugin: stock janus.js in headless Chromium', { skip: chromiumMissing() }, () => {
  let gw: SandboxGateway;
  let pages: HarnessServer;
  let browser: Browser;

  before(async () => {
    gw = await startSandboxGateway();
    pages = await startHarnessServer();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await pages?.close();
    await gw?.close();
  });

  it('attaches to a deployed user plugin by name, exchanges messages, gets its media echoed, survives a hot reload', async () => {
    await gw.deploy(USER_ECHO, userEchoSource('1.0.0'));
    const user = await HarnessUser.open(browser, pages.url);
    try {
      await user.connect(gw.wsUrl);
      const handleId = await user.attach('echo', USER_ECHO);
      assert.ok(handleId > 0);

      const reply = (await user.send('echo', { request: 'count' })) as Record<string, unknown>;
      assert.deepEqual(reply, { userecho: 'event', result: 'ok', version: '1.0.0', messages: 1 });

      const offer = await user.createOffer('echo', [
        { type: 'audio', capture: true, recv: true },
        { type: 'video', capture: true, recv: true },
      ]);
      await user.send('echo', { audio: true, video: true }, offer);
      const answered = await user.waitForEvent('echo', (e) => e.jsep?.type === 'answer', 'the plugin answers the offer');
      assert.equal(answered.msg?.version, '1.0.0');
      await user.handleRemoteJsep('echo', answered.jsep);

      const first = await waitFor(
        () => user.totals('echo'),
        (t) => t.frames > 5 && t.audioPackets > 10,
        15_000,
        'echoed media',
      );
      await user.page.waitForTimeout(1000);
      const second = await user.totals('echo');
      assert.ok(second.frames > first.frames + 5, `frames decoded grow: ${first.frames} -> ${second.frames}`);
      assert.ok(second.audioPackets > first.audioPackets + 10, `audio packets grow: ${first.audioPackets} -> ${second.audioPackets}`);

      // Hot reload while the browser's media flows: the handle moves to v2 with its message count.
      const outcome = await gw.deploy(USER_ECHO, userEchoSource('2.0.0'));
      assert.equal(outcome.migrated, 1);
      await user.page.waitForTimeout(1000);
      const third = await user.totals('echo');
      assert.ok(third.frames > second.frames + 5, `frames keep growing across the reload: ${second.frames} -> ${third.frames}`);
      assert.ok(
        third.audioPackets > second.audioPackets + 10,
        `audio keeps flowing across the reload: ${second.audioPackets} -> ${third.audioPackets}`,
      );
      const after = (await user.send('echo', { request: 'count' })) as Record<string, unknown>;
      assert.deepEqual(after, { userecho: 'event', result: 'ok', version: '2.0.0', messages: 3 });
    } finally {
      await user.close();
    }
    await waitFor(
      () => gw.gateway.api.sessions.size,
      (n) => n === 0,
      10_000,
      'the session to go when the page closes',
    );
  });
});
