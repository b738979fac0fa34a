// ffmpeg's VP8 RTP into an RTP endpoint, routed by a small built-in-style plugin to a browser:
// headless Chromium (stock janus.js through the test harness) decodes the frames.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { definePlugin, wait } from '@cardea/plugin-sdk';
import { Gateway, parseConfig } from '@cardea/core';
import { launchChromium } from '../support/chromium.ts';
import { HarnessUser } from '../support/harnessPage.ts';
import { startHarnessServer, type HarnessServer } from '../support/harnessServer.ts';
import { waitFor } from '../support/polling.ts';

const rtpIn = definePlugin({
  name: 'test.rtpin',
  version: '1.0.0',
  handleMessage(message, api) {
    void (async () => {
      if (message.body.request === 'watch') {
        const endpoint = await api.media.openRtpEndpoint({ kind: 'video', direction: 'recvonly', payloadType: 96, codec: 'vp8' });
        const offer = await api.negotiate(message.handle, { type: 'offer', streams: [{ kind: 'video', codec: 'vp8', direction: 'sendonly' }] });
        await api.media.addRoute({ from: endpoint.id, to: message.handle, kinds: ['video'] });
        await api.pushEvent(message.handle, { transaction: message.transaction, data: { port: endpoint.ports.rtp, endpoint: endpoint.id }, jsep: offer });
      }
    })();
    return wait();
  },
});

describe('rtp endpoint: ffmpeg VP8 RTP reaches a browser through the fast plane', () => {
  let gateway: Gateway;
  let pages: HarnessServer;
  let browser: Browser;
  let ffmpeg: ChildProcess | undefined;

  before(async () => {
    const config = parseConfig({
      general: { logLevel: 'silent', adminSecret: 'test-admin-secret' },
      media: { plane: 'fast' },
      transports: { websocket: { port: 0 }, http: { port: 0 }, admin: { port: 0 } },
    });
    gateway = await Gateway.start({ config, log: pino({ level: 'silent' }), plugins: [rtpIn] });
    pages = await startHarnessServer();
    browser = await launchChromium();
  });

  after(async () => {
    ffmpeg?.kill('SIGKILL');
    await browser?.close();
    await pages?.close();
    await gateway?.close();
  });

  it('the browser decodes frames of the stream ffmpeg sends to the endpoint', async () => {
    const user = await HarnessUser.open(browser, pages.url);
    await user.connect(`ws://127.0.0.1:${gateway.ports.websocket}/`);
    await user.attach('h', 'test.rtpin');
    await user.send('h', { request: 'watch' });
    const event = await user.waitForEvent('h', (e) => e.jsep !== undefined, 'the offer');
    const port = Number((event.msg as { port?: number } | undefined)?.port);
    assert.ok(port > 0, 'the plugin names the endpoint port');
    ffmpeg = spawn('/usr/bin/ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15',
      '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-g', '15', '-payload_type', '96', '-f', 'rtp', `rtp://127.0.0.1:${port}`], { stdio: 'ignore' });
    const answer = await user.createAnswer('h', event.jsep, [{ type: 'video', recv: true }]);
    await user.send('h', { request: 'start' }, answer);
    const first = await waitFor(() => user.totals('h'), (t) => t.frames > 5, 20_000, 'decoded frames');
    await new Promise((r) => setTimeout(r, 1500));
    const second = await user.totals('h');
    assert.ok(second.frames > first.frames + 5, `frames decoded grow: ${first.frames} -> ${second.frames}`);
  });
});
