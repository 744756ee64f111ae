import { diagnostic as makeDiagnostic, type Diagnostic } from '../domain/diagnostic.js';
import { parseProtocolEvent, type ProtocolEvent } from '../domain/protocolEvent.js';
import type { WorkerRef } from '../domain/workerRef.js';
import type { RunState } from '../domain/workerState.js';
import type { ExecutionContext, PublishOptions, PublishResult } from '../ports/executionContext.js';

/** What a context reports back to the Runtime; called only while the context is live. */
export interface ContextSink {
  /** Records the event's effect on run state, then appends it to the bus. */
  publish(event: ProtocolEvent, options: PublishOptions): Promise<PublishResult>;
  lost(diagnostic: Diagnostic): void;
  restored(state: RunState): void;
}

const REVOKED: PublishResult = { ok: false, reason: 'revoked', message: 'execution context revoked' };

/**
 * The execution context of one Worker generation. The Worker is fixed at construction, so a backend
 * cannot publish for another Worker; once revoked (stop, removal, failed spawn, shutdown) every call is
 * refused, so a stale backend cannot write into a recreated Worker of the same id.
 */
export class GuardedContext implements ExecutionContext {
  private readonly controller = new AbortController();
  /** A frozen copy: the Runtime routes by its own record, and a backend cannot retarget this one. */
  readonly worker: WorkerRef;

  constructor(
    worker: WorkerRef,
    readonly runGeneration: number,
    private readonly sink: ContextSink,
    private readonly maxEventBytes: number,
  ) {
    this.worker = Object.freeze({ runtimeId: worker.runtimeId, workerId: worker.workerId });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get revoked(): boolean {
    return this.controller.signal.aborted;
  }

  publish(event: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    if (this.revoked) return Promise.resolve(REVOKED);
    const parsed = parseProtocolEvent(event, this.maxEventBytes);
    if (!parsed.ok) return Promise.resolve({ ok: false, reason: parsed.reason, message: parsed.message });
    return this.sink.publish(parsed.event, options);
  }

  reportLost(diagnostic: Diagnostic): void {
    if (!this.revoked) this.sink.lost(diagnostic ?? makeDiagnostic('execution_lost', 'execution lost'));
  }

  reportRestored(state: RunState): void {
    if (!this.revoked) this.sink.restored(state);
  }

  revoke(): void {
    if (!this.revoked) this.controller.abort();
  }
}
