import type { BusyPolicy, BusySettings } from '../domain/busyPolicy.js';
import type { Diagnostic } from '../domain/diagnostic.js';
import type { OperationResult } from '../domain/executionResult.js';
import type { QueueEntryView, SettlementView } from '../domain/queuedInput.js';

/** What settling a queued input may say besides its reason. */
export interface SettleDetails {
  readonly message?: string;
  readonly diagnostic?: Diagnostic;
}

/** A profile's busy settings with its policy resolved. */
export interface BusyProfile extends BusySettings {
  readonly policy: BusyPolicy;
}

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
