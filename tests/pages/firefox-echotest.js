/*
 * The Echo Test with the stock janus.js, for browsers no driver can reach (Debian's firefox-esr).
 * Query: server=<Janus API URL, ws:// or http://>, id=<report key>. Every 500 ms it POSTs what it
 * knows to /report on its own origin: janus.js events, inbound-rtp counters from getStats() (and
 * when they were sampled), the PeerConnection states and the candidates (to diagnose a failed
 * connection without about:webrtc, which headless Firefox does not show).
 */
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var report = {
    id: params.get('id') || 'default',
    events: [],
    sampledAt: 0,
    audioPackets: 0,
    videoPackets: 0,
    framesDecoded: 0,
    audioPacketsSent: 0,
    videoPacketsSent: 0,
    iceConnectionState: null,
    connectionState: null,
    candidatePair: null,
    localCandidates: [],
    error: null,
  };
  var echo = null;

  function log(text) {
    report.events.push(new Date().toISOString().slice(11, 23) + ' ' + text);
  }
  function fail(text) {
    if (!report.error) report.error = text;
    log('error: ' + text);
  }
  window.addEventListener('error', function (e) {
    fail('uncaught: ' + e.message);
  });
  window.addEventListener('unhandledrejection', function (e) {
    fail('unhandled rejection: ' + e.reason);
  });

  var server = params.get('server');
  if (!server) fail('no server= in the query string');
  else Janus.init({ debug: params.has('debug') ? 'all' : false, callback: start });

  function start() {
    log('janus.js ready, connecting to ' + server);
    var janus = new Janus({
      server: server,
      iceServers: [],
      success: function () {
        attach(janus);
      },
      error: function (err) {
        fail('janus: ' + err);
      },
    });
  }

  function attach(janus) {
    janus.attach({
      plugin: 'janus.plugin.echotest',
      opaqueId: 'firefox-echotest-' + Janus.randomString(12),
      success: function (handle) {
        echo = handle;
        log('attached, handle ' + handle.getId());
        handle.createOffer({
          tracks: [
            { type: 'audio', capture: true, recv: true },
            { type: 'video', capture: true, recv: true },
          ],
          success: function (jsep) {
            handle.send({ message: { audio: true, video: true }, jsep: jsep });
          },
          error: function (err) {
            fail('createOffer: ' + JSON.stringify(err && (err.message || err)));
          },
        });
      },
      error: function (err) {
        fail('attach: ' + err);
      },
      webrtcState: function (on, reason) {
        log('webrtcup ' + on + (reason ? ' (' + reason + ')' : ''));
      },
      iceState: function (state) {
        log('ice ' + state);
      },
      mediaState: function (medium, on, mid) {
        log('media ' + medium + ' mid ' + mid + ' receiving ' + on);
      },
      onmessage: function (msg, jsep) {
        log('event ' + JSON.stringify(msg));
        if (jsep)
          echo.handleRemoteJsep({
            jsep: jsep,
            error: function (err) {
              fail('remote jsep: ' + err);
            },
          });
      },
      onlocaltrack: function (track, on) {
        if (track.kind === 'video' && on) document.getElementById('local').srcObject = new MediaStream([track]);
      },
      onremotetrack: function (track, mid, on) {
        log('remote track ' + track.kind + ' mid ' + mid + ' ' + (on ? 'added' : 'removed'));
        if (!on) return;
        var video = document.getElementById('remote');
        var stream = video.srcObject || new MediaStream();
        stream.addTrack(track);
        video.srcObject = stream;
      },
      oncleanup: function () {
        log('cleanup');
      },
    });
  }

  function candidateText(c) {
    return c ? c.candidateType + ' ' + c.protocol + ' ' + c.address + ':' + c.port : null;
  }

  async function sample() {
    var pc = echo && echo.webrtcStuff && echo.webrtcStuff.pc;
    if (!pc) return;
    report.iceConnectionState = pc.iceConnectionState;
    report.connectionState = pc.connectionState;
    var stats = await pc.getStats();
    report.sampledAt = Date.now();
    var audio = 0,
      video = 0,
      frames = 0,
      audioSent = 0,
      videoSent = 0,
      pair = null;
    var byId = {};
    var locals = [];
    stats.forEach(function (s) {
      byId[s.id] = s;
      if (s.type === 'inbound-rtp' && s.kind === 'audio') audio += s.packetsReceived || 0;
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        video += s.packetsReceived || 0;
        frames += s.framesDecoded || 0;
      }
      if (s.type === 'outbound-rtp' && s.kind === 'audio') audioSent += s.packetsSent || 0;
      if (s.type === 'outbound-rtp' && s.kind === 'video') videoSent += s.packetsSent || 0;
      if (s.type === 'candidate-pair' && (s.selected || s.nominated || !pair)) pair = s;
      if (s.type === 'local-candidate') locals.push(s);
    });
    report.audioPackets = audio;
    report.videoPackets = video;
    report.framesDecoded = frames;
    report.audioPacketsSent = audioSent;
    report.videoPacketsSent = videoSent;
    report.localCandidates = locals.map(candidateText);
    report.candidatePair = pair && {
      state: pair.state,
      nominated: !!pair.nominated,
      selected: !!pair.selected,
      local: candidateText(byId[pair.localCandidateId]),
      remote: candidateText(byId[pair.remoteCandidateId]),
      bytesSent: pair.bytesSent,
      bytesReceived: pair.bytesReceived,
    };
  }

  async function tick() {
    try {
      await sample();
    } catch (err) {
      log('getStats failed: ' + err);
    }
    try {
      await fetch('/report', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) });
    } catch (err) {
      // The test server is gone (test over); nothing left to tell.
    }
    setTimeout(tick, 500);
  }
  tick();
})();
