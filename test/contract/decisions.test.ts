import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { MemoryWorkerCatalog } from '../../src/adapters/memoryCatalog/memoryWorkerCatalog.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { textInput } from '../../src/domain/workerInput.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { WorkerCatalogPort } from '../../src/ports/workerCatalogPort.js';
import { eventually, FakeExecutionBackend, type FakeExecutionBackendOptions } from '../../src/testing/index.js';
import { fixture } from '../support/fixture.js';

/**
 * A person in the loop (contract rule 14): a backend asks through its context, the Worker waits in
 * `requires_action` with the question on its projection, and every question ends with exactly one
 * answer: a person's (`decide`), its deadline's, or a cancel or stop. Over the FAKE backend, whose
 * `#ask` run asks before a pretend edit (options `allow` / `reject`).
 */
async function asking(options: Parameters<typeof fixture>[0] = {}, input = 'edit the notes #ask') {
  const f = fixture(options);
  await f.runtime.create({ workerId: 'w', profile: 'fake' });
  expect((await f.runtime.submitInput('w', textInput(input))).outcome).toBe('accepted');
  expect(await eventually(() => f.runtime.get('w')?.state === 'requires_action')).toBe(true);
  const decision = f.runtime.get('w')!.pendingDecisions[0]!;
  return { ...f, decision };
}

const eventsOf = async (stored: (id: string) => Promise<readonly { event: { event: string; data?: Readonly<Record<string, unknown>> } }[]>, name: string) =>
  (await stored('w')).filter((o) => o.event.event === name).map((o) => o.event.data);

describe('a question for a person', () => {
  it('is listed browser-safe on the projection while the Worker is requires_action, and on the lifecycle feed', async () => {
    const f = fixture();
    await f.runtime.create({ workerId: 'w', profile: 'fake' });
    const feed = f.runtime.lifecycle();
    await f.runtime.submitInput('w', textInput('#ask'));
    expect(await eventually(() => f.runtime.get('w')?.state === 'requires_action')).toBe(true);
    const worker = f.runtime.get('w')!;
    expect(worker.pendingDecisions).toEqual([
      {
        id: expect.any(String),
        title: 'Edit notes.md (fake)',
        toolKind: 'edit',
        toolCallId: 'fake-edit-1',
        options: [
          { id: 'allow', name: 'Allow once', kind: 'allow_once' },
          { id: 'reject', name: 'Reject', kind: 'reject_once' },
        ],
        requestedAt: expect.any(Number),
        expiresAt: expect.any(Number),
      },
    ]);
    // The backend published the question, naming the Runtime's decision id; the Runtime published nothing.
    const [request] = await eventsOf(f.stored, 'permission_request');
    expect(request).toMatchObject({ id: 'fake-edit-1', decision_id: worker.pendingDecisions[0]!.id });
    const states: string[] = [];
    for await (const frame of feed) {
      if (frame.type !== 'lifecycle') continue;
      states.push(frame.change.worker.state);
      if (frame.change.worker.state === 'requires_action') {
        expect(frame.change.worker.pendingDecisions).toHaveLength(1);
        break;
      }
    }
    feed.close();
    expect(states).toContain('busy');
    // Input waits for the run: the Worker is not idle.
    expect(await f.runtime.submitInput('w', textInput('again'))).toMatchObject({ outcome: 'busy', reason: 'run_in_flight', state: 'requires_action' });
  });

  it('a person answers it once: accepted, delivered to the backend, the run goes on by the answer', async () => {
    const { runtime, fake, decision, stored } = await asking();
    expect(await runtime.decide('w', decision.id, 'allow')).toMatchObject({ operation: 'decide', outcome: 'accepted', reason: 'decided' });
    expect(runtime.get('w')?.pendingDecisions).toEqual([]);
    expect(await eventually(() => runtime.get('w')?.state === 'idle')).toBe(true);
    expect(fake.answers).toEqual([{ workerId: 'w', answer: { decisionId: decision.id, decidedBy: 'person', optionId: 'allow' } }]);
    expect(await eventsOf(stored, 'permission_resolved')).toEqual([
      expect.objectContaining({ decision_id: decision.id, decided_by: 'person', outcome: 'selected', option_id: 'allow' }),
    ]);
    expect(await eventsOf(stored, 'tool_result')).toEqual([expect.objectContaining({ is_error: false })]);
  });

  it('a second answer, racing or later, is rejected and never reaches the backend', async () => {
    const { runtime, fake, decision } = await asking();
    const racing = await Promise.all([runtime.decide('w', decision.id, 'allow'), runtime.decide('w', decision.id, 'reject')]);
    expect(racing.map((r) => r.reason)).toEqual(['decided', 'decision_answered']);
    expect(await runtime.decide('w', decision.id, 'reject')).toMatchObject({ outcome: 'rejected', reason: 'decision_answered' });
    expect(fake.answers).toHaveLength(1);
  });

  it('an unknown decision and an option not offered are rejected, the question stays open', async () => {
    const { runtime, fake, decision } = await asking();
    expect(await runtime.decide('w', 'no-such-decision', 'allow')).toMatchObject({ outcome: 'rejected', reason: 'decision_not_found', state: 'requires_action' });
    expect(await runtime.decide('w', decision.id, 'allow_everything')).toMatchObject({ outcome: 'rejected', reason: 'option_not_offered' });
    expect(await runtime.decide('w', decision.id, 42 as never)).toMatchObject({ outcome: 'rejected', reason: 'invalid_request' });
    expect(await runtime.decide('ghost', decision.id, 'allow')).toMatchObject({ outcome: 'rejected', reason: 'worker_not_found', state: null });
    expect(fake.answers).toEqual([]);
    expect(runtime.get('w')?.state).toBe('requires_action');
    expect((await runtime.decide('w', decision.id, 'reject')).reason).toBe('decided');
  });

  it('unanswered until its deadline: the backend answers with its fallback (reject), decided by timeout', async () => {
    const { runtime, fake, decision, stored } = await asking({}, 'edit #ask:40');
    expect(decision.expiresAt - decision.requestedAt).toBe(40);
    expect(await eventually(() => runtime.get('w')?.state === 'idle')).toBe(true);
    expect(fake.answers).toEqual([{ workerId: 'w', answer: { decisionId: decision.id, decidedBy: 'timeout' } }]);
    expect(await eventsOf(stored, 'permission_resolved')).toEqual([
      expect.objectContaining({ decided_by: 'timeout', reason: 'decision_timeout', option_id: 'reject' }),
    ]);
    expect(await runtime.decide('w', decision.id, 'allow')).toMatchObject({ outcome: 'rejected', reason: 'decision_answered' });
    expect((await runtime.decide('w', decision.id, 'allow')).message).toContain('decision_timeout');
    expect(fake.answers).toHaveLength(1);
  });

  it('the Runtime default deadline (deadlines.askMs) applies when the backend names none', async () => {
    const { runtime, decision } = await asking({ runtime: { deadlines: { askMs: 30 } } });
    expect(decision.expiresAt - decision.requestedAt).toBe(30);
    expect(await eventually(() => runtime.get('w')?.state === 'idle')).toBe(true);
  });

  it('cancel while it is pending answers it cancelled (by the backend) and ends the run', async () => {
    const { runtime, fake, decision, stored } = await asking();
    expect(await runtime.cancel('w')).toMatchObject({ outcome: 'accepted', reason: 'cancelled' });
    expect(await eventually(() => runtime.get('w')?.state === 'idle')).toBe(true);
    expect(runtime.get('w')?.pendingDecisions).toEqual([]);
    expect(await eventsOf(stored, 'permission_resolved')).toEqual([expect.objectContaining({ decided_by: 'cancelled', outcome: 'cancelled' })]);
    expect(await eventsOf(stored, 'run_end')).toEqual([{ result: 'finished', stop_reason: 'cancelled' }]);
    expect(await runtime.decide('w', decision.id, 'allow')).toMatchObject({ outcome: 'rejected', reason: 'decision_answered' });
    expect(fake.answers).toEqual([]);
  });

  it('stop while it is pending answers it cancelled; the stopped Worker lists no question', async () => {
    const { runtime, fake, decision, stored } = await asking();
    expect(await runtime.stop('w')).toMatchObject({ outcome: 'accepted', reason: 'stopped', state: 'stopped' });
    expect(runtime.get('w')?.pendingDecisions).toEqual([]);
    expect(await eventsOf(stored, 'permission_resolved')).toEqual([expect.objectContaining({ decided_by: 'cancelled' })]);
    expect(await runtime.decide('w', decision.id, 'allow')).toMatchObject({ outcome: 'rejected', reason: 'decision_answered', state: 'stopped' });
    expect(fake.answers).toEqual([]);
  });

  it('shutdown while it is pending: answered cancelled, the Worker ends stopped, no timer is left to fire', async () => {
    const { runtime, fake, stored } = await asking({ runtime: { deadlines: { askMs: 50 } } });
    await runtime.shutdown();
    expect(runtime.get('w')).toMatchObject({ state: 'stopped', pendingDecisions: [] });
    expect(await eventsOf(stored, 'permission_resolved')).toEqual([expect.objectContaining({ decided_by: 'cancelled' })]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.answers).toEqual([]);
  });

  it('a lost execution drops its questions; the Worker is unavailable, not waiting', async () => {
    const { runtime, fake, decision } = await asking();
    fake.crash('w');
    expect(runtime.get('w')).toMatchObject({ state: 'unavailable', pendingDecisions: [] });
    expect(await runtime.decide('w', decision.id, 'allow')).toMatchObject({ outcome: 'rejected', reason: 'decision_answered' });
  });

  it('a backend that cannot decide: ask is refused (the backend answers by policy) and decide is unsupported', async () => {
    const f = fixture({ fake: { capabilities: { decide: false } } });
    await f.runtime.create({ workerId: 'w', profile: 'fake' });
    expect(await f.fake.ask('w', { title: 'May I?', options: [{ id: 'yes', name: 'Yes', kind: 'allow_once' }] })).toMatchObject({ ok: false, reason: 'unsupported' });
    const before = f.runtime.get('w');
    expect(await f.runtime.decide('w', 'anything', 'yes')).toMatchObject({ outcome: 'unsupported', reason: 'operation_unsupported', state: 'idle' });
    expect(f.runtime.get('w')).toEqual(before);
    await f.runtime.submitInput('w', textInput('#ask'));
    expect(await eventually(() => f.runtime.get('w')?.state === 'idle')).toBe(true);
    const resolved = await eventsOf(f.stored, 'permission_resolved');
    expect(resolved.at(-1)).toMatchObject({ id: 'fake-edit-1', decided_by: 'policy', outcome: 'cancelled' });
    expect(await eventsOf(f.stored, 'tool_result')).toEqual([expect.objectContaining({ is_error: true })]);
  });

  it('a backend whose delivery times out: errored decide_timeout, no second answer while it is outstanding', async () => {
    const { runtime, fake, decision } = await asking({ runtime: { deadlines: { decideMs: 30 } } });
    fake.once('decide', { delayMs: 150, then: 'done' });
    expect(await runtime.decide('w', decision.id, 'allow')).toMatchObject({ outcome: 'errored', reason: 'decide_timeout' });
    expect(runtime.get('w')?.pendingDecisions).toEqual([]);
    expect(await runtime.decide('w', decision.id, 'reject')).toMatchObject({ outcome: 'rejected', reason: 'decision_answered' });
    expect(await eventually(() => runtime.get('w')?.state === 'idle')).toBe(true);
    expect(fake.answers).toHaveLength(1);
  });

  it.each([
    ['reject', 'rejected', 'backend_rejected'],
    ['throw', 'errored', 'backend_error'],
  ] as const)('a backend whose delivery does %s: typed %s, the question is closed (never sent twice)', async (behaviour, outcome, reason) => {
    const { runtime, fake, decision } = await asking();
    fake.once('decide', behaviour);
    expect(await runtime.decide('w', decision.id, 'allow')).toMatchObject({ outcome, reason });
    expect(await runtime.decide('w', decision.id, 'allow')).toMatchObject({ outcome: 'rejected', reason: 'decision_answered' });
    expect(fake.calls.filter((c) => c.operation === 'decide')).toHaveLength(1);
  });

  it('malformed and hostile questions are refused at the port, never a throw; free text is sanitised', async () => {
    const f = fixture();
    await f.runtime.create({ workerId: 'w', profile: 'fake' });
    const context = f.fake.contextOf('w')!;
    const hostile = new Proxy({}, { get: () => { throw new Error('boom'); } });
    for (const question of [null, 42, {}, { title: 'x', options: [] }, { title: 'x', options: [{ id: 'a', name: 'A', kind: 'allow_once' }, { id: 'a', name: 'B', kind: 'x' }] }, hostile]) {
      expect(context.ask!(question)).toMatchObject({ ok: false, reason: 'invalid_question' });
    }
    const asked = await f.fake.ask('w', {
      title: 'Write /home/alice/.ssh/id_rsa with GITHUB_TOKEN=ghp_abcdefghijklmnop1234',
      toolKind: '../etc',
      options: [{ id: '/srv/secret/path', name: 'Allow sk-live-1234567890abcdef', kind: 'allow_everything' }],
    });
    expect(asked.ok).toBe(true);
    const [shown] = f.runtime.get('w')!.pendingDecisions;
    expect(JSON.stringify(shown)).not.toMatch(/alice|ghp_|sk-live|\/srv/);
    expect(shown).toMatchObject({ toolKind: 'other', options: [{ id: 'option-1', kind: 'other' }] });
    // The shown id maps back to the backend's own id.
    expect((await f.runtime.decide('w', shown!.id, 'option-1')).reason).toBe('decided');
    expect(f.fake.answers[0]?.answer).toEqual({ decisionId: shown!.id, decidedBy: 'person', optionId: '/srv/secret/path' });
  });

  it('at most 16 open questions per Worker; a revoked context cannot ask', async () => {
    const f = fixture();
    await f.runtime.create({ workerId: 'w', profile: 'fake' });
    const context = f.fake.contextOf('w')!;
    const question = { title: 'q', options: [{ id: 'ok', name: 'OK', kind: 'allow_once' }] };
    for (let i = 0; i < 16; i++) expect(context.ask!(question).ok).toBe(true);
    expect(context.ask!(question)).toMatchObject({ ok: false, reason: 'too_many' });
    await f.runtime.stop('w');
    expect(context.ask!(question)).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('a backend closing its question itself (closeDecision) ends it; a wrong id or decider changes nothing', async () => {
    const f = fixture();
    await f.runtime.create({ workerId: 'w', profile: 'fake' });
    const context = f.fake.contextOf('w')!;
    const asked = context.ask!({ title: 'q', options: [{ id: 'ok', name: 'OK', kind: 'allow_once' }] });
    if (!asked.ok) throw new Error(asked.message);
    context.closeDecision!('nope', 'cancelled');
    context.closeDecision!(asked.decisionId, 'person' as never);
    expect(f.runtime.get('w')?.state).toBe('requires_action');
    context.closeDecision!(asked.decisionId, 'policy');
    expect(f.runtime.get('w')).toMatchObject({ state: 'idle', pendingDecisions: [] });
    expect(await f.runtime.decide('w', asked.decisionId, 'ok')).toMatchObject({ reason: 'decision_answered' });
  });
});

/** One "process" on a shared catalog, as after a restart. */
function boot(catalog: WorkerCatalogPort, fake: FakeExecutionBackendOptions = {}) {
  const backend = new FakeExecutionBackend({ backendId: 'fake', ...fake });
  const runtime = createRuntimeContainer({
    runtime: { runtimeId: 'rt', profiles: { fake: { backend: 'fake' } } },
    catalog: new ContainerModule(({ bind }) => void bind(WorkerCatalogPort).toConstantValue(catalog)),
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
  }).get(WorkerRuntime);
  return { runtime, backend };
}

describe('a restart that loses an open question', () => {
  it.each([
    ['reattached', {}, 'idle', 'decision_lost'],
    ['not reattached', { capabilities: { restore: false } }, 'unavailable', 'restore_unsupported'],
  ] as const)('says so when the Worker is %s; nobody waits for it', async (_how, options, state, code) => {
    const catalog = new MemoryWorkerCatalog();
    const before = boot(catalog);
    await before.runtime.create({ workerId: 'w', profile: 'fake' });
    await before.runtime.submitInput('w', textInput('#ask'));
    expect(await eventually(() => before.runtime.get('w')?.state === 'requires_action')).toBe(true);
    let saved: string | undefined;
    for (let i = 0; i < 200 && saved !== 'requires_action'; i++) {
      saved = (await catalog.get('rt', 'w'))?.state;
      if (saved !== 'requires_action') await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(saved).toBe('requires_action');
    // The process dies here: no shutdown.
    const after = boot(catalog, options);
    await after.runtime.restoreWorkers();
    const worker = after.runtime.get('w')!;
    expect(worker).toMatchObject({ state, pendingDecisions: [], diagnostic: { code } });
    expect(worker.diagnostic?.message).toContain('decision was waiting for a person');
    if (state === 'idle') {
      expect((await after.runtime.submitInput('w', textInput('go on'))).outcome).toBe('accepted');
      expect(after.runtime.get('w')?.diagnostic).toBeNull();
    }
  });
});
