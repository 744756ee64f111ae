import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../src/testing/index.js';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';

/**
 * The queue over HTTP: 202 `outcome: queued` with the submission id and position, the queue and a
 * submission read back, cancel by DELETE, the statuses of every refusal, idempotency, and the
 * lifecycle stream's queue changes. Every reply is checked against the served OpenAPI document.
 */
let h: HostFixture;
let doc: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };
const ajv = new Ajv2020({ strict: false, allErrors: true });

beforeAll(async () => {
  h = await startHost({
    config: {
      profiles: {
        fake: { backend: 'fake' },
        queued: { backend: 'fake', busy: { policy: 'enqueue', queueLimit: 2, allow: ['interrupt'] } },
        none: { backend: null },
      },
    },
  });
  doc = (await h.call('GET', '/v1/openapi.json')).body;
});
afterAll(() => h.close());

/** Calls the host and checks the reply against the document (status listed, body valid). */
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await h.call(method, path, body);
  const template = Object.keys(doc.paths).find((t) => new RegExp(`^${t.replace(/\{\w+\}/g, '[^/]+')}$`).test(path.split('?')[0]!) && doc.paths[t]![method.toLowerCase()]);
  expect(template, `${method} ${path} is documented`).toBeDefined();
  const documented = doc.paths[template!]![method.toLowerCase()]!.responses[String(response.status)];
  expect(documented, `${method} ${template} answered ${response.status}, not documented`).toBeDefined();
  const valid = ajv.validate(documented!.content!['application/json']!.schema, response.body);
  expect(valid, `${method} ${template} ${response.status}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
  return response;
}

describe('the input queue over HTTP', () => {
  it('202 queued with submission id and position; the queue, a submission, cancel; refusals with their statuses', async () => {
    await call('POST', '/v1/workers', { workerId: 'q', profile: 'queued' });
    const worker = (await call('GET', '/v1/workers/q')).body.worker;
    expect(worker.queue).toEqual({ length: 0, busyPolicy: 'enqueue' });
    const profiles = (await call('GET', '/v1/runtime')).body.profiles;
    expect(profiles.find((p: { name: string }) => p.name === 'queued')).toMatchObject({ busyPolicy: 'enqueue', busyPolicies: ['reject', 'enqueue', 'interrupt'] });
    expect(profiles.find((p: { name: string }) => p.name === 'fake')).toMatchObject({ busyPolicy: 'reject', busyPolicies: ['reject'] });

    expect((await call('POST', '/v1/workers/q/input', { kind: 'user', content: 'run #hold' })).body.result).toMatchObject({ outcome: 'accepted', reason: 'committed' });
    const first = await call('POST', '/v1/workers/q/input', { kind: 'user', content: 'first queued' });
    expect(first.status).toBe(202);
    expect(first.body.result).toMatchObject({ operation: 'input', outcome: 'queued', reason: 'enqueued', position: 1, state: 'busy' });
    const id = first.body.result.submissionId as string;
    const second = await call('POST', '/v1/workers/q/input', { kind: 'notify', message: 'second queued' });
    expect(second.body.result).toMatchObject({ outcome: 'queued', position: 2 });

    const full = await call('POST', '/v1/workers/q/input', { kind: 'user', content: 'no room' });
    expect([full.status, full.body.error.code, full.body.result.outcome]).toEqual([409, 'queue_full', 'busy']);
    expect((await call('POST', '/v1/workers/ghost/input', { kind: 'user', content: 'x', busyPolicy: 'enqueue' })).status).toBe(404);
    const invalid = await call('POST', '/v1/workers/q/input', { kind: 'user', content: 'x', busyPolicy: 'later' });
    expect([invalid.status, invalid.body.error.code]).toEqual([400, 'invalid_request']);

    const queue = (await call('GET', '/v1/workers/q/queue')).body.queue;
    expect(queue).toMatchObject({ workerId: 'q', busyPolicy: 'enqueue', queueLimit: 2, maxAgeMs: null, durable: false });
    expect(queue.entries.map((e: { submissionId: string; position: number; state: string }) => [e.submissionId, e.position, e.state])).toEqual([
      [id, 1, 'queued'],
      [second.body.result.submissionId, 2, 'queued'],
    ]);
    expect(queue.entries[1].input).toEqual({ kind: 'notify', message: 'second queued' });
    expect((await call('GET', `/v1/workers/q/queue/${id}`)).body.submission).toMatchObject({ submissionId: id, status: 'queued', position: 1 });
    expect((await call('GET', '/v1/workers/q')).body.worker.queue.length).toBe(2);

    const cancelled = await call('DELETE', `/v1/workers/q/queue/${id}`);
    expect([cancelled.status, cancelled.body.result.reason]).toEqual([202, 'cancelled']);
    const again = await call('DELETE', `/v1/workers/q/queue/${id}`);
    expect([again.status, again.body.error.code]).toEqual([409, 'submission_settled']);
    const unknown = await call('DELETE', '/v1/workers/q/queue/no-such-submission');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'submission_not_found']);
    expect((await call('GET', '/v1/workers/q/queue/no-such-submission')).status).toBe(404);
    expect((await call('GET', `/v1/workers/q/queue/${id}`)).body.submission).toMatchObject({ status: 'settled', settlement: { outcome: 'cancelled', reason: 'cancelled' } });
    expect((await call('GET', '/v1/workers/ghost/queue')).body.error.code).toBe('worker_not_found');
    expect((await call('GET', '/v1/workers/q/queue/bad%20id')).status).toBe(400);
    expect((await call('DELETE', '/v1/workers/ghost/queue/x')).status).toBe(404);

    await h.fake.finishRun('q');
    expect(await eventually(() => h.host.runtime.get('q')?.queue.length === 0 && h.host.runtime.get('q')?.state === 'idle')).toBe(true);
    expect((await call('GET', `/v1/workers/q/queue/${second.body.result.submissionId}`)).body.submission).toMatchObject({ status: 'settled', settlement: { outcome: 'committed' } });
  });

  it('per request: a profile that does not allow a policy answers 409 policy_not_allowed; interrupt where allowed', async () => {
    await call('POST', '/v1/workers', { workerId: 'plain', profile: 'fake' });
    await call('POST', '/v1/workers/plain/input', { kind: 'user', content: '#hold' });
    const refused = await call('POST', '/v1/workers/plain/input', { kind: 'user', content: 'queue me', busyPolicy: 'enqueue' });
    expect([refused.status, refused.body.error.code, refused.body.result.outcome]).toEqual([409, 'policy_not_allowed', 'rejected']);
    const busy = await call('POST', '/v1/workers/plain/input', { kind: 'user', content: 'busy' });
    expect([busy.status, busy.body.error.code]).toEqual([409, 'run_in_flight']);

    await call('POST', '/v1/workers', { workerId: 'int', profile: 'queued' });
    await call('POST', '/v1/workers/int/input', { kind: 'user', content: '#hold long run' });
    const interrupt = await call('POST', '/v1/workers/int/input', { kind: 'user', content: 'instead', busyPolicy: 'interrupt' });
    expect([interrupt.status, interrupt.body.result.outcome, interrupt.body.result.reason, interrupt.body.result.position]).toEqual([202, 'queued', 'interrupting', 1]);
    expect(await eventually(() => h.fake.dispatches.filter((d) => d.workerId === 'int').length === 2)).toBe(true);
  });

  it('an idempotency key covers a queued input: a repeat answers the same queued result, nothing is queued twice', async () => {
    await call('POST', '/v1/workers', { workerId: 'idem', profile: 'queued' });
    await call('POST', '/v1/workers/idem/input', { kind: 'user', content: '#hold' });
    const body = { kind: 'user', content: 'exactly once', idempotencyKey: 'k-42' };
    const [a, b] = await Promise.all([call('POST', '/v1/workers/idem/input', body), call('POST', '/v1/workers/idem/input', body)]);
    const c = await call('POST', '/v1/workers/idem/input', body);
    expect(a.body.result).toMatchObject({ outcome: 'queued' });
    expect(b.body).toEqual(a.body);
    expect(c.body).toEqual(a.body);
    expect((await call('GET', '/v1/workers/idem/queue')).body.queue.entries).toHaveLength(1);
    const conflict = await call('POST', '/v1/workers/idem/input', { ...body, content: 'something else' });
    expect([conflict.status, conflict.body.error.code]).toEqual([409, 'idempotency_conflict']);
  });

  it('the lifecycle stream carries input_queued and input_settled with the projection', async () => {
    await call('POST', '/v1/workers', { workerId: 'life', profile: 'queued' });
    await call('POST', '/v1/workers/life/input', { kind: 'user', content: '#hold' });
    const controller = new AbortController();
    const response = await fetch(`${h.url}/v1/events`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: controller.signal });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const read = async (until: () => boolean) => {
      while (!until()) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
    };
    await read(() => text.includes('"type":"workers"'));
    const queued = await call('POST', '/v1/workers/life/input', { kind: 'user', content: 'later' });
    await call('DELETE', `/v1/workers/life/queue/${queued.body.result.submissionId}`);
    await read(() => text.includes('input_settled'));
    controller.abort();
    const frames = [...text.matchAll(/data: (.*)\n/g)].map((m) => JSON.parse(m[1]!));
    const schema = doc.paths['/v1/events']!.get!.responses['200']!.content!['text/event-stream']!.schema;
    for (const frame of frames) expect(ajv.validate(schema, frame), ajv.errorsText(ajv.errors)).toBe(true);
    const changes = frames.filter((f) => f.type === 'lifecycle' && f.change.type.startsWith('input_')).map((f) => f.change);
    expect(changes.map((c) => [c.type, c.worker.workerId, c.worker.queue.length])).toEqual([
      ['input_queued', 'life', 1],
      ['input_settled', 'life', 0],
    ]);
    expect(changes[0].entry).toMatchObject({ submissionId: queued.body.result.submissionId, position: 1 });
    expect(changes[1].settlement).toMatchObject({ outcome: 'cancelled', reason: 'cancelled' });
  });
});
