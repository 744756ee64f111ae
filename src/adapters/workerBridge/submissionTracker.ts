import type { WorkerInput } from '../../domain/workerInput.js';
import type { WireEvent } from './lineDecoder.js';

/** How a submission ended: committed by the worker, answered `already_running`, refused with another error code, or cut off. */
export type SubmissionOutcome =
  | { readonly kind: 'committed' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'refused'; readonly code: string }
  | { readonly kind: 'abandoned' };

interface Pending {
  readonly kind: 'run' | 'notify';
  /** Canonical JSON of the `run` input's segments (matched against `user_message.segments`). */
  readonly segments: string | null;
  readonly resolve: (outcome: SubmissionOutcome) => void;
  /** Events count only once the relay has passed everything received before the write. */
  armed: boolean;
}

/**
 * Correlates the Runtime's submission with the worker's answer. The wire carries no submission id, so
 * the rule is positional, with a content check:
 *
 * - at most one submission is pending per Worker (the Runtime's single flight; the bridge answers
 *   `busy` to a second one);
 * - only events received after the method line was written count: `arm` runs as a relay step queued
 *   right before the write, so everything received earlier is published (and ignored) first;
 * - `run` is committed by the first `user_message` whose `segments` equal the input's (key order
 *   aside), or by the first `user_message` at all when the profile says `ackMatch: "first"`;
 * - `notify` is committed by the first `user_message` or `system_item` (no content check: a worker
 *   shapes the notification item itself);
 * - an `error` before the commit is the answer to the submission: `already_running` means busy,
 *   any other code means refused.
 *
 * Limits: it assumes the bridge is the only client sending input to that worker. Another client's
 * identical input, or an `error` broadcast for another client's method, landing between the write and
 * the worker's answer, would be taken as this submission's answer. A late answer after the ack
 * deadline is not taken (the submission was already answered `rejected`); its events are relayed.
 */
export class SubmissionTracker {
  private pending: Pending | null = null;

  constructor(private readonly match: 'segments' | 'first') {}

  /** A submission is waiting for its answer. */
  get waiting(): boolean {
    return this.pending !== null;
  }

  /**
   * Starts waiting for `input`'s answer. Events count only after `arm` ran: queue it as a relay step
   * right before writing the method line.
   */
  begin(input: WorkerInput): { readonly outcome: Promise<SubmissionOutcome>; readonly arm: () => void } {
    this.abandon();
    let resolve!: (outcome: SubmissionOutcome) => void;
    const outcome = new Promise<SubmissionOutcome>((done) => (resolve = done));
    const segments = input.kind === 'user' && this.match === 'segments' ? canonical(input.segments) : null;
    const pending: Pending = { kind: input.kind === 'user' ? 'run' : 'notify', segments, resolve, armed: false };
    this.pending = pending;
    return { outcome, arm: () => void (pending.armed = true) };
  }

  /** Sees every published event, in order. */
  observe(event: WireEvent): void {
    const pending = this.pending;
    if (!pending?.armed) return;
    const data = event.data as Record<string, unknown> | undefined;
    switch (event.event) {
      case 'user_message':
        if (pending.segments === null || canonical(data?.segments) === pending.segments) this.settle({ kind: 'committed' });
        return;
      case 'system_item':
        if (pending.kind === 'notify') this.settle({ kind: 'committed' });
        return;
      case 'error': {
        const code = typeof data?.code === 'string' ? data.code : 'unknown';
        this.settle(code === 'already_running' ? { kind: 'busy' } : { kind: 'refused', code });
        return;
      }
    }
  }

  /** Stops waiting (write failed, deadline, connection lost): the pending submission is answered `abandoned`. */
  abandon(): void {
    this.settle({ kind: 'abandoned' });
  }

  private settle(outcome: SubmissionOutcome): void {
    const pending = this.pending;
    this.pending = null;
    pending?.resolve(outcome);
  }
}

/** JSON with object keys sorted, so two equal values compare equal as strings. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
