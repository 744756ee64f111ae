import { ContainerModule } from 'inversify';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryWorkerCatalog } from '../../src/adapters/memoryCatalog/memoryWorkerCatalog.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { textInput } from '../../src/domain/workerInput.js';
import { createHost, type Host } from '../../src/host/createHost.js';
import { logWorkerLifecycle, type WorkerLogger } from '../../src/host/workerLog.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { WorkerCatalogPort } from '../../src/ports/workerCatalogPort.js';
import { eventually, FakeExecutionBackend } from '../../src/testing/index.js';
import { testAgentOptions } from '../support/acpAgentFixture.js';

const TOKEN = 'operator-log-token-0123456789';
const SECRET = 'planted-env-value-0f9e8d7c';
let host: Host | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

/** A real host whose log lines (JSON, as when stdout is not a terminal) are kept in `lines`. */
function startHost(profiles: Record<string, unknown>, level = 'info') {
  const lines: Record<string, any>[] = [];
  const raw: string[] = [];
  host = createHost(
    { listen: { port: 0 }, token: TOKEN, log: { level: level as 'info', format: 'json' }, profiles: profiles as never },
    { logStream: { write: (line) => void (raw.push(line), lines.push(JSON.parse(line))) } },
  );
  return { host, lines, raw };
}

const byWorker = (lines: Record<string, any>[], worker: string) => lines.filter((l) => l.worker === worker);

describe('operator logs of Worker lifecycle changes', () => {
  it('a spawn failure and an agent killed mid-run are warn lines with their diagnostics; tokens and env values never appear', async () => {
    process.env.OPERATOR_LOG_SECRET = SECRET;
    const { host, lines, raw } = startHost({
      missing: { backend: 'acp', options: { command: '/nonexistent/acp-agent' } },
      agent: { backend: 'acp', options: testAgentOptions([], { envAllowList: ['OPERATOR_LOG_SECRET'] }) },
    });
    await host.listen();
    await host.runtime.create({ workerId: 'w-missing', profile: 'missing' });
    await host.runtime.create({ workerId: 'w-agent', profile: 'agent' });
    expect(await host.runtime.submitInput('w-agent', textInput('go #crash'))).toMatchObject({ outcome: 'accepted' });
    expect(await eventually(() => host.runtime.get('w-agent')?.state === 'unavailable', 10_000)).toBe(true);
    expect(await eventually(() => byWorker(lines, 'w-agent').some((l) => l.level === 40), 5_000)).toBe(true);

    const missing = byWorker(lines, 'w-missing').find((l) => l.level === 40);
    expect(missing).toMatchObject({ profile: 'missing', state: 'unavailable', diagnostic: { code: 'agent_command_not_found' } });
    expect(missing!.msg).toMatch(/^Worker w-missing \(profile missing\) is unavailable: agent_command_not_found: /);
    const agent = byWorker(lines, 'w-agent');
    expect(agent.find((l) => l.level === 30)?.msg).toBe('Worker w-agent (profile agent) started, idle');
    expect(agent.find((l) => l.level === 40)).toMatchObject({ state: 'unavailable', diagnostic: { code: 'agent_exited' } });
    expect(raw.join('')).not.toContain(SECRET);
    expect(raw.join('')).not.toContain(TOKEN);
    delete process.env.OPERATOR_LOG_SECRET;
  });

  it('request lines are at debug: absent at info, present (paths only) at debug', async () => {
    for (const level of ['info', 'debug']) {
      const { host, lines } = startHost({ scripted: { backend: 'fake' } }, level);
      const url = await host.listen();
      await fetch(`${url}/v1/workers?token=should-not-be-logged`, { headers: { authorization: `Bearer ${TOKEN}` } });
      await host.close();
      const requests = lines.filter((l) => /request/.test(l.msg));
      if (level === 'info') expect(requests).toEqual([]);
      else {
        expect(requests.map((l) => l.level)).toEqual([20, 20]);
        expect(JSON.stringify(requests)).toContain('"path":"/v1/workers"');
        expect(JSON.stringify(requests)).not.toContain('should-not-be-logged');
        expect(JSON.stringify(lines)).not.toContain(TOKEN);
      }
    }
  });

  it('a restore that failed after a restart is a warn line naming the reason', async () => {
    const catalog = new MemoryWorkerCatalog();
    const boot = (restore: 'ready' | 'unsupported') => {
      const backend = new FakeExecutionBackend({ backendId: 'fake', behaviours: { restore } });
      return createRuntimeContainer({
        runtime: { runtimeId: 'rt', profiles: { fake: { backend: 'fake' } } },
        catalog: new ContainerModule(({ bind }) => void bind(WorkerCatalogPort).toConstantValue(catalog)),
        backends: [new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(backend))],
      }).get(WorkerRuntime);
    };
    const before = boot('ready');
    await before.create({ workerId: 'kept', profile: 'fake' });
    await eventually(() => before.get('kept')?.state === 'idle');
    // The process dies here (no shutdown); the next one cannot reattach.
    const after = boot('unsupported');
    const entries: [string, object, string][] = [];
    const log = Object.fromEntries(
      (['debug', 'info', 'warn', 'error'] as const).map((level) => [level, (fields: object, message: string) => void entries.push([level, fields, message])]),
    ) as unknown as WorkerLogger;
    logWorkerLifecycle(after, log);
    await after.restoreWorkers();
    expect(await eventually(() => entries.some(([level]) => level === 'warn'))).toBe(true);
    const [, fields, message] = entries.find(([level]) => level === 'warn')!;
    expect(fields).toMatchObject({ worker: 'kept', state: 'unavailable', diagnostic: { code: 'restore_unsupported' } });
    expect(message).toMatch(/^Worker kept \(profile fake\) is unavailable: restore_unsupported/);
    await after.shutdown();
  });
});
