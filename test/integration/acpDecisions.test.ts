import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { textInput } from '../../src/domain/workerInput.js';
import { eventually } from '../../src/testing/index.js';
import { acpRuntime, testAgentOptions } from '../support/acpAgentFixture.js';

// Permission requests a person decides (policy `ask`), against the scripted ACP test agent run as real
// subprocesses: its `#permission[:kind]` turn asks to write notes.txt (options `allow` / `reject`) and
// then says `permission <what it got>`.
let current: ReturnType<typeof acpRuntime> | null = null;
const start = (...args: Parameters<typeof acpRuntime>) => (current = acpRuntime(...args));
afterEach(async () => {
  await current?.runtime.shutdown();
  current = null;
});

const ask = (permissions: Record<string, unknown> = {}) => ({ acp: testAgentOptions([], { permissions: { policy: 'ask', ...permissions } }) });
type Stored = ReturnType<typeof acpRuntime>['stored'];

async function asking(runtime: WorkerRuntime, prompt = 'write #permission') {
  await runtime.create({ workerId: 'w', profile: 'acp' });
  expect((await runtime.submitInput('w', textInput(prompt))).outcome).toBe('accepted');
  expect(await eventually(() => runtime.get('w')?.state === 'requires_action', 10_000)).toBe(true);
  return runtime.get('w')!.pendingDecisions[0]!;
}

async function eventsUntilIdle(runtime: WorkerRuntime, stored: Stored) {
  expect(await eventually(() => runtime.get('w')?.state === 'idle', 10_000)).toBe(true);
  return (await stored('w')).map((o) => o.event);
}

const said = (events: { event: string; data?: Readonly<Record<string, unknown>> }[]) =>
  events.filter((e) => e.event === 'text_delta').map((e) => e.data?.text).join('');
const byName = (events: { event: string; data?: Readonly<Record<string, unknown>> }[], name: string) =>
  events.filter((e) => e.event === name).map((e) => e.data);

describe('ACP permission policy `ask`: a person decides', () => {
  it('the request waits in requires_action, browser-safe; the person allows; the agent gets exactly that', async () => {
    const { runtime, stored } = start(ask());
    const decision = await asking(runtime);
    expect(decision).toMatchObject({
      title: 'Write notes.txt',
      toolKind: 'edit',
      toolCallId: 'call-perm-1',
      options: [
        { id: 'allow', name: 'Allow once', kind: 'allow_once' },
        { id: 'reject', name: 'Reject', kind: 'reject_once' },
      ],
    });
    expect(decision.expiresAt - decision.requestedAt).toBe(300_000);
    const [request] = byName((await stored('w')).map((o) => o.event), 'permission_request');
    expect(request).toMatchObject({ id: 'call-perm-1', decision_id: decision.id, options: [{ id: 'allow' }, { id: 'reject' }] });
    expect(await runtime.decide('w', decision.id, 'allow')).toMatchObject({ outcome: 'accepted', reason: 'decided' });
    expect(await runtime.decide('w', decision.id, 'reject')).toMatchObject({ outcome: 'rejected', reason: 'decision_answered' });
    const events = await eventsUntilIdle(runtime, stored);
    expect(byName(events, 'permission_resolved')).toEqual([
      { id: 'call-perm-1', decision_id: decision.id, title: 'Write notes.txt', outcome: 'selected', decided_by: 'person', option_id: 'allow', option_kind: 'allow_once', option_name: 'Allow once' },
    ]);
    expect(said(events)).toContain('permission allow');
    expect(byName(events, 'tool_result')).toEqual([expect.objectContaining({ id: 'call-perm-1', is_error: false })]);
  });

  it('the person rejects: the agent gets reject', async () => {
    const { runtime, stored } = start(ask());
    const decision = await asking(runtime);
    expect((await runtime.decide('w', decision.id, 'reject')).reason).toBe('decided');
    const events = await eventsUntilIdle(runtime, stored);
    expect(said(events)).toContain('permission reject');
    expect(byName(events, 'tool_result')).toEqual([expect.objectContaining({ is_error: true })]);
  });

  it('nobody answers within askTimeoutMs: askFallback answers (reject), decided by timeout (decision_timeout)', async () => {
    const { runtime, stored } = start(ask({ askTimeoutMs: 1_000 }));
    const decision = await asking(runtime);
    expect(decision.expiresAt - decision.requestedAt).toBe(1_000);
    const events = await eventsUntilIdle(runtime, stored);
    expect(byName(events, 'permission_resolved')).toEqual([
      expect.objectContaining({ decision_id: decision.id, decided_by: 'timeout', reason: 'decision_timeout', rule: 'reject', option_id: 'reject' }),
    ]);
    expect(said(events)).toContain('permission reject');
    expect(await runtime.decide('w', decision.id, 'allow')).toMatchObject({ outcome: 'rejected', reason: 'decision_answered' });
  });

  it('cancel while the question is pending: answered cancelled (as ACP requires), the turn ends', async () => {
    const { runtime, stored } = start(ask());
    const decision = await asking(runtime);
    expect(await runtime.cancel('w')).toMatchObject({ outcome: 'accepted', reason: 'cancelled' });
    const events = await eventsUntilIdle(runtime, stored);
    expect(byName(events, 'permission_resolved')).toEqual([expect.objectContaining({ decision_id: decision.id, decided_by: 'cancelled', outcome: 'cancelled' })]);
    expect(said(events)).toContain('permission cancelled');
    expect(runtime.get('w')?.pendingDecisions).toEqual([]);
    expect(await runtime.decide('w', decision.id, 'allow')).toMatchObject({ outcome: 'rejected', reason: 'decision_answered' });
  });

  it('stop while the question is pending: answered cancelled, the Worker stopped with nothing pending', async () => {
    const { runtime, stored } = start(ask());
    await asking(runtime);
    expect(await runtime.stop('w')).toMatchObject({ outcome: 'accepted', reason: 'stopped' });
    expect(runtime.get('w')).toMatchObject({ state: 'stopped', pendingDecisions: [] });
    expect(byName((await stored('w')).map((o) => o.event), 'permission_resolved')).toEqual([expect.objectContaining({ decided_by: 'cancelled' })]);
  });

  it('shutdown while the question is pending: answered cancelled, every Worker final', async () => {
    const { runtime, stored } = start(ask());
    await asking(runtime);
    await runtime.shutdown();
    expect(runtime.get('w')).toMatchObject({ state: 'stopped', pendingDecisions: [] });
    expect(byName((await stored('w')).map((o) => o.event), 'permission_resolved')).toEqual([expect.objectContaining({ decided_by: 'cancelled' })]);
  });

  it('allowToolKinds still answers listed kinds at once under ask (decided by policy)', async () => {
    const { runtime, stored } = start(ask({ allowToolKinds: ['read'] }));
    await runtime.create({ workerId: 'w', profile: 'acp' });
    await runtime.submitInput('w', textInput('#permission:read'));
    const events = await eventsUntilIdle(runtime, stored);
    expect(byName(events, 'permission_resolved')).toEqual([expect.objectContaining({ decided_by: 'policy', rule: 'allowed_kind', option_id: 'allow' })]);
    expect(byName(events, 'permission_request')[0]).not.toHaveProperty('decision_id');
  });

  it('the other policies still answer at once, saying who decided (policy)', async () => {
    const { runtime, stored } = start({ acp: testAgentOptions([], { permissions: { policy: 'allow_once' } }) });
    await runtime.create({ workerId: 'w', profile: 'acp' });
    await runtime.submitInput('w', textInput('#permission'));
    const events = await eventsUntilIdle(runtime, stored);
    expect(byName(events, 'permission_resolved')).toEqual([expect.objectContaining({ decided_by: 'policy', rule: 'allow_once', option_id: 'allow' })]);
    expect(runtime.get('w')?.pendingDecisions).toEqual([]);
  });
});
