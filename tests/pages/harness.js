/*
 * A promise-based wrapper around the stock janus.js for browser tests: tests drive it with
 * page.evaluate(() => harness.…). Every plugin handle records its events, remote tracks and
 * exposes its PeerConnection's inbound counters.
 */
(function () {
  'use strict';
  var ready = new Promise(function (resolve) { Janus.init({ debug: false, callback: resolve }); });

  function connect(server) {
    return ready.then(function () {
      return new Promise(function (resolve, reject) {
        var janus = new Janus({ server: server, iceServers: [], success: function () { resolve(janus); }, error: reject });
      });
    });
  }

  function attach(janus, plugin) {
    return new Promise(function (resolve, reject) {
      var h = { events: [], remoteTracks: {}, webrtc: [], media: [], handle: null };
      janus.attach({
        plugin: plugin,
        opaqueId: 'harness-' + Janus.randomString(8),
        success: function (handle) { h.handle = handle; resolve(h); },
        error: reject,
        webrtcState: function (on, reason) { h.webrtc.push({ on: on, reason: reason || null }); },
        mediaState: function (type, on, mid) { h.media.push({ type: type, on: on, mid: mid }); },
        onmessage: function (msg, jsep) { h.events.push({ msg: msg, jsep: jsep || null }); },
        onremotetrack: function (track, mid, on) {
          h.remoteTracks[mid] = { kind: track.kind, on: on };
          if (on && track.kind === 'video') {
            var v = document.createElement('video');
            v.autoplay = true; v.muted = true; v.playsInline = true;
            v.srcObject = new MediaStream([track]);
            document.getElementById('videos').appendChild(v);
          }
        },
        ondata: function (data) { h.events.push({ data: data }); },
        oncleanup: function () { h.events.push({ cleanup: true }); },
      });
    });
  }

  function send(h, message, jsep) {
    return new Promise(function (resolve, reject) {
      var req = { message: message, success: resolve, error: reject };
      if (jsep) req.jsep = jsep;
      h.handle.send(req);
    });
  }

  function createOffer(h, tracks) {
    return new Promise(function (resolve, reject) { h.handle.createOffer({ tracks: tracks, success: resolve, error: reject }); });
  }

  function createAnswer(h, jsep, tracks) {
    return new Promise(function (resolve, reject) { h.handle.createAnswer({ jsep: jsep, tracks: tracks, success: resolve, error: reject }); });
  }

  /** Inbound RTP counters by mid (packets, bytes, frames decoded, frame size). */
  function stats(h) {
    var pc = h.handle && h.handle.webrtcStuff.pc;
    if (!pc) return Promise.resolve({});
    return pc.getStats().then(function (report) {
      var out = {};
      report.forEach(function (s) {
        if (s.type !== 'inbound-rtp') return;
        out[s.mid] = { kind: s.kind, packets: s.packetsReceived || 0, bytes: s.bytesReceived || 0, frames: s.framesDecoded || 0, width: s.frameWidth || 0, height: s.frameHeight || 0 };
      });
      return out;
    });
  }

  // Tests may inspect every PeerConnection the page creates.
  var NativePC = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = function (config) { var pc = new NativePC(config); window.__pcs.push(pc); return pc; };
  window.RTCPeerConnection.prototype = NativePC.prototype;
  var handles = {};
  window.harness = {
    janus: {},
    connect: function (name, server) { return connect(server).then(function (j) { window.harness.janus[name] = j; return true; }); },
    attach: function (name, janusName, plugin) { return attach(window.harness.janus[janusName], plugin).then(function (h) { handles[name] = h; return h.handle.getId(); }); },
    send: function (name, message, jsep) { return send(handles[name], message, jsep); },
    createOffer: function (name, tracks) { return createOffer(handles[name], tracks); },
    createAnswer: function (name, jsep, tracks) { return createAnswer(handles[name], jsep, tracks); },
    handleRemoteJsep: function (name, jsep) {
      var h = handles[name];
      h.handle.handleRemoteJsep({ jsep: jsep, error: function (err) { h.events.push({ error: String(err && err.message || err) }); } });
      return true;
    },
    events: function (name) { return JSON.parse(JSON.stringify(handles[name].events)); },
    webrtc: function (name) { return handles[name].webrtc.slice(); },
    remoteTracks: function (name) { return JSON.parse(JSON.stringify(handles[name].remoteTracks)); },
    stats: function (name) { return stats(handles[name]); },
    hangup: function (name) { handles[name].handle.hangup(true); return true; },
    detach: function (name) { return new Promise(function (resolve) { handles[name].handle.detach({ success: resolve, error: resolve }); }); },
    destroy: function (janusName) { return new Promise(function (resolve) { window.harness.janus[janusName].destroy({ success: resolve, error: resolve }); }); },
  };
})();
