import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerRuntime } from '../application/workerRuntime.js';
import type { OperationResult } from '../domain/executionResult.js';
import type { WorkerInput } from '../domain/workerInput.js';
import type { WorkerMethod } from '../domain/workerMethod.js';
import type { WorkerState } from '../domain/workerState.js';
import type { ExecutionBackendPort } from '../ports/executionBackendPort.js';
import { Gate, gatedBackend, runtimeAround } from './backendHarness.js';
import { eventNames, eventually, sequences, takeUntil } from './frames.js';

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
  /** Profile options that make spawn fail with a typed rejection. Absent: that case is skipped. */
  readonly failingProfileOptions?: unknown;
  /** A method the backend accepts when connected (default `compact`). */
  readonly method?: WorkerMethod;
  /** Deadlines for the suite's Runtime (ms). */
  readonly deadlines?: { spawnMs?: number; dispatchMs?: number; stopMs?: number; cancelMs?: number };
  /** How long a run may take to end (ms, default 5000). */
  readonly runTimeoutMs?: number;
}

type Op = 'input' | 'cancel' | 'stop' | 'method' | 'snapshot';
type Expectation = readonly [OperationResult['outcome'], OperationResult['reason']];

/**
 * The exported contract suite for ExecutionBackendPort adapters. It drives the adapter through the real
 * WorkerRuntime (so the contract's rules are checked end to end), covers every operation in every
 * lifecycle state, and skips only by declared capability.
 */
export function describeExecutionBackendConformance(options: ExecutionBackendConformanceOptions): void {
  const caps = options.capabilities;
  const runTimeout = options.runTimeoutMs ?? 5_000;
  const method: WorkerMethod = options.method ?? { method: 'compact' };

  describe(`execution backend conformance: ${options.name}`, () => {
    let subject: BackendUnderTest;
    let runtime: WorkerRuntime | null = null;
    let gates: { spawn: Gate; stop: Gate };
    let serial = 0;

    const start = (profileOptions = subject.profileOptions) => {
      runtime = runtimeAround(gatedBackend(subject.backend, gates), {
        profileOptions,
        runtime: { deadlines: { spawnMs: 10_000, dispatchMs: 10_000, stopMs: 10_000, cancelMs: 10_000, ...options.deadlines } },
      });
      return runtime;
    };
    const nextId = () => `conf-${process.pid}-${serial++}`;
    const idle = (rt: WorkerRuntime, id: string) => eventually(() => rt.get(id)?.state === 'idle', runTimeout);
    const run = (rt: WorkerRuntime, id: string, op: Op): Promise<OperationResult> => {
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
    });
    afterEach(async () => {
      gates.spawn.open();
      gates.stop.open();
      await runtime?.shutdown();
      runtime = null;
      await subject.dispose();
    });

    it('declares the capabilities it has: optional methods present exactly when declared', () => {
      const b = subject.backend;
      expect({
        stop: typeof b.stop === 'function',
        cancel: typeof b.cancel === 'function',
        method: typeof b.dispatchMethod === 'function',
        snapshot: typeof b.snapshot === 'function',
        restore: typeof b.restore === 'function',
      }).toEqual({ ...caps });
    });

    it('spawns a connected Worker whose projection carries nothing internal', async () => {
      const rt = start();
      const { result, worker } = await rt.create({ workerId: nextId(), profile: 'test' });
      expect(result).toMatchObject({ operation: 'create', outcome: 'accepted', reason: 'created' });
      expect(['idle', 'busy']).toContain(worker?.state);
      expect(Object.keys(worker ?? {}).sort()).toEqual(
        ['createdAt', 'diagnostic', 'displayName', 'profile', 'runGeneration', 'runtimeId', 'state', 'updatedAt', 'workerId'].sort(),
      );
    });

    it('commits an input with the exact submission id, publishes user_message once, returns to idle', async () => {
      const rt = start();
      const id = nextId();
      await rt.create({ workerId: id, profile: 'test' });
      expect(await idle(rt, id)).toBe(true);
      const observed = rt.observe(id);
      if (!observed.ok) throw new Error(observed.result.reason);
      const result = await rt.submitInput(id, options.shortInput);
      expect(result).toMatchObject({ outcome: 'accepted', reason: 'committed' });
      expect(result.submissionId).toMatch(/\S/);
      const frames = await takeUntil(
        observed.subscription,
        (f) => f.type === 'observation' && f.observation.event.event === 'run_end',
        runTimeout,
      );
      observed.subscription.close();
      expect(eventNames(frames).filter((n) => n === 'user_message')).toHaveLength(1);
      const seq = sequences(frames);
      expect(seq).toEqual(Array.from({ length: seq.length }, (_, i) => i + 1));
      expect(await idle(rt, id)).toBe(true);
    });

    it('racing inputs to one idle Worker: exactly one accepted, the rest busy', async () => {
      const rt = start();
      const id = nextId();
      await rt.create({ workerId: id, profile: 'test' });
      await idle(rt, id);
      const results = await Promise.all(Array.from({ length: 8 }, () => rt.submitInput(id, options.shortInput)));
      expect(results.filter((r) => r.outcome === 'accepted')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'busy')).toHaveLength(7);
      await idle(rt, id);
    });

    const expectations = (state: string): Record<Op, Expectation> => {
      const unsupported: Expectation = ['unsupported', 'operation_unsupported'];
      const refused = (reason: OperationResult['reason']): Record<Op, Expectation> => ({
        input: ['rejected', reason],
        cancel: ['rejected', reason],
        stop: ['rejected', reason],
        method: ['rejected', reason],
        snapshot: ['rejected', reason],
      });
      switch (state) {
        case 'starting':
          return refused('worker_starting');
        case 'stopping':
          return refused('worker_stopping');
        case 'stopped':
          return { ...refused('worker_stopped'), stop: ['accepted', 'already_stopped'] };
        case 'unavailable':
          return { ...refused('execution_unavailable'), stop: ['accepted', 'stopped'] };
        case 'idle':
          return {
            input: ['accepted', 'committed'],
            cancel: caps.cancel ? ['rejected', 'not_running'] : unsupported,
            stop: caps.stop ? ['accepted', 'stopped'] : unsupported,
            method: caps.method ? ['accepted', 'dispatched'] : unsupported,
            snapshot: caps.snapshot ? ['accepted', 'snapshot'] : unsupported,
          };
        default: // busy
          return {
            input: ['busy', 'run_in_flight'],
            cancel: caps.cancel ? ['accepted', 'cancelled'] : unsupported,
            stop: caps.stop ? ['accepted', 'stopped'] : unsupported,
            method: caps.method ? ['accepted', 'dispatched'] : unsupported,
            snapshot: caps.snapshot ? ['accepted', 'snapshot'] : unsupported,
          };
      }
    };

    /** Starts a Runtime with a fresh Worker in `state`; returns the Worker id, or null when this adapter cannot reach it. */
    const enter = async (state: string): Promise<string | null> => {
      const id = nextId();
      if (state === 'unavailable') {
        if (options.failingProfileOptions === undefined) return null;
        await start(options.failingProfileOptions).create({ workerId: id, profile: 'test' });
        return id;
      }
      if (state === 'starting') {
        gates.spawn = new Gate();
        const rt = start();
        void rt.create({ workerId: id, profile: 'test' });
        await eventually(() => rt.get(id)?.state === 'starting');
        return id;
      }
      if ((state === 'busy' && !options.longInput) || ((state === 'stopped' || state === 'stopping') && !caps.stop)) return null;
      const rt = start();
      await rt.create({ workerId: id, profile: 'test' });
      await idle(rt, id);
      if (state === 'busy') {
        await rt.submitInput(id, options.longInput!);
        await eventually(() => rt.get(id)?.state === 'busy');
      } else if (state === 'stopped') {
        await rt.stop(id);
      } else if (state === 'stopping') {
        gates.stop = new Gate();
        void rt.stop(id);
        await eventually(() => rt.get(id)?.state === 'stopping');
      }
      return id;
    };

    const states = ['starting', 'idle', 'busy', 'stopping', 'stopped', 'unavailable'] as const;
    const ops: readonly Op[] = ['input', 'cancel', 'stop', 'method', 'snapshot'];
    for (const state of states) {
      for (const op of ops) {
        it(`${op} in state ${state} gives its typed result; unsupported leaves the state exactly as it was`, async (ctx) => {
          const id = await enter(state);
          if (id === null) return ctx.skip(`this adapter declares no way into state ${state}`);
          const rt = runtime!;
          const before = rt.get(id);
          const result = await run(rt, id, op);
          const [outcome, reason] = expectations(state)[op];
          expect([result.outcome, result.reason]).toEqual([outcome, reason]);
          expect(result.operation).toBe(op);
          if (outcome === 'unsupported' || (outcome === 'rejected' && state !== 'unavailable')) {
            expect(rt.get(id)?.state).toBe(before?.state as WorkerState);
            expect(rt.get(id)?.updatedAt).toBe(before?.updatedAt);
          }
          if (op === 'cancel' && outcome === 'accepted') expect(await idle(rt, id)).toBe(true);
          if (op === 'stop' && outcome === 'accepted') expect(rt.get(id)?.state).toBe('stopped');
        });
      }
    }

    it('a Worker whose spawn fails is unavailable with a diagnostic, and its input reaches nothing', async (ctx) => {
      if (options.failingProfileOptions === undefined) return ctx.skip('no failing profile declared');
      const rt = start(options.failingProfileOptions);
      const id = nextId();
      const { result, worker } = await rt.create({ workerId: id, profile: 'test' });
      expect(result.outcome).not.toBe('accepted');
      expect(worker?.state).toBe('unavailable');
      expect(worker?.diagnostic?.code).toMatch(/^[a-z][a-z0-9_]*$/);
      const input = await rt.submitInput(id, options.shortInput);
      expect(input).toMatchObject({ outcome: 'rejected', reason: 'execution_unavailable' });
      const page = await rt.transcript(id);
      expect(page.ok && page.entries.filter((e) => e.kind === 'user')).toEqual([]);
    });

    it('shutdown stops every live execution and ends subscriptions with a final frame', async () => {
      const rt = start();
      const id = nextId();
      await rt.create({ workerId: id, profile: 'test' });
      const observed = rt.observe(id);
      if (!observed.ok) throw new Error(observed.result.reason);
      await rt.shutdown();
      const frames = await takeUntil(observed.subscription, (f) => f.type === 'end');
      expect(frames.at(-1)).toEqual({ type: 'end', reason: 'shutdown' });
      expect(rt.summary().state).toBe('stopped');
      if (caps.stop) expect(rt.get(id)?.state).toBe('stopped');
    });
  });
}
