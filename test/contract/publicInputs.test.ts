import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryWorkerCatalog } from '../../src/adapters/memoryCatalog/memoryWorkerCatalog.js';
import { memoryCatalogModule } from '../../src/adapters/memoryCatalog/memoryCatalogModule.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { OperationResultSchema } from '../../src/domain/executionResult.js';
import { WorkerProjectionSchema } from '../../src/domain/projection.js';
import { fixture } from '../support/fixture.js';
import { PLANTED, throwingGetters, throwingThen } from '../support/hostileBackend.js';

function cyclic(): object {
  const segment: Record<string, unknown> = { kind: 'future_kind' };
  segment.self = segment;
  return { kind: 'user', segments: [segment] };
}

/** JS values no caller should send, and some a hostile one would: each made inside the property (fast-check inspects what it generates). */
const HOSTILE_MAKERS: readonly (readonly [string, () => unknown])[] = [
  ['throwing getters', () => throwingGetters()],
  ['throwing then', () => throwingThen()],
  ['cyclic input', () => cyclic()],
  ['bigint in a segment', () => ({ kind: 'user', segments: [{ kind: 'future_kind', big: 10n }] })],
  ['unreadable options', () => ({ after: throwingGetters(), queueLimit: Number.NaN })],
  ['a ref whose workerId getter throws', () => ({ runtimeId: 'other', get workerId() { throw new Error(PLANTED); } })],
  ['a revoked proxy', () => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; }],
  ['a symbol', () => Symbol('s')],
  ['a bigint', () => 10n],
  ['a function', () => () => 1],
];
const hostileValue: fc.Arbitrary<{ readonly label: string; readonly make: () => unknown }> = fc.oneof(
  fc
    .anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withBoxedValues: true })
    .map((value) => ({ label: 'anything', make: () => value })),
  fc.constantFrom('w', 'constructor', '__proto__', 'toString', 'hasOwnProperty', PLANTED).map((value) => ({ label: value, make: () => value })),
  fc.constantFrom(...HOSTILE_MAKERS).map(([label, make]) => ({ label, make })),
);

describe('item 6: public methods answer typed results for any JS value', () => {
  it("create({ profile: 'constructor' }) is profile_unknown and reserves nothing", async () => {
    const { runtime } = fixture();
    for (const profile of ['constructor', 'to_string', 'has_own_property', 'value_of']) {
      expect((await runtime.create({ profile })).result).toMatchObject({ outcome: 'rejected', reason: 'profile_unknown' });
    }
    expect(runtime.list()).toEqual([]);
    expect(runtime.profiles().map((p) => p.name)).not.toContain('constructor');
  });

  it("a catalog entry naming profile 'constructor' comes back unavailable profile_unknown", async () => {
    const catalog = new MemoryWorkerCatalog();
    const now = Date.now();
    await catalog.save('local', { workerId: 'w', profile: 'constructor', displayName: null, state: 'idle', diagnostic: null, runGeneration: 1, restoreToken: null, createdAt: now, updatedAt: now });
    const runtime = createRuntimeContainer({ catalog: memoryCatalogModule(catalog) }).get(WorkerRuntime);
    const [result] = await runtime.restoreWorkers();
    expect(result).toMatchObject({ operation: 'restore', outcome: 'rejected', reason: 'execution_unavailable' });
    expect(runtime.get('w')).toMatchObject({ state: 'unavailable', diagnostic: { code: 'profile_unknown' } });
  });

  it('observe with null options, observeAcross(null) and cyclic or BigInt input answer typed results', async () => {
    const { runtime, fake } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const observed = runtime.observe('w', null as never);
    expect(observed.ok).toBe(true);
    if (observed.ok) observed.subscription.close();
    expect(await runtime.observeAcross(null as never)).toMatchObject({ ok: false, result: { reason: 'invalid_request' } });
    expect(runtime.observe('w', { queueLimit: Number.NaN })).toMatchObject({ ok: false, result: { reason: 'invalid_request' } });
    expect(runtime.observe('w', { after: 42 as never })).toMatchObject({ ok: false, result: { reason: 'invalid_request' } });
    expect(await runtime.submitInput('w', cyclic())).toMatchObject({ outcome: 'rejected', reason: 'invalid_request' });
    expect(await runtime.submitInput('w', { kind: 'user', segments: [{ kind: 'future_kind', big: 10n }] })).toMatchObject({ reason: 'invalid_request' });
    expect(fake.dispatches).toEqual([]);
  });

  it('property: any JS values into every public method: no throw, typed results, nothing unsanitised', async () => {
    const { runtime } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const calls: ((a: unknown, b: unknown) => unknown)[] = [
      (a) => runtime.create(a as never),
      (a, b) => runtime.submitInput(a as never, b),
      (a) => runtime.stop(a as never),
      (a) => runtime.cancel(a as never),
      (a, b) => runtime.invokeMethod(a as never, b),
      (a) => runtime.snapshot(a as never),
      (a) => runtime.remove(a as never),
      (a) => runtime.get(a as never),
      (a, b) => runtime.observe(a as never, b as never),
      (a, b) => runtime.observeAcross(a as never, b as never),
      (a) => runtime.transcript(a as never),
      (a) => runtime.lifecycle(a as never),
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat(calls.length - 1), hostileValue, hostileValue, async (which, first, second) => {
        let answer: unknown;
        try {
          answer = await calls[which]!(first.make(), second.make());
        } catch (error) {
          throw new Error(`call ${which} threw: ${String((error as Error)?.message)}`);
        }
        const results = collectResults(answer);
        for (const result of results) expect(OperationResultSchema.parse(result)).toEqual(result);
        for (const worker of runtime.list()) WorkerProjectionSchema.parse(worker);
        if (answer && typeof answer === 'object' && 'subscription' in answer) (answer.subscription as { close(): void }).close();
        if (answer && typeof answer === 'object' && 'close' in answer) (answer as { close(): void }).close();
        expect(JSON.stringify([results, runtime.list()])).not.toContain(PLANTED);
      }),
      { numRuns: 1500 },
    );
    await runtime.shutdown();
  });
});

function collectResults(answer: unknown): unknown[] {
  if (!answer || typeof answer !== 'object') return [];
  if ('outcome' in answer) return [answer];
  if ('result' in answer && (answer as { result: unknown }).result) return [(answer as { result: unknown }).result];
  return [];
}
