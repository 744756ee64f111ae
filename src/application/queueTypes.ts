import type { BusyPolicy } from '../domain/busyPolicy.js';
import type { OperationResult } from '../domain/executionResult.js';
import type { QueueEntryView, SettlementView } from '../domain/queuedInput.js';

/** A Worker's queue as a client sees it: its profile's busy settings and the waiting inputs in order. */
export interface QueueView {
  readonly workerId: string;
  readonly busyPolicy: BusyPolicy;
  /** The policies a request may choose (`busyPolicy` on the input). */
  readonly busyPolicies: BusyPolicy[];
  readonly queueLimit: number;
  readonly maxAgeMs: number | null;
  /** Whether the queue survives a restart (a Redis catalog) or lives in this process (the memory catalog). */
  readonly durable: boolean;
  readonly entries: QueueEntryView[];
}

/** One submission that went through the queue: waiting (with its position), being dispatched, or settled. */
export interface SubmissionView {
  readonly submissionId: string;
  readonly workerId: string;
  readonly status: 'queued' | 'dispatching' | 'settled';
  readonly position?: number;
  readonly queuedAt: number;
  readonly settlement?: SettlementView;
}

export type QueueOutcome = { readonly ok: true; readonly queue: QueueView } | { readonly ok: false; readonly result: OperationResult };
export type SubmissionOutcome = { readonly ok: true; readonly submission: SubmissionView } | { readonly ok: false; readonly result: OperationResult };
