import type { Page } from 'playwright-core';
import { waitFor } from './polling.ts';

/** What the Echo Test page's PeerConnection received, from RTCPeerConnection.getStats(). */
export interface EchoStats {
  audioPackets: number;
  videoPackets: number;
  framesDecoded: number;
}

/** Reads the inbound-rtp counters of the demo page's PeerConnection. */
export function echoStats(page: Page): Promise<EchoStats> {
  return page.evaluate(async () => {
    const demo = (window as unknown as { cardeaDemo: { pc(): RTCPeerConnection | null } }).cardeaDemo;
    const pc = demo.pc();
    const out = { audioPackets: 0, videoPackets: 0, framesDecoded: 0 };
    if (!pc) return out;
    const report = await pc.getStats();
    report.forEach((s: { type: string; kind?: string; packetsReceived?: number; framesDecoded?: number }) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'audio') out.audioPackets += s.packetsReceived ?? 0;
      if (s.kind === 'video') {
        out.videoPackets += s.packetsReceived ?? 0;
        out.framesDecoded += s.framesDecoded ?? 0;
      }
    });
    return out;
  });
}

/** The events the demo page logged (janus.js callbacks). */
export function pageEvents(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { cardeaDemo: { events: string[] } }).cardeaDemo.events.slice());
}

/** Waits until the page logged an event containing `text`. */
export function waitForEvent(page: Page, text: string, timeoutMs = 10_000): Promise<string[]> {
  return waitFor(() => pageEvents(page), (events) => events.some((e) => e.includes(text)), timeoutMs, `page event "${text}"`);
}
