import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { FastMediaPlane } from '../../core/src/media/fast/FastMediaPlane.ts';
import { chromiumMissing, launchChromium } from '../support/chromium.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { startHarnessServer, type HarnessServer } from '../support/harnessServer.ts';
import { HarnessUser } from '../support/harnessPage.ts';
import { waitFor } from '../support/polling.ts';
import { data, joinAndPublish, subscribe } from '../support/videoroomFlows.ts';

/** Simulcast layers (rids) of the gateway's publisher handles that received a packet in the last second. */
function arrivingLayers(gw: TestGateway): string[] {
  const now = performance.now();
  const rids: string[] = [];
  for (const session of gw.gateway.api.sessions.values()) {
    for (const handle of session.handles.values()) {
      for (const t of gw.gateway.media.incoming(handle.id)) if (t.rid !== undefined && now - t.lastRtpAt < 1000) rids.push(t.rid);
    }
  }
  return rids;
}

describe('videoroom: simulcast in headless Chromium', { skip: chromiumMissing() }, () => {
  let gw: TestGateway;
  let pages: HarnessServer;
  let browser: Browser;
  const users: HarnessUser[] = [];

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

  it('switching substream changes the received resolution; temporal down then up changes the frame rate', async (t) => {
    const [publisher, viewer] = [await HarnessUser.open(browser, pages.url), await HarnessUser.open(browser, pages.url)];
    users.push(publisher, viewer);
    for (const u of users) await u.connect(gw.wsUrl);
    await publisher.attach('ctl', 'janus.plugin.videoroom');
    await publisher.send('ctl', { request: 'create', room: 77 });
    // 640x360: Chrome sends two layers (640x360 and 320x180), cheap enough for a loaded CI machine.
    const id = await joinAndPublish(publisher, 77, 'sim', { simulcast: true, video: { width: { exact: 640 }, height: { exact: 360 } } });
    await waitFor(() => arrivingLayers(gw), (rids) => rids.length >= 2, 20_000, 'two simulcast layers arriving at the gateway');
    const attached = await subscribe(viewer, 77, [{ feed: id }]);
    const videoMid = (data(attached).streams as Array<{ mid: string; type: string }>).find((s) => s.type === 'video')?.mid as string;
    const height = async (): Promise<number> => (await viewer.stats('sub'))[videoMid]?.height ?? 0;
    const frames = async (): Promise<number> => (await viewer.stats('sub'))[videoMid]?.frames ?? 0;

    await viewer.send('sub', { request: 'configure', streams: [{ mid: videoMid, substream: 0 }] });
    const low = await waitFor(height, (h) => h > 0 && h <= 200, 15_000, 'the low layer (substream 0)');
    const f0 = await frames();
    await viewer.page.waitForTimeout(1000);
    assert.ok((await frames()) > f0 + 5, 'frames keep decoding on the low layer');
    await viewer.send('sub', { request: 'configure', streams: [{ mid: videoMid, substream: 2 }] });
    const high = await waitFor(height, (h) => h > low, 15_000, 'a higher layer after substream 2');
    assert.ok(high >= 2 * low - 1, `the high layer is about twice the low one (${low} -> ${high})`);
    await viewer.waitForEvent('sub', (e) => e.msg?.substream === 2 && e.msg.mid === videoMid, 'the substream event after the switch to the high layer', 5000);

    // Temporal layers (VP8 TID) are enforced by the fast media plane only.
    if (!(gw.gateway.media instanceof FastMediaPlane)) return;
    const rate = async (): Promise<number> => {
      const start = await frames();
      await viewer.page.waitForTimeout(2000);
      return ((await frames()) - start) / 2;
    };
    await viewer.page.waitForTimeout(1000); // the high layer's frame rate ramps up after the switch
    const full = await rate();
    const temporalEvent = (layer: number) => async (): Promise<void> => {
      const before = (await viewer.events('sub')).length;
      await viewer.send('sub', { request: 'configure', streams: [{ mid: videoMid, temporal: layer }] });
      await waitFor(
        async () => (await viewer.events('sub')).slice(before),
        (list) => list.some((e) => e.msg?.videoroom === 'event' && e.msg.temporal === layer && e.msg.mid === videoMid),
        10_000,
        `the temporal ${layer} event`,
      );
    };
    await temporalEvent(0)();
    await viewer.page.waitForTimeout(500);
    const base = await rate();
    assert.ok(base > 0, 'frames keep decoding on temporal layer 0');
    await temporalEvent(2)();
    await viewer.page.waitForTimeout(500);
    const back = await rate();
    t.diagnostic(`decoded fps: all layers ${full}, temporal 0 ${base}, temporal 2 again ${back}`);
    // Chrome's L1T3: TL0 is a quarter of the frames; allow for a loaded machine's jitter.
    assert.ok(back > base * 2, `temporal 0 lowers and temporal 2 restores the frame rate (${full} -> ${base} -> ${back} fps)`);
  });
});
