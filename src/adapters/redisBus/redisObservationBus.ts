import { inject, injectable } from 'inversify';
import type { Redis } from 'ioredis';
import { isValidEpoch } from '../../domain/cursor.js';
import type { EndReason, ObservationSubscription } from '../../domain/observation.js';
import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import type { WorkerRef } from '../../domain/workerRef.js';
import { ClockPort } from '../../ports/clockPort.js';
import type { PublishOptions, PublishResult } from '../../ports/executionContext.js';
import { IdPort } from '../../ports/idPort.js';
import type { ObservationPublisherPort } from '../../ports/observationPublisherPort.js';
import type { ObservationReaderPort, ReadOptions, ReadResult, SubscribeOptions } from '../../ports/observationReaderPort.js';
import { RedisBusOptions } from './redisBusOptions.js';
import { busError, commandClient, quitWithin, readerClient, redisHost, RedisBusUnavailableError, whenReady } from './redisClients.js';
import { encodePayload, oldestRetained } from './redisEntries.js';
import { PublishBatches } from './redisPublishBatches.js';
import { RedisFeeds } from './redisFeeds.js';
import { streamKeys } from './redisKeys.js';
import { readObservations, streamMeta } from './redisRead.js';
import { RedisReaderLoop } from './redisReaderLoop.js';
import { busScripts, type BusScripts } from './redisScripts.js';
import { StreamState } from './redisStreamState.js';
import { RedisSubscription } from './redisSubscription.js';

const CLOSED: PublishResult = { ok: false, reason: 'bus_error', message: 'observation bus closed' };
const RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/**
 * The observation bus in Redis, shared by every process using the same key prefix: one stream per
 * Worker, sequences and epochs assigned atomically by a script, live delivery through a few blocking
 * reader connections per process, and the memory bus's frames (`replayed`, `expired`, `reset`,
 * `lagged`, `end`) plus `gap` for sequences whose entry cannot be delivered. Call `connect()` once at
 * start: it rejects with RedisBusUnavailableError when Redis cannot be reached. Afterwards every call
 * answers within its deadline whatever Redis does: `publish` answers `bus_error`, subscribers wait
 * and resume after their last cursor, or get `reset` if Redis came back without (all) their data.
 */
@injectable()
export class RedisObservationBus implements ObservationPublisherPort, ObservationReaderPort {
  private readonly commands: Redis;
  private readonly scripts: BusScripts;
  private readonly feeds: RedisFeeds;
  private readonly batches: PublishBatches;
  /** Live subscriptions and their stream key (for `drop` and `close` before they joined a feed). */
  private readonly subscriptions = new Map<RedisSubscription, string>();
  private readonly streams = new Map<string, Map<string, StreamState>>();
  private readonly epochBase: string;
  private readonly candidate = (): string => `${this.epochBase}${(this.epochCount++).toString(36)}`;
  private epochCount = 0;
  private opening: Promise<void> | null = null;
  private open = false;
  private closed = false;

  constructor(
    @inject(RedisBusOptions) private readonly options: RedisBusOptions,
    @inject(ClockPort) private readonly clock: ClockPort,
    @inject(IdPort) ids: IdPort,
  ) {
    this.epochBase = ids.epoch();
    if (!isValidEpoch(this.epochBase) || this.epochBase.length > 48) throw new RangeError('IdPort.epoch(): 1-48 of [A-Za-z0-9_-] expected');
    this.commands = commandClient(options);
    this.scripts = busScripts(this.commands);
    const retention = options.retentionPerWorker;
    this.batches = new PublishBatches(async (batches) => {
      const replies = await this.scripts.publish(batches, retention, this.candidate());
      for (let i = 0; i < replies.length; i++) {
        const reply = replies[i]!;
        if (reply.epoch) batches[i]![0].learn(reply.epoch, reply.first + reply.stored - 1);
      }
      return replies;
    }, busError);
    const reader = { blockMs: options.blockMs, candidate: this.candidate, unblock: (id: number) => this.commands.client('UNBLOCK', id) };
    this.feeds = new RedisFeeds(options, this.scripts, () => new RedisReaderLoop(readerClient(options), reader));
  }

  /** Connects (once; concurrent calls share it). Rejects with RedisBusUnavailableError, naming host and cause. */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new RedisBusUnavailableError('observation bus closed'));
    this.opening ??= whenReady(this.commands, this.options.connectTimeoutMs).then(
      () => void (this.open = true),
      (error: Error) => {
        this.opening = null;
        const message = `Redis observation bus unreachable at ${redisHost(this.options.url)}: ${error.message}`;
        throw new RedisBusUnavailableError(message, { cause: error });
      },
    );
    return this.opening;
  }

  publish(worker: WorkerRef, event: ProtocolEvent, options?: PublishOptions): Promise<PublishResult> {
    if (this.closed) return Promise.resolve(CLOSED);
    if (!this.open) return this.connect().then(() => this.publish(worker, event, options), busError);
    return this.batches.add(this.stateOf(worker), encodePayload(event, this.clock.now(), options?.history === true));
  }

  /** A new Worker under this ref: its stream starts a new epoch before anything is read or written for it. */
  beginStream(worker: WorkerRef): void {
    const state = this.stateOf(worker);
    state.fresh ??= this.candidate();
    state.dropping = false; // the new epoch replaces the removal (a late DROP under this token is a no-op)
  }

  subscribe(worker: WorkerRef, options: SubscribeOptions = {}): ObservationSubscription {
    const state = this.stateOf(worker);
    const queueLimit = options.queueLimit ?? this.options.subscriberQueue;
    const subscription = new RedisSubscription(options.after ?? null, queueLimit, (done) => {
      this.subscriptions.delete(done);
      this.feeds.detach(state.keys, done);
    });
    if (this.closed) {
      subscription.onEnd('shutdown');
      return subscription;
    }
    this.subscriptions.set(subscription, state.keys.stream);
    this.batches.flush(); // what was published before subscribing is replayed, not live
    this.begin(worker, state, subscription, options.after ?? null);
    return subscription;
  }

  async read(worker: WorkerRef, { after, limit }: ReadOptions): Promise<ReadResult> {
    if (!this.open) await this.connect();
    const state = this.stateOf(worker);
    this.batches.flush();
    return readObservations(this.scripts, state, { worker, after, limit, retention: this.options.retentionPerWorker, candidate: this.candidate });
  }

  /**
   * Ends the Worker's subscriptions here and deletes its stream. The first attempt is awaited (within
   * the command deadline); a failed one is retried until it lands or the Worker id is begun again.
   */
  async drop(worker: WorkerRef, reason: EndReason): Promise<void> {
    const state = this.stateOf(worker);
    this.feeds.end(state.keys, reason);
    for (const [subscription, stream] of this.subscriptions) {
      if (stream !== state.keys.stream) continue;
      subscription.onEnd(reason);
      this.subscriptions.delete(subscription);
    }
    this.batches.flush();
    state.fresh ??= this.candidate();
    state.dropping = true;
    state.epoch = null;
    state.head = 0;
    await this.sendDrop(worker, state, state.fresh, 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.batches.flush();
    this.closed = true;
    for (const subscription of this.subscriptions.keys()) subscription.onEnd('shutdown');
    this.subscriptions.clear();
    await this.feeds.close();
    await quitWithin(this.commands, Math.min(this.options.commandTimeoutMs, 1_000));
  }

  private sendDrop(worker: WorkerRef, state: StreamState, token: string, attempt: number): Promise<void> {
    if (this.closed || !state.dropping || state.fresh !== token) return Promise.resolve();
    const sent = this.open ? this.scripts.drop(state.keys, token) : this.connect().then(() => this.scripts.drop(state.keys, token));
    return sent.then(
      () => {
        if (!state.dropping || state.fresh !== token) return;
        state.dropping = false;
        state.fresh = null;
        if (this.streams.get(worker.runtimeId)?.get(worker.workerId) === state) this.streams.get(worker.runtimeId)!.delete(worker.workerId);
      },
      () => {
        const later = setTimeout(() => void this.sendDrop(worker, state, token, attempt + 1), Math.min(RETRY_MS * 2 ** attempt, MAX_RETRY_MS));
        later.unref();
      },
    );
  }

  /** Reads the stream (atomically with its epoch), plans the resume, joins the live feed; retries while Redis is away. */
  private begin(worker: WorkerRef, state: StreamState, subscription: RedisSubscription, after: string | null): void {
    const read = () => streamMeta(this.scripts, state, this.candidate, after);
    const meta = this.open ? read() : this.connect().then(read);
    meta.then(
      (found) => {
        if (!this.subscriptions.has(subscription) || subscription.finished) return;
        subscription.start(found, oldestRetained(found, this.options.retentionPerWorker));
        this.feeds.attach(worker, state, found, subscription);
      },
      () => {
        if (this.closed || subscription.finished || !this.subscriptions.has(subscription)) return;
        setTimeout(() => this.begin(worker, state, subscription, after), RETRY_MS);
      },
    );
  }

  private stateOf(worker: WorkerRef): StreamState {
    let byWorker = this.streams.get(worker.runtimeId);
    if (!byWorker) this.streams.set(worker.runtimeId, (byWorker = new Map()));
    let state = byWorker.get(worker.workerId);
    if (!state) byWorker.set(worker.workerId, (state = new StreamState(streamKeys(this.options.keyPrefix, worker))));
    return state;
  }
}
