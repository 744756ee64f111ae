import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ContainerModule } from 'inversify';
import { AcpExecutionBackend } from '../../src/adapters/acp/acpExecutionBackend.js';
import type { AcpProfileOptionsInput } from '../../src/adapters/acp/acpOptions.js';
import { MemoryObservationBus } from '../../src/adapters/memoryBus/memoryObservationBus.js';
import type { RuntimeOptionsInput } from '../../src/application/runtimeOptions.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import type { Observation, ObservationFrame } from '../../src/domain/observation.js';
import type { ProtocolEvent } from '../../src/domain/protocolEvent.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { takeUntil } from '../../src/testing/frames.js';

/** The scripted ACP test agent (a TEST double speaking real ACP over stdio, not a model). */
export const TEST_AGENT = fileURLToPath(new URL('./acpTestAgent.ts', import.meta.url));
/** tsx's loader as an absolute URL: `--import tsx` would resolve against the agent's cwd. */
export const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Profile options that run the test agent with `agentArgs` (`--mode auth`, ...), short timeouts. */
export function testAgentOptions(agentArgs: string[] = [], overrides: Partial<AcpProfileOptionsInput> = {}): AcpProfileOptionsInput {
  return {
    command: process.execPath,
    args: ['--import', TSX_LOADER, TEST_AGENT, ...agentArgs],
    ...overrides,
    timeouts: { initializeMs: 10_000, sessionNewMs: 5_000, promptAckMs: 2_000, cancelWatchdogMs: 1_000, stopGraceMs: 1_000, ...overrides.timeouts },
  };
}

/** A Runtime around one AcpExecutionBackend with one profile per entry of `profiles` (profile `acp` by default). */
export function acpRuntime(
  profiles: Record<string, AcpProfileOptionsInput> = { acp: testAgentOptions() },
  runtime: RuntimeOptionsInput = {},
  backend = new AcpExecutionBackend({ backendId: 'acp' }),
) {
  const container = createRuntimeContainer({
    runtime: {
      ...runtime,
      profiles: Object.fromEntries(Object.entries(profiles).map(([name, options]) => [name, { backend: 'acp', options }])),
      deadlines: { spawnMs: 15_000, dispatchMs: 5_000, stopMs: 5_000, cancelMs: 4_000, ...runtime.deadlines },
    },
    memoryBus: { retentionPerWorker: 100_000, subscriberQueue: 100_000 },
    backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
  });
  const rt = container.get(WorkerRuntime);
  const bus = container.get(MemoryObservationBus);
  const stored = async (workerId: string) => {
    const page = await bus.read({ runtimeId: rt.runtimeId, workerId }, { limit: 1_000_000 });
    return page.status === 'ok' ? page.observations : [];
  };
  return { runtime: rt, backend, bus, stored };
}

/**
 * Whether a process still exists. `process.kill(pid, 0)` says so; a zombie (exited, not yet reaped by
 * a container's init) counts as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!existsSync('/proc/self/stat')) return true; // no procfs: kill(pid, 0) is all we have
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false; // vanished between the two checks
  }
}

/**
 * Submits `content` to a Worker and reads its new events until it is idle again (`status idle`) or
 * the agent was lost (`error` code `internal`).
 * `stored` reads what the bus already holds (the subscription resumes after it).
 */
export async function runTurn(
  runtime: WorkerRuntime,
  stored: (workerId: string) => Promise<readonly Observation[]>,
  workerId: string,
  content: string,
  timeoutMs = 10_000,
) {
  const after = (await stored(workerId)).at(-1)?.cursor ?? null;
  const observed = runtime.observe(workerId, { after });
  if (!observed.ok) throw new Error(observed.result.reason);
  const result = await runtime.submitInput(workerId, { kind: 'user', segments: [{ kind: 'text', content }] });
  if (result.outcome !== 'accepted') {
    observed.subscription.close();
    return { result, events: [] as ProtocolEvent[], frames: [] as ObservationFrame[] };
  }
  const done = (e: ProtocolEvent) => (e.event === 'status' && e.data?.status === 'idle') || (e.event === 'error' && e.data?.code === 'internal');
  const frames = await takeUntil(observed.subscription, (f) => f.type === 'observation' && done(f.observation.event), timeoutMs);
  observed.subscription.close();
  return { result, events: eventsOf(frames), frames };
}

export function eventsOf(frames: readonly ObservationFrame[]): ProtocolEvent[] {
  return frames.flatMap((f) => (f.type === 'observation' ? [f.observation.event] : []));
}
