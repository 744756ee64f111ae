import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import type { ExecutionContext } from '../../ports/executionContext.js';
import type { AcpUpdate } from './acpContent.js';
import { AcpUpdateMapper } from './acpUpdateMapper.js';
import { EventQueue } from './eventQueue.js';

const HISTORY = { history: true } as const;

/**
 * The one way a session's events reach its Worker: every step (a mapped `session/update`, a turn's
 * opening or closing events, a permission answer) runs through one queue, so events are published in
 * the order their causes arrived, even though the SDK runs handlers concurrently. While a
 * `session/load` replays history, mapped events are published with `{ history: true }`.
 */
export class AcpSessionEvents {
  private readonly queue: EventQueue<AcpUpdate>;
  private readonly mapper: AcpUpdateMapper;
  private replaying = false;

  constructor(
    private readonly context: ExecutionContext,
    maxQueued: number,
    maxAssembledBytes: number,
    onPressure: (paused: boolean) => void,
    cwd: string | null = null,
  ) {
    this.mapper = new AcpUpdateMapper(maxAssembledBytes, cwd);
    this.queue = new EventQueue<AcpUpdate>({ high: maxQueued, low: Math.floor(maxQueued / 4), onChange: onPressure }, (update) => this.mapped(update));
  }

  /** One `session/update`, in arrival order. */
  update(update: AcpUpdate): void {
    this.queue.run(update);
  }

  /** Maps one update (run by the queue in its place) and publishes what it maps to. */
  private mapped(update: AcpUpdate): Promise<void> | undefined {
    const history = this.replaying;
    const events = this.mapper.map(update, history ? 'replay' : 'live');
    if (events.length === 0) return undefined;
    return events.length === 1 ? this.publishOne(events[0]!, history) : this.publishAll(events, history);
  }

  /** Runs `step` after everything queued so far. */
  then(step: () => void | Promise<void>): void {
    this.queue.run(step);
  }

  /** Queues events as they are. */
  publishLater(events: readonly ProtocolEvent[]): void {
    this.queue.run(() => this.publishAll(events));
  }

  /** From now on mapped updates are history (call before `session/load`). */
  beginReplay(): void {
    this.replaying = true;
  }

  /** After the replayed updates: closes their open blocks as history, then back to live. */
  endReplay(): Promise<void> {
    this.queue.run(async () => {
      await this.publishAll(this.mapper.flush(), true);
      this.replaying = false;
    });
    return this.queue.idle();
  }

  /**
   * Publishes a turn's opening events after closing blocks left open since the last turn ended (chunks
   * an agent sent after answering its prompt belong to no turn, and never to the next one). Call from a step.
   */
  openTurn(events: readonly ProtocolEvent[]): Promise<void> {
    return this.publishAll([...this.mapper.flush(), ...events]);
  }

  /** Publishes a turn's closing events after closing its open text and thinking blocks (call from a step). */
  closeTurn(events: readonly ProtocolEvent[]): Promise<void> {
    return this.publishAll([...this.mapper.flush(), ...events]);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Publishes in order (call from a step). An event over the size limit is replaced by an alert. */
  async publishAll(events: readonly ProtocolEvent[], history = false): Promise<void> {
    for (const event of events) await this.publishOne(event, history);
  }

  private async publishOne(event: ProtocolEvent, history: boolean): Promise<void> {
    const result = await this.context.publish(event, history ? HISTORY : undefined);
    if (!result.ok && result.reason === 'too_large') {
      await this.context.publish({
        event: 'alert',
        data: { level: 'warn', source: 'acp', message: `an agent ${event.event} event exceeded the event size limit and was dropped`, timestamp_ms: Date.now() },
      });
    }
  }
}
