// The console's input queue, in real Chromium (playwright-core) against a real host (behind a TCP proxy,
// so its connection can be cut) with the profiles of examples/host-fake.json: `queued` enqueues input
// to a busy Worker, `scripted` rejects it. The FAKE backend holds a run whose input says `#hold` until
// the test ends it. Screenshots go to test-results/.
import { readFileSync } from 'node:fs';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerInput } from '../../src/domain/workerInput.js';
import { chromiumPath, launchChromium, MISSING_CHROMIUM, screenshotPath, skipNoChromium } from '../support/browser.js';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';
import { TcpProxy } from '../support/tcpProxy.js';

const STEP_TIMEOUT = 15_000;
const poll = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: STEP_TIMEOUT, interval: 50 });
const example = JSON.parse(readFileSync('examples/host-fake.json', 'utf8')) as { profiles: Record<string, unknown> };
const config = {
  profiles: {
    ...example.profiles,
    choosy: { backend: 'fake', displayName: 'Queues, or interrupts when picked', busy: { policy: 'enqueue', allow: ['interrupt'], queueLimit: 5 } },
  },
} as never;

const textOf = (input: WorkerInput) => (input.kind === 'user' ? input.segments.map((s) => String((s as { content?: unknown }).content ?? '')).join(' ') : input.message);
const projection = (workerId: string, displayName: string) => ({
  runtimeId: 'injected', workerId, profile: 'scripted', displayName, state: 'idle', diagnostic: null, pendingDecisions: [], runGeneration: 0, createdAt: 1, updatedAt: 1,
  queue: { length: 0, busyPolicy: 'reject' },
});
const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
/** A lifecycle stream from a newer host: change types this console does not know, malformed ones, then one it knows. */
const INJECTED = [
  sse('workers', { type: 'workers', workers: [] }),
  sse('lifecycle', { type: 'lifecycle', change: { type: 'worker_teleported', worker: projection('ghost', 'from an unknown change') } }),
  sse('lifecycle', { type: 'lifecycle', change: { type: 'input_queued' } }),
  sse('lifecycle', { type: 'lifecycle', change: null }),
  sse('lifecycle', { type: 'lifecycle' }),
  sse('something_new', { type: 'something_new', detail: 1 }),
  sse('lifecycle', { type: 'lifecycle', change: { type: 'worker_created', worker: projection('probe', 'injected probe') } }),
].join('');

describe('the console input queue (e2e, Chromium, fake backend)', () => {
  let proxy: TcpProxy;
  let h: HostFixture | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  /** How the page's lifecycle stream (`/v1/events`) is served: injected once, held, resumed with a foreign cursor, or passed. */
  let mode: 'inject' | 'hold' | 'reset' | 'pass' = 'inject';
  let release: () => void = () => undefined;

  beforeAll(async () => {
    if (!chromiumPath) return;
    proxy = new TcpProxy();
    await proxy.listen();
    h = await startHost({ config });
    proxy.target(Number(new URL(h.url).port));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(STEP_TIMEOUT);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => void (message.type() === 'error' && !/Failed to load resource|ERR_/.test(message.text()) && pageErrors.push(`console: ${message.text()}`)));
    await page.route('**/v1/events', async (route: Route) => {
      if (mode === 'inject') {
        mode = 'hold';
        return route.fulfill({ status: 200, contentType: 'text/event-stream', body: INJECTED });
      }
      if (mode === 'hold') await new Promise<void>((resolve) => (release = resolve));
      // A resume answered as by a host that restarted without its log: `reset`, and none of the changes since.
      if (mode === 'reset' && route.request().headers()['last-event-id']) {
        return route.fulfill({ status: 200, contentType: 'text/event-stream', body: sse('reset', { type: 'reset', requested: route.request().headers()['last-event-id'], epoch: 'another' }) });
      }
      return route.continue();
    });
  }, 60_000);

  afterAll(async () => {
    release();
    await browser?.close();
    await h?.close();
    await proxy?.close();
  });

  const rows = () => page.locator('#input-queue li[data-state=queued], #input-queue li[data-state=dispatching]');
  const row = (submissionId: string) => page.locator(`#input-queue li[data-submission-id="${submissionId}"]`);
  const userTexts = () => page.locator('#stream .entry.user').allTextContents();
  const send = async (text: string) => {
    await poll(() => page.locator('#send-button').isEnabled()).toBe(true);
    await page.fill('#composer-input', text);
    await page.press('#composer-input', 'Enter');
  };
  const create = async (profile: string, name: string) => {
    await page.goto(`${proxy.url}/#/`);
    await page.selectOption('#profile-select', profile);
    await page.fill('#display-name', name);
    await page.click('#create-button');
    await poll(() => page.locator('#worker-title').textContent()).toBe(name);
    await poll(() => page.locator('#worker-state').textContent()).toBe('idle');
    return decodeURIComponent(/#\/w\/(.+)$/.exec(page.url())![1]!);
  };
  const dispatched = (workerId: string) => h!.fake.dispatches.filter((d) => d.workerId === workerId).map((d) => textOf(d.input));

  it.skipIf(skipNoChromium)(`queues while busy, cancels from the queue, drains in order; interrupt; reject keeps Send off; refetch on reset; 390 px${skipNoChromium ? ` (SKIPPED: ${MISSING_CHROMIUM})` : ''}`, async () => {
    if (!chromiumPath || !h) throw new Error(MISSING_CHROMIUM);

    // ---- a lifecycle stream with change types this console does not know: ignored, no error ----
    await page.goto(`${proxy.url}/#token=${TOKEN}`);
    await poll(() => page.locator('#worker-list li[data-worker-id=probe]').count()).toBe(1);
    expect(await page.locator('#worker-list li[data-worker-id=ghost]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    mode = 'pass';
    release();
    await poll(() => page.locator('#worker-list li[data-worker-id=probe]').count()).toBe(0); // the real host's list replaced it
    await poll(() => page.locator('#connection').textContent()).toBe('live');
    expect(await page.locator('#welcome').textContent()).toContain('take input while busy');

    // ---- an enqueue Worker: a long run, then two inputs while it is busy ----
    const q = await create('queued', 'queue demo');
    expect(await page.locator('#input-queue').isVisible()).toBe(false);
    expect(await page.locator('#busy-policy-label').isVisible()).toBe(false); // the profile offers no choice
    await send('a long run #hold');
    await poll(() => page.locator('#worker-state').textContent()).toBe('busy');
    await poll(() => page.locator('#send-button').isEnabled()).toBe(true);
    expect(await page.locator('#send-button').textContent()).toBe('Queue');
    expect(await page.locator('#composer-note').textContent()).toContain('will be queued (position 1)');
    await send('first follow-up');
    await poll(() => rows().count()).toBe(1);
    expect(await page.locator('#op-outcome').getAttribute('data-outcome')).toBe('queued');
    expect(await page.locator('#composer-input').inputValue()).toBe('');
    await poll(() => page.locator('#composer-note').textContent()).toContain('will be queued (position 2)');
    await send('second follow-up');
    await poll(() => rows().count()).toBe(2);
    expect(await rows().evaluateAll((items) => items.map((li) => [li.getAttribute('data-position'), li.querySelector('.preview')?.textContent]))).toEqual([
      ['1', 'first follow-up'],
      ['2', 'second follow-up'],
    ]);
    // The console lists what the host holds, in its order.
    const listed = (await h.call('GET', `/v1/workers/${q}/queue`)).body.queue.entries as { submissionId: string; position: number }[];
    expect(await rows().evaluateAll((items) => items.map((li) => li.getAttribute('data-submission-id')))).toEqual(listed.map((e) => e.submissionId));
    const [first, second] = listed.map((e) => e.submissionId) as [string, string];
    expect(await row(first).locator('.age').textContent()).toMatch(/^(just now|\d+ s)$/);
    await page.screenshot({ path: screenshotPath('queue-two-waiting') });

    // Every outcome a queue row shows, as it appears (a settled row stays only a moment).
    await page.evaluate(`(() => {
      const seen = (window.__settled = []);
      const look = () => document.querySelectorAll('#input-queue li[data-outcome]').forEach((li) => {
        const key = li.dataset.submissionId + ' ' + li.dataset.outcome;
        if (!seen.includes(key)) seen.push(key);
      });
      new MutationObserver(look).observe(document.getElementById('input-queue'), { childList: true, subtree: true });
    })()`);
    const settledSeen = () => page.evaluate('window.__settled') as Promise<string[]>;

    // ---- cancel the second from the queue: shown cancelled, then gone; never dispatched ----
    await row(second).locator('button.cancel-queued').click();
    await poll(settledSeen).toContain(`${second} cancelled`);
    expect(await row(second).locator('.result').textContent()).toBe('cancelled');
    await page.screenshot({ path: screenshotPath('queue-cancelled') });
    expect(await page.locator('#op-outcome').getAttribute('data-reason')).toBe('cancelled');
    await poll(() => row(second).count()).toBe(0);
    expect(await rows().count()).toBe(1);
    expect((await h.call('GET', `/v1/workers/${q}/queue/${second}`)).body.submission.settlement).toMatchObject({ outcome: 'cancelled', reason: 'cancelled' });

    // ---- the run ends: the first queued input is dispatched and committed, the queue is empty ----
    await h.fake.finishRun(q);
    await poll(settledSeen).toContain(`${first} committed`);
    await poll(userTexts).toEqual(['a long run #hold', 'first follow-up']);
    await poll(() => page.locator('#input-queue li').count()).toBe(0);
    expect(await page.locator('#input-queue').isVisible()).toBe(false);
    await poll(() => page.locator('#worker-state').textContent()).toBe('idle');
    expect(dispatched(q)).toEqual(['a long run #hold', 'first follow-up']);
    expect(await settledSeen()).not.toContain(`${second} committed`);
    expect((await h.call('GET', `/v1/workers/${q}/queue`)).body.queue.entries).toEqual([]);
    expect(await page.locator('#send-button').textContent()).toBe('Send');
    expect(await page.locator('#composer-note').isVisible()).toBe(false);

    // ---- the lifecycle stream starts over (reset) after changes it never carried: the queue is read again ----
    await send('another long run #hold');
    await poll(() => page.locator('#worker-state').textContent()).toBe('busy');
    // The read the console makes shortly after a change is done before the host goes out of reach.
    const resynced = page.waitForResponse((response) => response.url().endsWith(`/v1/workers/${q}/queue`) && response.request().method() === 'GET');
    await send('before the break');
    await poll(() => rows().count()).toBe(1);
    const before = (await rows().first().getAttribute('data-submission-id'))!;
    await resynced;
    proxy.target(null);
    await poll(() => page.locator('#connection').textContent()).toBe('host unreachable');
    const away = (await h.call('POST', `/v1/workers/${q}/input`, { kind: 'user', content: 'sent while the console was away' })).body.result;
    expect([away.outcome, away.position]).toEqual(['queued', 2]);
    expect((await h.call('DELETE', `/v1/workers/${q}/queue/${before}`)).status).toBe(202);
    mode = 'reset';
    proxy.target(Number(new URL(h.url).port));
    await poll(() => page.locator('#host-banner[data-kind=restarted]').isVisible()).toBe(true);
    await poll(() => rows().evaluateAll((items) => items.map((li) => [li.getAttribute('data-submission-id'), li.getAttribute('data-position')]))).toEqual([[away.submissionId, '1']]);
    expect(await row(before).count()).toBe(0); // its settlement never reached the page: read back as gone, not shown
    mode = 'pass';
    await page.click('#host-banner .dismiss');

    // ---- 390 px: a long unbroken input in the queue, no horizontal scroll ----
    await page.setViewportSize({ width: 390, height: 844 });
    await send(`${'x'.repeat(300)} end`);
    await poll(() => rows().count()).toBe(2);
    const overflow = () => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(await overflow()).toBe(0);
    await page.screenshot({ path: screenshotPath('queue-390'), fullPage: true });
    await page.click('#cancel-button'); // ends the held run: both queued inputs go, in order
    await poll(() => page.locator('#input-queue li').count()).toBe(0);
    expect(dispatched(q).slice(2)).toEqual(['another long run #hold', 'sent while the console was away', `${'x'.repeat(300)} end`]);
    await page.setViewportSize({ width: 1280, height: 900 });

    // ---- a profile that allows interrupt per input: a selector; interrupt cancels the run, the input goes next ----
    const c = await create('choosy', 'interrupt demo');
    await send('a run to interrupt #hold');
    await poll(() => page.locator('#worker-state').textContent()).toBe('busy');
    await poll(() => page.locator('#busy-policy-label').isVisible()).toBe(true);
    expect(await page.locator('#busy-policy option').evaluateAll((options) => options.map((o) => o.getAttribute('value')))).toEqual(['enqueue', 'interrupt']);
    await page.selectOption('#busy-policy', 'interrupt');
    expect(await page.locator('#composer-note').textContent()).toContain('interrupts the current run');
    expect(await page.locator('#send-button').textContent()).toBe('Interrupt');
    await page.screenshot({ path: screenshotPath('queue-interrupt') });
    await send('instead, this');
    await poll(() => page.locator('#op-outcome').getAttribute('data-reason')).toBe('interrupting');
    expect(await page.locator('#busy-policy').inputValue()).toBe('enqueue'); // the pick was for that input only
    await poll(() => page.locator('#stream .run-end').evaluateAll((ends) => ends.map((e) => e.getAttribute('data-result')))).toEqual(['cancelled', 'finished']);
    await poll(userTexts).toEqual(['a run to interrupt #hold', 'instead, this']);
    expect(dispatched(c)).toEqual(['a run to interrupt #hold', 'instead, this']);

    // ---- a reject Worker keeps Send disabled while busy ----
    const r = await create('scripted', 'reject demo');
    expect(await page.locator('#busy-policy-label').isVisible()).toBe(false);
    await send('hold it #hold');
    await poll(() => page.locator('#worker-state').textContent()).toBe('busy');
    await poll(() => page.locator('#op-outcome').getAttribute('data-outcome')).toBe('accepted');
    expect(await page.locator('#send-button').isDisabled()).toBe(true);
    expect(await page.locator('#composer-note').isVisible()).toBe(false);
    expect(await page.locator('#composer-input').getAttribute('placeholder')).toContain('wait for the run to end');
    await page.screenshot({ path: screenshotPath('queue-reject-busy') });
    await page.click('#cancel-button');
    await poll(() => page.locator('#worker-state').textContent()).toBe('idle');
    expect(await page.locator('#send-button').isEnabled()).toBe(true);
    expect(dispatched(r)).toEqual(['hold it #hold']);

    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  }, 180_000);
});
