// A browser's stream routed out of RTP endpoints is received outside the gateway: headless Chromium
// (fake camera and microphone, stock janus.js through the test harness) publishes to a handle, a
// small built-in-style plugin routes its VP8 and Opus to send-only endpoints toward loopback; plain
// UDP sockets check the RTP (payload type, the endpoint's SSRC, continuous sequence numbers,
// plausible timestamps) and ffmpeg decodes the video from an SDP file. RTCP both ways: a PLI from
// the remote reaches the browser publisher (its outbound pliCount grows), and a PLI the browser
// sends for an endpoint-fed stream reaches the remote's RTCP socket.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { definePlugin, wait, type RtpEndpointInfo } from '@cardea/plugin-sdk';
import { Gateway, parseConfig } from '@cardea/core';
import { bindRtpSockets } from '../../core/src/media/rtp/rtpPorts.ts';
import { KEYFRAME_RETRY_MS } from '../../core/src/media/RouteGraph.ts';
import { launchChromium } from '../support/chromium.ts';
import { HarnessUser } from '../support/harnessPage.ts';
import { startHarnessServer, type HarnessServer } from '../support/harnessServer.ts';
import { waitFor } from '../support/polling.ts';

interface Output {
  kind: 'audio' | 'video';
  port: number;
  rtcpPort: number;
  payloadType: number;
  ssrc: number;
}

/** publish (+ offer): answers receive-only and routes each kind to send-only endpoints; watch: a receive-only endpoint routed to the handle. */
const rtpOut = definePlugin({
  name: 'test.rtpout',
  version: '1.0.0',
  handleMessage(message, api) {
    void (async () => {
      const body = message.body as { request?: string; outputs?: Output[] };
      if (body.request === 'publish' && message.jsep?.type === 'offer') {
        const answer = await api.negotiate(message.handle, { type: 'answer', direction: 'recvonly', audioCodec: 'opus', videoCodec: 'vp8' });
        const opened: RtpEndpointInfo[] = [];
        for (const o of body.outputs ?? []) {
          const endpoint = await api.media.openRtpEndpoint({
            kind: o.kind,
            direction: 'sendonly',
            payloadType: o.payloadType,
            ssrc: o.ssrc,
            remote: { host: '127.0.0.1', port: o.port, rtcpPort: o.rtcpPort },
          });
          await api.media.addRoute({ from: message.handle, to: endpoint.id, kinds: [o.kind] });
          opened.push(endpoint);
        }
        await api.pushEvent(message.handle, { transaction: message.transaction, data: { endpoints: opened.map((e) => ({ id: e.id, rtp: e.ports.rtp, rtcp: e.ports.rtcp })) }, jsep: answer });
        return;
      }
      if (body.request === 'watch') {
        const endpoint = await api.media.openRtpEndpoint({ kind: 'video', direction: 'recvonly', payloadType: 96, codec: 'vp8' });
        const offer = await api.negotiate(message.handle, { type: 'offer', streams: [{ kind: 'video', codec: 'vp8', direction: 'sendonly' }] });
        await api.media.addRoute({ from: endpoint.id, to: message.handle, kinds: ['video'] });
        await api.pushEvent(message.handle, { transaction: message.transaction, data: { port: endpoint.ports.rtp }, jsep: offer });
      }
    })();
    return wait();
  },
});

interface Listener {
  socket: Socket;
  rtcp: Socket;
  port: number;
  packets: Buffer[];
  rtcpPackets: Buffer[];
}

/** A plain UDP RTP/RTCP pair on loopback, recording what arrives. */
async function listener(): Promise<Listener> {
  const { rtp, rtcp } = await bindRtpSockets({ host: '127.0.0.1', port: 0, range: undefined, rtcp: true });
  const l: Listener = { socket: rtp, rtcp: rtcp as Socket, port: rtp.address().port, packets: [], rtcpPackets: [] };
  rtp.on('message', (m) => l.packets.push(m));
  l.rtcp.on('message', (m) => l.rtcpPackets.push(m));
  return l;
}

/** A free even port (the pair is released at once): where ffmpeg will listen. */
async function freePortPair(): Promise<number> {
  const { rtp, rtcp } = await bindRtpSockets({ host: '127.0.0.1', port: 0, range: undefined, rtcp: true });
  const port = rtp.address().port;
  await Promise.all([new Promise<void>((r) => rtp.close(() => r())), new Promise<void>((r) => rtcp?.close(() => r()))]);
  return port;
}

/** RTCP PLIs (RFC 4585 §6.3.1: PT 206, FMT 1) anywhere in a compound packet. */
function countPlis(packets: readonly Buffer[]): number {
  let n = 0;
  for (const p of packets) {
    for (let at = 0; at + 4 <= p.length; at += (p.readUInt16BE(at + 2) + 1) * 4) if (p[at + 1] === 206 && ((p[at] as number) & 0x1f) === 1) n++;
  }
  return n;
}

/** A PLI from `senderSsrc` for `mediaSsrc`, preceded by an empty RR (a compound packet, RFC 3550 §6.1). */
function pli(senderSsrc: number, mediaSsrc: number): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt8(0x80, 0);
  b.writeUInt8(201, 1);
  b.writeUInt16BE(1, 2);
  b.writeUInt32BE(senderSsrc, 4);
  b.writeUInt8(0x81, 8);
  b.writeUInt8(206, 9);
  b.writeUInt16BE(2, 10);
  b.writeUInt32BE(senderSsrc, 12);
  b.writeUInt32BE(mediaSsrc, 16);
  return b;
}

/** A VP8 delta frame in one RTP packet (RFC 7741: S=1 descriptor, P=1 in the payload header): undecodable without a keyframe. */
function vp8Delta(seq: number, ts: number, ssrc: number): Buffer {
  const p = Buffer.alloc(12 + 1 + 40);
  p[0] = 0x80;
  p[1] = 0x80 | 96;
  p.writeUInt16BE(seq & 0xffff, 2);
  p.writeUInt32BE(ts >>> 0, 4);
  p.writeUInt32BE(ssrc, 8);
  p[12] = 0x10;
  p[13] = 0x01; // inter frame
  return p;
}

/** Sum of a stat over every PeerConnection of the page (the harness records them in window.__pcs). */
function pageStat(user: HarnessUser, type: 'inbound-rtp' | 'outbound-rtp', kind: 'audio' | 'video', field: string): Promise<number> {
  return user.page.evaluate(
    async ([t, k, f]) => {
      let sum = 0;
      for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
        if (pc.connectionState === 'closed') continue;
        (await pc.getStats()).forEach((s: Record<string, unknown>) => {
          if (s.type === t && s.kind === k && typeof s[f] === 'number') sum += s[f];
        });
      }
      return sum;
    },
    [type, kind, field] as const,
  );
}

/** The sequence numbers of `packets`, unwrapped (16-bit, RFC 3550 §A.1). */
function unwrapped(packets: readonly Buffer[]): number[] {
  const out: number[] = [];
  let last = -1;
  for (const p of packets) {
    const s = p.readUInt16BE(2);
    if (last < 0) out.push(s);
    else out.push((out[out.length - 1] as number) + ((((s - last) & 0xffff) ^ 0x8000) - 0x8000));
    last = s;
  }
  return out;
}

describe('rtp endpoint: a browser stream routed out of endpoints reaches plain UDP sockets and ffmpeg', () => {
  let gateway: Gateway;
  let pages: HarnessServer;
  let browser: Browser;
  let ffmpeg: ChildProcess | undefined;
  let dir: string;
  const sockets: Socket[] = [];

  before(async () => {
    const config = parseConfig({
      general: { logLevel: 'silent', adminSecret: 'test-admin-secret' },
      media: { plane: 'fast' },
      transports: { websocket: { port: 0 }, http: { port: 0 }, admin: { port: 0 } },
    });
    gateway = await Gateway.start({ config, log: pino({ level: 'silent' }), plugins: [rtpOut] });
    pages = await startHarnessServer();
    browser = await launchChromium();
    dir = await mkdtemp(join(tmpdir(), 'cardea-rtpout-'));
  });

  after(async () => {
    ffmpeg?.kill('SIGKILL');
    for (const s of sockets) s.close();
    await browser?.close();
    await pages?.close();
    await gateway?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('VP8 and Opus arrive as valid RTP with the endpoints\' SSRCs; ffmpeg decodes the video; PLIs cross both ways', async () => {
    const video = await listener();
    const audio = await listener();
    sockets.push(video.socket, video.rtcp, audio.socket, audio.rtcp);
    // ffmpeg listens on its own port pair from an SDP file, started before the browser's first keyframe.
    const ffmpegPort = await freePortPair();
    const sdp = join(dir, 'in.sdp');
    const frames = join(dir, 'frames.txt');
    await writeFile(sdp, ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=cardea', 'c=IN IP4 127.0.0.1', 't=0 0', `m=video ${ffmpegPort} RTP/AVP 96`, 'a=rtpmap:96 VP8/90000', ''].join('\n'));
    ffmpeg = spawn('/usr/bin/ffmpeg', ['-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'file,udp,rtp', '-i', sdp, '-frames:v', '20', '-f', 'framecrc', '-y', frames], { stdio: 'ignore' });
    const ffmpegExit = new Promise<number | null>((resolve) => ffmpeg?.once('exit', (code) => resolve(code)));
    await new Promise((r) => setTimeout(r, 500)); // ffmpeg binds its ports

    const user = await HarnessUser.open(browser, pages.url);
    await user.connect(`ws://127.0.0.1:${gateway.ports.websocket}/`);
    await user.attach('pub', 'test.rtpout');
    const videoOut: Output = { kind: 'video', port: video.port, rtcpPort: video.port + 1, payloadType: 100, ssrc: 0x5eed0001 };
    const audioOut: Output = { kind: 'audio', port: audio.port, rtcpPort: audio.port + 1, payloadType: 109, ssrc: 0x5eed0002 };
    const outputs: Output[] = [videoOut, audioOut, { kind: 'video', port: ffmpegPort, rtcpPort: ffmpegPort + 1, payloadType: 96, ssrc: 0x5eed0003 }];
    const offer = await user.createOffer('pub', [
      { type: 'audio', capture: true, recv: false },
      { type: 'video', capture: true, recv: false },
    ]);
    await user.send('pub', { request: 'publish', outputs }, offer);
    const answered = await user.waitForEvent('pub', (e) => e.jsep !== undefined && e.jsep !== null, 'the answer');
    const endpoints = (answered.msg as { endpoints?: Array<{ id: number; rtp: number; rtcp: number }> }).endpoints ?? [];
    assert.equal(endpoints.length, 3);
    await user.handleRemoteJsep('pub', answered.jsep);

    await waitFor(() => video.packets.length + audio.packets.length, () => video.packets.length >= 150 && audio.packets.length >= 100, 20_000, 'RTP at the UDP sockets');
    for (const [l, o, clock] of [[video, videoOut, 90000], [audio, audioOut, 48000]] as const) {
      const got = l.packets.slice();
      for (const p of got) {
        assert.equal((p[0] as number) >> 6, 2, 'RTP version 2');
        assert.equal((p[1] as number) & 0x7f, o.payloadType, `${o.kind}: the endpoint's payload type`);
        assert.equal(p.readUInt32BE(8), o.ssrc, `${o.kind}: the endpoint's SSRC`);
      }
      const seqs = unwrapped(got);
      const distinct = new Set(seqs);
      const span = Math.max(...seqs) - Math.min(...seqs) + 1;
      assert.equal(distinct.size, span, `${o.kind}: no sequence number missing (${distinct.size} of ${span})`);
      const inOrder = seqs.slice(1).filter((s, i) => s - (seqs[i] as number) === 1).length;
      assert.ok(inOrder >= (seqs.length - 1) * 0.98, `${o.kind}: sequence numbers continuous (${inOrder} of ${seqs.length - 1} steps are +1)`);
      const ts = got.map((p) => p.readUInt32BE(4));
      const steps = ts.slice(1).map((t, i) => (t - (ts[i] as number)) >>> 0);
      assert.ok(steps.every((d) => d < clock), `${o.kind}: timestamps advance by less than a second per packet`);
      if (o.kind === 'audio') assert.ok(steps.every((d) => d % 960 === 0 && d > 0), 'Opus: 20 ms frames (960 ticks at 48 kHz)');
      const elapsedTicks = steps.reduce((a, b) => a + b, 0);
      assert.ok(elapsedTicks > 0, `${o.kind}: the RTP clock moves`);
    }
    // Video timeline against the wall clock: about 90 kHz over a further 2 s.
    const t0 = video.packets.at(-1)?.readUInt32BE(4) ?? 0;
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, 2000));
    const t1 = video.packets.at(-1)?.readUInt32BE(4) ?? 0;
    const rate = ((t1 - t0) >>> 0) / ((performance.now() - w0) / 1000);
    assert.ok(rate > 60000 && rate < 120000, `video RTP clock ≈ 90 kHz (${Math.round(rate)})`);

    // ffmpeg decoded frames from the third endpoint.
    const code = await Promise.race([ffmpegExit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
    assert.equal(code, 0, 'ffmpeg decoded 20 frames and exited');
    const decoded = (await readFile(frames, 'utf8')).split('\n').filter((line) => /^\d+,/.test(line)).length;
    assert.ok(decoded > 0, `ffmpeg wrote ${decoded} frames`);

    // The remote asks for a keyframe on the endpoint's RTCP port: the browser publisher gets a PLI.
    const pliBefore = await pageStat(user, 'outbound-rtp', 'video', 'pliCount');
    const videoEndpoint = endpoints[0] as { rtcp: number };
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => video.rtcp.send(pli(0x12345678, videoOut.ssrc), videoEndpoint.rtcp, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      await new Promise((r) => setTimeout(r, 400));
    }
    await waitFor(() => pageStat(user, 'outbound-rtp', 'video', 'pliCount'), (n) => n > pliBefore, 5000, 'the publisher\'s pliCount grows');

    // The other way: the browser watches an endpoint fed with VP8 delta frames only; its PLIs reach the feed's RTCP socket.
    const feed = await listener();
    sockets.push(feed.socket, feed.rtcp);
    await user.attach('sub', 'test.rtpout');
    await user.send('sub', { request: 'watch' });
    const watch = await user.waitForEvent('sub', (e) => e.jsep !== undefined && e.jsep !== null, 'the offer');
    const feedPort = Number((watch.msg as { port?: number }).port);
    let seq = 100;
    const feeding = setInterval(() => {
      feed.socket.send(vp8Delta(seq, seq * 3000, 0xfeed), feedPort, '127.0.0.1');
      seq++;
    }, 33);
    try {
      const answer = await user.createAnswer('sub', watch.jsep, [{ type: 'video', recv: true }]);
      await user.send('sub', { request: 'start' }, answer);
      await waitFor(() => pageStat(user, 'inbound-rtp', 'video', 'packetsReceived'), (n) => n > 10, 15_000, 'the browser receives the feed');
      // The gateway's own keyframe requests after the PeerConnection came up end after the last retry.
      await new Promise((r) => setTimeout(r, (KEYFRAME_RETRY_MS.at(-1) ?? 0) + 700));
      const before = countPlis(feed.rtcpPackets);
      const browserPlis = await pageStat(user, 'inbound-rtp', 'video', 'pliCount');
      await waitFor(() => countPlis(feed.rtcpPackets), (n) => n > before, 8000, 'a PLI at the feed\'s RTCP socket');
      assert.ok((await pageStat(user, 'inbound-rtp', 'video', 'pliCount')) >= browserPlis && browserPlis > 0, 'the browser sent PLIs');
    } finally {
      clearInterval(feeding);
    }
  });
});
