// ffmpeg's VP8 and Opus RTP into RTP endpoints, routed by a small built-in-style plugin to a
// browser: headless Chromium (stock janus.js through the test harness) decodes the video frames and
// receives the audio (inbound packetsReceived and totalSamplesReceived grow).
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
        const kind = message.body.kind === 'audio' ? 'audio' : 'video';
        const codec = kind === 'audio' ? 'opus' : 'vp8';
        const endpoint = await api.media.openRtpEndpoint({ kind, direction: 'recvonly', payloadType: kind === 'audio' ? 111 : 96, codec });
        const offer = await api.negotiate(message.handle, { type: 'offer', streams: [{ kind, codec, direction: 'sendonly' }] });
        await api.media.addRoute({ from: endpoint.id, to: message.handle, kinds: [kind] });
        await api.pushEvent(message.handle, { transaction: message.transaction, data: { port: endpoint.ports.rtp, endpoint: endpoint.id }, jsep: offer });
      }
    })();
    return wait();
  },
});

describe('rtp endpoint: ffmpeg VP8 and Opus RTP reach a browser through the fast plane', () => {
  let gateway: Gateway;
  let pages: HarnessServer;
  let browser: Browser;
  const ffmpegs: ChildProcess[] = [];

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
    for (const p of ffmpegs) p.kill('SIGKILL');
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
    const ffmpeg = spawn('/usr/bin/ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15',
      '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-g', '15', '-payload_type', '96', '-f', 'rtp', `rtp://127.0.0.1:${port}`], { stdio: 'ignore' });
    ffmpegs.push(ffmpeg);
    const answer = await user.createAnswer('h', event.jsep, [{ type: 'video', recv: true }]);
    await user.send('h', { request: 'start' }, answer);
    const first = await waitFor(() => user.totals('h'), (t) => t.frames > 5, 20_000, 'decoded frames');
    await new Promise((r) => setTimeout(r, 1500));
    const second = await user.totals('h');
    assert.ok(second.frames > first.frames + 5, `frames decoded grow: ${first.frames} -> ${second.frames}`);
  });

  it('the browser receives the Opus stream ffmpeg sends to an audio endpoint', async () => {
    const user = await HarnessUser.open(browser, pages.url);
    await user.connect(`ws://127.0.0.1:${gateway.ports.websocket}/`);
    await user.attach('a', 'test.rtpin');
    await user.send('a', { request: 'watch', kind: 'audio' });
    const event = await user.waitForEvent('a', (e) => e.jsep !== undefined, 'the offer');
    const port = Number((event.msg as { port?: number } | undefined)?.port);
    assert.ok(port > 0, 'the plugin names the endpoint port');
    const ffmpeg = spawn('/usr/bin/ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-c:a', 'libopus', '-b:a', '32k', '-payload_type', '111', '-f', 'rtp', `rtp://127.0.0.1:${port}`], { stdio: 'ignore' });
    ffmpegs.push(ffmpeg);
    const answer = await user.createAnswer('a', event.jsep, [{ type: 'audio', recv: true }]);
    await user.send('a', { request: 'start' }, answer);
    // Chromium's NetEq counts samples as playout pulls them: play the received track (muted).
    await waitFor(() => user.page.evaluate(() => {
      const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
      const tracks = pcs.flatMap((pc) => pc.getReceivers().map((r) => r.track)).filter((t) => t.kind === 'audio');
      if (tracks.length === 0) return false;
      const element = document.createElement('audio');
      element.muted = true;
      element.autoplay = true;
      element.srcObject = new MediaStream(tracks);
      document.body.appendChild(element);
      void element.play().catch(() => undefined);
      return true;
    }), (ok) => ok, 10_000, 'an audio receiver');
    const audio = (): Promise<{ packets: number; samples: number }> =>
      user.page.evaluate(async () => {
        const out = { packets: 0, samples: 0 };
        for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
          (await pc.getStats()).forEach((s: Record<string, unknown>) => {
            if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
            out.packets += typeof s.packetsReceived === 'number' ? s.packetsReceived : 0;
            out.samples += typeof s.totalSamplesReceived === 'number' ? s.totalSamplesReceived : 0;
          });
        }
        return out;
      });
    const first = await waitFor(audio, (a) => a.packets > 20 && a.samples > 0, 20_000, 'received audio');
    await new Promise((r) => setTimeout(r, 1500));
    const second = await audio();
    assert.ok(second.packets > first.packets + 25, `packets received grow: ${first.packets} -> ${second.packets}`);
    assert.ok(second.samples > first.samples + 48000 / 2, `samples received grow by more than half a second: ${first.samples} -> ${second.samples}`);
  });
});
