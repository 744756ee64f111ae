import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../src/testing/index.js';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';

/**
 * The decision route over HTTP (`POST /v1/workers/:id/decisions/:decisionId` `{ optionId }`): the typed
 * result with the host's statuses, the pending decision on the projection and on the lifecycle stream,
 * the backend's question and answer on the Worker's event stream, and nothing internal in any of them.
 */
let h: HostFixture;
beforeAll(async () => {
  h = await startHost();
});
afterAll(() => h.close());

/** The first `count` SSE messages of a stream (event name and JSON data). */
async function sse(path: string, until: (messages: { event: string; data: any }[]) => boolean): Promise<{ event: string; data: any }[]> {
  const controller = new AbortController();
  const response = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const messages: { event: string; data: any }[] = [];
  let buffer = '';
  const deadline = Date.now() + 10_000;
  while (!until(messages) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) messages.push({ event, data: JSON.parse(data) });
    }
  }
  controller.abort();
  return messages;
}

async function asking(workerId: string): Promise<string> {
  expect((await h.call('POST', '/v1/workers', { workerId, profile: 'fake' })).status).toBe(201);
  expect((await h.call('POST', `/v1/workers/${workerId}/input`, { kind: 'user', content: 'edit #ask' })).status).toBe(202);
  expect(await eventually(() => h.host.runtime.get(workerId)?.state === 'requires_action')).toBe(true);
  return h.host.runtime.get(workerId)!.pendingDecisions[0]!.id;
}

describe('POST /v1/workers/:id/decisions/:decisionId', () => {
  it('answers with the typed result and the host statuses: 202, 409, 400, 404, 501', async () => {
    const id = await asking('a');
    const worker = await h.call('GET', '/v1/workers/a');
    expect(worker.body.worker).toMatchObject({ state: 'requires_action', pendingDecisions: [{ id, options: [{ id: 'allow' }, { id: 'reject' }] }] });
    const decide = (workerId: string, decisionId: string, body: unknown) => h.call('POST', `/v1/workers/${workerId}/decisions/${decisionId}`, body);
    const wrong = await decide('a', id, { optionId: 'everything' });
    expect([wrong.status, wrong.body.result.reason]).toEqual([409, 'option_not_offered']);
    const accepted = await decide('a', id, { optionId: 'allow' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ result: { operation: 'decide', outcome: 'accepted', reason: 'decided', state: expect.any(String) } });
    const again = await decide('a', id, { optionId: 'allow' });
    expect([again.status, again.body.result.reason, again.body.error.code]).toEqual([409, 'decision_answered', 'decision_answered']);
    const unknown = await decide('a', 'no-such-decision', { optionId: 'allow' });
    expect([unknown.status, unknown.body.result.reason]).toEqual([409, 'decision_not_found']);
    for (const [body, what] of [[{}, 'optionId'], [{ optionId: 'allow', extra: 1 }, 'extra'], [undefined, 'JSON body']] as const) {
      const bad = await decide('a', id, body);
      expect([bad.status, bad.body.result.reason], JSON.stringify(body)).toEqual([400, 'invalid_request']);
      expect(bad.body.error.message).toContain(what === 'extra' ? '' : what);
    }
    expect((await decide('a', 'not an id', { optionId: 'allow' })).status).toBe(400);
    expect((await decide('ghost', id, { optionId: 'allow' })).status).toBe(404);
    await h.call('POST', '/v1/workers', { workerId: 'lim', profile: 'limited' });
    const unsupported = await decide('lim', id, { optionId: 'allow' });
    expect([unsupported.status, unsupported.body.result.outcome]).toEqual([501, 'unsupported']);
    expect(h.fake.answers.filter((a) => a.workerId === 'a')).toHaveLength(1);
  });

  it('the lifecycle stream carries the pending decision; the event stream the backend question and who answered', async () => {
    const lifecycle = sse('/v1/events', (messages) => messages.some((m) => m.event === 'lifecycle' && m.data.change.worker.state === 'requires_action'));
    const id = await asking('b');
    const changes = await lifecycle;
    const waiting = changes.find((m) => m.event === 'lifecycle' && m.data.change.worker.state === 'requires_action')!;
    expect(waiting.data.change.worker.pendingDecisions).toEqual([expect.objectContaining({ id, title: 'Edit notes.md (fake)', toolKind: 'edit' })]);
    await h.call('POST', `/v1/workers/b/decisions/${id}`, { optionId: 'reject' });
    const events = await sse('/v1/workers/b/events', (messages) => messages.some((m) => m.data.event?.event === 'run_end'));
    const named = (name: string) => events.filter((m) => m.data.event?.event === name).map((m) => m.data.event.data);
    expect(named('permission_request')).toEqual([expect.objectContaining({ decision_id: id })]);
    expect(named('permission_resolved')).toEqual([expect.objectContaining({ decision_id: id, decided_by: 'person', option_id: 'reject' })]);
  });

  it('nothing internal of a question reaches a browser: titles, option names and ids are sanitised', async () => {
    await h.call('POST', '/v1/workers', { workerId: 'c', profile: 'fake' });
    const asked = await h.fake.ask('c', {
      title: 'Run /srv/host/secret-dir/tool.sh with API_KEY=sk-live-abcdefghijklmnop',
      toolKind: 'Totally/../Odd',
      toolCallId: '/var/run/agent.sock',
      options: [
        { id: 'allow', name: 'Allow token ghp_abcdefghijklmnopqrstuvwxyz123456', kind: 'allow_once' },
        { id: '/home/alice/.ssh', name: 'Reject', kind: 'reject_once' },
      ],
    });
    expect(asked.ok).toBe(true);
    const bodies = [JSON.stringify((await h.call('GET', '/v1/workers/c')).body), JSON.stringify((await h.call('GET', '/v1/workers')).body)];
    for (const body of bodies) expect(body).not.toMatch(/secret-dir|sk-live|ghp_|alice|agent\.sock|API_KEY=/);
    expect((await h.call('GET', '/v1/workers/c')).body.worker.pendingDecisions[0]).toMatchObject({
      toolKind: 'other',
      toolCallId: null,
      options: [{ id: 'allow' }, { id: 'option-2', name: 'Reject' }],
    });
  });
});
