import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../support/chromium.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { startHarnessServer, type HarnessServer } from '../support/harnessServer.ts';
import { HarnessUser, type HarnessEvent } from '../support/harnessPage.ts';
import { waitFor } from '../support/polling.ts';

const PLUGIN = 'janus.plugin.audiobridge';
const ROOM = 5151;

type Entry = { id: number; display?: string; setup: boolean; muted: boolean };
const data = (e: HarnessEvent): Record<string, unknown> => e.msg ?? {};

/** The stock demo flow: join, then configure {muted:false} with an audio-only offer, then apply the answer. */
async function joinAndConfigure(user: HarnessUser, display: string): Promise<{ id: number; participants: Entry[] }> {
  await user.attach('ab', PLUGIN);
  await user.send('ab', { request: 'join', room: ROOM, display });
  const joined = await user.waitForEvent('ab', (e) => data(e).audiobridge === 'joined' && data(e).id !== undefined, `${display} joined`);
  const offer = await user.createOffer('ab', [{ type: 'audio', capture: true, recv: true }]);
  await user.send('ab', { request: 'configure', muted: false }, offer);
  const ok = await user.waitForEvent('ab', (e) => data(e).result === 'ok' && e.jsep != null, `${display} configured with an answer`);
  await user.handleRemoteJsep('ab', ok.jsep);
  return { id: data(joined).id as number, participants: data(joined).participants as Entry[] };
}

for (const plane of ['fast', 'werift'] as const) {
  describe(`audiobridge: MCU with the stock janus.js in headless Chromium (${plane} media plane)`, { skip: chromiumMissing() }, () => {
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
      gw = await startTestGateway({ media: { plane } });
      pages = await startHarnessServer();
      browser = await launchChromium();
    });

    after(async () => {
      for (const u of users) await u.close();
      await browser?.close();
      await pages?.close();
      await gw?.close();
    });

    it('three participants join, each receives the mix, sees the others listed, and hears of mute changes', async () => {
      const admin = await open();
      await admin.attach('ctl', PLUGIN);
      const created = (await admin.send('ctl', { request: 'create', room: ROOM, description: 'e2e', sampling_rate: 16000 })) as Record<
        string,
        unknown
      >;
      assert.equal(created.audiobridge, 'created');

      const [alice, bob, carol] = [await open(), await open(), await open()];
      const a = await joinAndConfigure(alice, 'alice');
      const b = await joinAndConfigure(bob, 'bob');
      const c = await joinAndConfigure(carol, 'carol');
      assert.deepEqual(a.participants, [], 'alice is first');
      assert.deepEqual(
        b.participants.map((p) => p.id),
        [a.id],
        'bob is told of alice',
      );
      assert.deepEqual(c.participants.map((p) => p.id).sort(), [a.id, b.id].sort(), 'carol is told of alice and bob');
      assert.equal(c.participants.find((p) => p.id === a.id)?.display, 'alice');

      // alice hears of bob joining, then of bob's PeerConnection coming up (setup: true).
      await alice.waitForEvent(
        'ab',
        (e) => data(e).audiobridge === 'joined' && (data(e).participants as Entry[])?.some((p) => p.id === b.id),
        'alice told bob joined',
      );
      await alice.waitForEvent(
        'ab',
        (e) =>
          data(e).audiobridge === 'event' && (data(e).participants as Entry[] | undefined)?.some((p) => p.id === c.id && p.setup) === true,
        'alice told carol is set up',
        15_000,
      );

      // Everyone receives the mix: inbound audio packets keep growing.
      for (const [user, name] of [
        [alice, 'alice'],
        [bob, 'bob'],
        [carol, 'carol'],
      ] as const) {
        const first = await waitFor(
          () => user.totals('ab'),
          (t) => t.audioPackets > 25,
          15_000,
          `${name} receives audio`,
        );
        await user.page.waitForTimeout(600);
        const later = await user.totals('ab');
        assert.ok(
          later.audioPackets > first.audioPackets + 10,
          `${name}'s audio packets grow: ${first.audioPackets} -> ${later.audioPackets}`,
        );
      }
      const listing = (await admin.send('ctl', { request: 'listparticipants', room: ROOM })) as { participants: Entry[] };
      assert.deepEqual(listing.participants.map((p) => p.id).sort(), [a.id, b.id, c.id].sort());
      assert.ok(
        listing.participants.every((p) => p.setup),
        'every participant is set up',
      );

      // Mute and unmute reach the others.
      await bob.send('ab', { request: 'configure', muted: true });
      for (const user of [alice, carol]) {
        await user.waitForEvent(
          'ab',
          (e) => (data(e).participants as Entry[] | undefined)?.some((p) => p.id === b.id && p.muted) === true,
          'bob muted seen',
        );
      }
      const moderated = (await admin.send('ctl', { request: 'unmute', room: ROOM, id: b.id })) as Record<string, unknown>;
      assert.equal(moderated.audiobridge, 'success');
      const unmuted = (e: HarnessEvent): boolean =>
        (data(e).participants as Entry[] | undefined)?.some((p) => p.id === b.id && !p.muted) === true;
      await waitFor(
        () => alice.events('ab'),
        (events) =>
          events.findLastIndex((e) => (data(e).participants as Entry[] | undefined)?.some((p) => p.id === b.id && p.muted) === true) <
          events.findLastIndex(unmuted),
        10_000,
        'bob unmuted seen after the mute',
      );

      // The core's mixer runs the room.
      const mixers = gw.gateway.media.audio.ids();
      assert.equal(mixers.length, 1, 'one room, one mixer');
      const stats = await gw.gateway.media.audio.stats(mixers[0] as number);
      assert.equal(stats.participants, 3);
      assert.ok(stats.frames > 50, `the mixer ran (${stats.frames} frames)`);

      // carol leaves: the others hear `leaving`, carol gets `left`.
      await carol.send('ab', { request: 'leave' });
      await carol.waitForEvent('ab', (e) => data(e).audiobridge === 'left', 'carol left');
      await alice.waitForEvent('ab', (e) => data(e).leaving === c.id, 'alice told carol left');
    });

    it('errors: joining a missing room, configuring before joining, an unknown request', async () => {
      const user = await open();
      await user.attach('x', PLUGIN);
      await user.send('x', { request: 'join', room: 999_999 });
      await user.waitForEvent('x', (e) => data(e).error_code === 485, 'no such room (485)');
      await user.send('x', { request: 'configure', muted: true });
      await user.waitForEvent('x', (e) => data(e).error_code === 487, 'not joined (487)');
      const unknown = (await user.send('x', { request: 'dance' })) as Record<string, unknown>;
      assert.equal(unknown.error_code, 482);
      const exists = (await user.send('x', { request: 'exists', room: ROOM })) as Record<string, unknown>;
      assert.equal(exists.exists, true, 'the room keeps working');
    });
  });
}
