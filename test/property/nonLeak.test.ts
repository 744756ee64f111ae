import fc from 'fast-check';
import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { toBrowserFrame } from '../../src/domain/browserFrame.js';
import type { Diagnostic } from '../../src/domain/diagnostic.js';
import type { ObservationFrame, ObservationSubscription } from '../../src/domain/observation.js';
import type { ProtocolEvent } from '../../src/domain/protocolEvent.js';
import type { WorkerInput } from '../../src/domain/workerInput.js';
import type { ClockPort } from '../../src/ports/clockPort.js';
import { ClockPort as ClockPortId } from '../../src/ports/clockPort.js';
import {
  ExecutionBackendPort,
  type ControlResult,
  type DispatchResult,
  type SnapshotResult,
  type SpawnRequest,
  type SpawnResult,
} from '../../src/ports/executionBackendPort.js';
import type { ExecutionContext } from '../../src/ports/executionContext.js';
import type { IdPort } from '../../src/ports/idPort.js';
import { IdPort as IdPortId } from '../../src/ports/idPort.js';
import { FakeExecutionBackend, takeUntil } from '../../src/testing/index.js';

/**
 * Invariant 10 (nothing internal reaches a browser), as a property.
 *
 * Secret markers that look like what must never leak (socket and session-file paths, environment
 * assignments, API keys and bearer tokens, process ids), with random parts from fast-check, are planted
 * in every backend-controlled field: the handle (and the fake's `handleSecret`), the restore token,
 * spawn / dispatch / control / snapshot rejection diagnostics, thrown and rejected error messages,
 * `busy` messages, lost-execution diagnostics, the snapshot greeting's `cwd` and the `cwd` of every
 * greeting nested in other events (`internal_worker` snapshots, `snapshot.internal_workers`,
 * `workers_listed` replies) and in snapshot results, and the free text of
 * `error`, `alert`, `compact_failed` and `llm_retry` events. Then every browser-bound output is
 * scanned: every operation result, projections (`get`, `list`), lifecycle frames, observation frames
 * mapped through `toBrowserFrame`, transcripts and `summary()`. No random part may appear.
 *
 * Assistant conversation content (text deltas, tool calls) is the Worker's output and is not
 * sanitised by design, so no marker is planted there.
 */

// ---------------------------------------------------------------------------------------------------
// Markers

interface Marked {
  readonly text: string;
  /** The random parts: none of them may reach a browser. */
  readonly secrets: readonly string[];
  /** Secrets that are digit runs (pids): matched as whole numbers only. */
  readonly numbers: readonly string[];
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('');
const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
const alnum = (minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...ALNUM), minLength, maxLength });
const lower = (minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...LOWER), minLength, maxLength });

const plain = (text: string, secrets: string[]): Marked => ({ text, secrets, numbers: [] });

const markerArb: fc.Arbitrary<Marked> = fc.oneof(
  // a backend socket
  alnum(10, 16).map((id) => plain(`/run/user/1000/yoi/${id}.sock`, [id])),
  // a session file
  fc.tuple(lower(10, 14), alnum(10, 20)).map(([user, id]) => plain(`/home/${user}/.sessions/${id}.jsonl`, [user, id])),
  // an environment assignment
  fc
    .tuple(fc.constantFrom('API_KEY', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'YOI_TOKEN', 'AWS_SECRET_ACCESS_KEY'), alnum(12, 24))
    .map(([name, value]) => plain(`${name}=${value}`, [value])),
  // an API key
  fc.tuple(fc.constantFrom('sk-', 'sk-proj-', 'sk-ant-'), alnum(20, 40)).map(([prefix, key]) => plain(`${prefix}${key}`, [key])),
  // a bearer token
  fc.tuple(fc.constantFrom('Bearer ', 'Authorization: Bearer ', 'bearer '), alnum(20, 40)).map(([prefix, token]) => plain(`${prefix}${token}`, [token])),
  // a process id
  fc
    .tuple(fc.constantFrom('pid ', 'pid=', 'pid: ', 'PID '), fc.integer({ min: 100_000, max: 9_999_999 }))
    .map(([prefix, pid]): Marked => ({ text: `${prefix}${pid}`, secrets: [], numbers: [String(pid)] })),
);

/** What a backend might write around a secret: prose, then a separator right before it and after it. */
const FILLER = ['', 'failed to connect to', 'session file', 'spawn error:', 'worker exited', 'auth failed with', 'env'];
const BEFORE = ['', ' ', '\n', '\t', '"', "'", '`', '(', '[', '{', ':', '=', ','];
const AFTER = ['', ' ', '\n', '"', "'", '`', ')', ']', '}', ',', ';', '.', ':'];

const messageArb: fc.Arbitrary<Marked> = fc
  .array(fc.tuple(fc.constantFrom(...FILLER), fc.constantFrom(...BEFORE), markerArb, fc.constantFrom(...AFTER)), { minLength: 1, maxLength: 3 })
  .map((parts) => ({
    text: parts.map(([filler, before, marker, after]) => `${filler}${filler ? ' ' : ''}${before}${marker.text}${after}`).join(' '),
    secrets: parts.flatMap(([, , marker]) => marker.secrets),
    numbers: parts.flatMap(([, , marker]) => marker.numbers),
  }));

// ---------------------------------------------------------------------------------------------------
// A backend double whose every free-text field carries markers

type Throwing = 'throw' | 'reject_string' | 'sync_throw' | 'throw_object';
type SpawnPlan = 'ready' | 'ready_busy' | 'rejected' | Throwing;
type DispatchPlan = 'accept' | 'accept_hold' | 'busy' | 'rejected' | Throwing;
type ControlPlan = 'done' | 'rejected' | 'unsupported' | Throwing;
type SnapshotPlan = 'ready' | 'rejected' | Throwing;

const THROWING: Throwing[] = ['throw', 'reject_string', 'sync_throw', 'throw_object'];

interface DoublePlan {
  readonly spawn: readonly SpawnPlan[];
  readonly dispatch: readonly DispatchPlan[];
  readonly stop: readonly ControlPlan[];
  readonly cancel: readonly ControlPlan[];
  readonly method: readonly ControlPlan[];
  readonly snapshot: readonly SnapshotPlan[];
}

/** Every backend branch the property took (each must come up, so no planted field goes unchecked). */
const branchesTaken = new Map<string, number>();

const plans = <T extends string>(values: readonly T[]) => fc.array(fc.constantFrom(...values), { minLength: 1, maxLength: 4 });

const PLAN_VALUES = {
  spawn: ['ready', 'ready', 'ready', 'ready', 'ready_busy', 'rejected', ...THROWING] as SpawnPlan[],
  dispatch: ['accept', 'accept_hold', 'busy', 'rejected', ...THROWING] as DispatchPlan[],
  stop: ['done', 'done', 'rejected', 'unsupported', ...THROWING] as ControlPlan[],
  cancel: ['done', 'rejected', 'unsupported', ...THROWING] as ControlPlan[],
  method: ['done', 'rejected', 'unsupported', ...THROWING] as ControlPlan[],
  snapshot: ['ready', 'ready', 'rejected', ...THROWING] as SnapshotPlan[],
};

const doublePlanArb: fc.Arbitrary<DoublePlan> = fc.record({
  spawn: plans(PLAN_VALUES.spawn),
  dispatch: plans(PLAN_VALUES.dispatch),
  stop: plans(PLAN_VALUES.stop),
  cancel: plans(PLAN_VALUES.cancel),
  method: plans(PLAN_VALUES.method),
  snapshot: plans(PLAN_VALUES.snapshot),
});

interface DoubleHandle {
  readonly workerId: string;
  readonly socket: string;
  readonly token: string;
}

/** A hand-written ExecutionBackendPort whose diagnostics, errors, messages, handles and events carry markers. */
class MarkerBackend implements ExecutionBackendPort {
  readonly backendId = 'double';
  private readonly contexts = new Map<string, ExecutionContext>();
  private readonly counters = new Map<string, number>();
  private nextMessage = 0;

  constructor(
    private readonly plan: DoublePlan,
    private readonly messages: readonly string[],
  ) {}

  /** A marker-laden message (cycling through the generated ones). */
  private text(): string {
    return this.messages[this.nextMessage++ % this.messages.length]!;
  }

  /** A diagnostic whose code and message carry markers. */
  diagnostic(): Diagnostic {
    return { code: this.text(), severity: 'error', message: this.text() };
  }

  private choose<K extends keyof DoublePlan>(operation: K): DoublePlan[K][number] {
    const n = this.counters.get(operation) ?? 0;
    this.counters.set(operation, n + 1);
    const options = this.plan[operation];
    const chosen = options[n % options.length]!;
    branchesTaken.set(`${operation}:${chosen}`, (branchesTaken.get(`${operation}:${chosen}`) ?? 0) + 1);
    return chosen;
  }

  /** Fails the way `how` says; a synchronous throw happens before any promise exists. */
  private failing(how: Throwing): Promise<never> {
    const message = this.text();
    switch (how) {
      case 'sync_throw':
        throw new Error(message);
      case 'throw':
        return Promise.reject(new Error(message));
      case 'reject_string':
        return Promise.reject(message);
      case 'throw_object':
        return Promise.reject({ message, stack: message, toString: () => message });
    }
  }

  contextOf(workerId: string): ExecutionContext | undefined {
    return this.contexts.get(workerId);
  }

  /** Events whose free text carries markers (error and alert messages, failure details, snapshot cwd). */
  markerEvents(): ProtocolEvent[] {
    return [
      { event: 'error', data: { code: 'tool_error', message: this.text() } },
      { event: 'alert', data: { level: 'warn', source: this.text(), message: this.text(), timestamp_ms: 1 } },
      { event: 'alert', data: { level: 'error', source: 'backend', message: this.text(), timestamp_ms: 2 } },
      { event: 'compact_failed', data: { error: this.text() } },
      { event: 'compact_failed', data: { error: { detail: this.text() } } },
      { event: 'llm_retry', data: { llm_call: 1, failed_attempt: 1, max_attempts: 3, error: { message: this.text() } } },
      { event: 'snapshot', data: { entries: [], greeting: { worker_name: 'double', cwd: this.text(), provider: 'double', model: 'm' }, status: 'idle' } },
      // Greetings nested in other events: a sub-worker's snapshot, a snapshot's internal workers, a listing.
      {
        event: 'internal_worker',
        data: {
          name: 'child',
          snapshot: { entries: [], status: 'idle', greeting: { worker_name: 'child', cwd: this.text() }, internal_workers: [{ name: 'deeper', greeting: { worker_name: 'deeper', cwd: this.text() } }] },
        },
      },
      { event: 'snapshot', data: { entries: [], greeting: { worker_name: 'double' }, status: 'idle', internal_workers: [{ greeting: { model: 'm', cwd: this.text() } }] } },
      { event: 'workers_listed', data: { workers: [{ name: 'w', greeting: { worker_name: 'w', cwd: this.text() } }, { worker_name: 'bare', provider: 'p', cwd: this.text() }] } },
    ];
  }

  async publishMarkers(workerId: string): Promise<void> {
    const context = this.contexts.get(workerId);
    if (!context) return;
    for (const event of this.markerEvents()) await context.publish(event);
  }

  spawn(request: SpawnRequest, context: ExecutionContext): Promise<SpawnResult> {
    void request;
    const plan = this.choose('spawn');
    switch (plan) {
      case 'ready':
      case 'ready_busy': {
        const workerId = context.worker.workerId;
        this.contexts.set(workerId, context);
        const handle: DoubleHandle = { workerId, socket: this.text(), token: this.text() };
        return Promise.resolve({ status: 'ready', handle, state: plan === 'ready' ? 'idle' : 'busy', restoreToken: this.text() });
      }
      case 'rejected':
        return Promise.resolve({ status: 'rejected', diagnostic: this.diagnostic() });
      default:
        return this.failing(plan);
    }
  }

  dispatchInput(handle: unknown, input: WorkerInput, submissionId: string): Promise<DispatchResult> {
    const plan = this.choose('dispatch');
    const { workerId } = handle as DoubleHandle;
    switch (plan) {
      case 'accept':
      case 'accept_hold':
        return (async () => {
          const context = this.contexts.get(workerId)!;
          const segments = input.kind === 'user' ? input.segments : [{ kind: 'text', content: input.message }];
          await context.publish({ event: 'invoke_start', data: { kind: 'user_send' } });
          await context.publish({ event: 'user_message', data: { segments } });
          await context.publish({ event: 'turn_start', data: { turn: 1 } });
          for (const event of this.markerEvents()) await context.publish(event);
          await context.publish({ event: 'text_delta', data: { text: 'working on it' } });
          if (plan === 'accept') {
            await context.publish({ event: 'run_end', data: { result: 'finished' } });
            await context.publish({ event: 'status', data: { status: 'idle' } });
          }
          return { status: 'accepted', submissionId, state: plan === 'accept' ? 'idle' : 'busy' } as const;
        })();
      case 'busy':
        return Promise.resolve({ status: 'busy', message: this.text() });
      case 'rejected':
        return Promise.resolve({ status: 'rejected', diagnostic: this.diagnostic() });
      default:
        return this.failing(plan);
    }
  }

  private control(operation: 'stop' | 'cancel' | 'method', handle: unknown, effect: () => Promise<void>): Promise<ControlResult> {
    const plan = this.choose(operation);
    switch (plan) {
      case 'done':
        return effect().then(() => ({ status: 'done' }));
      case 'rejected':
        return Promise.resolve({ status: 'rejected', diagnostic: this.diagnostic() });
      case 'unsupported':
        return Promise.resolve({ status: 'unsupported' });
      default:
        void handle;
        return this.failing(plan);
    }
  }

  stop(handle: unknown): Promise<ControlResult> {
    return this.control('stop', handle, async () => {
      this.contexts.delete((handle as DoubleHandle).workerId);
    });
  }

  cancel(handle: unknown): Promise<ControlResult> {
    return this.control('cancel', handle, async () => {
      const context = this.contexts.get((handle as DoubleHandle).workerId);
      await context?.publish({ event: 'error', data: { code: 'cancelled', message: this.text() } });
      await context?.publish({ event: 'run_end', data: { result: 'cancelled' } });
      await context?.publish({ event: 'status', data: { status: 'idle' } });
    });
  }

  dispatchMethod(handle: unknown): Promise<ControlResult> {
    return this.control('method', handle, () => this.publishMarkers((handle as DoubleHandle).workerId));
  }

  snapshot(handle: unknown): Promise<SnapshotResult> {
    const plan = this.choose('snapshot');
    switch (plan) {
      case 'ready':
        return Promise.resolve({
          status: 'ready',
          snapshot: {
            entries: [],
            greeting: { worker_name: (handle as DoubleHandle).workerId, cwd: this.text(), provider: 'double', model: 'm' },
            status: 'idle',
            internal_workers: [{ name: 'child', greeting: { worker_name: 'child', cwd: this.text() }, snapshot: { greeting: { cwd: this.text() } } }],
          },
        });
      case 'rejected':
        return Promise.resolve({ status: 'rejected', diagnostic: this.diagnostic() });
      default:
        return this.failing(plan);
    }
  }

  async dispose(): Promise<void> {
    this.contexts.clear();
  }
}

// ---------------------------------------------------------------------------------------------------
// Scenario

type Op = 'input' | 'input_hold' | 'cancel' | 'busy_then_cancel' | 'stop' | 'method' | 'snapshot' | 'lost' | 'restored' | 'publish' | 'transcript' | 'remove';

const opArb = fc.oneof(
  { arbitrary: fc.constantFrom<Op>('input', 'method', 'snapshot', 'busy_then_cancel'), weight: 8 },
  { arbitrary: fc.constantFrom<Op>('input_hold', 'cancel', 'stop', 'lost', 'restored', 'publish', 'transcript', 'remove'), weight: 4 },
);

const workerArb = fc.record({
  profile: fc.constantFrom('double', 'double', 'double', 'fake', 'none'),
  ops: fc.array(opArb, { minLength: 3, maxLength: 14 }),
});

const scenarioArb = fc.record({
  messages: fc.array(messageArb, { minLength: 1, maxLength: 8 }),
  handleSecret: messageArb,
  plan: doublePlanArb,
  workers: fc.array(workerArb, { minLength: 1, maxLength: 4 }),
});

/** A fixed clock (so no timestamp digits can look like a planted pid); real timers for deadlines. */
const fixedClock: ClockPort = {
  now: () => 1_000,
  setTimer: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

function sequentialIds(): IdPort {
  let n = 0;
  return { submissionId: () => `sub-${++n}`, workerId: () => `gen-${++n}`, epoch: () => `ep${++n}` };
}

const user = (content: string): WorkerInput => ({ kind: 'user', segments: [{ kind: 'text', content }] });

async function collect(subscription: ObservationSubscription): Promise<ObservationFrame[]> {
  return takeUntil(subscription, (frame) => frame.type === 'end', 5_000);
}

describe('property: nothing internal reaches a browser', () => {
  it('no random part of a marker planted in a backend-controlled field appears in any browser-bound output', async () => {
    let markersReachedTheBoundary = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const secrets = new Set<string>();
        const numbers = new Set<string>();
        for (const marked of [...scenario.messages, scenario.handleSecret]) {
          for (const s of marked.secrets) secrets.add(s);
          for (const n of marked.numbers) numbers.add(n);
        }

        const double = new MarkerBackend(
          scenario.plan,
          scenario.messages.map((m) => m.text),
        );
        const fake = new FakeExecutionBackend({ backendId: 'fake', handleSecret: scenario.handleSecret.text });
        const container = createRuntimeContainer({
          runtime: {
            runtimeId: 'rt',
            profiles: { double: { backend: 'double' }, fake: { backend: 'fake' }, none: { backend: null } },
            deadlines: { spawnMs: 500, dispatchMs: 500, stopMs: 500, cancelMs: 500, methodMs: 500, snapshotMs: 500 },
          },
          memoryBus: { retentionPerWorker: 10_000, subscriberQueue: 100_000 },
          backends: [
            new ContainerModule(({ bind }) => {
              bind(ExecutionBackendPort).toConstantValue(double);
              bind(ExecutionBackendPort).toConstantValue(fake);
            }),
          ],
        });
        container.rebind(ClockPortId).toConstantValue(fixedClock);
        container.rebind(IdPortId).toConstantValue(sequentialIds());
        const runtime = container.get(WorkerRuntime);

        /** Everything that would be sent to a browser, labelled by where it came from. */
        const outputs: { where: string; text: string }[] = [];
        const emit = (where: string, value: unknown) => outputs.push({ where, text: JSON.stringify(value) ?? 'undefined' });
        const rawFrames: ObservationFrame[] = [];

        const lifecycle = runtime.lifecycle();
        const observations: Promise<ObservationFrame[]>[] = [];

        for (const [index, { profile, ops }] of scenario.workers.entries()) {
          const id = `w${index}`;
          const contextOf = () => (profile === 'fake' ? fake.contextOf(id) : double.contextOf(id));
          /** The backend reports the current run over (so the next input reaches it). */
          const endRun = async () => {
            if (runtime.get(id)?.state === 'busy') await contextOf()?.publish({ event: 'run_end', data: { result: 'finished' } });
          };
          const created = await runtime.create({ workerId: id, profile });
          emit(`create ${id}`, created);
          const observed = runtime.observe(id);
          emit(`observe ${id}`, observed.ok ? { ok: true } : observed);
          if (observed.ok) observations.push(collect(observed.subscription));

          for (const op of ops) {
            switch (op) {
              case 'input':
                await endRun();
                emit(`submitInput ${id}`, await runtime.submitInput(id, user('please go on')));
                break;
              case 'input_hold':
                emit(`submitInput ${id}`, await runtime.submitInput(id, user('a long one #hold')));
                break;
              case 'cancel':
                emit(`cancel ${id}`, await runtime.cancel(id));
                break;
              case 'busy_then_cancel':
                // The backend reports a run (so cancel reaches it), then the caller cancels it.
                await contextOf()?.publish({ event: 'status', data: { status: 'running' } });
                emit(`cancel ${id}`, await runtime.cancel(id));
                await endRun();
                break;
              case 'stop':
                emit(`stop ${id}`, await runtime.stop(id));
                break;
              case 'method':
                emit(`invokeMethod ${id}`, await runtime.invokeMethod(id, { method: 'compact' }));
                break;
              case 'snapshot':
                emit(`snapshot ${id}`, await runtime.snapshot(id));
                break;
              case 'lost':
                contextOf()?.reportLost(double.diagnostic());
                break;
              case 'restored':
                contextOf()?.reportRestored('idle');
                break;
              case 'publish':
                for (const event of double.markerEvents()) await contextOf()?.publish(event);
                break;
              case 'transcript':
                emit(`transcript ${id}`, await runtime.transcript(id));
                break;
              case 'remove':
                emit(`remove ${id}`, await runtime.remove(id));
                break;
            }
            emit(`get ${id}`, runtime.get(id));
          }
        }

        for (const [index] of scenario.workers.entries()) {
          emit(`transcript w${index}`, await runtime.transcript(`w${index}`));
          emit(`get w${index}`, runtime.get(`w${index}`));
        }
        emit('list', runtime.list());
        emit('summary', runtime.summary());
        emit('profiles', runtime.profiles());

        await runtime.shutdown();
        emit('list after shutdown', runtime.list());
        emit('summary after shutdown', runtime.summary());

        const lifecycleFrames = await takeUntil(lifecycle as unknown as ObservationSubscription, (frame) => frame.type === 'end', 5_000);
        for (const frame of lifecycleFrames) emit('lifecycle frame', frame);
        for (const frames of await Promise.all(observations)) {
          for (const frame of frames) {
            rawFrames.push(frame);
            emit('observation frame', toBrowserFrame(frame));
          }
        }

        // The markers did reach the boundary (the raw frames carry them), so the scan is not vacuous.
        const raw = JSON.stringify(rawFrames);
        if ([...secrets].some((s) => raw.includes(s))) markersReachedTheBoundary++;

        for (const { where, text } of outputs) {
          for (const secret of secrets) {
            const at = text.indexOf(secret);
            if (at >= 0) throw new Error(`${where} leaks "${secret}": …${text.slice(Math.max(0, at - 80), at + secret.length + 40)}…`);
          }
          for (const pid of numbers) {
            const match = new RegExp(`(^|[^0-9])${pid}([^0-9]|$)`).exec(text);
            if (match) throw new Error(`${where} leaks pid ${pid}: …${text.slice(Math.max(0, match.index - 80), match.index + 40)}…`);
          }
        }
      }),
      { numRuns: 200 },
    );
    expect(markersReachedTheBoundary).toBeGreaterThan(0);
    const missed = Object.entries(PLAN_VALUES).flatMap(([operation, values]) =>
      values.map((value) => `${operation}:${value}`).filter((branch) => !branchesTaken.has(branch)),
    );
    expect(missed, 'backend branches never exercised').toEqual([]);
  });
});
