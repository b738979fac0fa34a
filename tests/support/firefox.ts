import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Debian's Firefox ESR. playwright-core drives only Playwright's patched Firefox builds, so the
 * tests run this one without a driver: a fresh profile, a URL on the command line, and a page
 * that reports back to the test over HTTP.
 */
export const FIREFOX_PATH = '/usr/bin/firefox-esr';

/** Why Firefox tests cannot run here, or undefined when they can. */
export function firefoxMissing(): string | undefined {
  return existsSync(FIREFOX_PATH) ? undefined : `${FIREFOX_PATH} not installed (npm test installs it when run as root)`;
}

type PrefValue = boolean | number | string;

/**
 * The profile's prefs. WebRTC ones make the page work unattended on loopback; the rest are a subset
 * of Firefox's own remote-agent RecommendedPreferences (chrome/remote/content/shared/ in omni.ja)
 * that stop first-run tabs and background traffic (updates, telemetry, safe browsing, captive
 * portal and connectivity probes, remote settings), which would otherwise try the network.
 */
const PREFS: Record<string, PrefValue> = {
  // getUserMedia: fake camera and microphone, no permission prompt.
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // ICE: the gateway advertises 127.0.0.1 only, and nICEr never pairs a loopback candidate with a
  // non-loopback one (nr_ice_component_can_candidate_addr_pair), so Firefox must gather on `lo`,
  // which it skips by default ("set only for testing in offline environments").
  'media.peerconnection.ice.loopback': true,
  // Firefox gathers on every interface only for a page that is capturing (or has a permission);
  // otherwise it uses the default route's interface alone (GetPrefDefaultAddressOnly), loopback
  // pref or not. Fake devices count as capturing only with this pref: without it, ICE fails.
  'media.navigator.permission.fake': true,
  'media.peerconnection.ice.default_address_only': false,
  // Real host addresses instead of mDNS .local names, which nothing here could resolve.
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // The echoed stream plays in a <video> without a user gesture.
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  // Page console output on Firefox's stdout, kept by launchFirefox() for failure messages.
  'devtools.console.stdout.content': true,
  'browser.dom.window.dump.enabled': true,
  // First run: no welcome, privacy-notice or what's-new tabs, no default-browser or session prompts.
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'startup.homepage_welcome_url': 'about:blank',
  'startup.homepage_welcome_url.additional': '',
  'browser.aboutwelcome.enabled': false,
  'datareporting.policy.firstRunURL': '',
  'datareporting.policy.dataSubmissionPolicyBypassNotification': true,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'termsofuse.bypassNotification': true,
  'browser.sessionstore.resume_from_crash': false,
  'browser.warnOnQuit': false,
  'browser.tabs.warnOnClose': false,
  'toolkit.startup.max_resumed_crashes': -1,
  // Background traffic: updates, add-ons, telemetry, studies, safe browsing, probes, settings.
  'app.update.disabledForTesting': true,
  'app.update.auto': false,
  'app.normandy.enabled': false,
  'app.normandy.api_url': '',
  'app.shield.optoutstudies.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'extensions.update.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.blocklist.enabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.usage.uploadEnabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': 'data:,',
  'telemetry.fog.test.localhost_port': -1,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.update.enabled': false,
  'browser.search.update': false,
  'browser.region.network.url': '',
  'browser.topsites.contile.enabled': false,
  // The preloaded new-tab page downloads its wallpapers from Mozilla's CDN.
  'browser.newtab.preload': false,
  'browser.newtabpage.enabled': false,
  'browser.newtabpage.activity-stream.newtabWallpapers.enabled': false,
  'browser.newtabpage.activity-stream.feeds.system.topstories': false,
  'browser.newtabpage.activity-stream.feeds.section.topstories': false,
  'browser.newtabpage.activity-stream.showSponsoredTopSites': false,
  'browser.ml.enable': false,
  'browser.translations.enable': false,
  'browser.backup.enabled': false,
  'browser.discovery.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.manage-offline-status': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.http.speculative-parallel-limit': 0,
  'dom.push.connection.enabled': false,
  'media.gmp-manager.updateEnabled': false,
  'media.gmp-manager.url': 'data:,',
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  'services.settings.loglevel': 'off',
  'security.remote_settings.intermediates.enabled': false,
  'geo.provider.network.url': '',
  'identity.fxaccounts.enabled': false,
  'signon.rememberSignons': false,
};

/** A headless Firefox showing one page. */
export interface RunningFirefox {
  /** Kills Firefox's process group and deletes its profile. Idempotent; safe after a crash. */
  close(): Promise<void>;
  /** The tail of Firefox's stdout and stderr (including the page's console), for failure messages. */
  output(): string;
}

/** Most characters of Firefox output kept for output(). */
const OUTPUT_LIMIT = 64 * 1024;
/** How long Firefox may take to exit on SIGTERM before the group gets SIGKILL (ms). */
const TERM_GRACE_MS = 3000;

/** Instances not closed yet, killed synchronously if the test process exits without closing them. */
const running = new Set<() => void>();
let exitHookInstalled = false;

/**
 * Starts `firefox-esr --headless` on `url` with a fresh profile (the prefs above plus `prefs`), in a
 * process group of its own so that close() reaches the content processes too. Resolves once the
 * process is spawned; the page's own reports tell when it has loaded.
 */
export async function launchFirefox(url: string, prefs: Record<string, PrefValue> = {}): Promise<RunningFirefox> {
  const profile = mkdtempSync(path.join(tmpdir(), 'cardea-firefox-'));
  writeFileSync(path.join(profile, 'user.js'), userJs({ ...PREFS, ...prefs }));
  const child = spawn(FIREFOX_PATH, ['--headless', '--no-remote', '--new-instance', '--profile', profile, url], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // MOZ_REMOTE_SETTINGS_DEVTOOLS lets the profile's services.settings.server (a data: URL) apply;
    // without it Firefox ignores the override and polls Mozilla's remote-settings server.
    env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1', MOZ_HEADLESS: '1', MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => {
      rmSync(profile, { recursive: true, force: true });
      reject(error);
    });
  });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error('firefox-esr started without a pid');

  /** Synchronous last resort, for process exit: SIGKILL the group, delete the profile. */
  const killNow = () => {
    signalGroup(pgid, 'SIGKILL');
    rmSync(profile, { recursive: true, force: true });
  };
  running.add(killNow);
  installExitHook();

  let closing: Promise<void> | undefined;
  return {
    output: () => output,
    close: () => {
      closing ??= (async () => {
        signalGroup(pgid, 'SIGTERM');
        const deadline = Date.now() + TERM_GRACE_MS;
        while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
        await exited;
        // Killed content processes are reaped by init; a container's init may leave zombies, which
        // still count as group members, so this wait is bounded.
        const reaped = Date.now() + TERM_GRACE_MS;
        while (groupAlive(pgid) && Date.now() < reaped) await new Promise((r) => setTimeout(r, 20));
        running.delete(killNow);
        rmSync(profile, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

function userJs(prefs: Record<string, PrefValue>): string {
  return Object.entries(prefs)
    .map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});\n`)
    .join('');
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    // ESRCH: the whole group is already gone, which is what we want.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Firefox runs in its own process group, so neither the test runner's Ctrl-C nor this process's
 * death reaches it: on exit or a terminating signal, kill what is still running.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const kill of running) kill();
    running.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      // Alone, this listener replaced Node's default of dying by the signal: die by it still.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
