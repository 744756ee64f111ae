import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_OVERHEAD_BYTES } from '../../src/adapters/memoryBus/observationCost.js';
import { RuntimeSummarySchema } from '../../src/host/httpSchemas.js';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';

/** The host's memory budget (`bus.budgetBytes`): reported by GET /v1/runtime, enforced across Workers. */
const delta = (i: number) => ({ event: 'text_delta', data: { text: `${i}`.padEnd(200, '.') } });
const COST = JSON.stringify(delta(0)).length + ENTRY_OVERHEAD_BYTES;
const BUDGET = COST * 10;

let h: HostFixture;
beforeAll(async () => {
  h = await startHost({ config: { bus: { kind: 'memory', budgetBytes: BUDGET } } });
});
afterAll(() => h.close());

async function firstSseFrame(path: string): Promise<{ event: string; data: any }> {
  const controller = new AbortController();
  const response = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: controller.signal });
  expect(response.status).toBe(200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!/\ndata: .*\n/.test(`\n${text}`)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  controller.abort();
  const match = /(?:^|\n)event: (\w+)\ndata: (.*)\n/.exec(text);
  expect(match, text).not.toBeNull();
  return { event: match![1]!, data: JSON.parse(match![2]!) };
}

describe('the memory budget over HTTP', () => {
  it('GET /v1/runtime reports it; evicted cursors get expired and the transcript says incomplete', async () => {
    for (const workerId of ['old', 'new']) expect((await h.call('POST', '/v1/workers', { workerId, profile: 'fake' })).status).toBe(201);
    const initial = await h.call('GET', '/v1/runtime');
    expect(initial.status).toBe(200);
    expect(RuntimeSummarySchema.parse(initial.body).observationBudget).toEqual({ budgetBytes: BUDGET, retainedBytes: 0, retainedObservations: 0, evictedObservations: 0 });

    const first = await h.fake.publish('old', delta(0));
    await h.fake.publish('old', delta(1));
    if (!first.ok) throw new Error(first.message);
    for (let i = 0; i < 10; i++) expect((await h.fake.publish('new', delta(i))).ok).toBe(true);

    const { body } = await h.call('GET', '/v1/runtime');
    expect(body.observationBudget).toEqual({ budgetBytes: BUDGET, retainedBytes: BUDGET, retainedObservations: 10, evictedObservations: 2 });
    expect((await h.call('GET', '/v1/workers/old/transcript')).body).toEqual({ entries: [], complete: false });
    expect((await h.call('GET', '/v1/workers/new/transcript')).body).toMatchObject({ complete: true });

    const frame = await firstSseFrame(`/v1/workers/old/events?after=${encodeURIComponent(first.cursor)}`);
    expect(frame.event).toBe('expired');
    expect(frame.data).toMatchObject({ type: 'expired', requested: first.cursor });
  });
});
