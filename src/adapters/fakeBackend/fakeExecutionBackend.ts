import type { DecisionAnswer } from '../../domain/decision.js';
import type { WorkerInput } from '../../domain/workerInput.js';
import type { WorkerMethod } from '../../domain/workerMethod.js';
import type { RunState } from '../../domain/workerState.js';
import type {
  ControlResult,
  DispatchResult,
  ExecutionBackendPort,
  InputRecordResult,
  RestoreRequest,
  RestoreResult,
  SnapshotResult,
  SpawnRequest,
  SpawnResult,
} from '../../ports/executionBackendPort.js';
import type { AskResult, ExecutionContext } from '../../ports/executionContext.js';
import { isAskStep, type FakeQuestion, type FakeRunStep } from './fakeAsks.js';
import { FakeExecution, type FakeHandle } from './fakeExecution.js';
import {
  ALL_CAPABILITIES,
  DEFAULT_BEHAVIOURS,
  fakeDiagnostic,
  type ControlBehaviour,
  type Delayed,
  type FakeBehaviours,
  type FakeCapabilities,
  type RunMode,
  type SpawnBehaviour,
} from './fakeBehaviour.js';
import { fakeRunEvents } from './fakeRunEvents.js';

export type { FakeHandle };

export interface FakeExecutionBackendOptions {
  backendId?: string;
  capabilities?: Partial<FakeCapabilities>;
  behaviours?: Partial<FakeBehaviours>;
  runMode?: RunMode;
  /** Planted in every handle (for non-leak tests). */
  handleSecret?: string;
  /** Steps of a run for an input (events, and questions: `FakeAskStep`); default: `fakeRunEvents` (a short scripted run; `#ask` asks first). */
  script?: (input: WorkerInput, workerId: string) => FakeRunStep[];
  /** Pause between the events of a run, to look like streaming (demos, browser tests). Default 0. */
  eventDelayMs?: number;
  /** Inputs whose run stays in progress until `finishRun`, cancel or stop, even in `auto` mode. Default: text containing `#hold`. */
  holdWhen?: (input: WorkerInput) => boolean;
  /**
   * What `inputRecord` answers: by default this instance's own record (`committed` for a submission
   * it acknowledged, `unknown` for any other: it knows nothing of another instance's); a function to
   * script it; `false`: no `inputRecord` at all.
   */
  inputRecord?: false | ((submissionId: string) => InputRecordResult);
}

const holdsByDefault = (input: WorkerInput): boolean =>
  input.kind === 'user' && input.segments.some((s) => s.kind === 'text' && String(s.content).includes('#hold'));

/**
 * FAKE execution backend, for tests and examples: deterministic and scriptable. Each operation's
 * behaviour can be set persistently (`behave`) or for the next call (`once`); it records every
 * dispatch and knows which executions are live, so tests can prove nothing is orphaned.
 */
export class FakeExecutionBackend implements ExecutionBackendPort {
  readonly backendId: string;
  readonly capabilities: FakeCapabilities;
  readonly dispatches: { workerId: string; input: WorkerInput; submissionId: string }[] = [];
  readonly calls: { operation: keyof FakeBehaviours; workerId: string }[] = [];
  /** Every answer `decide` delivered to this fake (an agent must never get two for one question). */
  readonly answers: { workerId: string; answer: DecisionAnswer }[] = [];
  private readonly behaviours: FakeBehaviours;
  private readonly queued = new Map<keyof FakeBehaviours, Delayed<string>[]>();
  private readonly executions = new Map<string, FakeExecution>();
  private readonly runMode: RunMode;
  private readonly handleSecret: string;
  private readonly script: (input: WorkerInput, workerId: string) => FakeRunStep[];
  private readonly holdWhen: (input: WorkerInput) => boolean;
  private readonly eventDelayMs: number;

  stop?: (handle: unknown, signal: AbortSignal) => Promise<ControlResult>;
  cancel?: (handle: unknown, signal: AbortSignal) => Promise<ControlResult>;
  restore?: (request: RestoreRequest, context: ExecutionContext, signal: AbortSignal) => Promise<RestoreResult>;
  dispatchMethod?: (handle: unknown, method: WorkerMethod, signal: AbortSignal) => Promise<ControlResult>;
  snapshot?: (handle: unknown, signal: AbortSignal) => Promise<SnapshotResult>;
  decide?: (handle: unknown, answer: DecisionAnswer, signal: AbortSignal) => Promise<ControlResult>;
  inputRecord?: (handle: unknown, submissionId: string, signal: AbortSignal) => Promise<InputRecordResult>;
  private readonly acknowledged = new Set<string>();

  constructor(options: FakeExecutionBackendOptions = {}) {
    this.backendId = options.backendId ?? 'fake';
    this.capabilities = { ...ALL_CAPABILITIES, ...options.capabilities };
    this.behaviours = { ...DEFAULT_BEHAVIOURS, ...options.behaviours };
    this.runMode = options.runMode ?? 'auto';
    this.handleSecret = options.handleSecret ?? 'fake-handle';
    this.script = options.script ?? fakeRunEvents;
    this.holdWhen = options.holdWhen ?? holdsByDefault;
    this.eventDelayMs = options.eventDelayMs ?? 0;
    if (this.capabilities.stop) this.stop = (handle) => this.control('stop', handle, () => this.end(handle));
    if (this.capabilities.cancel) this.cancel = (handle) => this.control('cancel', handle, () => this.cancelRun(handle));
    if (this.capabilities.method) this.dispatchMethod = (handle) => this.control('method', handle, () => undefined);
    if (this.capabilities.snapshot) this.snapshot = (handle) => this.snapshotOf(handle);
    if (this.capabilities.restore) this.restore = (request, context) => this.restoreWorker(request, context);
    if (this.capabilities.decide) this.decide = (handle, answer) => this.answer(handle as FakeHandle, answer);
    const record = options.inputRecord;
    if (record !== false) {
      this.inputRecord = (_handle, submissionId) =>
        Promise.resolve(record ? record(submissionId) : { status: this.acknowledged.has(submissionId) ? 'committed' : 'unknown' });
    }
  }

  /** Sets an operation's behaviour from now on. */
  behave(behaviours: Partial<FakeBehaviours>): this {
    Object.assign(this.behaviours, behaviours);
    return this;
  }

  /** Sets an operation's behaviour for its next call only (queued, first in first out). */
  once<K extends keyof FakeBehaviours>(operation: K, behaviour: FakeBehaviours[K]): this {
    const queue = this.queued.get(operation) ?? [];
    queue.push(behaviour as Delayed<string>);
    this.queued.set(operation, queue);
    return this;
  }

  /** Workers whose execution is live (spawned and not stopped). */
  get live(): string[] {
    return [...this.executions.keys()];
  }

  contextOf(workerId: string): ExecutionContext | undefined {
    return this.executions.get(workerId)?.context;
  }

  /** Publishes an event as this backend, through the Worker's context. */
  publish(workerId: string, event: unknown): ReturnType<ExecutionContext['publish']> {
    const execution = this.executions.get(workerId);
    if (!execution) return Promise.resolve({ ok: false, reason: 'revoked', message: 'no such fake execution' });
    return execution.context.publish(event);
  }

  /** Questions of this Worker's execution still waiting for an answer. */
  openQuestions(workerId: string): number {
    return this.executions.get(workerId)?.asks.size ?? 0;
  }

  /** Asks a question outside any run, through the Worker's context (publishing `permission_request`). */
  ask(workerId: string, question: FakeQuestion): Promise<AskResult> {
    const execution = this.executions.get(workerId);
    return execution ? execution.ask(question) : Promise.resolve({ ok: false, reason: 'revoked', message: 'no such fake execution' });
  }

  /** Plays the rest of a Worker's current run (manual run mode), up to a question that waits for a person. */
  async finishRun(workerId: string): Promise<void> {
    await this.executions.get(workerId)?.play();
  }

  /** Simulates the execution dying: the Worker becomes unavailable with this diagnostic. */
  crash(workerId: string, code = 'execution_lost', message = 'fake execution exited'): void {
    const execution = this.executions.get(workerId);
    if (!execution) return;
    this.executions.delete(workerId);
    execution.context.reportLost(fakeDiagnostic(code, message));
  }

  /** Simulates a dropped connection the execution survives: the Worker becomes unavailable until `reconnect`. */
  disconnect(workerId: string, code = 'connection_lost', message = 'fake connection dropped'): void {
    this.executions.get(workerId)?.context.reportLost(fakeDiagnostic(code, message));
  }

  /** Reconnects after `disconnect`, publishing from then on through the context the Runtime hands back. */
  reconnect(workerId: string, state: RunState = 'idle'): boolean {
    const execution = this.executions.get(workerId);
    const next = execution?.context.reportRestored(state);
    if (!execution || !next) return false;
    execution.context = next;
    return true;
  }

  /** Profile options `{ spawn: <behaviour> }` override the spawn behaviour for that profile. */
  async spawn(request: SpawnRequest, context: ExecutionContext, signal: AbortSignal): Promise<SpawnResult> {
    void signal;
    const profileSpawn = (request.profileOptions as { spawn?: SpawnBehaviour } | undefined)?.spawn;
    if (profileSpawn) this.once('spawn', profileSpawn);
    return this.start('spawn', context);
  }

  async dispatchInput(handle: unknown, input: WorkerInput, submissionId: string): Promise<DispatchResult> {
    const { workerId } = handle as FakeHandle;
    const behaviour = await this.next('dispatch', workerId);
    const execution = this.executions.get(workerId);
    switch (behaviour) {
      case 'busy':
        return { status: 'busy', message: 'fake backend is busy' };
      case 'reject':
        return { status: 'rejected', diagnostic: fakeDiagnostic('fake_rejected', 'fake backend rejected the input') };
      case 'throw':
        throw new Error('fake backend threw on dispatch');
      case 'invalid':
        return { status: 'nonsense' } as unknown as DispatchResult;
    }
    if (!execution) return { status: 'rejected', diagnostic: fakeDiagnostic('fake_no_execution', 'no execution') };
    this.dispatches.push({ workerId, input, submissionId });
    const steps = this.script(input, workerId);
    const split = steps.findIndex((e) => isAskStep(e) || e.event === 'turn_start');
    const head = split < 0 ? steps : steps.slice(0, split);
    for (const event of head) if (!isAskStep(event)) await execution.context.publish(event);
    execution.running = split < 0 ? [] : steps.slice(split);
    if (this.runMode === 'auto' && !this.holdWhen(input)) setImmediate(() => void this.finishRun(workerId));
    const ack = behaviour === 'wrong_ack' ? `${submissionId}-other` : behaviour === 'missing_ack' ? undefined : submissionId;
    if (ack === submissionId) this.acknowledged.add(submissionId);
    return { status: 'accepted', submissionId: ack, state: 'busy' };
  }

  async dispose(): Promise<void> {
    for (const workerId of this.live) this.executions.delete(workerId);
  }

  private async start(operation: 'spawn' | 'restore', context: ExecutionContext): Promise<SpawnResult> {
    const { workerId } = context.worker;
    const behaviour = await this.next(operation, workerId);
    switch (behaviour) {
      case 'reject':
        return { status: 'rejected', diagnostic: fakeDiagnostic('fake_spawn_rejected', 'fake backend refused to start') };
      case 'throw':
        throw new Error('fake backend threw on spawn');
      case 'invalid':
        return { status: 'nonsense' } as unknown as SpawnResult;
    }
    const handle: FakeHandle = { workerId, secret: this.handleSecret };
    this.executions.set(workerId, new FakeExecution(context, handle, this.eventDelayMs));
    return { status: 'ready', handle, state: behaviour === 'busy_ready' ? 'busy' : 'idle', restoreToken: `fake:${workerId}` };
  }

  private async restoreWorker(request: RestoreRequest, context: ExecutionContext): Promise<RestoreResult> {
    void request;
    if (this.peek('restore') === 'unsupported') {
      await this.next('restore', context.worker.workerId);
      return { status: 'unsupported' };
    }
    return this.start('restore', context);
  }

  private async control(operation: 'stop' | 'cancel' | 'method', handle: unknown, effect: () => void | Promise<void>): Promise<ControlResult> {
    const behaviour = (await this.next(operation, (handle as FakeHandle).workerId)) as ControlBehaviour;
    switch (behaviour) {
      case 'reject':
        return { status: 'rejected', diagnostic: fakeDiagnostic('fake_control_rejected', `fake backend refused ${operation}`) };
      case 'throw':
        throw new Error(`fake backend threw on ${operation}`);
      case 'unsupported':
        return { status: 'unsupported' };
    }
    await effect();
    return { status: 'done' };
  }

  private async snapshotOf(handle: unknown): Promise<SnapshotResult> {
    const { workerId, secret } = handle as FakeHandle;
    const behaviour = (await this.next('snapshot', workerId)) as ControlBehaviour;
    if (behaviour === 'throw') throw new Error('fake backend threw on snapshot');
    if (behaviour === 'unsupported') return { status: 'unsupported' };
    if (behaviour === 'reject') return { status: 'rejected', diagnostic: fakeDiagnostic('fake_snapshot_rejected', 'no snapshot') };
    const running = this.executions.get(workerId)?.running != null;
    const greeting = { worker_name: workerId, cwd: `/srv/fake/${secret}`, provider: 'fake', model: 'fake-scripted' };
    return { status: 'ready', snapshot: { entries: [], greeting, status: running ? 'running' : 'idle' } };
  }

  /** A stop answers the execution's open questions `cancelled` first (as ACP requires), then ends it. */
  private async end(handle: unknown): Promise<void> {
    await this.executions.get((handle as FakeHandle).workerId)?.end();
    this.executions.delete((handle as FakeHandle).workerId);
  }

  private async cancelRun(handle: unknown): Promise<void> {
    await this.executions.get((handle as FakeHandle).workerId)?.cancelRun();
  }

  /** Delivers an answer to its question (once: a second one for the same question is `rejected`), then the run goes on. */
  private async answer(handle: FakeHandle, answer: DecisionAnswer): Promise<ControlResult> {
    const behaviour = (await this.next('decide', handle.workerId)) as ControlBehaviour;
    switch (behaviour) {
      case 'reject':
        return { status: 'rejected', diagnostic: fakeDiagnostic('fake_decide_rejected', 'fake backend refused the answer') };
      case 'throw':
        throw new Error('fake backend threw on decide');
      case 'unsupported':
        return { status: 'unsupported' };
    }
    this.answers.push({ workerId: handle.workerId, answer });
    const delivered = await this.executions.get(handle.workerId)?.answer(answer);
    return delivered ? { status: 'done' } : { status: 'rejected', diagnostic: fakeDiagnostic('fake_decision_unknown', 'no such open question') };
  }

  private peek(operation: keyof FakeBehaviours): string {
    const queued = this.queued.get(operation)?.[0];
    const behaviour = queued ?? this.behaviours[operation];
    return typeof behaviour === 'string' ? behaviour : behaviour.then;
  }

  /** Takes the behaviour for this call, waiting out a delay; `hang` never returns. */
  private async next(operation: keyof FakeBehaviours, workerId: string): Promise<string> {
    this.calls.push({ operation, workerId });
    const behaviour = this.queued.get(operation)?.shift() ?? (this.behaviours[operation] as Delayed<string>);
    const resolved = typeof behaviour === 'string' ? behaviour : (await sleep(behaviour.delayMs), behaviour.then);
    if (resolved === 'hang') await new Promise<never>(() => undefined);
    return resolved;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
