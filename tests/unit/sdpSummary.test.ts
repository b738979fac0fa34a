// The SDP gate (core/src/webrtc/sdpSummary.ts): what passes becomes the plugins' m-line summary,
// what fails becomes Janus error 465 (shared/janus-api.md §3, §4).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidSdpError, MAX_SDP_LENGTH, summariseSdp } from '../../core/src/webrtc/sdpSummary.ts';

const FINGERPRINT = 'a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F';
const ICE = ['a=ice-ufrag:8hhY', 'a=ice-pwd:asd88fgpdd777uzjYhagZg2Q', 'a=ice-options:trickle', FINGERPRINT, 'a=setup:actpass'];

/** A Chrome-style offer: audio (opus first), video (VP8 first, with rtx, VP9, H264, AV1), data channel, one BUNDLE group. */
const CHROME_OFFER = [
  'v=0',
  'o=- 3966346545916583472 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1 2',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS 8a5c1b7e-4f0e-4a53-9a4c-0b6f1c2d3e4f',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  ...ICE,
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendrecv',
  'a=msid:8a5c1b7e-4f0e-4a53-9a4c-0b6f1c2d3e4f 1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:3735928559 cname:Qm9yaXNKb2huc29u',
  'a=ssrc:3735928559 msid:8a5c1b7e-4f0e-4a53-9a4c-0b6f1c2d3e4f 1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 102 103 45 46',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  ...ICE,
  'a=mid:1',
  'a=extmap:14 urn:ietf:params:rtp-hdrext:toffset',
  'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=extmap:13 urn:3gpp:video-orientation',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  'a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
  'a=sendrecv',
  'a=msid:8a5c1b7e-4f0e-4a53-9a4c-0b6f1c2d3e4f 6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 goog-remb',
  'a=rtcp-fb:96 transport-cc',
  'a=rtcp-fb:96 ccm fir',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:98 VP9/90000',
  'a=fmtp:98 profile-id=0',
  'a=rtpmap:99 rtx/90000',
  'a=fmtp:99 apt=98',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  'a=rtpmap:103 rtx/90000',
  'a=fmtp:103 apt=102',
  'a=rtpmap:45 AV1/90000',
  'a=fmtp:45 level-idx=5;profile=0;tier=0',
  'a=rtpmap:46 rtx/90000',
  'a=fmtp:46 apt=45',
  'a=ssrc-group:FID 2882400001 2882400002',
  'a=ssrc:2882400001 cname:Qm9yaXNKb2huc29u',
  'a=ssrc:2882400002 cname:Qm9yaXNKb2huc29u',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  ...ICE,
  'a=mid:2',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  '',
].join('\r\n');

/** The smallest SDP the gate accepts: one audio m-line with credentials and a fingerprint. */
function minimal(lines: { session?: string[]; media?: string[] } = {}): string {
  return [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    ...(lines.session ?? []),
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'c=IN IP4 0.0.0.0',
    ...(lines.media ?? ['a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx', FINGERPRINT]),
    'a=mid:0',
    'a=rtpmap:111 opus/48000/2',
    '',
  ].join('\r\n');
}

test('sdp: a Chrome offer with audio, video and a data channel is summarised per m-line', () => {
  const media = summariseSdp(CHROME_OFFER);
  assert.equal(media.length, 3);
  assert.deepEqual(
    media.map(({ mindex, mid, kind, direction }) => ({ mindex, mid, kind, direction })),
    [
      { mindex: 0, mid: '0', kind: 'audio', direction: 'sendrecv' },
      { mindex: 1, mid: '1', kind: 'video', direction: 'sendrecv' },
      { mindex: 2, mid: '2', kind: 'data', direction: 'sendrecv' },
    ],
  );
  assert.deepEqual(media[0]?.codecs, ['opus', 'red', 'g722', 'pcmu', 'pcma', 'cn', 'telephone-event', 'telephone-event']);
  assert.equal(media[1]?.codecs[0], 'vp8');
  assert.ok(media[1]?.codecs.includes('vp9') && media[1].codecs.includes('h264') && media[1].codecs.includes('av1'));
  assert.deepEqual(media[2]?.codecs, []);
  for (const line of media) assert.equal(line.rids, undefined);
});

test('sdp: LF-only line endings are accepted too', () => {
  assert.equal(summariseSdp(CHROME_OFFER.replaceAll('\r\n', '\n')).length, 3);
});

test('sdp: directions and mids are taken from the m-line, not guessed', () => {
  const sdp = [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    FINGERPRINT,
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=mid:audio-main',
    'a=recvonly',
    'a=rtpmap:111 opus/48000/2',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'a=mid:v',
    'a=inactive',
    'a=rtpmap:96 VP8/90000',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'a=sendonly',
    'a=rtpmap:96 VP8/90000',
    '',
  ].join('\r\n');
  const media = summariseSdp(sdp);
  assert.deepEqual(
    media.map(({ mid, direction }) => ({ mid, direction })),
    [
      { mid: 'audio-main', direction: 'recvonly' },
      { mid: 'v', direction: 'inactive' },
      // No a=mid: the m-line index stands in.
      { mid: '2', direction: 'sendonly' },
    ],
  );
});

test('sdp: session-level ICE credentials and fingerprint cover every m-line', () => {
  const media = summariseSdp(minimal({ session: ['a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx', FINGERPRINT], media: [] }));
  assert.equal(media.length, 1);
});

test('sdp: simulcast rids are listed for the m-line that sends them', () => {
  const media = summariseSdp(
    minimal({
      media: [
        'a=ice-ufrag:abcd',
        'a=ice-pwd:abcdefghijklmnopqrstuvwx',
        FINGERPRINT,
        'a=rid:h send',
        'a=rid:m send',
        'a=rid:l send',
        'a=simulcast:send h;m;l',
      ],
    }),
  );
  assert.deepEqual(media[0]?.rids, ['h', 'm', 'l']);
});

test('sdp: an SDP that does not start with v=0 is rejected', () => {
  assert.throws(() => summariseSdp('garbage'), InvalidSdpError);
  assert.throws(() => summariseSdp(''), InvalidSdpError);
  assert.throws(() => summariseSdp(minimal().replace('v=0', 'v=1')), InvalidSdpError);
  assert.throws(() => summariseSdp(`o=- 1 2 IN IP4 127.0.0.1\r\n${minimal()}`), InvalidSdpError);
});

test('sdp: an SDP without m-lines is rejected', () => {
  const sdp = [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    FINGERPRINT,
    '',
  ].join('\r\n');
  assert.throws(
    () => summariseSdp(sdp),
    (error: unknown) => error instanceof InvalidSdpError && /m-lines/.test(error.message),
  );
});

test('sdp: an m-line without ICE ufrag is rejected', () => {
  assert.throws(
    () => summariseSdp(minimal({ media: ['a=ice-pwd:abcdefghijklmnopqrstuvwx', FINGERPRINT] })),
    (error: unknown) => error instanceof InvalidSdpError && /ICE/.test(error.message),
  );
});

test('sdp: an m-line without DTLS fingerprint is rejected', () => {
  assert.throws(
    () => summariseSdp(minimal({ media: ['a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx'] })),
    (error: unknown) => error instanceof InvalidSdpError && /fingerprint/.test(error.message),
  );
});

test(
  'sdp: an m-line without ICE pwd is rejected',
  () => {
    assert.throws(() => summariseSdp(minimal({ media: ['a=ice-ufrag:abcd', FINGERPRINT] })), InvalidSdpError);
  },
);

test('sdp: an SDP over the size limit is rejected before parsing', () => {
  const padding = `a=x-padding:${'x'.repeat(MAX_SDP_LENGTH)}\r\n`;
  assert.throws(
    () => summariseSdp(minimal() + padding),
    (error: unknown) => error instanceof InvalidSdpError && /too large/.test(error.message),
  );
});

test('sdp: a malformed line or m-line is rejected', () => {
  assert.throws(() => summariseSdp(minimal().replace('s=-', 's=-\r\nthis is not sdp')), InvalidSdpError);
  assert.throws(
    () => summariseSdp(minimal().replace('m=audio 9 UDP/TLS/RTP/SAVPF 111', 'm=audio nine UDP/TLS/RTP/SAVPF 111')),
    InvalidSdpError,
  );
  assert.throws(() => summariseSdp(minimal().replace('m=audio', 'm=text')), InvalidSdpError);
});
