import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../support/chromium.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { startHarnessServer, type HarnessServer } from '../support/harnessServer.ts';
import { HarnessUser } from '../support/harnessPage.ts';
import { waitFor } from '../support/polling.ts';
import { data, joinAndPublish, subscribe } from '../support/videoroomFlows.ts';

describe('videoroom: SFU with the stock janus.js in headless Chromium', { skip: chromiumMissing() }, () => {
  let gw: TestGateway;
  let pages: HarnessServer;
  let browser: Browser;
  const users: HarnessUser[] = [];
  const open = async (): Promise<HarnessUser> => {
    const user = await HarnessUser.open(browser, pages.url);
    users.push(user);
    await user.connect(gw.wsUrl);
    return user;
  };

  before(async () => {
    gw = await startTestGateway();
    pages = await startHarnessServer();
    browser = await launchChromium();
  });

  after(async () => {
    for (const u of users) await u.close();
    await browser?.close();
    await pages?.close();
    await gw?.close();
  });

  it('publishers see each other, a multistream subscriber decodes three feeds, a late subscriber decodes within 2 s, a leaving publisher is announced', async () => {
    const admin = await open();
    await admin.attach('ctl', 'janus.plugin.videoroom');
    const created = (await admin.send('ctl', { request: 'create', room: 4242, publishers: 6, description: 'e2e' })) as Record<string, unknown>;
    assert.equal(created.videoroom, 'created');

    const [alice, bob, carol] = [await open(), await open(), await open()];
    const aliceId = await joinAndPublish(alice, 4242, 'alice');
    const bobId = await joinAndPublish(bob, 4242, 'bob');
    // alice hears of bob's feed when bob's PeerConnection comes up.
    const seen = await alice.waitForEvent('pub', (e) => Array.isArray(data(e).publishers) && (data(e).publishers as Array<{ id: number }>).some((p) => p.id === bobId), 'alice sees bob');
    const entry = (data(seen).publishers as Array<{ id: number; display: string; streams: unknown[] }>)[0];
    assert.equal(entry?.display, 'bob');
    assert.equal(entry?.streams.length, 2);
    const carolId = await joinAndPublish(carol, 4242, 'carol');
    const joinedCarol = await carol.waitForEvent('pub', (e) => data(e).videoroom === 'joined', 'carol joined');
    const listed = (data(joinedCarol).publishers as Array<{ id: number }>).map((p) => p.id).sort();
    assert.deepEqual(listed, [aliceId, bobId].sort(), 'carol is told of alice and bob on join');

    // One subscriber PeerConnection receives all three publishers.
    const viewer = await open();
    const attached = await subscribe(viewer, 4242, [{ feed: aliceId }, { feed: bobId }, { feed: carolId }]);
    const streams = data(attached).streams as Array<{ mid: string; type: string; feed_id: number }>;
    assert.equal(streams.length, 6);
    const videoMids = streams.filter((s) => s.type === 'video').map((s) => s.mid);
    await waitFor(
      () => viewer.stats('sub'),
      (stats) => videoMids.every((mid) => (stats[mid]?.frames ?? 0) > 5),
      15_000,
      'frames decoded on every video mid',
    );
    const before = await viewer.stats('sub');
    await viewer.page.waitForTimeout(1000);
    const later = await viewer.stats('sub');
    for (const mid of videoMids) assert.ok((later[mid]?.frames ?? 0) > (before[mid]?.frames ?? 0), `frames keep growing on mid ${mid}`);
    const listing = (await admin.send('ctl', { request: 'listparticipants', room: 4242 })) as { participants: Array<{ id: number; publisher: boolean }> };
    assert.equal(listing.participants.filter((p) => p.publisher).length, 3);

    // A late subscriber decodes video within 2 s of starting (keyframe requests work).
    const late = await open();
    await subscribe(late, 4242, [{ feed: bobId }]);
    const startedAt = Date.now();
    await waitFor(() => late.totals('sub'), (t) => t.frames > 0, 2000, 'late subscriber decodes within 2 s');
    assert.ok(Date.now() - startedAt <= 2000);

    // alice leaves: the room hears `leaving`, the subscriber gets an update with alice's streams inactive.
    await alice.send('pub', { request: 'leave' });
    await bob.waitForEvent('pub', (e) => data(e).leaving === aliceId, 'bob told alice left');
    const updated = await viewer.waitForEvent('sub', (e) => data(e).videoroom === 'updated' && e.jsep != null, 'subscriber updated');
    const after = data(updated).streams as Array<{ feed_id: number; active: boolean }>;
    assert.ok(after.filter((s) => s.feed_id === aliceId).every((s) => !s.active), "alice's streams are inactive");
    assert.ok(after.filter((s) => s.feed_id !== aliceId).every((s) => s.active), 'the others stay active');
    const answer = await viewer.createAnswer('sub', updated.jsep, []);
    await viewer.send('sub', { request: 'start' }, answer);
    const bobMid = streams.find((s) => s.type === 'video' && s.feed_id === bobId)?.mid as string;
    const b1 = (await viewer.stats('sub'))[bobMid]?.frames ?? 0;
    await viewer.page.waitForTimeout(1000);
    assert.ok(((await viewer.stats('sub'))[bobMid]?.frames ?? 0) > b1, "bob's video keeps flowing after the renegotiation");
  });

  it('errors: missing room, subscribing to a missing feed, publishing twice', async () => {
    const user = await open();
    await user.attach('h', 'janus.plugin.videoroom');
    await user.send('h', { request: 'join', ptype: 'publisher', room: 999_999 });
    await user.waitForEvent('h', (e) => data(e).error_code === 426, 'no such room (426)');
    await user.attach('s', 'janus.plugin.videoroom');
    await user.send('s', { request: 'join', ptype: 'subscriber', room: 4242, streams: [{ feed: 123 }] });
    await user.waitForEvent('s', (e) => data(e).error_code === 428, 'no such feed (428)');
    const id = await joinAndPublish(user, 4242, 'dave', { name: 'p' });
    assert.ok(id > 0);
    const offer = await user.createOffer('p', [{ type: 'audio', capture: true, recv: false }]).catch(() => undefined);
    await user.send('p', { request: 'publish' }, offer);
    await user.waitForEvent('p', (e) => data(e).error_code === 434 || data(e).configured === 'ok', 'second publish answered');
    const synchronous = (await user.send('h', { request: 'exists', room: 4242 })) as Record<string, unknown>;
    assert.equal(synchronous.exists, true, 'the room keeps working');
  });
});
