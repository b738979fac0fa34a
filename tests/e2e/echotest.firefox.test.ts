import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEchoReportServer, type EchoReport, type EchoReportServer } from '../support/echoReportServer.ts';
import { firefoxMissing, launchFirefox, type RunningFirefox } from '../support/firefox.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { waitFor } from '../support/polling.ts';

// Debian's firefox-esr cannot be driven by playwright-core, so the page drives itself: it runs the
// Echo Test with the stock janus.js and POSTs its getStats() results back to the test's server.
const skip = firefoxMissing();

/** Headless Firefox start plus ICE and DTLS (ms); a cold profile takes a few seconds. */
const CONNECT_TIMEOUT_MS = 20_000;
/** Least time between the two getStats() samples that must show media growing (ms). */
const SAMPLE_GAP_MS = 1500;

describe('echotest: stock janus.js in headless Firefox', { skip }, () => {
  let gw: TestGateway;
  let pages: EchoReportServer;
  const browsers: RunningFirefox[] = [];

  before(async () => {
    gw = await startTestGateway();
    pages = await startEchoReportServer();
  });

  after(async () => {
    // Normally closed by each case already; this covers a case that timed out mid-way.
    await Promise.all(browsers.map((b) => b.close()));
    await pages?.close();
    await gw?.close();
  });

  for (const transport of ['ws', 'http'] as const) {
    it(`echoes audio and video back over ${transport === 'ws' ? 'WebSocket' : 'HTTP long poll'}`, { timeout: 40_000 }, async (t) => {
      const firefox = await launchFirefox(pages.pageUrl(transport === 'ws' ? gw.wsUrl : gw.httpUrl, transport));
      browsers.push(firefox);
      const report = () => pages.latest(transport);
      try {
        const up = await waitFor(report, (r) => r?.error != null || hasEvent(r, 'webrtcup true'), CONNECT_TIMEOUT_MS, 'webrtcup');
        assert.equal(up?.error, null, 'the page reported an error');
        assert.ok(hasEvent(up, '"echotest":"event","result":"ok"'), 'EchoTest answered with result ok');

        // Echoed media keeps flowing: packets and decoded frames grow between two samples.
        const first = await waitFor(report, (r) => (r?.framesDecoded ?? 0) > 5 && (r?.audioPackets ?? 0) > 10, 10_000, 'echoed media');
        const second = await waitFor(report, (r) => (r?.sampledAt ?? 0) - (first?.sampledAt ?? 0) >= SAMPLE_GAP_MS, 5000, 'a later sample');
        assert.ok(first && second);
        const seconds = ((second.sampledAt - first.sampledAt) / 1000).toFixed(1);
        t.diagnostic(
          `over ${seconds} s: audio packets ${first.audioPackets} -> ${second.audioPackets}, video packets ${first.videoPackets} -> ${second.videoPackets}, ` +
            `frames decoded ${first.framesDecoded} -> ${second.framesDecoded}; pair ${second.candidatePair?.local} <-> ${second.candidatePair?.remote}`,
        );
        assert.ok(second.audioPackets > first.audioPackets + 20, `audio packets grow: ${first.audioPackets} -> ${second.audioPackets}`);
        assert.ok(
          second.framesDecoded > first.framesDecoded + 10,
          `frames decoded grow: ${first.framesDecoded} -> ${second.framesDecoded}`,
        );
        assert.equal(second.error, null, 'the page reported an error');
      } catch (error) {
        // Everything the page and Firefox saw, so that a failure can be diagnosed from the log alone.
        console.error(`[firefox ${transport}] last report: ${show(report())}\n[firefox ${transport}] output:\n${firefox.output()}`);
        throw error;
      } finally {
        await firefox.close();
      }
    });
  }
});

function hasEvent(report: EchoReport | undefined, text: string): boolean {
  return report?.events.some((e) => e.includes(text)) ?? false;
}

function show(report: EchoReport | undefined): string {
  return report ? JSON.stringify(report, null, 2) : '(none: the page never loaded or never ran)';
}
