import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CreateWorkerResponseSchema,
  ErrorBodySchema,
  ResultBodySchema,
  RuntimeSummarySchema,
  TranscriptBodySchema,
  WorkerBodySchema,
  WorkersBodySchema,
} from '../../src/host/httpSchemas.js';
import { eventually } from '../../src/testing/index.js';
import { startHost, type HostFixture } from '../support/hostFixture.js';

describe('host HTTP API over a real socket', () => {
  let h: HostFixture;
  beforeEach(async () => {
    h = await startHost({ config: { runtime: { deadlines: { stopMs: 100, dispatchMs: 200 } } } });
  });
  afterEach(async () => {
    await h.close();
  });

  const create = async (workerId: string, profile = 'fake') => h.call('POST', '/v1/workers', { workerId, profile });

  it('GET /healthz needs no token', async () => {
    const response = await fetch(`${h.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('GET /v1/runtime summarises the runtime and its profiles', async () => {
    await create('a');
    const { status, body } = await h.call('GET', '/v1/runtime');
    expect(status).toBe(200);
    expect(RuntimeSummarySchema.parse(body)).toMatchObject({ state: 'running', workers: { total: 1, byState: { idle: 1 } } });
    expect(body.profiles.map((p: { name: string; available: boolean }) => [p.name, p.available])).toEqual(
      expect.arrayContaining([
        ['fake', true],
        ['none', false],
      ]),
    );
  });

  it('POST /v1/workers: 201 created, 200 on an identical repeat, 409 for another profile, 400 for bad input', async () => {
    const first = await create('w1');
    expect(first.status).toBe(201);
    expect(CreateWorkerResponseSchema.parse(first.body)).toMatchObject({ worker: { workerId: 'w1', state: 'idle' }, result: { reason: 'created' } });
    const again = await create('w1');
    expect([again.status, again.body.result.reason, again.body.worker.workerId]).toEqual([200, 'already_exists', 'w1']);
    const conflict = await create('w1', 'none');
    expect(conflict.status).toBe(409);
    expect(ErrorBodySchema.parse(conflict.body)).toMatchObject({ error: { code: 'create_conflict' }, result: { outcome: 'rejected' } });
    expect((await create('w2', 'no-such-profile')).status).toBe(400);
    expect((await h.call('POST', '/v1/workers', { profile: 'fake', extra: 1 })).status).toBe(400);
  });

  it('POST /v1/workers with no backend creates an unavailable placeholder and says so', async () => {
    const { status, body } = await create('off', 'none');
    expect(status).toBe(201);
    expect(body).toMatchObject({
      worker: { state: 'unavailable', diagnostic: { code: 'backend_not_configured' } },
      result: { outcome: 'rejected', reason: 'execution_unavailable' },
    });
  });

  it('POST /v1/workers with initialInput submits it after a successful create', async () => {
    const { status, body } = await h.call('POST', '/v1/workers', { workerId: 'i', profile: 'fake', initialInput: { content: 'hi' } });
    expect(status).toBe(201);
    expect(body.inputResult).toMatchObject({ outcome: 'accepted', reason: 'committed' });
    expect(h.fake.dispatches).toHaveLength(1);
  });

  it('GET /v1/workers and /v1/workers/:id return projections; 404 unknown, 400 malformed id', async () => {
    await create('w1');
    const list = await h.call('GET', '/v1/workers');
    expect(WorkersBodySchema.parse(list.body).workers.map((w) => w.workerId)).toEqual(['w1']);
    const one = await h.call('GET', '/v1/workers/w1');
    expect(WorkerBodySchema.parse(one.body).worker.state).toBe('idle');
    expect((await h.call('GET', '/v1/workers/nobody')).status).toBe(404);
    expect((await h.call('GET', '/v1/workers/..%2Fetc')).status).toBe(400);
  });

  describe('input, stop and cancel: the typed result always in the body, status from the mapping', () => {
    it('accepted 202, busy 409, rejected 409, errored 502, invalid 400, unknown 404', async () => {
      await create('w');
      await create('off', 'none');
      const accepted = await h.call('POST', '/v1/workers/w/input', { kind: 'user', content: 'a run #hold' });
      expect([accepted.status, ResultBodySchema.parse(accepted.body).result.reason]).toEqual([202, 'committed']);
      const busy = await h.call('POST', '/v1/workers/w/input', { kind: 'user', content: 'again' });
      expect([busy.status, busy.body.result.outcome, busy.body.result.reason, busy.body.error.code]).toEqual([409, 'busy', 'run_in_flight', 'run_in_flight']);
      const rejected = await h.call('POST', '/v1/workers/off/input', { kind: 'notify', message: 'hello?' });
      expect([rejected.status, rejected.body.result.outcome, rejected.body.result.reason]).toEqual([409, 'rejected', 'execution_unavailable']);
      expect(rejected.body.result.diagnostic.code).toBe('backend_not_configured');
      await h.call('POST', '/v1/workers/w/cancel');
      await eventually(() => h.host.runtime.get('w')?.state === 'idle');
      h.fake.once('dispatch', 'throw');
      const errored = await h.call('POST', '/v1/workers/w/input', { kind: 'user', segments: [{ kind: 'text', content: 'x' }] });
      expect([errored.status, errored.body.result.outcome, errored.body.result.reason]).toEqual([502, 'errored', 'backend_error']);
      for (const bad of [{ kind: 'user' }, { kind: 'user', content: '' }, { kind: 'weird', content: 'x' }, { kind: 'notify', segments: [] }, 'nope']) {
        const response = await h.call('POST', '/v1/workers/w/input', bad);
        expect(response.status).toBe(400);
        expect(ErrorBodySchema.parse(response.body).error.code).toBe('invalid_request');
      }
      expect((await h.call('POST', '/v1/workers/ghost/input', { kind: 'user', content: 'x' })).status).toBe(404);
    });

    it('an idempotency key repeats the first result and dispatches nothing new', async () => {
      await create('w');
      const body = { kind: 'user', content: 'once', idempotencyKey: 'k-1' };
      const [a, b] = await Promise.all([h.call('POST', '/v1/workers/w/input', body), h.call('POST', '/v1/workers/w/input', body)]);
      const c = await h.call('POST', '/v1/workers/w/input', body);
      expect(a.body.result.submissionId).toBeDefined();
      expect(b.body).toEqual(a.body);
      expect(c.body).toEqual(a.body);
      expect(h.fake.dispatches).toHaveLength(1);
    });

    it('the same idempotency key with another input is a typed 409 idempotency_conflict, and dispatches nothing', async () => {
      await create('w');
      const first = await h.call('POST', '/v1/workers/w/input', { kind: 'user', content: 'once', idempotencyKey: 'k-2' });
      expect(first.status).toBe(202);
      await eventually(() => h.host.runtime.get('w')?.state === 'idle');
      for (const other of [
        { kind: 'user', content: 'twice', idempotencyKey: 'k-2' },
        { kind: 'user', segments: [{ kind: 'text', content: 'once' }, { kind: 'text', content: 'more' }], idempotencyKey: 'k-2' },
        { kind: 'notify', message: 'once', idempotencyKey: 'k-2' },
      ]) {
        const conflict = await h.call('POST', '/v1/workers/w/input', other);
        expect([conflict.status, conflict.body.error.code]).toEqual([409, 'idempotency_conflict']);
        expect(ErrorBodySchema.parse(conflict.body).result).toMatchObject({ operation: 'input', outcome: 'rejected', reason: 'idempotency_conflict', state: 'idle' });
      }
      // The same input in another key order and as its one-segment form is the same input.
      const same = await h.call('POST', '/v1/workers/w/input', { idempotencyKey: 'k-2', content: 'once', kind: 'user' });
      expect(same.body).toEqual(first.body);
      expect(h.fake.dispatches).toHaveLength(1);
    });

    it('a keyed input that committed nothing (busy, unknown Worker) is not remembered: a retry is a new try', async () => {
      await create('w');
      await h.call('POST', '/v1/workers/w/input', { kind: 'user', content: 'a run #hold' });
      const busy = await h.call('POST', '/v1/workers/w/input', { kind: 'user', content: 'later', idempotencyKey: 'retry-1' });
      expect(busy.body.result.outcome).toBe('busy');
      await h.call('POST', '/v1/workers/w/cancel');
      await eventually(() => h.host.runtime.get('w')?.state === 'idle');
      const retried = await h.call('POST', '/v1/workers/w/input', { kind: 'user', content: 'later', idempotencyKey: 'retry-1' });
      expect([retried.status, retried.body.result.reason]).toEqual([202, 'committed']);
      expect((await h.call('POST', '/v1/workers/ghost/input', { kind: 'user', content: 'x', idempotencyKey: 'retry-2' })).status).toBe(404);
      await create('ghost');
      expect((await h.call('POST', '/v1/workers/ghost/input', { kind: 'user', content: 'x', idempotencyKey: 'retry-2' })).status).toBe(202);
    });

    it('notify takes message (the library shape); the old content field is a clear 400', async () => {
      await create('w');
      const ok = await h.call('POST', '/v1/workers/w/input', { kind: 'notify', message: 'heads up', autoRun: false });
      expect([ok.status, ok.body.result.reason]).toEqual([202, 'committed']);
      expect(h.fake.dispatches.at(-1)?.input).toEqual({ kind: 'notify', message: 'heads up', autoRun: false });
      await eventually(() => h.host.runtime.get('w')?.state === 'idle');
      const old = await h.call('POST', '/v1/workers/w/input', { kind: 'notify', content: 'heads up' });
      expect([old.status, old.body.error.code]).toEqual([400, 'invalid_request']);
      expect(old.body.error.message).toBe('notify takes `message` (the field was renamed from `content`)');
      const created = await h.call('POST', '/v1/workers', { workerId: 'n', profile: 'fake', initialInput: { kind: 'notify', message: 'hello' } });
      expect(created.body.inputResult).toMatchObject({ reason: 'committed' });
      const oldInitial = await h.call('POST', '/v1/workers', { workerId: 'n2', profile: 'fake', initialInput: { kind: 'notify', content: 'hello' } });
      expect([oldInitial.status, oldInitial.body.error.message]).toEqual([400, 'initialInput: notify takes `message` (the field was renamed from `content`)']);
    });

    it('stop 202, stop on a stopped Worker 202 already_stopped, unsupported 501, stop timeout 502', async () => {
      await create('w');
      await create('lim', 'limited');
      await create('hang');
      const stopped = await h.call('POST', '/v1/workers/w/stop');
      expect([stopped.status, stopped.body.result.reason, stopped.body.result.state]).toEqual([202, 'stopped', 'stopped']);
      expect((await h.call('POST', '/v1/workers/w/stop')).body.result.reason).toBe('already_stopped');
      const unsupported = await h.call('POST', '/v1/workers/lim/stop');
      expect([unsupported.status, unsupported.body.result.outcome, unsupported.body.result.state]).toEqual([501, 'unsupported', 'idle']);
      h.fake.once('stop', 'hang');
      const timeout = await h.call('POST', '/v1/workers/hang/stop');
      expect([timeout.status, timeout.body.result.reason]).toEqual([502, 'stop_timeout']);
    });

    it('cancel 202 during a run, 409 not_running when idle, 501 unsupported', async () => {
      await create('w');
      await create('lim', 'limited');
      expect((await h.call('POST', '/v1/workers/w/cancel')).body.result.reason).toBe('not_running');
      await h.call('POST', '/v1/workers/w/input', { kind: 'user', content: '#hold' });
      const cancelled = await h.call('POST', '/v1/workers/w/cancel');
      expect([cancelled.status, cancelled.body.result.reason]).toEqual([202, 'cancelled']);
      expect((await h.call('POST', '/v1/workers/lim/cancel')).status).toBe(501);
    });
  });

  it('DELETE removes a stopped Worker and refuses a live one', async () => {
    await create('w');
    expect((await h.call('DELETE', '/v1/workers/w')).body.result.reason).toBe('worker_live');
    await h.call('POST', '/v1/workers/w/stop');
    expect((await h.call('DELETE', '/v1/workers/w')).status).toBe(202);
    expect((await h.call('GET', '/v1/workers/w')).status).toBe(404);
  });

  it('GET transcript is derived from the stream; 404 for an unknown Worker', async () => {
    await create('w');
    await h.call('POST', '/v1/workers/w/input', { kind: 'user', content: 'hello' });
    await eventually(() => h.host.runtime.get('w')?.state === 'idle');
    const { status, body } = await h.call('GET', '/v1/workers/w/transcript');
    expect(status).toBe(200);
    expect(TranscriptBodySchema.parse(body).entries.map((e) => e.kind)).toEqual(['user', 'assistant', 'run_end']);
    expect((await h.call('GET', '/v1/workers/none/transcript')).status).toBe(404);
  });

  it('GET /v1/openapi.json is an OpenAPI 3.1 document of every route', async () => {
    const { status, body } = await h.call('GET', '/v1/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/v1/workers', '/v1/workers/{workerId}/input', '/v1/workers/{workerId}/events', '/v1/events', '/healthz']),
    );
    const input = body.paths['/v1/workers/{workerId}/input'].post.requestBody.content['application/json'].schema;
    expect(input.oneOf.map((s: { properties: { kind: { const: string } } }) => s.properties.kind.const)).toEqual(['user', 'notify']);
    expect(input.oneOf[1].required).toContain('message');
  });

  it('malformed requests get 4xx with the error body: bad JSON, wrong media type, oversized body, unknown route', async () => {
    const badJson = await h.call('POST', '/v1/workers', '{"profile":');
    expect([badJson.status, badJson.body.error.code]).toEqual([400, 'invalid_request']);
    const media = await h.call('POST', '/v1/workers', 'profile=fake', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(media.status).toBe(415);
    const huge = await h.call('POST', '/v1/workers/w/input', { kind: 'user', content: 'x'.repeat(600 * 1024) });
    expect([huge.status, huge.body.error.code]).toEqual([413, 'body_too_large']);
    const route = await h.call('GET', '/v1/nothing-here');
    expect([route.status, route.body.error.code]).toEqual([404, 'route_not_found']);
  });

  it('refuses cross-origin browser requests unless the origin is allow-listed', async () => {
    const foreign = await h.call('GET', '/v1/workers', undefined, { origin: 'https://evil.example' });
    expect([foreign.status, foreign.body.error.code]).toEqual([403, 'origin_not_allowed']);
    const same = await h.call('GET', '/v1/workers', undefined, { origin: h.url });
    expect(same.status).toBe(200);
    const other = await startHost({ config: { allowedOrigins: ['https://console.example.com'] } });
    try {
      expect((await other.call('GET', '/v1/workers', undefined, { origin: 'https://console.example.com' })).status).toBe(200);
      expect((await other.call('GET', '/v1/workers', undefined, { origin: 'https://other.example.com' })).status).toBe(403);
    } finally {
      await other.close();
    }
  });

  it('binds 127.0.0.1 by default', async () => {
    const { HostConfigSchema } = await import('../../src/host/hostConfig.js');
    expect(HostConfigSchema.parse({}).listen.host).toBe('127.0.0.1');
  });
});
