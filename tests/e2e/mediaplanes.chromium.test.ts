import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { FastMediaPlane } from '../../core/src/media/fast/FastMediaPlane.ts';
import { chromiumMissing, launchChromium } from '../support/chromium.ts';
import { echoStats, waitForEvent } from '../support/echoPage.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { startHarnessServer, type HarnessServer } from '../support/harnessServer.ts';
import { HarnessUser } from '../support/harnessPage.ts';
import { waitFor } from '../support/polling.ts';
import { data, joinAndPublish, subscribe } from '../support/videoroomFlows.ts';

/** Packets the gateway's handles sent, summed (the fast plane counts what it forwards itself). */
function packetsOut(gw: TestGateway): number {
  let total = 0;
  for (const session of gw.gateway.api.sessions.values()) for (const h of session.handles.values()) total += gw.gateway.media.counters(h.id)?.packetsOut ?? 0;
  return total;
}

const planes = [
  { plane: 'fast', engine: 'wasm', title: "the fast path (Cardea's own SRTP/RTP/RTCP, WASM engine)" },
  { plane: 'fast', engine: 'node', title: 'the fast path with the node:crypto SRTP engine' },
  { plane: 'werift', engine: 'wasm', title: "werift's per-packet path" },
] as const;

for (const { plane, engine, title } of planes) describe(`media plane: ${title}, with the stock janus.js`, { skip: chromiumMissing() }, () => {
  let gw: TestGateway;
  let pages: HarnessServer;
  let browser: Browser;

  before(async () => {
    gw = await startTestGateway({ media: { plane, srtpEngine: engine } });
    pages = await startHarnessServer();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await pages?.close();
    await gw?.close();
  });

  it('echo test: audio and video come back', async () => {
    assert.equal(gw.gateway.media instanceof FastMediaPlane, plane === 'fast');
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${gw.httpBase}/?transport=ws&ws=${encodeURIComponent(gw.wsUrl)}&autostart=1`);
      await waitForEvent(page, 'webrtcup true');
      await waitForEvent(page, 'media video');
      const first = await waitFor(() => echoStats(page), (s) => s.framesDecoded > 5 && s.audioPackets > 10, 10_000, 'echoed media');
      await page.waitForTimeout(1500);
      const second = await echoStats(page);
      assert.ok(second.audioPackets > first.audioPackets + 20, `audio packets grow: ${first.audioPackets} -> ${second.audioPackets}`);
      assert.ok(second.framesDecoded > first.framesDecoded + 10, `frames decoded grow: ${first.framesDecoded} -> ${second.framesDecoded}`);
      assert.ok(packetsOut(gw) > 100, 'the media plane forwarded the packets');
    } finally {
      await context.close();
    }
  });

  it('videoroom: a multistream subscriber decodes two publishers, a late one within 2 s', async () => {
    const users: HarnessUser[] = [];
    const open = async (): Promise<HarnessUser> => {
      const u = await HarnessUser.open(browser, pages.url);
      users.push(u);
      await u.connect(gw.wsUrl);
      return u;
    };
    try {
      const admin = await open();
      await admin.attach('ctl', 'janus.plugin.videoroom');
      await admin.send('ctl', { request: 'create', room: 9 });
      const [a, b] = [await open(), await open()];
      const aId = await joinAndPublish(a, 9, 'a');
      const bId = await joinAndPublish(b, 9, 'b');
      const viewer = await open();
      const attached = await subscribe(viewer, 9, [{ feed: aId }, { feed: bId }]);
      const mids = (data(attached).streams as Array<{ mid: string; type: string }>).filter((s) => s.type === 'video').map((s) => s.mid);
      await waitFor(() => viewer.stats('sub'), (s) => mids.every((m) => (s[m]?.frames ?? 0) > 5), 15_000, 'frames on both video mids');
      const late = await open();
      await subscribe(late, 9, [{ feed: bId }]);
      const startedAt = Date.now();
      await waitFor(() => late.totals('sub'), (t) => t.frames > 0, 2000, 'late subscriber decodes within 2 s');
      assert.ok(Date.now() - startedAt <= 2000);
    } finally {
      for (const u of users) await u.close();
    }
  });
});
