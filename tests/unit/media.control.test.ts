import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RtpEndpointInfo, RtpEndpointStats, RtpForward, SimulcastTarget, TalkingEvent } from '@cardea/plugin-sdk';
import { MediaControl } from '../../core/src/media/MediaControl.ts';
import type { MediaNode } from '../../core/src/media/MediaNode.ts';
import type { IncomingStreamInfo } from '../../core/src/media/MediaPlaneTypes.ts';
import type { PacketPath, PacketPathHost, PathDestination } from '../../core/src/media/PacketPathTypes.ts';
import { HandleTap } from '../../core/src/media/recording/MediaRecorders.ts';
import type { StreamTap } from '../../core/src/media/StreamTaps.ts';
import { TypedEmitter } from '../../core/src/util/TypedEmitter.ts';
import type { WebRtcPeer, WebRtcPeerEvents } from '../../core/src/webrtc/WebRtcPeer.ts';

/** A packet path that moves no packets: it records what the control part asked of it. */
class FakePath implements PacketPath {
  readonly audioTransport = undefined;
  host: PacketPathHost | undefined;
  readonly calls: string[] = [];
  readonly attached = new Set<number>();
  closes = 0;

  bind(host: PacketPathHost): void {
    this.host = host;
  }
  attach(node: MediaNode): void {
    this.attached.add(node.handleId);
    node.disposers.push(() => this.calls.push(`disposed ${node.handleId}`));
  }
  detach(node: MediaNode): void {
    this.attached.delete(node.handleId);
    this.calls.push(`detach ${node.handleId}`);
  }
  forgetHandle(handleId: number): void {
    this.calls.push(`forget ${handleId}`);
  }
  requestKeyframe(handleId: number): void {
    this.calls.push(`keyframe ${handleId}`);
  }
  setBitrateCap(node: MediaNode, bitsPerSecond: number): void {
    this.calls.push(`cap ${node.handleId} ${bitsPerSecond}`);
  }
  targetChanged(handleId: number, mid: string, target: SimulcastTarget): void {
    this.calls.push(`target ${handleId} ${mid} ${target.substream ?? '-'}`);
  }
  destination(): PathDestination | undefined {
    return undefined;
  }
  forwardRtp(): number {
    return 1;
  }
  stopRtpForward(): void {}
  listRtpForwarders(): Array<RtpForward & { id: number; packets: number }> {
    return [];
  }
  openRtpEndpoint(): Promise<RtpEndpointInfo> {
    return Promise.reject(new Error('no endpoints here'));
  }
  closeRtpEndpoint(): void {}
  rtpEndpointStats(): RtpEndpointStats | undefined {
    return undefined;
  }
  incoming(): IncomingStreamInfo[] {
    return [];
  }
  close(): void {
    this.closes++;
  }
}

/** The part of a WebRtcPeer the control part uses. */
function fakePeer(): { peer: WebRtcPeer; events: TypedEmitter<WebRtcPeerEvents>; data: string[]; media: string[] } {
  const events = new TypedEmitter<WebRtcPeerEvents>();
  const data: string[] = [];
  const media: string[] = [];
  const peer = {
    events,
    noMediaTimerMs: 1000,
    receivedTracks: [],
    sendData: (text: string, label: string) => data.push(`${label}:${text}`),
    reportMedia: (mid: string, kind: string, receiving: boolean) => media.push(`${mid} ${kind} ${receiving}`),
  };
  return { peer: peer as unknown as WebRtcPeer, events, data, media };
}

function setup(): { control: MediaControl; path: FakePath; a: ReturnType<typeof fakePeer>; b: ReturnType<typeof fakePeer> } {
  const path = new FakePath();
  const control = new MediaControl(path);
  const a = fakePeer();
  const b = fakePeer();
  control.attach({ handleId: 1, peer: a.peer });
  control.attach({ handleId: 2, peer: b.peer });
  path.calls.length = 0;
  return { control, path, a, b };
}

const packet = new Uint8Array(20);

describe('media control over a fake packet path', () => {
  it('a video route asks its source for a keyframe through the path; removing it leaves the source without destinations', () => {
    const { control, path } = setup();
    control.addRoute({ from: 1, to: 2, kinds: ['audio', 'video'] });
    assert.deepEqual(path.calls, ['keyframe 1']);
    assert.deepEqual(path.host?.graph.sourcesOf(2), [1]);
    control.removeRoute({ from: 1, to: 2, kinds: ['audio', 'video'] });
    assert.deepEqual(path.host?.graph.sourcesOf(2), []);
    control.close();
  });

  it('mute is the node state the path reads; unmuting video asks the sources for a keyframe', () => {
    const { control, path } = setup();
    control.addRoute({ from: 1, to: 2, kinds: ['video'] });
    path.calls.length = 0;
    control.setSending(2, 'video', false);
    assert.ok(path.host?.node(2)?.muted.has('video'));
    assert.deepEqual(path.calls, []);
    control.setSending(2, 'video', true);
    assert.equal(path.host?.node(2)?.muted.has('video'), false);
    assert.deepEqual(path.calls, ['keyframe 1']);
    control.close();
  });

  it('data-channel text follows data routes, not to a muted destination', () => {
    const { control, a, b } = setup();
    control.addRoute({ from: 1, to: 2, kinds: ['data'] });
    a.events.emit('data', 'chat', 'hello');
    control.setSending(2, 'data', false);
    a.events.emit('data', 'chat', 'dropped');
    assert.deepEqual(b.data, ['chat:hello']);
    control.close();
  });

  it('talking detection is a tap on the audio mid: levels in, talking events out, off again with null', () => {
    const { control, path } = setup();
    const events: TalkingEvent[] = [];
    control.events.on('talking', (e) => events.push(e));
    const node = path.host?.node(1) as MediaNode;
    const taps = node.tapsFor('0', 'audio', new Map());
    assert.equal(taps.count, 0);
    control.detectTalking(1, { threshold: 25, packets: 10 });
    assert.equal(taps.count, 1);
    assert.equal(taps.wantsLevel, true);
    for (let i = 0; i < 10; i++) taps.run(packet, packet.length, 5);
    assert.deepEqual(events, [{ handle: 1, mid: '0', talking: true, level: 5 }]);
    control.detectTalking(1, null);
    assert.equal(taps.count, 0);
    // A node attached later gets the setting from the graph.
    control.detectTalking(3, { packets: 1 });
    const c = fakePeer();
    control.attach({ handleId: 3, peer: c.peer });
    assert.equal(path.host?.node(3)?.tapsFor('a', 'audio', new Map()).count, 1);
    assert.equal(path.host?.node(3)?.tapsFor('v', 'video', new Map()).count, 0);
    control.close();
  });

  it('a mixer sink consumes its audio mid (the path then does not route it) and gets payload, sequence and level', () => {
    const { control, path } = setup();
    const got: string[] = [];
    control.setAudioSink(1, (seq, payload, level) => got.push(`${seq} ${payload.length} ${level}`));
    const taps = (path.host?.node(1) as MediaNode).tapsFor('0', 'audio', new Map());
    assert.equal(taps.consumed, true);
    const rtp = new Uint8Array(20);
    rtp[0] = 0x80;
    rtp[2] = 0x01;
    rtp[3] = 0x02;
    taps.run(rtp, rtp.length, 40);
    assert.deepEqual(got, ['258 8 40']);
    control.setAudioSink(1, null);
    assert.equal(taps.consumed, false);
    assert.equal(taps.count, 0);
    control.close();
  });

  it('a path tap and a recording share the mid list; removing one leaves the other', () => {
    const { control, path } = setup();
    const node = path.host?.node(1) as MediaNode;
    const taps = node.tapsFor('1', 'video', new Map([[96, 'vp8']]));
    let seen = 0;
    const forwarder: StreamTap = { rtp: () => void seen++ };
    node.addExtraTap({ mid: '1', tap: forwarder });
    node.addExtraTap({ mid: 'other', tap: { rtp: () => assert.fail('tap of another mid ran') } });
    node.setRecorder(new HandleTap());
    assert.equal(taps.count, 2);
    taps.run(packet, packet.length, -1);
    assert.equal(seen, 1);
    node.removeExtraTap(forwarder);
    assert.equal(taps.count, 1);
    control.close();
  });

  it('media flow: the first packet reports receiving, silence past noMediaTimerMs reports not receiving, a packet again reports receiving', () => {
    const { control, path, a } = setup();
    const node = path.host?.node(1) as MediaNode;
    const taps = node.tapsFor('0', 'audio', new Map());
    taps.noteFlow(100);
    taps.noteFlow(120);
    assert.deepEqual(a.media, ['0 audio true']);
    node.checkFlow(1000, 1000);
    assert.deepEqual(a.media, ['0 audio true']);
    node.checkFlow(1121, 1000);
    assert.deepEqual(a.media, ['0 audio true', '0 audio false']);
    node.checkFlow(5000, 1000);
    taps.noteFlow(5001);
    assert.deepEqual(a.media, ['0 audio true', '0 audio false', '0 audio true']);
    assert.deepEqual([...node.flows()].map((f) => [f.mid, f.receiving, f.at]), [['0', true, 5001]]);
    control.close();
  });

  it('forget cascades: the path detaches and forgets the handle, its routes go, its node is closed', () => {
    const { control, path } = setup();
    control.addRoute({ from: 1, to: 2, kinds: ['audio'] });
    control.addRoute({ from: 2, to: 1, kinds: ['audio'] });
    control.forget(1);
    assert.deepEqual(path.calls, ['detach 1', 'disposed 1', 'forget 1']);
    assert.equal(path.host?.node(1), undefined);
    assert.deepEqual(path.host?.graph.sourcesOf(2), []);
    assert.equal(path.host?.graph.edgesFrom(1), undefined);
    // detach keeps the routes for the handle's next PeerConnection
    control.detach(2);
    assert.equal(path.host?.node(2), undefined);
    control.close();
  });

  it('close detaches every node, closes the path once, drops listeners; calls after it do nothing', async () => {
    const { control, path } = setup();
    let talking = 0;
    control.events.on('talking', () => talking++);
    control.close();
    control.close();
    assert.equal(path.closes, 1);
    assert.deepEqual(new Set(path.calls), new Set(['detach 1', 'disposed 1', 'detach 2', 'disposed 2']));
    assert.equal(path.attached.size, 0);
    control.attach({ handleId: 5, peer: fakePeer().peer });
    assert.equal(path.host?.node(5), undefined);
    control.events.emit('talking', { handle: 1, mid: '0', talking: true, level: 1 });
    assert.equal(talking, 0);
    await assert.rejects(control.openRtpEndpoint({ kind: 'audio' }), /closed/);
  });
});
