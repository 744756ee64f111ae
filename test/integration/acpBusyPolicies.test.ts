import { ContainerModule } from 'inversify';
import { afterEach, describe, expect, it } from 'vitest';
import { AcpExecutionBackend } from '../../src/adapters/acp/acpExecutionBackend.js';
import { MemoryObservationBus } from '../../src/adapters/memoryBus/memoryObservationBus.js';
import type { LifecycleItem } from '../../src/application/lifecycleFeed.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import type { BusySettings } from '../../src/domain/busyPolicy.js';
import { textInput } from '../../src/domain/workerInput.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { eventually } from '../../src/testing/index.js';
import { testAgentOptions } from '../support/acpAgentFixture.js';

/**
 * Busy policies over a real ACP subprocess (the scripted ACP test agent): input to a Worker whose
 * agent is running a turn is refused (`reject`), queued and sent as the next `session/prompt` once the
 * turn ended (`enqueue`), or ends the turn with `session/cancel` and goes next (`interrupt`). Each
 * queued input reaches the agent once (its `user_message` is on the stream once), in order.
 */
type Busy = Partial<BusySettings> & { policy: 'reject' | 'enqueue' | 'interrupt' };

function acpWithPolicies() {
  const backend = new AcpExecutionBackend({ backendId: 'acp' });
  const busy: Record<string, Busy> = { rejecting: { policy: 'reject' }, queueing: { policy: 'enqueue' }, interrupting: { policy: 'interrupt' } };
  const container = createRuntimeContainer({
    runtime: {
      profiles: Object.fromEntries(Object.entries(busy).map(([name, settings]) => [name, { backend: 'acp', options: testAgentOptions(), busy: settings }])),
      deadlines: { spawnMs: 15_000, dispatchMs: 5_000, stopMs: 5_000, cancelMs: 4_000 },
    },
    memoryBus: { retentionPerWorker: 100_000, subscriberQueue: 100_000 },
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
  });
  const runtime = container.get(WorkerRuntime);
  const bus = container.get(MemoryObservationBus);
  const changes: LifecycleItem[] = [];
  void (async () => {
    for await (const frame of runtime.lifecycle()) changes.push(frame);
  })();
  const userTexts = async (workerId: string) => {
    const page = await bus.read({ runtimeId: runtime.runtimeId, workerId }, { limit: 1_000_000 });
    const observations = page.status === 'ok' ? page.observations : [];
    return observations.filter((o) => o.event.event === 'user_message').map((o) => String(((o.event.data as { segments: { content?: unknown }[] }).segments[0] ?? {}).content));
  };
  const settlementOf = (id: string) =>
    changes.flatMap((c) => (c.type === 'lifecycle' && c.change.type === 'input_settled' && c.change.settlement.submissionId === id ? [c.change.settlement] : []));
  return { runtime, userTexts, settlementOf };
}

let current: WorkerRuntime | null = null;
afterEach(async () => {
  await current?.shutdown();
  current = null;
});

describe('busy policies over the ACP test agent (real subprocess)', () => {
  it('reject: input while the agent runs a turn is busy run_in_flight; the agent gets nothing more', async () => {
    const { runtime, userTexts } = acpWithPolicies();
    current = runtime;
    expect((await runtime.create({ workerId: 'r', profile: 'rejecting' })).result.reason).toBe('created');
    expect(await runtime.submitInput('r', textInput('long #hold'))).toMatchObject({ reason: 'committed' });
    expect(await runtime.submitInput('r', textInput('too soon'))).toMatchObject({ outcome: 'busy', reason: 'run_in_flight' });
    expect(await userTexts('r')).toEqual(['long #hold']);
  });

  it('enqueue: queued inputs become the next prompts, in order, once each turn ended; each settles committed', async () => {
    const { runtime, userTexts, settlementOf } = acpWithPolicies();
    current = runtime;
    await runtime.create({ workerId: 'q', profile: 'queueing' });
    await runtime.submitInput('q', textInput('long #hold'));
    const queued = [];
    for (const text of ['next one', 'then this', 'last']) queued.push(await runtime.submitInput('q', textInput(text)));
    expect(queued.map((r) => [r.outcome, r.position])).toEqual([
      ['queued', 1],
      ['queued', 2],
      ['queued', 3],
    ]);
    expect(await runtime.cancel('q')).toMatchObject({ reason: 'cancelled' });
    expect(await eventually(() => runtime.get('q')?.queue.length === 0 && runtime.get('q')?.state === 'idle', 20_000)).toBe(true);
    expect(await userTexts('q')).toEqual(['long #hold', 'next one', 'then this', 'last']);
    for (const result of queued) expect(settlementOf(result.submissionId!)).toEqual([expect.objectContaining({ outcome: 'committed' })]);
  });

  it('interrupt: the running turn is cancelled through session/cancel, the new input is the next prompt', async () => {
    const { runtime, userTexts, settlementOf } = acpWithPolicies();
    current = runtime;
    await runtime.create({ workerId: 'i', profile: 'interrupting' });
    await runtime.submitInput('i', textInput('long #hold'));
    const result = await runtime.submitInput('i', textInput('do this instead'));
    expect(result).toMatchObject({ outcome: 'queued', reason: 'interrupting', position: 1 });
    expect(await eventually(() => settlementOf(result.submissionId!).length === 1 && runtime.get('i')?.state === 'idle', 20_000)).toBe(true);
    expect(settlementOf(result.submissionId!)[0]).toMatchObject({ outcome: 'committed' });
    expect(await userTexts('i')).toEqual(['long #hold', 'do this instead']);
  });

  it('interrupt where the agent ignores the cancel: the cancel watchdog ends it, the input is refused typed and queues nothing', async () => {
    const { runtime, userTexts } = acpWithPolicies();
    current = runtime;
    await runtime.create({ workerId: 'x', profile: 'interrupting' });
    await runtime.submitInput('x', textInput('stubborn #ignore-cancel'));
    const result = await runtime.submitInput('x', textInput('please stop'));
    expect(result.outcome).not.toBe('queued');
    expect(result).toMatchObject({ operation: 'input', reason: 'backend_rejected' });
    expect(runtime.get('x')?.queue.length).toBe(0);
    expect(await userTexts('x')).toEqual(['stubborn #ignore-cancel']);
  });
});
