import { z } from 'zod';
import { diagnostic } from '../domain/diagnostic.js';
import { operationResult, type OperationResult } from '../domain/executionResult.js';
import { WorkerIdSchema } from '../domain/workerRef.js';
import { CATALOG_ENTRY_CORRUPT, CatalogEntrySchema, type CatalogEntry } from '../ports/workerCatalogPort.js';
import { parseArgument } from './operationResults.js';
import type { RuntimeCore } from './runtimeCore.js';
import { CreateRequestSchema, type CreateOutcome, type CreateRequest } from './runtimeTypes.js';
import { sayDecisionLost } from './workerDecisions.js';
import { WorkerStarter } from './workerStarter.js';

/** A catalog entry the Runtime can bring back: its Worker id is one the Runtime could have made. */
const RestorableEntrySchema = CatalogEntrySchema.extend({ workerId: WorkerIdSchema });

/** The create and restore use cases: reserve a Worker, spawn (or reattach) its execution, commit. */
export class WorkerCreation {
  private readonly starter: WorkerStarter;

  constructor(private readonly core: RuntimeCore) {
    this.starter = new WorkerStarter(core.ports.clock, core.options, (record) => core.changed(record));
  }

  async create(request: CreateRequest = {}): Promise<CreateOutcome> {
    const { core } = this;
    const parsed = parseArgument(CreateRequestSchema, request, 'create', null);
    if (!parsed.ok) return { result: parsed.result, worker: null };
    const { workerId, profile: profileName, displayName } = parsed.data;
    if (core.status !== 'running') return { result: operationResult('create', 'runtime_stopped', null), worker: null };
    const profile = core.profile(profileName);
    if (!profile) {
      return { result: operationResult('create', 'profile_unknown', null, { message: `no profile named ${profileName}` }), worker: null };
    }
    const existing = workerId === undefined ? undefined : core.workers.get(workerId);
    if (existing) {
      const reason = existing.profile === profileName ? 'already_exists' : 'create_conflict';
      return { result: operationResult('create', reason, existing.state), worker: existing.projection };
    }
    const record = core.reserve(workerId ?? core.ports.ids.workerId(), profileName, displayName ?? null);
    core.ports.publisher.beginStream?.(record.ref); // a new Worker never continues a removed one's stream
    const backend = profile.backend === null ? undefined : core.backends.get(profile.backend);
    if (!backend) {
      const why = diagnostic('backend_not_configured', `profile ${profileName} has no execution backend configured`);
      core.makeUnavailable(record, why);
      const result = operationResult('create', 'execution_unavailable', record.state, { diagnostic: why, message: why.message });
      return { result, worker: record.projection };
    }
    record.backend = backend;
    record.context = core.contextFor(record);
    // Frozen like every ref handed to an adapter: a backend cannot change what later spawns are asked.
    const spawnRequest = Object.freeze({ profile: profileName, profileOptions: profile.options, displayName: record.displayName });
    const result = await core.track(this.starter.spawn(record, spawnRequest, () => core.running && core.isCurrent(record)));
    return { result, worker: core.isCurrent(record) ? record.projection : null };
  }

  /**
   * Restores every catalog entry of this Runtime not here yet. The catalog is a port too: its answer
   * is parsed, an entry that does not parse (or repeats a Worker id) is skipped and said so by a
   * result of its own (`backend_protocol_error`, state null). Rejects if the catalog is unreachable.
   */
  async restoreWorkers(): Promise<OperationResult[]> {
    const { core } = this;
    const loaded: unknown = await core.ports.catalog.load(core.runtimeId);
    if (!core.running) return [operationResult('restore', 'runtime_stopped', null)];
    const entries = parseArgument(z.array(z.unknown()), loaded, 'restore', null);
    if (!entries.ok) return [operationResult('restore', 'backend_protocol_error', null, { message: 'the catalog answered something that is not a list of entries' })];
    const seen = new Set<string>();
    const results: Promise<OperationResult>[] = [];
    for (const raw of entries.data) {
      const entry = parseArgument(RestorableEntrySchema, raw, 'restore', null);
      if (!entry.ok || seen.has(entry.data.workerId)) {
        results.push(Promise.resolve(operationResult('restore', 'backend_protocol_error', null, { message: 'a catalog entry could not be read; it was skipped' })));
        continue;
      }
      seen.add(entry.data.workerId);
      if (!core.workers.has(entry.data.workerId)) results.push(core.track(this.restoreOne(entry.data)));
    }
    return Promise.all(results);
  }

  private async restoreOne(entry: CatalogEntry): Promise<OperationResult> {
    const { core } = this;
    core.lastGeneration.set(entry.workerId, Math.max(entry.runGeneration, core.lastGeneration.get(entry.workerId) ?? 0));
    const corrupt = entry.diagnostic?.code === CATALOG_ENTRY_CORRUPT ? entry.diagnostic : null;
    if (corrupt) core.catalogWriter.hold(entry.workerId); // kept as stored until the Worker is removed
    const record = core.reserve(entry.workerId, entry.profile, entry.displayName, entry.createdAt);
    record.restoreToken = entry.restoreToken;
    if (corrupt) {
      core.makeUnavailable(record, corrupt);
      return operationResult('restore', 'execution_unavailable', record.state, { diagnostic: corrupt, message: corrupt.message });
    }
    if (entry.state === 'stopped') {
      record.phase = 'stopped';
      core.changed(record);
      return operationResult('restore', 'already_stopped', record.state);
    }
    const profile = core.profile(entry.profile);
    const backend = profile?.backend == null ? undefined : core.backends.get(profile.backend);
    if (!profile || !backend) {
      const why = diagnostic(profile ? 'backend_not_configured' : 'profile_unknown', `profile ${entry.profile} cannot execute Workers here`);
      core.makeUnavailable(record, why);
      return operationResult('restore', 'execution_unavailable', record.state, { diagnostic: why, message: why.message });
    }
    record.backend = backend;
    record.context = core.contextFor(record);
    const request = Object.freeze({ profile: entry.profile, profileOptions: profile.options, displayName: entry.displayName, restoreToken: entry.restoreToken });
    const result = await this.starter.restore(record, request, () => core.running && core.isCurrent(record));
    if (entry.state === 'requires_action') sayDecisionLost(core, record);
    return result;
  }
}
