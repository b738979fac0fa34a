import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../support/chromium.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { startHarnessServer, type HarnessServer } from '../support/harnessServer.ts';
import { HarnessUser, type HarnessEvent } from '../support/harnessPage.ts';
import { waitFor } from '../support/polling.ts';

const result = (e: HarnessEvent): Record<string, unknown> => (typeof e.msg?.result === 'object' && e.msg.result !== null ? e.msg.result : {});
const av = [
  { type: 'audio', capture: true, recv: true },
  { type: 'video', capture: true, recv: true },
] as const;

describe('videocall: two browsers with the stock janus.js', { skip: chromiumMissing() }, () => {
  let gw: TestGateway;
  let pages: HarnessServer;
  let browser: Browser;

  before(async () => {
    gw = await startTestGateway();
    pages = await startHarnessServer();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await pages?.close();
    await gw?.close();
  });

  it('register, call, accept, both decode video, hang up', async () => {
    const alice = await HarnessUser.open(browser, pages.url);
    const bob = await HarnessUser.open(browser, pages.url);
    try {
      for (const [user, name] of [[alice, 'alice'], [bob, 'bob']] as const) {
        await user.connect(gw.wsUrl);
        await user.attach('vc', 'janus.plugin.videocall');
        await user.send('vc', { request: 'register', username: name });
        await user.waitForEvent('vc', (e) => result(e).event === 'registered', `${name} registered`);
      }
      await alice.send('vc', { request: 'list' });
      const list = await alice.waitForEvent('vc', (e) => Array.isArray(result(e).list), 'list');
      assert.deepEqual([...(result(list).list as string[])].sort(), ['alice', 'bob']);

      // Taken usernames and calling a stranger are refused with VideoCall's codes.
      await bob.send('vc', { request: 'register', username: 'carol' });
      await bob.waitForEvent('vc', (e) => e.msg?.error_code === 477, 'already registered (477)');

      const offer = await alice.createOffer('vc', [...av]);
      await alice.send('vc', { request: 'call', username: 'bob' }, offer);
      await alice.waitForEvent('vc', (e) => result(e).event === 'calling', 'calling');
      const incoming = await bob.waitForEvent('vc', (e) => result(e).event === 'incomingcall', 'incomingcall');
      assert.equal(result(incoming).username, 'alice');
      assert.equal(incoming.jsep?.type, 'offer');
      const answer = await bob.createAnswer('vc', incoming.jsep, [...av]);
      await bob.send('vc', { request: 'accept' }, answer);
      const accepted = await alice.waitForEvent('vc', (e) => result(e).event === 'accepted', 'accepted');
      assert.equal(accepted.jsep?.type, 'answer');
      await alice.handleRemoteJsep('vc', accepted.jsep);

      for (const user of [alice, bob]) {
        const first = await waitFor(() => user.totals('vc'), (t) => t.frames > 5 && t.audioPackets > 10, 15_000, 'media from the other side');
        await user.page.waitForTimeout(1200);
        const second = await user.totals('vc');
        assert.ok(second.frames > first.frames + 5, `frames decoded grow: ${first.frames} -> ${second.frames}`);
        assert.ok(second.audioPackets > first.audioPackets + 10, `audio packets grow: ${first.audioPackets} -> ${second.audioPackets}`);
      }

      await alice.send('vc', { request: 'hangup' });
      const mine = await alice.waitForEvent('vc', (e) => result(e).event === 'hangup', 'hangup to alice');
      assert.equal(result(mine).reason, 'Explicit hangup');
      const theirs = await bob.waitForEvent('vc', (e) => result(e).event === 'hangup', 'hangup to bob');
      assert.equal(result(theirs).username, 'alice');
    } finally {
      await alice.close();
      await bob.close();
    }
    await waitFor(() => gw.gateway.api.sessions.size, (n) => n === 0, 10_000, 'sessions gone after the sockets closed');
  });
});
