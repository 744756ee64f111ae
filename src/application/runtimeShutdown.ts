import { withDeadline } from './deadline.js';
import type { RuntimeCore } from './runtimeCore.js';
import { RELEASED, type WorkerStopper } from './workerStopper.js';

const FINAL: ReadonlySet<string> = new Set(['stopped', 'unavailable', 'errored']);

/**
 * The Runtime's shutdown: waits for work in flight, stops every live execution through its backend
 * (same deadlines), releases what the backend could not stop (context revoked, then the backend
 * disposed), so every Worker ends in a final state; ends every subscription with a final frame.
 */
export class RuntimeShutdown {
  private done: Promise<void> | null = null;

  constructor(
    private readonly core: RuntimeCore,
    private readonly stopper: WorkerStopper,
  ) {}

  run(): Promise<void> {
    this.done ??= this.shutdown();
    return this.done;
  }

  private async shutdown(): Promise<void> {
    const { core } = this;
    core.status = 'stopping';
    await Promise.allSettled([...core.pending]);
    await core.catalogWriter.flush(core.options.deadlines.catalogFlushMs); // bounded: the store may be away
    await core.queueHooks?.shutdown();
    core.persisting = false;
    const live = [...core.workers.values()].filter((r) => r.hasHandle && r.phase !== 'stopped' && r.phase !== 'stopping' && !r.awaits('stop'));
    await Promise.allSettled(live.map((record) => this.stopper.stop(record, true)));
    await Promise.allSettled([...core.pending]);
    for (const record of core.workers.values()) {
      if (FINAL.has(record.state)) {
        record.context?.revoke();
        continue;
      }
      this.stopper.release(record, RELEASED);
    }
    const { stopMs } = core.options.deadlines;
    await Promise.allSettled(
      [...core.backends.values()].map((b) => (b.dispose ? withDeadline(core.ports.clock, stopMs, (signal) => b.dispose!(signal)) : null)),
    );
    await core.ports.reader.close();
    core.catalogWriter.close();
    core.feed.close();
    core.status = 'stopped';
  }
}
