import type { ExecutionContext, PublishResult } from '../../ports/executionContext.js';
import type { LineFault, LineSink, WireEvent } from './lineDecoder.js';

type Step = () => void | Promise<void>;

const EVENT_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Events the bridge wrote itself: never the worker's answer to anything. */
const authored = new WeakSet<WireEvent>();

/** The one event the bridge writes itself: in place of a worker line that is not a valid event. */
export function internalError(message: string): WireEvent {
  // Not a run-ending code: the worker's run goes on after a bad line (the connection stays open).
  const event: WireEvent = { event: 'error', data: { code: 'invalid_event', message } };
  authored.add(event);
  return event;
}

/** Whether the bridge wrote `event` itself (in place of a bad worker line) rather than relaying the worker's. */
export function isBridgeAuthored(event: WireEvent): boolean {
  return authored.has(event);
}

const FAULT_MESSAGES: Record<LineFault, string> = {
  not_json: 'the worker sent a line that is not JSON; it was skipped',
  not_event: 'the worker sent a line that is not a protocol event; it was skipped',
  too_large: 'the worker sent a line over the size limit; it was skipped',
};

/**
 * Publishes one Worker's events through its execution context, exactly in arrival order, each
 * awaited before the next (so the order holds on any bus). Control steps (a loss, a reseed) are queued
 * in the same line, so they happen between the events they came between. After each published event
 * `observe` sees it (run state, snapshots, acknowledgements follow what was published, nothing else).
 * An event the publish hook refuses as invalid or oversized is replaced by an `error { code: invalid_event }`;
 * nothing is dropped silently. Events refused because the connection was lost (a reconnecting worker
 * sends its alerts before the reseed snapshot) are held, up to `maxQueued`, and published through the
 * restored context just before the event that restored it; what did not fit is said by an
 * `error { code: invalid_event }`. A long queue asks the reader to pause (`pressure(true)`).
 */
export class EventRelay implements LineSink {
  private items: (WireEvent | Step | undefined)[] = [];
  private head = 0;
  private running = false;
  private paused = false;
  private idleWaiters: (() => void)[] = [];
  /** Events the lost context refused, waiting for a reconnect to restore it. */
  private held: WireEvent[] = [];
  private heldDropped = 0;

  constructor(
    private context: ExecutionContext,
    private readonly maxQueued: number,
    private readonly observe: (event: WireEvent) => void,
    private readonly pressure: (paused: boolean) => void,
    /** For an event the (lost) context refused: the context a reconnect restored it to, if this event restores it. */
    private readonly restoredFor: (event: WireEvent) => ExecutionContext | undefined = () => undefined,
  ) {}

  event(event: WireEvent): void {
    this.push(event);
  }

  fault(fault: LineFault): void {
    this.push(internalError(FAULT_MESSAGES[fault]));
  }

  /** Runs `step` after every event queued before it. */
  step(step: Step): void {
    this.push(step);
  }

  /** Resolves once everything queued so far (and meanwhile) is done. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private push(item: WireEvent | Step): void {
    this.items.push(item);
    if (!this.paused && this.items.length - this.head >= this.maxQueued) {
      this.paused = true;
      this.pressure(true);
    }
    if (!this.running) void this.pump();
  }

  private async pump(): Promise<void> {
    this.running = true;
    while (this.head < this.items.length) {
      const item = this.items[this.head]!;
      this.items[this.head++] = undefined;
      if (this.head >= 4096 && this.head * 2 >= this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      try {
        if (typeof item === 'function') await item();
        else {
          // The common case inline (one await per event); a refusal takes the long way.
          const result = await this.context.publish(item);
          if (result.ok) this.observe(item);
          else await this.refused(item, result);
        }
      } catch {
        // a failing step must not wedge the events after it
      }
      if (this.paused && this.items.length - this.head <= this.maxQueued >> 1) {
        this.paused = false;
        this.pressure(false);
      }
    }
    this.items = [];
    this.head = 0;
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async publish(event: WireEvent): Promise<void> {
    const result = await this.context.publish(event);
    if (result.ok) this.observe(event);
    else await this.refused(event, result);
  }

  private async refused(event: WireEvent, refusal: PublishResult): Promise<void> {
    let result = refusal;
    const restored = !result.ok && result.reason === 'revoked' ? this.restoredFor(event) : undefined;
    if (restored) {
      this.context = restored;
      await this.releaseHeld();
      result = await restored.publish(event);
    }
    if (result.ok || result.reason === 'bus_error') {
      // On a bus error the Runtime has still applied the event's run state: keep following it.
      this.observe(event);
      return;
    }
    if (result.reason === 'revoked') return this.hold(event);
    const name = EVENT_NAME.test(event.event) ? `a ${event.event} event` : 'an event';
    const why = result.reason === 'too_large' ? 'over the size limit' : 'that does not match the protocol';
    const replacement = internalError(`the worker sent ${name} ${why}; it was skipped`);
    const replaced = await this.context.publish(replacement);
    if (replaced.ok || replaced.reason === 'bus_error') this.observe(replacement);
  }

  private hold(event: WireEvent): void {
    if (this.held.length < this.maxQueued) this.held.push(event);
    else this.heldDropped++;
  }

  private async releaseHeld(): Promise<void> {
    const held = this.held;
    const dropped = this.heldDropped;
    this.held = [];
    this.heldDropped = 0;
    if (dropped > 0) held.push(internalError(`the worker sent ${dropped} more events while disconnected than could be held; they were skipped`));
    for (const event of held) await this.publish(event);
  }
}
