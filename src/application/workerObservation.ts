import { toBrowserEvent } from '../domain/browserFrame.js';
import { allowedPolicies } from '../domain/busyPolicy.js';
import { z } from 'zod';
import { decodeCursor } from '../domain/cursor.js';
import { operationResult } from '../domain/executionResult.js';
import type { WorkerProjection } from '../domain/projection.js';
import { deriveTranscript } from '../domain/transcript.js';
import { RuntimeIdSchema, WorkerIdSchema, type WorkerRef } from '../domain/workerRef.js';
import type { WorkerState } from '../domain/workerState.js';
import type { LifecycleSubscription } from './lifecycleFeed.js';
import { notFound, parseArgument, storeUnavailable } from './operationResults.js';
import type { ReadResult } from '../ports/observationReaderPort.js';
import { CatalogEntrySchema, type CatalogEntry } from '../ports/workerCatalogPort.js';
import type { RuntimeCore } from './runtimeCore.js';
import type { ObserveOutcome, RuntimeSummary, TranscriptOutcome } from './runtimeTypes.js';

const TRANSCRIPT_PAGE = 1000;

export interface ObserveOptions {
  readonly after?: string | null;
  readonly queueLimit?: number;
}

const ObserveOptionsSchema = z.object({
  after: z
    .string()
    .refine((cursor) => decodeCursor(cursor) !== null, 'not a cursor')
    .nullish(),
  queueLimit: z.number().int().min(1).max(1_000_000).optional(),
});

/** A bad queue limit falls back to the Runtime's default (a lifecycle subscription has no result to refuse with). */
const LifecycleOptionsSchema = z.object({ queueLimit: z.number().int().min(1).max(1_000_000).optional() });

const ForeignRefSchema = z.object({ runtimeId: RuntimeIdSchema, workerId: WorkerIdSchema });

/** The observation use cases: projections, observation streams, transcripts, lifecycle, summary. */
export class WorkerObservation {
  constructor(private readonly core: RuntimeCore) {}

  get(workerId: string): WorkerProjection | null {
    return this.core.workers.get(workerId)?.projection ?? null;
  }

  list(): WorkerProjection[] {
    return [...this.core.workers.values()].map((record) => record.projection);
  }

  observe(workerId: string, options: ObserveOptions | null = {}): ObserveOutcome {
    const record = this.core.workers.get(workerId);
    if (!record) return { ok: false, result: notFound('observe') };
    const parsed = parseArgument(ObserveOptionsSchema, options ?? {}, 'observe', record.state);
    if (!parsed.ok) return parsed;
    return { ok: true, subscription: this.core.ports.reader.subscribe(record.ref, parsed.data) };
  }

  async observeAcross(ref: WorkerRef, options: ObserveOptions | null = {}): Promise<ObserveOutcome> {
    const { core } = this;
    const target = parseArgument(ForeignRefSchema, ref, 'observe', null);
    if (!target.ok) return { ok: false, result: operationResult('observe', 'invalid_request', null, { message: 'not a Worker reference' }) };
    const { runtimeId, workerId } = target.data;
    if (runtimeId === core.runtimeId) return this.observe(workerId, options);
    const entry = await this.catalogEntry(runtimeId, workerId);
    if (entry === undefined) return { ok: false, result: storeUnavailable('the Worker catalog cannot be reached') };
    if (!entry) return { ok: false, result: notFound('observe') };
    const parsed = parseArgument(ObserveOptionsSchema, options ?? {}, 'observe', entry.state);
    if (!parsed.ok) return parsed;
    return { ok: true, subscription: core.ports.reader.subscribe(Object.freeze({ runtimeId, workerId }), parsed.data) };
  }

  /**
   * Another Runtime's catalog entry, parsed (the catalog is a port: its answers are checked too); null if
   * none or unreadable, undefined if the catalog cannot be reached (a store error is not "not found").
   */
  private async catalogEntry(runtimeId: string, workerId: string): Promise<CatalogEntry | null | undefined> {
    try {
      const parsed = CatalogEntrySchema.safeParse(await this.core.ports.catalog.get(runtimeId, workerId));
      return parsed.success && parsed.data.workerId === workerId ? parsed.data : null;
    } catch {
      return undefined;
    }
  }

  async transcript(workerId: string): Promise<TranscriptOutcome> {
    const record = this.core.workers.get(workerId);
    if (!record) return { ok: false, result: notFound('observe') };
    const observations = [];
    let after: string | null = null;
    let skipped = false;
    for (;;) {
      const page: ReadResult | null = await this.core.ports.reader.read(record.ref, { after, limit: TRANSCRIPT_PAGE }).catch(() => null);
      if (!page) return { ok: false, result: storeUnavailable('the observation store cannot be reached') };
      // Retention moved under us: what was read stays consistent, and what followed it is missing.
      if (page.status !== 'ok') {
        skipped = true;
        break;
      }
      observations.push(...page.observations);
      skipped ||= (page.gaps?.length ?? 0) > 0; // undecodable entries: the transcript has holes
      skipped ||= page.truncated === true; // the oldest observations were evicted (retention, memory budget)
      if (page.observations.length < TRANSCRIPT_PAGE) break;
      after = page.next;
    }
    const safe = observations.map((o) => ({ ...o, event: toBrowserEvent(o.event) }));
    const complete = !skipped && (observations.length === 0 || observations[0]!.sequence === 1);
    return { ok: true, entries: deriveTranscript(safe), complete };
  }

  lifecycle(after?: string | null, options?: { readonly queueLimit?: number }): LifecycleSubscription {
    // Anything but a string cursor or nothing is a cursor of no epoch: the subscriber gets `reset`.
    const cursor = typeof after === 'string' || after == null ? after : '';
    const parsed = parseArgument(LifecycleOptionsSchema, options ?? {}, 'observe', null);
    return this.core.feed.subscribe(cursor, parsed.ok ? parsed.data.queueLimit : undefined);
  }

  profiles(): RuntimeSummary['profiles'] {
    const { core } = this;
    return Object.entries(core.options.profiles).map(([name, profile]) => ({
      name,
      displayName: profile.displayName ?? null,
      backend: profile.backend,
      available: profile.backend !== null && core.backends.has(profile.backend),
      busyPolicy: profile.busy.policy ?? core.options.busyPolicy,
      busyPolicies: allowedPolicies(profile.busy.policy ?? core.options.busyPolicy, profile.busy),
    }));
  }

  summary(): RuntimeSummary {
    const { core } = this;
    const byState: Partial<Record<WorkerState, number>> = {};
    for (const record of core.workers.values()) byState[record.state] = (byState[record.state] ?? 0) + 1;
    const observationBudget = core.ports.reader.retention?.() ?? null;
    return { runtimeId: core.runtimeId, state: core.status, workers: { total: core.workers.size, byState }, profiles: this.profiles(), observationBudget };
  }
}
