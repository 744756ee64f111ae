import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ContainerModule } from 'inversify';
import { MemoryObservationBus } from '../../src/adapters/memoryBus/memoryObservationBus.js';
import { WorkerBridgeExecutionBackend } from '../../src/adapters/workerBridge/workerBridgeExecutionBackend.js';
import type { WorkerBridgeProfileOptionsInput } from '../../src/adapters/workerBridge/workerBridgeOptions.js';
import type { RuntimeOptionsInput } from '../../src/application/runtimeOptions.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import type { Observation, ObservationFrame } from '../../src/domain/observation.js';
import type { ProtocolEvent } from '../../src/domain/protocolEvent.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { eventually, takeUntil } from '../../src/testing/frames.js';

/** The scripted yoi worker TEST double (plain JS, a real subprocess listening on a real Unix socket). */
export const TEST_WORKER = fileURLToPath(new URL('./bridgeTestWorker.mjs', import.meta.url));

type Overrides = Partial<Exclude<WorkerBridgeProfileOptionsInput, { socketPath: string }>>;

/** Profile options that start the test worker with `workerArgs`, with short timeouts and a quick reconnect. */
export function testWorkerOptions(workerArgs: string[] = [], overrides: Overrides = {}): WorkerBridgeProfileOptionsInput {
  return {
    command: process.execPath,
    args: [TEST_WORKER, ...workerArgs],
    ...overrides,
    timeouts: { startMs: 5_000, connectMs: 2_000, ackMs: 2_000, cancelMs: 1_500, stopMs: 1_000, stopGraceMs: 500, ...overrides.timeouts },
    reconnect: { initialDelayMs: 20, maxDelayMs: 200, ...overrides.reconnect },
  };
}

/** A Runtime around one WorkerBridgeExecutionBackend with one profile per entry (profile `bridge` by default). */
export function bridgeRuntime(
  profiles: Record<string, WorkerBridgeProfileOptionsInput> = { bridge: testWorkerOptions() },
  runtime: RuntimeOptionsInput = {},
  backend = new WorkerBridgeExecutionBackend({ backendId: 'workerBridge' }),
) {
  const container = createRuntimeContainer({
    runtime: {
      ...runtime,
      profiles: Object.fromEntries(Object.entries(profiles).map(([name, options]) => [name, { backend: 'workerBridge', options }])),
      deadlines: { spawnMs: 10_000, dispatchMs: 5_000, stopMs: 5_000, cancelMs: 4_000, ...runtime.deadlines },
    },
    memoryBus: { retentionPerWorker: 100_000, subscriberQueue: 100_000 },
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
  });
  const rt = container.get(WorkerRuntime);
  const bus = container.get(MemoryObservationBus);
  const stored = async (workerId: string): Promise<readonly Observation[]> => {
    const page = await bus.read({ runtimeId: rt.runtimeId, workerId }, { limit: 1_000_000 });
    return page.status === 'ok' ? page.observations : [];
  };
  return { runtime: rt, backend, bus, stored };
}

/** What the test worker wrote to its `--info-file` once listening (host-side facts the adapter never hands out). */
export interface WorkerInfo {
  readonly pid: number;
  readonly socket: string;
  readonly cwd: string;
}

export async function readInfo(file: string): Promise<WorkerInfo> {
  if (!(await eventually(() => existsSync(file) && readFileSync(file, 'utf8').length > 0, 5_000))) throw new Error('the test worker wrote no info file');
  return JSON.parse(readFileSync(file, 'utf8')) as WorkerInfo;
}

/** Whether a process still exists (`process.kill(pid, 0)`); a zombie counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

export function eventsOf(frames: readonly ObservationFrame[]): ProtocolEvent[] {
  return frames.flatMap((f) => (f.type === 'observation' ? [f.observation.event] : []));
}

/** Submits `content` and reads the Worker's new events until `status idle` (or the stream ends). */
export async function runTurn(rt: WorkerRuntime, stored: (id: string) => Promise<readonly Observation[]>, workerId: string, content: string, timeoutMs = 10_000) {
  const after = (await stored(workerId)).at(-1)?.cursor ?? null;
  const observed = rt.observe(workerId, { after, queueLimit: 1_000_000 });
  if (!observed.ok) throw new Error(observed.result.reason);
  const result = await rt.submitInput(workerId, { kind: 'user', segments: [{ kind: 'text', content }] });
  if (result.outcome !== 'accepted') {
    observed.subscription.close();
    return { result, events: [] as ProtocolEvent[], frames: [] as ObservationFrame[] };
  }
  const idle = (f: ObservationFrame) => f.type === 'observation' && f.observation.event.event === 'status' && f.observation.event.data?.status === 'idle';
  const frames = await takeUntil(observed.subscription, idle, timeoutMs);
  observed.subscription.close();
  return { result, events: eventsOf(frames), frames };
}
