import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LifecycleItem } from '../../src/application/lifecycleFeed.js';
import { OperationResultSchema } from '../../src/domain/executionResult.js';
import { LifecycleChangeSchema, WorkerProjectionSchema } from '../../src/domain/projection.js';
import { textInput } from '../../src/domain/workerInput.js';
import type { RunState } from '../../src/domain/workerState.js';
import type { ExecutionContext } from '../../src/ports/executionContext.js';
import { HostileBackend, PLANTED, hostileRuntime, throwingGetters, throwingThen } from '../support/hostileBackend.js';

/**
 * Rules 14 and 15 as a property: whatever a backend answers out of any port method (valid answers,
 * wrong types, throwing getters, proxies that change their mind, huge strings, planted secrets,
 * throws, hangs, late answers) and whatever it reports through its contexts, the Runtime never
 * throws, every result and projection parses with its browser schema, no planted secret or
 * unbounded string gets through, and after shutdown every Worker is in a final state.
 */

const HUGE = `${PLANTED} `.repeat(50_000);
const FINAL = ['stopped', 'unavailable', 'errored'];
const KINDS = ['valid', 'refused', 'bad_state', 'wrong_type', 'throwing_getters', 'throwing_then', 'fickle', 'huge', 'planted', 'rejects', 'sync_throw', 'hang', 'late'] as const;
type Kind = (typeof KINDS)[number];
type Method = 'spawn' | 'dispatchInput' | 'stop' | 'cancel' | 'dispatchMethod' | 'snapshot' | 'dispose';

const planted = () => ({ code: PLANTED, severity: PLANTED, message: `failed at ${PLANTED} with API_KEY=sk-${'x'.repeat(40)}` });

/** A well-formed answer of each method (`args` as the backend received them). */
function valid(method: Method, args: unknown[]): unknown {
  switch (method) {
    case 'spawn':
      return { status: 'ready', handle: { secret: PLANTED }, state: 'idle', restoreToken: 'token' };
    case 'dispatchInput':
      return { status: 'accepted', submissionId: args[2], state: 'busy' };
    case 'snapshot':
      return { status: 'ready', snapshot: { entries: [], greeting: { worker_name: 'w', cwd: PLANTED }, status: 'idle' } };
    case 'dispose':
      return undefined;
    default:
      return { status: 'done' };
  }
}

/** A value that reads as a valid answer the first time and as nonsense afterwards. */
function fickle(answer: unknown): unknown {
  if (typeof answer !== 'object' || answer === null) return answer;
  let reads = 0;
  return new Proxy(answer, { get: (target, key) => (key === 'then' ? undefined : reads++ === 0 ? Reflect.get(target, key) : PLANTED) });
}

function answer(kind: Kind, method: Method, args: unknown[]): unknown {
  switch (kind) {
    case 'valid':
      return Promise.resolve(valid(method, args));
    case 'refused':
      return Promise.resolve(method === 'dispatchInput' ? { status: 'busy', message: `busy at ${PLANTED}` } : { status: 'rejected', diagnostic: planted() });
    case 'bad_state':
      return Promise.resolve({ ...(valid(method, args) as object), state: PLANTED, status: method === 'dispatchInput' ? 'accepted' : 'ready' });
    case 'wrong_type':
      return Promise.resolve([42, 'ready', null, [], true][args.length % 5]);
    case 'throwing_getters':
      return Promise.resolve(throwingGetters());
    case 'throwing_then':
      return throwingThen();
    case 'fickle':
      return Promise.resolve(fickle(valid(method, args)));
    case 'huge':
      return Promise.resolve({ status: 'rejected', diagnostic: { code: 'x', severity: 'error', message: HUGE } });
    case 'planted':
      return Promise.resolve({ status: 'rejected', diagnostic: planted() });
    case 'rejects':
      return Promise.reject(new Error(`failed reading ${PLANTED}`));
    case 'sync_throw':
      throw new Error(`threw at ${PLANTED}`);
    case 'hang':
      return new Promise(() => undefined);
    case 'late':
      return new Promise((resolve) => setTimeout(() => resolve(valid(method, args)), 25));
  }
}

type Step =
  | { readonly op: 'create' | 'input' | 'cancel' | 'stop' | 'method' | 'snapshot' | 'remove' | 'transcript' | 'publish'; readonly worker: number }
  | { readonly op: 'lost'; readonly worker: number; readonly hostile: boolean }
  | { readonly op: 'restored'; readonly worker: number; readonly state: string };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constantFrom('create', 'input', 'cancel', 'stop', 'method', 'snapshot', 'remove', 'transcript', 'publish' as const), worker: fc.nat(2) }),
  fc.record({ op: fc.constant('lost' as const), worker: fc.nat(2), hostile: fc.boolean() }),
  fc.record({ op: fc.constant('restored' as const), worker: fc.nat(2), state: fc.constantFrom('idle', 'busy', 'paused', PLANTED, '') }),
);

const answersArb = fc.record(
  Object.fromEntries((['spawn', 'dispatchInput', 'stop', 'cancel', 'dispatchMethod', 'snapshot', 'dispose'] as const).map((m) => [m, fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: 4 })])) as Record<Method, fc.Arbitrary<Kind[]>>,
);

function expectClean(value: unknown): void {
  const text = JSON.stringify(value) ?? '';
  expect(text).not.toContain(PLANTED);
  expect(text).not.toContain('alice');
  expect(text).not.toContain('sk-xxxxxxxx');
  expect(text.length).toBeLessThan(200_000);
}

describe('property: the boundary holds against a hostile or broken backend', () => {
  it('no throw, only schema-valid and sanitised outputs, and every Worker final after shutdown', async () => {
    await fc.assert(
      fc.asyncProperty(answersArb, fc.array(stepArb, { minLength: 1, maxLength: 14 }), async (answers, steps) => {
        const calls = new Map<Method, number>();
        const respond = (method: Method) => (...args: unknown[]) => {
          const n = calls.get(method) ?? 0;
          calls.set(method, n + 1);
          return answer(answers[method][n % answers[method].length]!, method, args);
        };
        const hostile = new HostileBackend({
          spawn: respond('spawn'),
          dispatchInput: respond('dispatchInput'),
          stop: respond('stop'),
          cancel: respond('cancel'),
          dispatchMethod: respond('dispatchMethod'),
          snapshot: respond('snapshot'),
          dispose: respond('dispose'),
        });
        const deadlines = { spawnMs: 15, dispatchMs: 15, stopMs: 15, cancelMs: 15, methodMs: 15, snapshotMs: 15, restoreMs: 15 };
        const { runtime } = hostileRuntime([hostile], { deadlines, maxEventBytes: 4096, lifecycleSubscriberQueue: 100_000 });
        const lifecycle = runtime.lifecycle();
        const outputs: unknown[] = [];
        const context = (worker: number): ExecutionContext | undefined => hostile.contexts.get(`w${worker}`);
        const creates: Step[] = [0, 1, 2].map((worker) => ({ op: 'create', worker }));
        for (const step of [...creates, ...steps]) {
          const id = `w${step.worker}`;
          let output: unknown;
          switch (step.op) {
            case 'create':
              output = await runtime.create({ workerId: id, profile: 'hostile' });
              break;
            case 'input':
              output = await runtime.submitInput(id, textInput('hello'));
              break;
            case 'cancel':
              output = await runtime.cancel(id);
              break;
            case 'stop':
              output = await runtime.stop(id);
              break;
            case 'method':
              output = await runtime.invokeMethod(id, { method: 'compact' });
              break;
            case 'snapshot':
              output = await runtime.snapshot(id);
              break;
            case 'remove':
              output = await runtime.remove(id);
              break;
            case 'transcript':
              output = await runtime.transcript(id);
              break;
            case 'publish':
              output = await context(step.worker)?.publish({ event: 'status', data: { status: 'running' } });
              break;
            case 'lost':
              context(step.worker)?.reportLost((step.hostile ? throwingGetters() : planted()) as never);
              break;
            case 'restored': {
              const next = context(step.worker)?.reportRestored(step.state as RunState);
              if (next) hostile.contexts.set(id, next);
              break;
            }
          }
          const result = (output as { result?: unknown } | undefined)?.result ?? output;
          if (result && typeof result === 'object' && 'outcome' in result) expect(OperationResultSchema.parse(result)).toEqual(result);
          for (const worker of runtime.list()) WorkerProjectionSchema.parse(worker);
          outputs.push(output, runtime.list());
        }
        await runtime.shutdown();
        for (const worker of runtime.list()) expect(FINAL).toContain(WorkerProjectionSchema.parse(worker).state);
        const changes: LifecycleItem[] = [];
        for (let batch = await lifecycle.nextBatch(100_000); batch.length > 0; batch = await lifecycle.nextBatch(100_000)) changes.push(...batch);
        expect(changes.at(-1)).toEqual({ type: 'end', reason: 'shutdown' });
        for (const change of changes) if (change.type === 'lifecycle') LifecycleChangeSchema.parse(change.change);
        expectClean([outputs, changes, runtime.summary()]);
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
