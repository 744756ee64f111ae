import { toBrowserEvent } from '../domain/browserFrame.js';
import { decodeCursor } from '../domain/cursor.js';
import { operationResult } from '../domain/executionResult.js';
import type { WorkerProjection } from '../domain/projection.js';
import { deriveTranscript } from '../domain/transcript.js';
import { RuntimeIdSchema, WorkerIdSchema, type WorkerRef } from '../domain/workerRef.js';
import type { WorkerState } from '../domain/workerState.js';
import type { LifecycleSubscription } from './lifecycleFeed.js';
import { notFound } from './operationResults.js';
import type { RuntimeCore } from './runtimeCore.js';
import type { ObserveOutcome, RuntimeSummary, TranscriptOutcome } from './runtimeTypes.js';

const TRANSCRIPT_PAGE = 1000;

/** The observation use cases: projections, observation streams, transcripts, lifecycle, summary. */
export class WorkerObservation {
  constructor(private readonly core: RuntimeCore) {}

  get(workerId: string): WorkerProjection | null {
    return this.core.workers.get(workerId)?.projection ?? null;
  }

  list(): WorkerProjection[] {
    return [...this.core.workers.values()].map((record) => record.projection);
  }

  observe(workerId: string, options: { after?: string | null; queueLimit?: number } = {}): ObserveOutcome {
    const record = this.core.workers.get(workerId);
    if (!record) return { ok: false, result: notFound('observe') };
    if (options.after != null && decodeCursor(options.after) === null) {
      return { ok: false, result: operationResult('observe', 'invalid_request', record.state, { message: 'not a cursor' }) };
    }
    return { ok: true, subscription: this.core.ports.reader.subscribe(record.ref, options) };
  }

  async observeAcross(ref: WorkerRef, options: { after?: string | null; queueLimit?: number } = {}): Promise<ObserveOutcome> {
    const { core } = this;
    if (ref.runtimeId === core.runtimeId) return this.observe(ref.workerId, options);
    if (!RuntimeIdSchema.safeParse(ref.runtimeId).success || !WorkerIdSchema.safeParse(ref.workerId).success) {
      return { ok: false, result: operationResult('observe', 'invalid_request', null, { message: 'not a Worker reference' }) };
    }
    const entry = await core.ports.catalog.get(ref.runtimeId, ref.workerId).catch(() => null);
    if (!entry) return { ok: false, result: notFound('observe') };
    if (options.after != null && decodeCursor(options.after) === null) {
      return { ok: false, result: operationResult('observe', 'invalid_request', entry.state, { message: 'not a cursor' }) };
    }
    return { ok: true, subscription: core.ports.reader.subscribe({ runtimeId: ref.runtimeId, workerId: ref.workerId }, options) };
  }

  async transcript(workerId: string): Promise<TranscriptOutcome> {
    const record = this.core.workers.get(workerId);
    if (!record) return { ok: false, result: notFound('observe') };
    const observations = [];
    let after: string | null = null;
    for (;;) {
      const page = await this.core.ports.reader.read(record.ref, { after, limit: TRANSCRIPT_PAGE });
      if (page.status !== 'ok') break; // retention moved under us: what was read stays consistent
      observations.push(...page.observations);
      if (page.observations.length < TRANSCRIPT_PAGE) break;
      after = page.next;
    }
    const safe = observations.map((o) => ({ ...o, event: toBrowserEvent(o.event) }));
    return { ok: true, entries: deriveTranscript(safe), complete: observations.length === 0 || observations[0]!.sequence === 1 };
  }

  lifecycle(after?: string | null): LifecycleSubscription {
    return this.core.feed.subscribe(after);
  }

  profiles(): RuntimeSummary['profiles'] {
    const { core } = this;
    return Object.entries(core.options.profiles).map(([name, profile]) => ({
      name,
      displayName: profile.displayName ?? null,
      available: profile.backend !== null && core.backends.has(profile.backend),
    }));
  }

  summary(): RuntimeSummary {
    const { core } = this;
    const byState: Partial<Record<WorkerState, number>> = {};
    for (const record of core.workers.values()) byState[record.state] = (byState[record.state] ?? 0) + 1;
    return { runtimeId: core.runtimeId, state: core.status, workers: { total: core.workers.size, byState }, profiles: this.profiles() };
  }
}
