import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../support/chromium.ts';
import { echoStats, waitForEvent } from '../support/echoPage.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { waitFor } from '../support/polling.ts';

const skip = chromiumMissing();

describe('echotest: stock janus.js in headless Chromium', { skip }, () => {
  let gw: TestGateway;
  let browser: Browser;

  before(async () => {
    gw = await startTestGateway();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await gw?.close();
  });

  for (const transport of ['ws', 'http'] as const) {
    it(`echoes audio, video and data back over ${transport === 'ws' ? 'WebSocket' : 'HTTP long poll'}`, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await page.goto(`${gw.httpBase}/?transport=${transport}&ws=${encodeURIComponent(gw.wsUrl)}&autostart=1`);
        await waitForEvent(page, 'webrtcup true');
        const events = await waitForEvent(page, 'media video');
        assert.ok(events.some((e) => e.includes('"echotest":"event","result":"ok"')), 'EchoTest answered with result ok');
        // Echoed media keeps flowing: packets and decoded frames grow between two samples.
        const first = await waitFor(() => echoStats(page), (s) => s.framesDecoded > 5 && s.audioPackets > 10, 10_000, 'echoed media');
        await page.waitForTimeout(1500);
        const second = await echoStats(page);
        assert.ok(second.audioPackets > first.audioPackets + 20, `audio packets grow: ${first.audioPackets} -> ${second.audioPackets}`);
        assert.ok(second.framesDecoded > first.framesDecoded + 10, `frames decoded grow: ${first.framesDecoded} -> ${second.framesDecoded}`);

        // Data channel: text comes back.
        await waitForEvent(page, 'data channel open');
        await page.evaluate(() => {
          const demo = (window as unknown as { cardeaDemo: { handle: { data(o: { text: string }): void } } }).cardeaDemo;
          demo.handle.data({ text: 'hello cardea' });
        });
        await waitForEvent(page, 'data echoed: hello cardea');

        // video:false stops the echoed video, video:true brings it back.
        await page.evaluate(() => {
          const demo = (window as unknown as { cardeaDemo: { handle: { send(o: object): void } } }).cardeaDemo;
          demo.handle.send({ message: { video: false } });
        });
        await page.waitForTimeout(700);
        const paused = await echoStats(page);
        await page.waitForTimeout(1000);
        const stillPaused = await echoStats(page);
        assert.ok(stillPaused.videoPackets - paused.videoPackets <= 3, `video stops: ${paused.videoPackets} -> ${stillPaused.videoPackets}`);
        assert.ok(stillPaused.audioPackets > paused.audioPackets + 10, 'audio keeps flowing while video is off');
        await page.evaluate(() => {
          const demo = (window as unknown as { cardeaDemo: { handle: { send(o: object): void } } }).cardeaDemo;
          demo.handle.send({ message: { video: true } });
        });
        await waitFor(() => echoStats(page), (s) => s.framesDecoded > stillPaused.framesDecoded + 10, 10_000, 'video resumes');

        // hangup closes the PeerConnection; the EchoTest reports done.
        await page.evaluate(() => (window as unknown as { cardeaDemo: { handle: { hangup(sendRequest: boolean): void } } }).cardeaDemo.handle.hangup(true));
        await waitForEvent(page, 'result":"done');
        // Stop destroys the session (janus.destroy()); the gateway tears everything down.
        await page.click('#stop');
        await waitFor(() => gw.gateway.api.sessions.size, (n) => n === 0, 10_000, 'the session to be destroyed');
      } finally {
        await context.close();
      }
    });
  }
});
