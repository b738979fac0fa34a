/* Cardea demo: the Echo Test with the stock janus.js (works unchanged against Janus too). */
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var host = location.hostname || '127.0.0.1';
  var servers = {
    ws: params.get('ws') || 'ws://' + host + ':8188/',
    http: params.get('http') || location.protocol + '//' + location.host + '/janus',
  };
  var $ = function (id) { return document.getElementById(id); };
  var janus = null;
  var echo = null;
  // Exposed for tests and curious users: the handle, the PeerConnection and the events seen.
  window.cardeaDemo = { events: [], handle: null, pc: function () { return echo && echo.webrtcStuff.pc; }, ready: false };

  function log(text) {
    window.cardeaDemo.events.push(text);
    $('log').textContent += new Date().toISOString().slice(11, 23) + ' ' + text + '\n';
    $('log').scrollTop = $('log').scrollHeight;
  }
  function state(text) { $('state').textContent = text; }

  if (params.get('transport')) $('transport').value = params.get('transport');

  Janus.init({ debug: params.has('debug') ? 'all' : false, callback: function () {
    window.cardeaDemo.ready = true;
    if (params.has('autostart')) start();
  } });

  function start() {
    $('start').disabled = true;
    var server = servers[$('transport').value];
    state('Connecting to ' + server + ' ...');
    janus = new Janus({
      server: server,
      iceServers: [],
      success: attach,
      error: function (err) { log('janus error: ' + err); state('Error: ' + err); $('start').disabled = false; },
      destroyed: function () { state('Session destroyed.'); },
    });
  }

  function attach() {
    janus.attach({
      plugin: 'janus.plugin.echotest',
      opaqueId: 'echotest-' + Janus.randomString(12),
      success: function (handle) {
        echo = handle;
        window.cardeaDemo.handle = handle;
        log('attached, handle ' + handle.getId());
        $('stop').disabled = false;
        echo.send({ message: { audio: true, video: true } });
        echo.createOffer({
          tracks: [
            { type: 'audio', capture: true, recv: true },
            { type: 'video', capture: true, recv: true },
            { type: 'data' },
          ],
          success: function (jsep) { echo.send({ message: { audio: true, video: true }, jsep: jsep }); },
          error: function (err) { log('createOffer error: ' + JSON.stringify(err)); },
        });
      },
      error: function (err) { log('attach error: ' + err); },
      webrtcState: function (on, reason) { log('webrtcup ' + on + (reason ? ' (' + reason + ')' : '')); state(on ? 'Media flowing through Cardea.' : 'PeerConnection closed.'); $('data').disabled = !on; },
      mediaState: function (medium, on, mid) { log('media ' + medium + ' mid ' + mid + ' receiving ' + on); },
      slowLink: function (uplink, lost) { log('slowlink uplink=' + uplink + ' lost=' + lost); },
      onmessage: function (msg, jsep) {
        log('event ' + JSON.stringify(msg));
        if (jsep) echo.handleRemoteJsep({ jsep: jsep });
        if (msg.result === 'done') state('Echo test done.');
      },
      onlocaltrack: function (track, on) {
        if (track.kind !== 'video' || !on) return;
        $('local').srcObject = new MediaStream([track]);
      },
      onremotetrack: function (track, mid, on) {
        if (!on) return;
        var video = $('remote');
        var stream = video.srcObject || new MediaStream();
        stream.addTrack(track);
        video.srcObject = stream;
      },
      ondataopen: function () { log('data channel open'); },
      ondata: function (data) { log('data echoed: ' + data); },
      oncleanup: function () { log('cleanup'); },
    });
  }

  $('start').onclick = start;
  $('stop').onclick = function () { if (janus) janus.destroy(); $('stop').disabled = true; $('start').disabled = false; };
  $('audio').onchange = function () { if (echo) echo.send({ message: { audio: $('audio').checked } }); };
  $('video').onchange = function () { if (echo) echo.send({ message: { video: $('video').checked } }); };
  $('bitrate').onchange = function () { if (echo) echo.send({ message: { bitrate: Number($('bitrate').value) } }); };
  $('chat').onsubmit = function (e) {
    e.preventDefault();
    if (!echo || !$('data').value) return;
    echo.data({ text: $('data').value, error: function (err) { log('data error ' + err); } });
    $('data').value = '';
  };
  window.cardeaDemo.start = start;
})();
