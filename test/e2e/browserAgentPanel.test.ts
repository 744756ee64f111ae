// The console as an agent panel, in real Chromium (playwright-core) against real hosts behind a TCP
// proxy (so a host can go away and another take its place at the same address). A real ACP
// subprocess runs the scripted demo agent with the profile of examples/host-acp-demo.json (policy
// `ask`): the person allows, denies and cancels permission requests from the console. A FAKE backend
// profile serves a markdown reply with HTML and a javascript: link in it. Screenshots go to test-results/.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost, type Host } from '../../src/host/createHost.js';
import type { WorkerInput } from '../../src/domain/workerInput.js';
import { fakeRunEvents } from '../../src/testing/index.js';
import { chromiumPath, launchChromium, MISSING_CHROMIUM, screenshotPath, skipNoChromium } from '../support/browser.js';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';
import { TcpProxy } from '../support/tcpProxy.js';

const STEP_TIMEOUT = 15_000;
/** Polls until the value matches, for as long as a step may take (a run of the demo agent streams for a second or two). */
const poll = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: STEP_TIMEOUT, interval: 50 });
const demo = JSON.parse(readFileSync('examples/host-acp-demo.json', 'utf8')) as { runtime: object; profiles: Record<string, unknown> };

const MARKDOWN = [
  '## Findings\n\n**bold** and `inline code`.\n\n',
  '```ts\nconst answer = 42;\n```\n\n',
  '[the docs](https://example.com/docs) and [a trap](javascript:window.__xss=2)\n\n',
  '<img src=x onerror="window.__xss=1"> <script>window.__xss=3</script>\n',
].join('');

const textOf = (input: WorkerInput) => (input.kind === 'user' ? input.segments.map((s) => String((s as { content?: unknown }).content ?? '')).join(' ') : input.message);
/** The FAKE backend's run: a markdown reply for `#md`, its default run otherwise. */
const script = (input: WorkerInput) =>
  textOf(input).includes('#md')
    ? [
        { event: 'invoke_start', data: { kind: 'user_send' } },
        { event: 'user_message', data: { segments: input.kind === 'user' ? input.segments : [] } },
        { event: 'turn_start', data: { turn: 1 } },
        { event: 'text_delta', data: { text: MARKDOWN } },
        { event: 'text_done', data: { text: MARKDOWN } },
        { event: 'usage', data: { input_tokens: 12, output_tokens: 34 } },
        { event: 'run_end', data: { result: 'finished' } },
        { event: 'status', data: { status: 'idle' } },
      ]
    : fakeRunEvents(input);

const config = { runtime: demo.runtime, profiles: { ...demo.profiles, fake: { backend: 'fake', displayName: 'Scripted fake (test double)' } } } as never;

describe('the console as an agent panel (e2e, Chromium, ACP demo agent)', () => {
  let proxy: TcpProxy;
  let first: HostFixture | undefined;
  let second: HostFixture | undefined;
  let bare: Host | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!chromiumPath) return;
    proxy = new TcpProxy();
    await proxy.listen();
    first = await startHost({ config, fake: { script } });
    proxy.target(Number(new URL(first.url).port));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(STEP_TIMEOUT);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => {
      pageErrors.push(`a dialog opened: ${dialog.message()}`);
      void dialog.dismiss();
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([first?.close(), second?.close(), bare?.close()]);
    await proxy?.close();
  });

  const decision = () => page.locator('#stream .decision').last();
  const tool = () => page.locator('#stream .tool').last();
  const runEnds = () => page.locator('#stream .run-end');
  const send = async (text: string) => {
    await poll(() => page.locator('#send-button').isEnabled()).toBe(true);
    await page.fill('#composer-input', text);
    await page.press('#composer-input', 'Enter');
  };

  it.skipIf(skipNoChromium)(`asks, allows, denies, cancels with a question pending; markdown; reload; restart; 390 px${skipNoChromium ? ` (SKIPPED: ${MISSING_CHROMIUM})` : ''}`, async () => {
    if (!chromiumPath || !first) throw new Error(MISSING_CHROMIUM);

    // ---- signed out: only the login box shows, never the app beside it ----
    await page.goto(`${proxy.url}/`);
    await poll(() => page.locator('#login').isVisible()).toBe(true);
    expect(await page.locator('#app').isVisible()).toBe(false);
    await page.screenshot({ path: screenshotPath('panel-login') });
    await page.fill('#token-input', TOKEN);
    await page.click('#token-form button');
    await poll(() => page.locator('#app').isVisible()).toBe(true);
    expect(await page.locator('#login').isVisible()).toBe(false);
    await poll(() => page.locator('#connection').textContent()).toBe('live');
    // The favicon is served (no 404 in the console).
    expect((await page.request.get(`${proxy.url}/favicon.ico`)).status()).toBe(200);

    // ---- create an ACP demo Worker (policy ask) and ask it to write ----
    await page.selectOption('#profile-select', 'demo');
    expect(await page.locator('#profile-select option[value=demo]').textContent()).toContain('(acp)');
    await page.fill('#display-name', 'notes writer');
    await page.click('#create-button');
    await poll(() => page.locator('#create-outcome').getAttribute('data-reason')).toBe('created');
    await poll(() => page.locator('#worker-state').textContent()).toBe('idle');
    const workerUrl = page.url();
    expect(workerUrl).toMatch(/#\/w\/w-/);
    await send('please write the notes');

    // The decision card: the offered options as buttons; the Worker needs a person.
    await poll(() => decision().locator('button[data-option-id=allow]').isEnabled()).toBe(true);
    expect(await decision().locator('.title').textContent()).toBe('Edit notes.md (pretend)');
    expect(await decision().locator('button').allTextContents()).toEqual(['Allow once', 'Reject']);
    expect(await page.locator('#worker-state').textContent()).toBe('needs you');
    expect(await page.locator('#worker-list li.selected .badge').textContent()).toBe('needs you');
    expect(await page.locator('#send-button').isDisabled()).toBe(true);
    expect(await page.locator('#cancel-button').isEnabled()).toBe(true);
    expect(await tool().locator('.status').textContent()).toBe('running');
    await page.screenshot({ path: screenshotPath('panel-decision') });

    // ---- allow: the tool card shows its output and the diff, the turn finishes ----
    await decision().locator('button[data-option-id=allow]').click();
    await poll(() => decision().getAttribute('data-outcome')).toBe('allowed');
    expect(await decision().getAttribute('data-decided-by')).toBe('person');
    expect(await decision().locator('.result').textContent()).toMatch(/Allowed \(Allow once\) · decided by a person/);
    await poll(() => tool().locator('.status').textContent()).toBe('completed');
    expect(await tool().locator('.output').textContent()).toContain('notes.md: 1 line added');
    expect(await tool().locator('.diff .add').allTextContents()).toEqual(['- a line the demo agent wrote']);
    await poll(() => runEnds().count()).toBe(1);
    expect(await runEnds().last().textContent()).toMatch(/^Run finished · /);
    expect(await page.locator('#stream .assistant').last().locator('strong').textContent()).toBe('allowed');
    // Usage as the agent reports it (ACP: context tokens of the context window).
    expect(await page.locator('#worker-meta').textContent()).toMatch(/context \d+ \/ 100k/);
    await page.screenshot({ path: screenshotPath('panel-allowed') });

    // ---- a second run: the person denies ----
    await send('write it again');
    await poll(() => decision().locator('button[data-option-id=reject]').isEnabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('panel-flow') });
    await decision().locator('button[data-option-id=reject]').click();
    await poll(() => decision().getAttribute('data-outcome')).toBe('rejected');
    await poll(() => tool().locator('.status').textContent()).toBe('failed');
    await poll(() => runEnds().count()).toBe(2);
    expect(await page.locator('#stream .assistant').last().textContent()).toContain('not allowed');

    // ---- a cancel while a question is pending: answered cancelled, the run reads cancelled ----
    await send('write once more');
    await poll(() => decision().locator('button[data-option-id=allow]').isEnabled()).toBe(true);
    await page.click('#cancel-button');
    await poll(() => decision().getAttribute('data-outcome')).toBe('cancelled');
    expect(await decision().getAttribute('data-decided-by')).toBe('cancelled');
    expect(await decision().locator('button:visible').count()).toBe(0);
    await poll(() => runEnds().count()).toBe(3);
    expect(await runEnds().last().getAttribute('data-result')).toBe('cancelled');
    await poll(() => page.locator('#worker-state').textContent()).toBe('idle');
    expect(await page.locator('#cancel-button').isDisabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('panel-cancelled'), fullPage: true });

    // ---- a reload keeps the selected Worker, and its transcript comes back from the stream ----
    await page.reload();
    await poll(() => page.locator('#worker-title').textContent()).toBe('notes writer');
    expect(page.url()).toBe(workerUrl);
    await poll(() => page.locator('#stream .decision').count()).toBe(3);
    expect(await page.locator('#stream .decision').evaluateAll((cards) => cards.map((c) => (c as unknown as { dataset: { outcome?: string } }).dataset.outcome))).toEqual(['allowed', 'rejected', 'cancelled']);
    expect(await page.locator('#stream .decision button:enabled').count()).toBe(0);

    // ---- markdown, rendered safely (fake backend): no HTML from agent text, no javascript: link ----
    await page.selectOption('#profile-select', 'fake');
    await page.click('#create-button');
    await poll(() => page.locator('#worker-list li').count()).toBe(2);
    await poll(() => page.locator('#worker-state').textContent()).toBe('idle');
    await send('findings please #md');
    const reply = page.locator('#stream .assistant').last();
    await poll(() => reply.locator('h2').textContent()).toBe('Findings');
    expect(await reply.locator('strong').textContent()).toBe('bold');
    expect(await reply.locator('pre code').textContent()).toBe('const answer = 42;\n');
    expect(await reply.locator('a').evaluateAll((links) => links.map((a) => [a.getAttribute('href'), a.getAttribute('target'), a.getAttribute('rel')]))).toEqual([
      ['https://example.com/docs', '_blank', 'noopener noreferrer nofollow'],
    ]);
    expect(await page.locator('#stream img, #stream script').count()).toBe(0);
    expect(await reply.textContent()).toContain('<img src=x onerror="window.__xss=1">');
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    await poll(() => page.locator('#worker-meta').textContent()).toContain('tokens 12 in · 34 out');
    await page.screenshot({ path: screenshotPath('panel-markdown') });

    // ---- "new Worker like this", stop, remove ----
    await page.goto(workerUrl);
    await poll(() => page.locator('#worker-title').textContent()).toBe('notes writer');
    await page.click('#clone-button');
    await poll(() => page.locator('#worker-list li').count()).toBe(3);
    await poll(() => page.url()).not.toBe(workerUrl);
    expect(await page.locator('#worker-title').textContent()).toBe('notes writer');
    expect(await page.locator('#worker-list li.selected .sub').textContent()).toMatch(/ · demo$/);
    await poll(() => page.locator('#worker-state').textContent()).toBe('idle');
    await page.click('#stop-button');
    await poll(() => page.locator('#worker-state').textContent()).toBe('stopped');
    await page.click('#remove-button');
    await poll(() => page.locator('#worker-list li').count()).toBe(2);

    // ---- phone width: one column, no horizontal scroll, list and Worker each a screen ----
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(workerUrl);
    await poll(() => page.locator('#worker-title').textContent()).toBe('notes writer');
    const overflow = () => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(await overflow()).toBe(0);
    expect(await page.locator('#sidebar').isVisible()).toBe(false);
    await page.screenshot({ path: screenshotPath('panel-390-worker'), fullPage: true });
    await page.click('#back-link');
    await poll(() => page.locator('#sidebar').isVisible()).toBe(true);
    expect(await overflow()).toBe(0);
    await page.screenshot({ path: screenshotPath('panel-390-list'), fullPage: true });
    await page.goto(workerUrl);
    await poll(() => page.locator('#worker-title').textContent()).toBe('notes writer');
    await page.setViewportSize({ width: 1280, height: 900 });

    // ---- the host goes away: a clear banner; another host takes its place: restarted, ghosts gone ----
    proxy.target(null);
    await poll(() => page.locator('#host-banner[data-kind=unreachable]').isVisible()).toBe(true);
    expect(await page.locator('#connection').textContent()).toBe('host unreachable');
    await first.close();
    first = undefined;
    second = await startHost({ config, fake: { script } });
    proxy.target(Number(new URL(second.url).port));
    await poll(() => page.locator('#host-banner[data-kind=restarted]').isVisible()).toBe(true);
    await poll(() => page.locator('#connection').textContent()).toBe('live');
    await poll(() => page.locator('#worker-list li').count()).toBe(0);
    await poll(() => page.locator('#stream-notice').textContent()).toContain('not on the host any more');
    expect(await page.locator('#composer-input').isDisabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('panel-restarted') });
    // The new host works from the same page.
    await page.click('#back-link').catch(() => undefined);
    await page.goto(`${proxy.url}/#/`);
    await page.selectOption('#profile-select', 'fake');
    await page.click('#create-button');
    await poll(() => page.locator('#worker-list li').count()).toBe(1);

    // ---- the embedded defaults (no backend): the first screen says what to start instead ----
    bare = createHost({ listen: { host: '127.0.0.1', port: 0 }, token: TOKEN, log: { level: 'warn' } }, { logStream: { write: () => undefined } });
    proxy.target(Number(new URL(await bare.listen()).port));
    await page.goto(`${proxy.url}/#/`);
    await page.reload();
    await poll(() => page.locator('#welcome [data-kind=no-backend]').isVisible()).toBe(true);
    expect(await page.locator('#welcome').textContent()).toContain('npm start -- --config examples/host-acp-demo.json');
    expect(await page.locator('#create-button').isDisabled()).toBe(true);
    expect(await page.locator('#profile-hint').isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('panel-first-screen') });

    expect(pageErrors, 'uncaught errors or dialogs in the page').toEqual([]);
  }, 180_000);
});
