// A person using Cardea Studio in headless Chromium, step by step as they would: the page object of
// tests/e2e/studio.chromium.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '../..');
/** Where the test run saves screenshots (git-ignored). */
export const ARTIFACTS = path.join(root, 'artifacts', 'studio');

/** Builds the studio once when studio/dist is missing (a fresh clone without `npm install`'s prepare). */
export function ensureStudioBuilt(): void {
  if (existsSync(path.join(root, 'studio', 'dist', 'index.html'))) return;
  const vite = realpathSync(path.join(root, 'node_modules', '.bin', 'vite'));
  const result = spawnSync(process.execPath, [vite, 'build'], { cwd: path.join(root, 'studio'), stdio: 'inherit' });
  if (result.status !== 0) throw new Error('studio build failed (npm run studio:build)');
}

/** One browser user of the studio. */
export class StudioUser {
  readonly page: Page;
  readonly #context: BrowserContext;

  private constructor(context: BrowserContext, page: Page) {
    this.#context = context;
    this.page = page;
  }

  static async open(browser: Browser, studioUrl: string): Promise<StudioUser> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[studio page error] ${error.message}`));
    await page.goto(studioUrl);
    return new StudioUser(context, page);
  }

  /** Types the admin secret (and the endpoints, when the gateway does not publish them) and signs in. */
  async signIn(secret: string, adminUrl: string, janusUrl: string): Promise<void> {
    const page = this.page;
    await page.getByLabel('Admin secret').fill(secret);
    if ((await page.locator('#login-admin-url').inputValue()) !== adminUrl) {
      await page.getByText('Connection', { exact: true }).click();
      await page.locator('#login-admin-url').fill(adminUrl);
      await page.locator('#login-janus-url').fill(janusUrl);
    }
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.workbench').waitFor();
  }

  /** Picks a template on the welcome page and names the plugin. */
  async newPluginFromTemplate(template: string, name: string): Promise<void> {
    await this.page.locator(`.welcome [data-template="${template}"]`).click();
    await this.page.locator('#new-plugin-name').fill(name);
    await this.page.locator('#new-plugin-create').click();
    await this.page.locator('.monaco-editor .view-line', { hasText: 'definePlugin' }).first().waitFor();
  }

  /** Replaces the editor line that contains `containing` (from its first non-blank) with `text`. */
  async replaceLine(containing: string, text: string): Promise<void> {
    const line = this.page.locator('.monaco-editor .view-line', { hasText: containing }).first();
    await line.click();
    await this.page.keyboard.press('Home');
    await this.page.keyboard.press('Shift+End');
    await this.page.keyboard.insertText(text);
  }

  /**
   * Finds `text` in the open file with the editor's find widget (Ctrl+F) and types `replacement`
   * over it: how a user edits a line that is not on screen.
   */
  async replaceText(text: string, replacement: string): Promise<void> {
    await this.page.locator('.monaco-editor .view-lines').click();
    await this.page.keyboard.press('Control+f');
    const find = this.page.locator('.monaco-editor .find-widget textarea').first();
    await find.waitFor();
    await find.fill(text);
    await this.page.locator('.monaco-editor .find-widget .matchesCount', { hasText: /^1 of 1$/ }).waitFor();
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.insertText(replacement);
    await this.page.locator('.monaco-editor .view-line', { hasText: replacement }).first().waitFor();
  }

  /** Ctrl+S, the deploy shortcut. */
  async pressDeploy(): Promise<void> {
    await this.page.keyboard.press('Control+s');
  }

  /** The status bar's message once it settles on a result. */
  async statusMessage(matching: RegExp, timeoutMs = 30_000): Promise<string> {
    const status = this.page.locator('#status-message');
    await status.filter({ hasText: matching }).waitFor({ timeout: timeoutMs });
    return (await status.textContent()) ?? '';
  }

  /** The plugin's row in the side bar, once it shows `version`. */
  pluginRow(name: string): Locator {
    return this.page.locator(`.plugin-row[data-plugin="${name}"]`);
  }

  async waitForListedVersion(name: string, version: string, timeoutMs = 15_000): Promise<void> {
    await this.pluginRow(name).locator(`.badge.version[data-version="${version}"]`).waitFor({ timeout: timeoutMs });
  }

  async openPanel(name: 'Logs' | 'Problems' | 'Try it'): Promise<void> {
    await this.page.getByRole('tab', { name, exact: true }).click();
  }

  /** Try it: attach to the plugin selected in the panel. */
  async attach(plugin: string): Promise<void> {
    await this.openPanel('Try it');
    await this.page.locator('#tryit-plugin').selectOption(plugin);
    await this.page.locator('#tryit-attach').click();
    await this.page.locator('.tryit-status', { hasText: 'Handle' }).waitFor({ timeout: 15_000 });
  }

  /** Try it: writes a JSON body and sends it. */
  async send(body: Record<string, unknown>): Promise<void> {
    await this.page.locator('#tryit-message').fill(JSON.stringify(body));
    await this.page.locator('#tryit-send').click();
  }

  /** Try it: waits for an event entry containing `text`. */
  async waitForEvent(text: string, timeoutMs = 15_000): Promise<string> {
    const entry = this.page.locator('#tryit-events .entry.event', { hasText: text }).last();
    await entry.waitFor({ timeout: timeoutMs });
    return (await entry.textContent()) ?? '';
  }

  /** Try it: video frames and audio packets received so far. */
  async mediaTotals(): Promise<{ frames: number; audioPackets: number }> {
    const stats = this.page.locator('#tryit-stats');
    return {
      frames: Number((await stats.getAttribute('data-frames')) ?? 0),
      audioPackets: Number((await stats.getAttribute('data-audio-packets')) ?? 0),
    };
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    await this.#context.close();
  }
}
