import type { WorkerInput } from '../../domain/workerInput.js';
import type { WireEvent } from './lineDecoder.js';
import { methodAnswered } from './methodReplies.js';

/** How a request ended: answered (input committed, method replied), answered `already_running`, refused with another error code, or cut off. */
export type SubmissionOutcome =
  | { readonly kind: 'committed' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'refused'; readonly code: string }
  | { readonly kind: 'abandoned' };

type Request = { readonly kind: 'run'; readonly segments: readonly unknown[] | null } | { readonly kind: 'notify' } | { readonly kind: 'method'; readonly name: string };

interface Pending {
  readonly request: Request;
  readonly resolve: (outcome: SubmissionOutcome) => void;
  /** Events count only once the relay has passed everything received before the write. */
  armed: boolean;
}

/**
 * Correlates the Runtime's request (an input, or a method that has a reply) with the worker's answer.
 * The wire carries no request id, so the rule is positional, with a content check:
 *
 * - at most one request is pending per Worker (the Runtime's single flight for input; the bridge
 *   answers `busy` to a second one);
 * - only events the worker sent after the method line was written count: `arm` runs as a relay step
 *   queued right before the write, so everything received earlier is published (and ignored) first;
 *   the bridge's own `invalid_event` errors (a bad line replaced) never count;
 * - `run` is committed by the first `user_message` whose segments echo the input's (each input segment's
 *   fields present with equal values, in order; extra fields and trailing segments are the worker's own
 *   record and allowed), or by the first `user_message` at all when the profile says `ackMatch: "first"`;
 * - `notify` is committed by the first `user_message` or `system_item`;
 * - a method is answered by its reply event (see `methodReplies`);
 * - an `error` before that is the answer: `already_running` means busy, any other code refused.
 *
 * Limits: it assumes the bridge is the only client sending requests to that worker. A late answer
 * after the deadline is not taken (the request was already answered `rejected`); its events are relayed.
 */
export class SubmissionTracker {
  private pending: Pending | null = null;

  constructor(private readonly match: 'segments' | 'first') {}

  /** A request is waiting for its answer. */
  get waiting(): boolean {
    return this.pending !== null;
  }

  /** Starts waiting for `input`'s commit. Events count only after `arm` ran: queue it as a relay step right before writing. */
  begin(input: WorkerInput): { readonly outcome: Promise<SubmissionOutcome>; readonly arm: () => void } {
    return this.start(input.kind === 'user' ? { kind: 'run', segments: this.match === 'segments' ? input.segments : null } : { kind: 'notify' });
  }

  /** Starts waiting for the reply to the method `name` (as `begin`). */
  beginMethod(name: string): { readonly outcome: Promise<SubmissionOutcome>; readonly arm: () => void } {
    return this.start({ kind: 'method', name });
  }

  /** Sees every published event the worker sent, in order. */
  observe(event: WireEvent): void {
    const pending = this.pending;
    if (!pending?.armed) return;
    const data = event.data as Record<string, unknown> | undefined;
    const request = pending.request;
    if (event.event === 'error') {
      const code = typeof data?.code === 'string' ? data.code : 'unknown';
      return this.settle(code === 'already_running' ? { kind: 'busy' } : { kind: 'refused', code });
    }
    const answered =
      request.kind === 'method'
        ? methodAnswered(request.name, event.event, data)
        : event.event === 'user_message'
          ? request.kind === 'notify' || request.segments === null || echoes(data?.segments, request.segments)
          : event.event === 'system_item' && request.kind === 'notify';
    if (answered) this.settle({ kind: 'committed' });
  }

  /** Stops waiting (write failed, deadline, connection lost): the pending request is answered `abandoned`. */
  abandon(): void {
    this.settle({ kind: 'abandoned' });
  }

  private start(request: Request): { readonly outcome: Promise<SubmissionOutcome>; readonly arm: () => void } {
    this.abandon();
    let resolve!: (outcome: SubmissionOutcome) => void;
    const outcome = new Promise<SubmissionOutcome>((done) => (resolve = done));
    const pending: Pending = { request, resolve, armed: false };
    this.pending = pending;
    return { outcome, arm: () => void (pending.armed = true) };
  }

  private settle(outcome: SubmissionOutcome): void {
    const pending = this.pending;
    this.pending = null;
    pending?.resolve(outcome);
  }
}

/** Whether `echo` (the worker's segments) records `input`: every input segment's fields, equal, in order. */
function echoes(echo: unknown, input: readonly unknown[]): boolean {
  return Array.isArray(echo) && echo.length >= input.length && input.every((segment, i) => contains(echo[i], segment));
}

function contains(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return actual === expected;
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual) !== Array.isArray(expected)) return false;
  if (Array.isArray(expected)) return (actual as unknown[]).length === expected.length && expected.every((item, i) => contains((actual as unknown[])[i], item));
  return Object.entries(expected as Record<string, unknown>).every(([key, value]) => contains((actual as Record<string, unknown>)[key], value));
}
