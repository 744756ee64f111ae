import { inject, injectable } from 'inversify';
import type { Redis } from 'ioredis';
import { isValidEpoch } from '../../domain/cursor.js';
import type { EndReason, Observation, ObservationSubscription } from '../../domain/observation.js';
import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import { planResume } from '../../domain/stream/resumePlan.js';
import type { WorkerRef } from '../../domain/workerRef.js';
import { ClockPort } from '../../ports/clockPort.js';
import type { PublishOptions, PublishResult } from '../../ports/executionContext.js';
import { IdPort } from '../../ports/idPort.js';
import type { ObservationPublisherPort } from '../../ports/observationPublisherPort.js';
import type { ObservationReaderPort, ReadOptions, ReadResult, SubscribeOptions } from '../../ports/observationReaderPort.js';
import { RedisBusOptions } from './redisBusOptions.js';
import { busError, commandClient, readerClient, redisHost, RedisBusUnavailableError, whenReady } from './redisClients.js';
import { decodeEntry, encodePayload, oldestRetained } from './redisEntries.js';
import { PublishBatches } from './redisPublishBatches.js';
import { RedisFeeds } from './redisFeeds.js';
import { streamKeys, type StreamKeys } from './redisKeys.js';
import { RedisReaderLoop } from './redisReaderLoop.js';
import { busScripts, type BusScripts } from './redisScripts.js';
import { RedisSubscription } from './redisSubscription.js';

const CLOSED: PublishResult = { ok: false, reason: 'bus_error', message: 'observation bus closed' };
const RETRY_MS = 250;

/**
 * The observation bus in Redis, shared by every process using the same key prefix: one stream per
 * Worker, sequences and epochs assigned atomically by a script, live delivery through a few blocking
 * reader connections per process, and the memory bus's frames (`replayed`, `expired`, `reset`,
 * `lagged`, `end`). Call `connect()` once at start: it rejects with RedisBusUnavailableError when
 * Redis cannot be reached. Afterwards a lost Redis makes `publish` answer `bus_error` at once, and
 * subscribers wait and resume after their last cursor (or get `reset` if Redis came back empty).
 */
@injectable()
export class RedisObservationBus implements ObservationPublisherPort, ObservationReaderPort {
  private readonly commands: Redis;
  private readonly scripts: BusScripts;
  private readonly feeds: RedisFeeds;
  private readonly batches: PublishBatches;
  /** Live subscriptions and their stream key (for `drop` and `close` before they joined a feed). */
  private readonly subscriptions = new Map<RedisSubscription, string>();
  private readonly keys = new Map<string, Map<string, StreamKeys>>();
  private readonly epochBase: string;
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
    const send = (batches: readonly (readonly [StreamKeys, readonly string[]])[]) =>
      this.scripts.publish(batches.map(([keys, payloads]) => ({ keys, candidate: this.candidate(), payloads })), retention);
    this.batches = new PublishBatches(send, busError);
    const reader = { blockMs: options.blockMs, candidate: () => this.candidate(), unblock: (id: number) => this.commands.client('UNBLOCK', id) };
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
    return this.batches.add(this.keysOf(worker), encodePayload(event, this.clock.now(), options?.history === true));
  }

  subscribe(worker: WorkerRef, options: SubscribeOptions = {}): ObservationSubscription {
    const keys = this.keysOf(worker);
    const queueLimit = options.queueLimit ?? this.options.subscriberQueue;
    const subscription = new RedisSubscription(options.after ?? null, queueLimit, (done) => {
      this.subscriptions.delete(done);
      this.feeds.detach(keys, done);
    });
    if (this.closed) {
      subscription.onEnd('shutdown');
      return subscription;
    }
    this.subscriptions.set(subscription, keys.stream);
    this.batches.flush(); // what was published before subscribing is replayed, not live
    this.begin(worker, keys, subscription);
    return subscription;
  }

  async read(worker: WorkerRef, { after, limit }: ReadOptions): Promise<ReadResult> {
    if (!this.open) await this.connect();
    const keys = this.keysOf(worker);
    this.batches.flush();
    const meta = await this.scripts.meta(keys, this.candidate());
    const plan = planResume(after, meta.epoch, oldestRetained(meta, this.options.retentionPerWorker), meta.head);
    const jump = plan.leading[0];
    if (jump?.type === 'expired') return { status: 'expired', oldest: jump.oldest };
    if (jump?.type === 'reset') return { status: 'reset', epoch: meta.epoch };
    const to = Math.min(meta.head, plan.from + limit - 1);
    const [epoch, raws] = to < plan.from ? [meta.epoch, []] : await this.scripts.range(keys, plan.from, to, limit);
    if (epoch !== meta.epoch) return { status: 'reset', epoch: epoch ?? meta.epoch };
    const observations: Observation[] = [];
    for (const raw of raws) {
      const entry = decodeEntry(worker, epoch, raw);
      if (!entry || entry.observation.sequence !== plan.from + observations.length) break;
      observations.push(entry.observation);
    }
    return { status: 'ok', observations, next: observations.at(-1)?.cursor ?? after ?? null };
  }

  /** Ends the Worker's subscriptions here and deletes its stream (a failed delete is not retried). */
  async drop(worker: WorkerRef, reason: EndReason): Promise<void> {
    const keys = this.keysOf(worker);
    this.keys.get(worker.runtimeId)?.delete(worker.workerId);
    this.feeds.end(keys, reason);
    for (const [subscription, stream] of this.subscriptions) {
      if (stream !== keys.stream) continue;
      subscription.onEnd(reason);
      this.subscriptions.delete(subscription);
    }
    this.batches.flush();
    if (this.open && !this.closed) await this.commands.del(keys.meta, keys.stream).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.batches.flush();
    this.closed = true;
    for (const subscription of this.subscriptions.keys()) subscription.onEnd('shutdown');
    this.subscriptions.clear();
    await this.feeds.close();
    if (this.commands.status === 'ready') await this.commands.quit().catch(() => undefined);
    this.commands.disconnect();
  }

  /** Reads the stream (atomically with its epoch), plans the resume, joins the live feed; retries while Redis is away. */
  private begin(worker: WorkerRef, keys: StreamKeys, subscription: RedisSubscription): void {
    const read = () => this.scripts.meta(keys, this.candidate());
    const meta = this.open ? read() : this.connect().then(read);
    meta.then(
      (found) => {
        if (!this.subscriptions.has(subscription) || subscription.finished) return;
        subscription.start(found, oldestRetained(found, this.options.retentionPerWorker));
        this.feeds.attach(worker, keys, found, subscription);
      },
      () => {
        if (this.closed || subscription.finished || !this.subscriptions.has(subscription)) return;
        setTimeout(() => this.begin(worker, keys, subscription), RETRY_MS);
      },
    );
  }

  private keysOf(worker: WorkerRef): StreamKeys {
    let byWorker = this.keys.get(worker.runtimeId);
    if (!byWorker) this.keys.set(worker.runtimeId, (byWorker = new Map()));
    let keys = byWorker.get(worker.workerId);
    if (!keys) byWorker.set(worker.workerId, (keys = streamKeys(this.options.keyPrefix, worker)));
    return keys;
  }

  /** A never-repeated epoch candidate: the instance's IdPort epoch plus a counter. */
  private candidate(): string {
    return `${this.epochBase}${(this.epochCount++).toString(36)}`;
  }
}
