// Forking a built-in from Cardea Studio in headless Chromium, as a new user would: sign in, read the
// Echo Test's sources (read-only), fork it under a new name, change the text its event answers,
// deploy, attach from the try-it panel with camera and microphone, and see the new text and the
// echoed media; the stock janus.js attaches to the fork like to any plugin.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { BuiltinPluginSource, PluginListing } from '@cardea/admin-types';
import { ADMIN_SECRET, startSandboxGateway, type SandboxGateway } from '../support/adminClient.ts';
import { launchChromium } from '../support/chromium.ts';
import { waitFor } from '../support/polling.ts';
import { ensureStudioBuilt, StudioUser } from './studio.user.ts';

const echotestSrc = path.resolve(import.meta.dirname, '../../plugins/echotest/src');

describe('studio: fork a built-in, edit it, deploy it, and attach to the copy', () => {
  let gw: SandboxGateway;
  let browser: Browser;
  let studioUrl: string;
  let adminWsUrl: string;

  before(async () => {
    ensureStudioBuilt();
    gw = await startSandboxGateway();
    browser = await launchChromium();
    studioUrl = `${gw.httpBase}/studio/`;
    adminWsUrl = gw.adminUrl.replace(/^http/, 'ws');
  });

  after(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('the Echo Test forked as my.echotest answers with the edited text and echoes camera and microphone', async () => {
    const user = await StudioUser.open(browser, studioUrl);
    try {
      await user.signIn(ADMIN_SECRET, adminWsUrl, gw.httpUrl);

      // The built-in opens read-only, every file of its src/ folder a tab.
      await user.pluginRow('janus.plugin.echotest').locator('.row-main').click();
      await user.page.locator('#editor-version', { hasText: 'read-only' }).waitFor();
      const tabs = await user.page.locator('.tab-label').allTextContents();
      assert.deepEqual(tabs.sort(), readdirSync(echotestSrc).sort(), 'one tab per source file');
      assert.ok(await user.page.locator('#deploy').isHidden(), 'a built-in has no Deploy');
      await user.page.locator('.monaco-editor .view-lines').click();
      await user.page.keyboard.insertText('typed into a built-in');
      assert.equal(await user.page.locator('.monaco-editor .view-line', { hasText: 'typed into a built-in' }).count(), 0, 'read-only');

      // Fork: a copy under the suggested name, the plugin's name rewritten in it.
      await user.page.locator('#fork').click();
      assert.equal(await user.page.locator('#fork-name').inputValue(), 'my.echotest');
      await user.page.locator('#fork-create').click();
      await user.page.locator('#editor-version', { hasText: 'my.echotest · not deployed' }).waitFor();
      await user.page.locator('.monaco-editor .view-line', { hasText: "const NAME = 'my.echotest';" }).waitFor();
      assert.deepEqual((await user.page.locator('.tab-label').allTextContents()).sort(), tabs.sort(), 'all the files were copied');

      await user.replaceText("result: 'ok' }, answer", "result: 'echoed by my fork' }, answer");
      await user.pressDeploy();
      assert.match(await user.statusMessage(/Deployed my\.echotest|failed|Not deployed/, 60_000), /Deployed my\.echotest v1\.0\.0/);
      await user.waitForListedVersion('my.echotest', '1.0.0');
      const listed = ((await gw.admin({ janus: 'list_plugins' })).plugins as PluginListing[]).find((p) => p.name === 'my.echotest');
      assert.equal(listed?.host, 'sandbox', 'the fork runs as a user plugin');
      const stored = await gw.admin({ janus: 'get_plugin_source', name: 'my.echotest' });
      assert.equal(stored.entry, 'index.ts', 'deployed as a set of files');
      assert.deepEqual(Object.keys(stored.files as Record<string, string>).sort(), tabs.sort());
      assert.match((stored.files as Record<string, string>)['index.ts'] ?? '', /result: 'echoed by my fork'/);

      // The stock janus.js of the try-it panel attaches to the fork and starts camera and microphone.
      await user.attach('my.echotest');
      assert.match(await user.page.locator('#tryit-message').inputValue(), /"audio": true/);
      await user.page.locator('#tryit-media').click();
      const event = await user.waitForEvent('echoed by my fork', 20_000);
      assert.match(event, /"echotest":\s*"event"/);
      const media = await waitFor(
        () => user.mediaTotals(),
        (t) => t.frames > 5 && t.audioPackets > 10,
        20_000,
        'echoed media in the try-it panel',
      );
      assert.ok(media.frames > 5 && media.audioPackets > 10);
      await user.screenshot('08-forked-echotest');

      // The built-in itself is untouched: still in-process, still answering `ok`.
      const builtin = ((await gw.admin({ janus: 'list_plugins' })).plugins as PluginListing[]).find(
        (p) => p.name === 'janus.plugin.echotest',
      );
      assert.equal(builtin?.host, 'in-process');
    } finally {
      await user.close();
    }
  });

  it('a fork of the VideoRoom (eleven files, zod schemas) typechecks in the editor, deploys and answers list', async () => {
    const source = (await gw.admin({ janus: 'get_builtin_source', name: 'janus.plugin.videoroom' })) as unknown as BuiltinPluginSource;
    const user = await StudioUser.open(browser, studioUrl);
    try {
      await user.signIn(ADMIN_SECRET, adminWsUrl, gw.httpUrl);
      // The row's Fork action shows on hover, as the user points at the row.
      await user.pluginRow('janus.plugin.videoroom').hover();
      await user.pluginRow('janus.plugin.videoroom').locator('.fork-button').click();
      await user.page.locator('#fork-name').fill('my.videoroom');
      await user.page.locator('#fork-create').click();
      await user.page.locator('#editor-version', { hasText: 'my.videoroom · not deployed' }).waitFor();
      assert.equal(await user.page.locator('.tab-label').count(), Object.keys(source.files).length);
      await user.pressDeploy();
      assert.match(await user.statusMessage(/Deployed my\.videoroom|failed|Not deployed/, 90_000), /Deployed my\.videoroom v/);
      await user.attach('my.videoroom');
      await user.send({ request: 'list' });
      const answer = await waitFor(
        async () => (await user.page.locator('#tryit-events .entry.response').allTextContents()).join('\n'),
        (text) => text.includes('"videoroom"'),
        15_000,
        'a list answer',
      );
      assert.match(answer, /"videoroom":\s*"success"/);
    } finally {
      await user.close();
    }
  });
});
