import type { WorkerRuntime } from '../application/workerRuntime.js';
import type { OperationResult } from '../domain/executionResult.js';
import type { WorkerInput } from '../domain/workerInput.js';
import type { WorkerMethod } from '../domain/workerMethod.js';
import type { WorkerState } from '../domain/workerState.js';
import type { ExecutionBackendPort } from '../ports/executionBackendPort.js';
import { Gate, gatedBackend, runtimeAround } from './backendHarness.js';
import { expectationsFor, type ConformanceOp } from './conformanceExpectations.js';
import { PROTOCOL_DOC, untilState } from './conformanceWaits.js';
import { describeDecisionCases } from './decisionConformance.js';
import { eventNames, sequences, takeUntil } from './frames.js';
import { vitestFor } from './vitestApi.js';

export interface BackendUnderTest {
  readonly backend: ExecutionBackendPort;
  /** Profile options handed to spawn (the backend parses them). */
  readonly profileOptions?: unknown;
  /** Releases everything the backend holds (the suite also shuts its Runtime down first). */
  dispose(): Promise<void>;
}

export interface BackendCapabilities {
  readonly stop: boolean;
  readonly cancel: boolean;
  readonly method: boolean;
  readonly snapshot: boolean;
  readonly restore: boolean;
  /** `decide`: questions the backend asks (`ExecutionContext.ask`) can be answered. Default false. */
  readonly decide?: boolean;
}

export interface ExecutionBackendConformanceOptions {
  readonly name: string;
  create(): Promise<BackendUnderTest> | BackendUnderTest;
  /** What the adapter declares; the suite checks the declaration against the methods present. */
  readonly capabilities: BackendCapabilities;
  /** An input whose run completes by itself. */
  readonly shortInput: WorkerInput;
  /** An input whose run lasts until cancelled or stopped. Absent: busy-state cases are skipped. */
  readonly longInput?: WorkerInput;
  /** An input whose run asks a person (a permission decision) before it ends. Absent: decision cases are skipped. */
  readonly askInput?: WorkerInput;
  /** Profile options that make spawn fail with a typed rejection. Absent: that case is skipped. */
  readonly failingProfileOptions?: unknown;
  /** A method the backend accepts when connected (default `compact`). */
  readonly method?: WorkerMethod;
  /** Deadlines for the suite's Runtime (ms, default 10000 each). */
  readonly deadlines?: { spawnMs?: number; dispatchMs?: number; stopMs?: number; cancelMs?: number };
  /** How long a run may take to end, and a Worker to reach a state (ms, default 5000). */
  readonly runTimeoutMs?: number;
  /**
   * The test runner's timeout for each case and hook (ms). Default: room for the suite's own deadlines
   * and waits, so that the suite's message (what it expected) comes before the runner's timeout.
   */
  readonly testTimeoutMs?: number;
}

const STATES = ['starting', 'idle', 'busy', 'stopping', 'stopped', 'unavailable'] as const;
const OPS: readonly ConformanceOp[] = ['input', 'cancel', 'stop', 'method', 'snapshot'];
const describeResult = (r: OperationResult) => `${r.outcome}/${r.reason}${r.message ? ` (${r.message})` : ''}`;

/**
 * The exported contract suite for ExecutionBackendPort adapters. It drives the adapter through the real
 * WorkerRuntime (so the contract's rules are checked end to end), covers every operation in every
 * lifecycle state, and skips only by declared capability. Call it at the top level of a vitest file.
 */
export function describeExecutionBackendConformance(options: ExecutionBackendConformanceOptions): void {
  const vitest = vitestFor('describeExecutionBackendConformance');
  const { afterEach, beforeEach, describe, expect, it } = vitest;
  const caps = options.capabilities;
  const runTimeout = options.runTimeoutMs ?? 5_000;
  const deadlines = { spawnMs: 10_000, dispatchMs: 10_000, stopMs: 10_000, cancelMs: 10_000, ...options.deadlines };
  const longest = Math.max(...Object.values(deadlines));
  const timeout = options.testTimeoutMs ?? 2 * longest + 3 * runTimeout + 5_000;
  if (timeout <= longest + runTimeout) {
    throw new Error(`testTimeoutMs (${timeout}) must exceed the longest deadline plus runTimeoutMs (${longest + runTimeout}) so the suite can say what it expected`);
  }
  const method: WorkerMethod = options.method ?? { method: 'compact' };

  describe(`execution backend conformance: ${options.name}`, () => {
    let subject: BackendUnderTest;
    let runtime: WorkerRuntime | null = null;
    let gates: { spawn: Gate; stop: Gate };
    let serial = 0;

    const start = (profileOptions = subject.profileOptions) => {
      runtime = runtimeAround(gatedBackend(subject.backend, gates), { profileOptions, runtime: { deadlines } });
      return runtime;
    };
    const nextId = () => `conf-${process.pid}-${serial++}`;
    const reach = (rt: WorkerRuntime, id: string, state: WorkerState, after: string) => untilState(rt, id, state, runTimeout, after);
    const connect = async (rt: WorkerRuntime, id: string) => {
      const { result } = await rt.create({ workerId: id, profile: 'test' });
      expect(result.outcome, `spawn must commit the Worker; create answered ${describeResult(result)}`).toBe('accepted');
      await reach(rt, id, 'idle', 'after spawn answered ready');
    };
    const run = (rt: WorkerRuntime, id: string, op: ConformanceOp): Promise<OperationResult> => {
      switch (op) {
        case 'input':
          return rt.submitInput(id, options.shortInput);
        case 'cancel':
          return rt.cancel(id);
        case 'stop':
          return rt.stop(id);
        case 'method':
          return rt.invokeMethod(id, method);
        case 'snapshot':
          return rt.snapshot(id).then((r) => r.result);
      }
    };

    beforeEach(async () => {
      subject = await options.create();
      gates = { spawn: new Gate(), stop: new Gate() };
      gates.spawn.open();
      gates.stop.open();
    }, timeout);
    afterEach(async () => {
      gates.spawn.open();
      gates.stop.open();
      await runtime?.shutdown();
      runtime = null;
      await subject.dispose();
    }, timeout);

    it('declares the capabilities it has: optional methods present exactly when declared', () => {
      const b = subject.backend;
      const present = {
        stop: typeof b.stop === 'function',
        cancel: typeof b.cancel === 'function',
        method: typeof b.dispatchMethod === 'function',
        snapshot: typeof b.snapshot === 'function',
        restore: typeof b.restore === 'function',
        decide: typeof b.decide === 'function',
      };
      expect(present, 'capabilities must match the optional methods the backend has (method = dispatchMethod)').toEqual({ decide: false, ...caps });
    }, timeout);

    it('spawns a connected Worker whose projection carries nothing internal', async () => {
      const rt = start();
      const { result, worker } = await rt.create({ workerId: nextId(), profile: 'test' });
      expect(result, `spawn must answer ready; create answered ${describeResult(result)}`).toMatchObject({ operation: 'create', outcome: 'accepted', reason: 'created' });
      expect(['idle', 'busy']).toContain(worker?.state);
      expect(Object.keys(worker ?? {}).sort()).toEqual(
        ['createdAt', 'diagnostic', 'displayName', 'pendingDecisions', 'profile', 'queue', 'runGeneration', 'runtimeId', 'state', 'updatedAt', 'workerId'].sort(),
      );
    }, timeout);

    it('commits an input with the exact submission id, publishes user_message once, returns to idle', async () => {
      const rt = start();
      const id = nextId();
      await connect(rt, id);
      const observed = rt.observe(id);
      if (!observed.ok) throw new Error(`observe refused: ${describeResult(observed.result)}`);
      const result = await rt.submitInput(id, options.shortInput);
      expect(result, `dispatchInput must answer accepted with the submission id it was given; the input got ${describeResult(result)}`).toMatchObject({
        outcome: 'accepted',
        reason: 'committed',
      });
      expect(result.submissionId).toMatch(/\S/);
      const frames = await takeUntil(
        observed.subscription,
        (f) => f.type === 'observation' && f.observation.event.event === 'run_end',
        runTimeout,
        `run_end: the run of every accepted input must end with a run_end event (minimal run: user_message, output, run_end; see ${PROTOCOL_DOC})`,
      );
      observed.subscription.close();
      const names = eventNames(frames);
      expect(names.filter((n) => n === 'user_message'), `a committed input is published as exactly one user_message (got: ${names.join(', ')})`).toHaveLength(1);
      expect(names.at(-1), `the run's events must end with run_end (got: ${names.join(', ')})`).toBe('run_end');
      const seq = sequences(frames);
      expect(seq).toEqual(Array.from({ length: seq.length }, (_, i) => i + 1));
      await reach(rt, id, 'idle', 'after run_end');
    }, timeout);

    it('racing inputs to one idle Worker: exactly one accepted, the rest busy', async () => {
      const rt = start();
      const id = nextId();
      await connect(rt, id);
      const results = await Promise.all(Array.from({ length: 8 }, () => rt.submitInput(id, options.shortInput)));
      expect(results.filter((r) => r.outcome === 'accepted'), `results: ${results.map(describeResult).join(', ')}`).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'busy')).toHaveLength(7);
      await reach(rt, id, 'idle', 'after the accepted run');
    }, timeout);

    /** Starts a Runtime with a fresh Worker in `state`; returns the Worker id, or null when this adapter cannot reach it. */
    const enter = async (state: string): Promise<string | null> => {
      const id = nextId();
      if (state === 'unavailable') {
        if (options.failingProfileOptions === undefined) return null;
        await start(options.failingProfileOptions).create({ workerId: id, profile: 'test' });
        await reach(runtime!, id, 'unavailable', 'after spawn with failingProfileOptions (spawn must answer rejected with a diagnostic)');
        return id;
      }
      if (state === 'starting') {
        gates.spawn = new Gate();
        const rt = start();
        void rt.create({ workerId: id, profile: 'test' });
        await reach(rt, id, 'starting', 'after create');
        return id;
      }
      if ((state === 'busy' && !options.longInput) || ((state === 'stopped' || state === 'stopping') && !caps.stop)) return null;
      const rt = start();
      await connect(rt, id);
      if (state === 'busy') {
        const result = await rt.submitInput(id, options.longInput!);
        expect(result.outcome, `the long input must be accepted; it got ${describeResult(result)}`).toBe('accepted');
        await reach(rt, id, 'busy', 'after the long input was accepted');
      } else if (state === 'stopped') {
        await rt.stop(id);
      } else if (state === 'stopping') {
        gates.stop = new Gate();
        void rt.stop(id);
        await reach(rt, id, 'stopping', 'after stop');
      }
      return id;
    };

    for (const state of STATES) {
      for (const op of OPS) {
        it(`${op} in state ${state} gives its typed result; unsupported leaves the state exactly as it was`, async (ctx) => {
          const id = await enter(state);
          if (id === null) return ctx.skip(`this adapter declares no way into state ${state}`);
          const rt = runtime!;
          const before = rt.get(id);
          const result = await run(rt, id, op);
          const [outcome, reason] = expectationsFor(state, caps)[op];
          expect([result.outcome, result.reason], `${op} in state ${state}: expected ${outcome}/${reason}, got ${describeResult(result)}`).toEqual([outcome, reason]);
          expect(result.operation).toBe(op);
          if (outcome === 'unsupported' || (outcome === 'rejected' && state !== 'unavailable')) {
            expect(rt.get(id)?.state, `a ${outcome} ${op} must leave the state as it was`).toBe(before?.state as WorkerState);
            expect(rt.get(id)?.updatedAt).toBe(before?.updatedAt);
          }
          if (op === 'cancel' && outcome === 'accepted') await reach(rt, id, 'idle', 'after an accepted cancel (the cancelled run must end with run_end)');
          if (op === 'stop' && outcome === 'accepted') expect(rt.get(id)?.state).toBe('stopped');
        }, timeout);
      }
    }

    describeDecisionCases({
      api: vitest,
      timeout,
      runTimeout,
      caps,
      askInput: options.askInput,
      shortInput: options.shortInput,
      start: () => start(),
      nextId,
      connect,
      reach,
    });

    it('a Worker whose spawn fails is unavailable with a diagnostic, and its input reaches nothing', async (ctx) => {
      if (options.failingProfileOptions === undefined) return ctx.skip('no failing profile declared');
      const rt = start(options.failingProfileOptions);
      const id = nextId();
      const { result, worker } = await rt.create({ workerId: id, profile: 'test' });
      expect(result.outcome, 'spawn with failingProfileOptions must not be accepted').not.toBe('accepted');
      expect(worker?.state).toBe('unavailable');
      expect(worker?.diagnostic?.code).toMatch(/^[a-z][a-z0-9_]*$/);
      const input = await rt.submitInput(id, options.shortInput);
      expect(input).toMatchObject({ outcome: 'rejected', reason: 'execution_unavailable' });
      const page = await rt.transcript(id);
      expect(page.ok && page.entries.filter((e) => e.kind === 'user')).toEqual([]);
    }, timeout);

    it('shutdown stops every live execution and ends subscriptions with a final frame', async () => {
      const rt = start();
      const id = nextId();
      await rt.create({ workerId: id, profile: 'test' });
      const observed = rt.observe(id);
      if (!observed.ok) throw new Error(`observe refused: ${describeResult(observed.result)}`);
      await rt.shutdown();
      const frames = await takeUntil(observed.subscription, (f) => f.type === 'end', runTimeout, 'the final end frame after shutdown');
      expect(frames.at(-1)).toEqual({ type: 'end', reason: 'shutdown' });
      expect(rt.summary().state).toBe('stopped');
      if (caps.stop) expect(rt.get(id)?.state).toBe('stopped');
    }, timeout);
  });
}
