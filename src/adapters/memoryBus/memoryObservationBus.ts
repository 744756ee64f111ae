import { inject, injectable } from 'inversify';
import { cursorPrefix } from '../../domain/cursor.js';
import type { EndReason, Observation, ObservationFrame, ObservationSubscription } from '../../domain/observation.js';
import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import { LogStream } from '../../domain/stream/logStream.js';
import { RetentionBudget, type BudgetAccount, type RetentionReport } from '../../domain/stream/retentionBudget.js';
import { planResume } from '../../domain/stream/resumePlan.js';
import type { EntryCodec } from '../../domain/stream/streamFrames.js';
import type { WorkerRef } from '../../domain/workerRef.js';
import { ClockPort } from '../../ports/clockPort.js';
import type { PublishOptions, PublishResult } from '../../ports/executionContext.js';
import { IdPort } from '../../ports/idPort.js';
import type { ObservationPublisherPort } from '../../ports/observationPublisherPort.js';
import type { ObservationReaderPort, ReadOptions, ReadResult, SubscribeOptions } from '../../ports/observationReaderPort.js';
import { defaultBudgetBytes, MemoryBusOptions } from './memoryBusOptions.js';
import { observationCost } from './observationCost.js';

type Entry = Extract<ObservationFrame, { type: 'observation' }>;

const codec: EntryCodec<Entry> = {
  cursor: (entry) => entry.observation.cursor,
  replayed: (entry) => ({ type: 'observation', observation: entry.observation, replayed: true }),
};

interface WorkerStream {
  readonly epoch: string;
  /** `cursorPrefix(epoch)`, built once: a cursor is this plus the sequence. */
  readonly cursorPrefix: string;
  readonly stream: LogStream<Entry>;
  /** The stream's own frozen ref, carried by its observations (never a caller's object). */
  readonly worker: WorkerRef;
  /** Its share of the memory budget, from its first publish. */
  account: BudgetAccount | null;
}

/** The bus options; `budgetBytes` may be left out (its default applies). */
export type MemoryBusSettings = Omit<MemoryBusOptions, 'budgetBytes'> & { readonly budgetBytes?: number };

const CLOSED: PublishResult = { ok: false, reason: 'bus_error', message: 'observation bus closed' };

/**
 * The in-process observation bus: one bounded log per Worker (retention never lets one chatty Worker evict
 * another's history) under one memory budget for all of them (past it the oldest observations across Workers are
 * evicted), a fresh epoch per stream, subscribers reading straight from the log (exact replay-to-live
 * handoff) with a bounded live backlog each. Publishing never waits for a subscriber.
 */
@injectable()
export class MemoryObservationBus implements ObservationPublisherPort, ObservationReaderPort {
  /** By runtime id, then worker id: keyed by value (a caller may reuse or change a ref object), no key string built per publish. */
  private readonly streams = new Map<string, Map<string, WorkerStream>>();
  /** The stream looked up last (a publisher sends runs of events for one Worker), matched by value. */
  private last: WorkerStream | null = null;
  private closed = false;
  private readonly budget: RetentionBudget;
  /** Stamps observations: the clock's cheap reading when it has one (at most a tick old), else `now()`. */
  private readonly stamp: () => number;

  constructor(
    @inject(MemoryBusOptions) private readonly options: MemoryBusSettings,
    @inject(ClockPort) private readonly clock: ClockPort,
    @inject(IdPort) private readonly ids: IdPort,
  ) {
    this.budget = new RetentionBudget(options.budgetBytes ?? defaultBudgetBytes());
    this.stamp = typeof clock.coarseNow === 'function' ? () => clock.coarseNow!() : () => clock.now();
  }

  publish(worker: WorkerRef, event: ProtocolEvent, options?: PublishOptions, eventBytes?: number): Promise<PublishResult> {
    return Promise.resolve(this.publishNow(worker, event, options, eventBytes));
  }

  /** `publish` without the promise: the memory bus appends synchronously and never fails but closed. */
  publishNow(worker: WorkerRef, event: ProtocolEvent, options?: PublishOptions, eventBytes?: number): PublishResult {
    if (this.closed) return CLOSED;
    const target = this.streamOf(worker);
    const { stream } = target;
    const sequence = stream.log.head + 1;
    const cursor = target.cursorPrefix + sequence;
    const observation: Observation = {
      worker: target.worker,
      sequence,
      cursor,
      publishedAt: this.stamp(),
      event,
      history: options?.history === true,
    };
    stream.append({ type: 'observation', observation, replayed: false });
    this.budget.charge((target.account ??= this.budget.open(stream)), sequence, observationCost(event, eventBytes));
    return { ok: true, sequence, cursor };
  }

  subscribe(worker: WorkerRef, options: SubscribeOptions = {}): ObservationSubscription {
    const { epoch, stream } = this.streamOf(worker);
    const plan = planResume(options.after, epoch, stream.log.oldest, stream.log.head);
    return stream.subscribe({ ...plan, queueLimit: options.queueLimit ?? this.options.subscriberQueue });
  }

  read(worker: WorkerRef, { after, limit }: ReadOptions): Promise<ReadResult> {
    const { epoch, stream } = this.streamOf(worker);
    const { log } = stream;
    const plan = planResume(after, epoch, log.oldest, log.head);
    const jump = plan.leading[0];
    if (jump?.type === 'expired') return Promise.resolve({ status: 'expired', oldest: jump.oldest });
    if (jump?.type === 'reset') return Promise.resolve({ status: 'reset', epoch });
    const observations: Observation[] = [];
    const last = Math.min(log.head, plan.from + limit - 1);
    for (let s = plan.from; s <= last; s++) observations.push(log.at(s)!.observation);
    const next = observations.at(-1)?.cursor ?? after ?? null;
    // Read from the start of a history that no longer starts at 1 (retention or the budget cut it).
    if (after == null && log.oldest > 1) return Promise.resolve({ status: 'ok', observations, next, truncated: true });
    return Promise.resolve({ status: 'ok', observations, next });
  }

  drop(worker: WorkerRef, reason: EndReason): Promise<void> {
    const { runtimeId, workerId } = worker;
    const byWorker = this.streams.get(runtimeId);
    const found = byWorker?.get(workerId);
    found?.stream.end(reason);
    if (found?.account) this.budget.release(found.account);
    byWorker?.delete(workerId);
    this.last = null;
    return Promise.resolve();
  }

  /** What the retained observations of all Workers take against the memory budget. */
  retention(): RetentionReport {
    return this.budget.report();
  }

  close(): Promise<void> {
    this.closed = true;
    for (const byWorker of this.streams.values()) for (const { stream } of byWorker.values()) stream.end('shutdown');
    return Promise.resolve();
  }

  private streamOf(worker: WorkerRef): WorkerStream {
    const { runtimeId, workerId } = worker;
    const last = this.last;
    if (last !== null && last.worker.workerId === workerId && last.worker.runtimeId === runtimeId) return last;
    this.last = this.lookup(runtimeId, workerId);
    return this.last;
  }

  private lookup(runtimeId: string, workerId: string): WorkerStream {
    let byWorker = this.streams.get(runtimeId);
    const found = byWorker?.get(workerId);
    if (found) return found;
    if (!byWorker) this.streams.set(runtimeId, (byWorker = new Map()));
    const ref = Object.freeze({ runtimeId, workerId });
    const epoch = this.ids.epoch();
    const entry: WorkerStream = { epoch, cursorPrefix: cursorPrefix(epoch), stream: new LogStream<Entry>(this.options.retentionPerWorker, codec), worker: ref, account: null };
    if (this.closed) entry.stream.end('shutdown');
    byWorker.set(workerId, entry);
    return entry;
  }
}
