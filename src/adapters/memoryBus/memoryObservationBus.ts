import { inject, injectable } from 'inversify';
import { encodeCursor } from '../../domain/cursor.js';
import type { EndReason, Observation, ObservationFrame, ObservationSubscription } from '../../domain/observation.js';
import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import { LogStream } from '../../domain/stream/logStream.js';
import { planResume } from '../../domain/stream/resumePlan.js';
import type { EntryCodec } from '../../domain/stream/streamFrames.js';
import { workerKey, type WorkerRef } from '../../domain/workerRef.js';
import { ClockPort } from '../../ports/clockPort.js';
import type { PublishOptions, PublishResult } from '../../ports/executionContext.js';
import { IdPort } from '../../ports/idPort.js';
import type { ObservationPublisherPort } from '../../ports/observationPublisherPort.js';
import type { ObservationReaderPort, ReadOptions, ReadResult, SubscribeOptions } from '../../ports/observationReaderPort.js';
import { MemoryBusOptions } from './memoryBusOptions.js';

type Entry = Extract<ObservationFrame, { type: 'observation' }>;

const codec: EntryCodec<Entry> = {
  cursor: (entry) => entry.observation.cursor,
  replayed: (entry) => ({ type: 'observation', observation: entry.observation, replayed: true }),
};

interface WorkerStream {
  readonly epoch: string;
  readonly stream: LogStream<Entry>;
}

const CLOSED: PublishResult = { ok: false, reason: 'bus_error', message: 'observation bus closed' };

/**
 * The in-process observation bus: one bounded log per Worker (one chatty Worker never evicts another's
 * history), a fresh epoch per stream, subscribers reading straight from the log (exact replay-to-live
 * handoff) with a bounded live backlog each. Publishing never waits for a subscriber.
 */
@injectable()
export class MemoryObservationBus implements ObservationPublisherPort, ObservationReaderPort {
  private readonly streams = new Map<string, WorkerStream>();
  /** Publishers pass the same ref object each time (the Runtime does): skip building the key then. */
  private readonly byRef = new WeakMap<WorkerRef, WorkerStream>();
  private closed = false;

  constructor(
    @inject(MemoryBusOptions) private readonly options: MemoryBusOptions,
    @inject(ClockPort) private readonly clock: ClockPort,
    @inject(IdPort) private readonly ids: IdPort,
  ) {}

  publish(worker: WorkerRef, event: ProtocolEvent, options?: PublishOptions): Promise<PublishResult> {
    if (this.closed) return Promise.resolve(CLOSED);
    const { epoch, stream } = this.streamOf(worker);
    const sequence = stream.log.head + 1;
    const cursor = encodeCursor(epoch, sequence);
    const observation: Observation = {
      worker,
      sequence,
      cursor,
      publishedAt: this.clock.now(),
      event,
      history: options?.history === true,
    };
    stream.append({ type: 'observation', observation, replayed: false });
    return Promise.resolve({ ok: true, sequence, cursor });
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
    return Promise.resolve({ status: 'ok', observations, next });
  }

  drop(worker: WorkerRef, reason: EndReason): Promise<void> {
    const key = workerKey(worker);
    this.streams.get(key)?.stream.end(reason);
    this.streams.delete(key);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    for (const { stream } of this.streams.values()) stream.end('shutdown');
    return Promise.resolve();
  }

  private streamOf(worker: WorkerRef): WorkerStream {
    const cached = this.byRef.get(worker);
    if (cached && !cached.stream.ended) return cached;
    const key = workerKey(worker);
    let entry = this.streams.get(key);
    if (!entry) {
      entry = { epoch: this.ids.epoch(), stream: new LogStream<Entry>(this.options.retentionPerWorker, codec) };
      if (this.closed) entry.stream.end('shutdown');
      this.streams.set(key, entry);
    }
    this.byRef.set(worker, entry);
    return entry;
  }
}
