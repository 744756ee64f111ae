// Browser end-to-end test of the console: a real host (FAKE backends, see test/support/hostFixture.ts)
// driven through Debian's Chromium with playwright-core. It checks what a user sees: the token taken from
// the URL fragment, Workers created from a profile, a run's text streaming in, controls enabled only when
// their operation can succeed, and an unavailable Worker (opened at its URL) with its diagnostic.
// The agent panel (decisions, tool cards, markdown, restart) is test/e2e/browserAgentPanel.test.ts.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, MISSING_CHROMIUM as MISSING, screenshotPath, skipNoChromium } from '../support/browser.js';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';

const STEP_TIMEOUT = 10_000;

describe('console in a browser (e2e, Chromium)', () => {
  let fixture: HostFixture | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!chromiumPath) return;
    // 40 ms between a run's events: a run lasts long enough to watch its text stream in.
    fixture = await startHost({ fake: { eventDelayMs: 40 } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(STEP_TIMEOUT);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  const title = skipNoChromium
    ? `streams a Worker, enables only the controls that can succeed, shows an unavailable Worker (SKIPPED: ${MISSING})`
    : 'streams a Worker, enables only the controls that can succeed, shows an unavailable Worker';

  it.skipIf(skipNoChromium)(title, async () => {
    if (!chromiumPath || !fixture) throw new Error(`${MISSING}. The browser e2e test cannot run without it (CI is set, so it fails instead of skipping).`);
    const { url } = fixture;

    // ---- open the console with the token in the fragment ----
    await page.goto(`${url}/#token=${encodeURIComponent(TOKEN)}`);
    await expect.poll(() => page.locator('#app').isVisible()).toBe(true);
    expect(await page.locator('#login').isVisible()).toBe(false);
    // The console drops the token from the address bar once it has read it.
    expect(page.url()).not.toContain(TOKEN);
    await expect.poll(() => page.locator('#runtime-info').textContent()).toMatch(/^runtime /);
    await expect.poll(() => page.locator('#connection').textContent()).toBe('live');

    // ---- create a Worker with the `fake` profile ----
    await page.selectOption('#profile-select', 'fake');
    await page.fill('#display-name', 'fake worker');
    await page.click('#create-button');
    const createOutcome = page.locator('#create-outcome');
    await expect.poll(() => createOutcome.getAttribute('data-outcome')).toBe('accepted');
    expect(await createOutcome.getAttribute('data-reason')).toBe('created');
    await expect.poll(() => page.locator('#worker-title').textContent()).toBe('fake worker');
    await expect.poll(() => page.locator('#worker-state').textContent()).toBe('idle');
    await expect.poll(() => page.locator('#worker-list li.selected').textContent()).toContain('fake worker');
    // The list tells Workers apart by id and profile; the name field is cleared for the next one.
    expect(await page.locator('#worker-list li.selected .sub').textContent()).toMatch(/^w-\S+ · fake$/);
    expect(await page.locator('#display-name').inputValue()).toBe('');
    // Each Worker has its own URL.
    expect(page.url()).toMatch(/#\/w\/w-/);
    expect(await page.locator('#composer-input').isEnabled()).toBe(true);
    expect(await page.locator('#send-button').isEnabled()).toBe(true);
    // Idle: nothing to cancel, nothing to remove (it is live), stop can succeed.
    expect(await page.locator('#cancel-button').isDisabled()).toBe(true);
    expect(await page.locator('#remove-button').isDisabled()).toBe(true);
    expect(await page.locator('#stop-button').isEnabled()).toBe(true);

    // ---- send input; the reply's text appears piece by piece ----
    // Record every value the assistant entry shows (its markdown is rendered again as text streams
    // in), with the time each appeared.
    await page.evaluate(`(() => {
      window.__assistantTexts = [];
      new MutationObserver(() => {
        const entry = document.querySelector('#stream .entry.assistant');
        const text = entry ? entry.textContent.trim() : '';
        if (text && window.__assistantTexts.at(-1)?.text !== text) window.__assistantTexts.push({ text, at: performance.now() });
      }).observe(document.getElementById('stream'), { childList: true, subtree: true, characterData: true });
    })()`);
    await page.fill('#composer-input', 'hello there');
    await page.click('#send-button');
    const opOutcome = page.locator('#op-outcome');
    await expect.poll(() => opOutcome.getAttribute('data-outcome')).toBe('accepted');
    await expect.poll(() => page.locator('#stream .entry.user').first().textContent()).toBe('hello there');
    const reply = page.locator('#stream .entry.assistant').first();
    await expect.poll(async () => (await reply.textContent())?.trim()).toBe('[fake backend] scripted reply to 1 segment(s)');
    await expect.poll(() => page.locator('#stream .entry.run-end', { hasText: 'Run finished' }).count()).toBe(1);
    await expect.poll(() => page.locator('#worker-state').textContent()).toBe('idle');
    const seen = (await page.evaluate('window.__assistantTexts')) as { text: string; at: number }[];
    const texts = seen.map((s) => s.text).filter((text) => text.length > 0);
    const final = '[fake backend] scripted reply to 1 segment(s)';
    const partial = texts.filter((text) => text !== final);
    // Several partial values, each a prefix of the reply and growing, before the full text.
    expect(partial.length, `values shown: ${JSON.stringify(texts)}`).toBeGreaterThanOrEqual(3);
    expect(partial[0]!.startsWith('[fake')).toBe(true);
    for (const [i, text] of partial.entries()) {
      expect(final.startsWith(text)).toBe(true);
      if (i > 0) expect(text.length).toBeGreaterThan(partial[i - 1]!.length);
    }
    // ...and over time, not all at once (7 deltas 40 ms apart).
    const spanMs = seen.at(-1)!.at - seen[0]!.at;
    expect(spanMs).toBeGreaterThanOrEqual(100);

    // ---- while a run is in progress, Send is off and Cancel on ----
    // `#hold` keeps the fake's run in progress until it is cancelled.
    await page.fill('#composer-input', 'a long job #hold');
    await page.click('#send-button');
    await expect.poll(() => opOutcome.getAttribute('data-outcome')).toBe('accepted');
    expect(await opOutcome.getAttribute('data-reason')).toBe('committed');
    await expect.poll(() => page.locator('#stream .entry.user').nth(1).textContent()).toBe('a long job #hold');
    await expect.poll(() => page.locator('#worker-state').textContent()).toBe('busy');
    expect(await page.locator('#composer-input').inputValue()).toBe('');
    await expect.poll(() => page.locator('#send-button').isDisabled()).toBe(true);
    expect(await page.locator('#cancel-button').isEnabled()).toBe(true);
    // Enter does not send while the Worker cannot take input: the draft stays.
    await page.fill('#composer-input', 'are you there?');
    await page.press('#composer-input', 'Enter');
    expect(await page.locator('#composer-input').inputValue()).toBe('are you there?');
    expect(fixture.fake.dispatches).toHaveLength(2);
    await page.screenshot({ path: screenshotPath('console-busy'), fullPage: true });

    // Cancel the held run from the console: the Worker is idle again.
    await page.click('#cancel-button');
    await expect.poll(() => opOutcome.getAttribute('data-outcome')).toBe('accepted');
    expect(await opOutcome.textContent()).toMatch(/^cancel: accepted/);
    await expect.poll(() => page.locator('#worker-state').textContent()).toBe('idle');
    // A cancelled run reads as cancelled, not finished.
    await expect.poll(() => page.locator('#stream .entry.run-end[data-result=cancelled]').count()).toBe(1);
    expect(await page.locator('#stream .entry.run-end[data-result=cancelled]').textContent()).toMatch(/^Run cancelled/);
    await page.fill('#composer-input', '');

    // A notification goes out in the library's shape, { kind: 'notify', message }.
    await page.check('#composer-notify');
    await page.fill('#composer-input', 'heads up');
    await page.click('#send-button');
    await expect.poll(() => opOutcome.getAttribute('data-outcome')).toBe('accepted');
    expect(fixture.fake.dispatches.at(-1)?.input).toEqual({ kind: 'notify', message: 'heads up' });
    await expect.poll(() => page.locator('#worker-state').textContent()).toBe('idle');
    await page.uncheck('#composer-notify');

    // ---- a profile without a backend: Create is off, and the hint says why ----
    await page.selectOption('#profile-select', 'none');
    expect(await page.locator('#create-button').isDisabled()).toBe(true);
    expect(await page.locator('#profile-hint').textContent()).toContain('No backend runs profile');

    // ---- an unavailable Worker (made through the API), opened at its URL: diagnostic shown, composer off ----
    await fixture.call('POST', '/v1/workers', { workerId: 'offline-1', profile: 'none', displayName: 'no backend' });
    await page.goto(`${url}/#/w/offline-1`);
    await expect.poll(() => page.locator('#worker-title').textContent()).toBe('no backend');
    await expect.poll(() => page.locator('#worker-state').textContent()).toBe('unavailable');
    const diagnostic = page.locator('#worker-diagnostic');
    await expect.poll(() => diagnostic.isVisible()).toBe(true);
    expect(await diagnostic.textContent()).toContain('backend_not_configured');
    expect(await page.locator('#composer-input').isDisabled()).toBe(true);
    expect(await page.locator('#send-button').isDisabled()).toBe(true);
    expect(await page.locator('#composer-input').getAttribute('placeholder')).toContain('unavailable');
    expect(await page.locator('#stream .entry').count()).toBe(0);
    // Not live: it can be removed (and then it is gone from the list).
    const items = page.locator('#worker-list li');
    await expect.poll(() => items.count()).toBe(2);
    expect(await items.nth(0).textContent()).toContain('idle');
    expect(await items.nth(1).textContent()).toContain('unavailable');
    await page.screenshot({ path: screenshotPath('console-unavailable'), fullPage: true });
    await expect.poll(() => page.locator('#remove-button').isEnabled()).toBe(true);
    await page.click('#remove-button');
    await expect.poll(() => items.count()).toBe(1);
    await expect.poll(() => page.url()).toMatch(/#\/$/);

    await page.screenshot({ path: screenshotPath('console-list'), fullPage: true });
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  }, 60_000);
});
