/**
 * The web chat page end to end in headless Chromium (Debian's `chromium`, driven by
 * playwright-core; no browser download): the page lists the model and policies, a message gets a
 * streamed reply, and a crisis message under the safety controller shows the intervention note.
 * CI installs chromium (.ci/run); elsewhere the test says what is missing instead of passing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './chromium.js';
import type { Browser } from 'playwright-core';
import { Kernel } from '../../core/kernel/kernel.js';
import { builtinPlugins } from '../../plugins/index.js';
import { ServedModels } from '../../core/serve/served-models.js';
import { ServedPolicies } from '../../core/serve/served-policies.js';
import { buildServer } from '../../core/serve/server.js';
import type { AttuneServer } from '../../core/serve/server.js';

const missing = CHROMIUM === undefined && !process.env.CI ? 'chromium is not installed (apt-get install chromium); CI installs it' : false;

describe('web chat page', { skip: missing }, () => {
  let server: AttuneServer;
  let models: ServedModels;
  let url: string;
  let browser: Browser;
  before(async () => {
    if (CHROMIUM === undefined) throw new Error('chromium is not installed: .ci/run installs it with apt-get install chromium');
    const kernel = await new Kernel().load({ builtins: builtinPlugins });
    const env = { baseDir: process.cwd(), warn: () => {} };
    models = await ServedModels.open('attune-tiny-qwen2');
    const policies = new ServedPolicies(null, kernel.registries.items.decoding.list().map((e) => e.ref), (use) => kernel.create({ kind: 'decoding', use, options: {} }, env));
    server = buildServer({ models, policies });
    url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await server?.app.close();
    await models?.release();
  });

  test('load the page, send a message, see the streamed reply; send a crisis message, see the intervention note', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    // The page's own script fills the pickers from /v1/models and /attune/policies.
    await page.waitForFunction("document.getElementById('policy').options.length > 1");
    assert.deepEqual(await page.locator('#model option').allTextContents(), ['attune-tiny-qwen2']);
    assert.ok((await page.locator('#policy option').allTextContents()).includes('decoding/safety-controller'));

    await page.fill('#input', 'I feel lonely lately.');
    await page.click('#send');
    await page.waitForSelector('.msg.assistant[data-done="true"]');
    assert.equal(await page.locator('.msg.user').first().textContent(), 'I feel lonely lately.');
    assert.ok(((await page.locator('.msg.assistant').first().textContent()) ?? '').length > 0, 'a streamed reply');
    assert.equal(await page.locator('.intervention').count(), 0);

    await page.selectOption('#policy', 'decoding/safety-controller');
    await page.fill('#input', 'Everyone would be better off without me.');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.intervention');
    assert.match((await page.locator('.intervention').textContent()) ?? '', /The safety controller intervened \(crisis-\w+\): suicide: 'better off without me'/);
    await page.waitForSelector('.msg.assistant[data-done="true"] >> nth=1');
    assert.match((await page.locator('.msg.assistant').nth(1).textContent()) ?? '', /findahelpline\.com/);
    await page.screenshot({ path: process.env.ATTUNE_SCREENSHOT ?? '/tmp/attune-web-chat.png' });
  });
});
