/**
 * A TEST embedding program: `node --import tsx test/support/embeddingHost.ts <dir>`. It starts a
 * Runtime with one ACP Worker (the scripted test agent) and one worker-bridge Worker (the scripted test
 * worker), has each start an escaping process tree (`#tree`), writes `<dir>/host.json` with the pids a
 * test must see gone (agent, worker, the watchdog), then runs until it is killed. It installs no signal
 * handler on purpose: SIGTERM ends it the default way, without any `exit` hook running.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerModule } from 'inversify';
import { AcpExecutionBackend } from '../../src/adapters/acp/acpExecutionBackend.js';
import { ProcessWatchdog } from '../../src/adapters/process/processWatchdog.js';
import { WorkerBridgeExecutionBackend } from '../../src/adapters/workerBridge/workerBridgeExecutionBackend.js';
import { WorkerRuntime } from '../../src/application/workerRuntime.js';
import { createRuntimeContainer } from '../../src/container/createRuntimeContainer.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { eventually } from '../../src/testing/frames.js';
import { testAgentOptions } from './acpAgentFixture.js';
import { readInfo, testWorkerOptions } from './bridgeWorkerFixture.js';

const dir = process.argv[2]!;
const acp = new AcpExecutionBackend({ backendId: 'acp' });
const bridge = new WorkerBridgeExecutionBackend({ backendId: 'workerBridge' });
const runtime = createRuntimeContainer({
  runtime: {
    profiles: {
      agent: { backend: 'acp', options: testAgentOptions() },
      worker: { backend: 'workerBridge', options: testWorkerOptions(['--info-file', join(dir, 'worker.json')]) },
    },
  },
  backends: [
    new ContainerModule(({ bind }) => {
      bind(ExecutionBackendPort).toConstantValue(acp);
      bind(ExecutionBackendPort).toConstantValue(bridge);
    }),
  ],
}).get(WorkerRuntime);

const text = (content: string) => ({ kind: 'user' as const, segments: [{ kind: 'text' as const, content }] });
await runtime.create({ workerId: 'agent', profile: 'agent' });
await runtime.create({ workerId: 'worker', profile: 'worker' });
await runtime.submitInput('agent', text(`go #tree:${join(dir, 'agent-tree')} #hold`));
await runtime.submitInput('worker', text(`go #tree:${join(dir, 'worker-tree')} #hold`));
const worker = await readInfo(join(dir, 'worker.json'));
await eventually(() => ProcessWatchdog.shared().pid !== null);
writeFileSync(join(dir, 'host.json'), JSON.stringify({ agent: acp.agentPids()[0], worker: worker.pid, watchdog: ProcessWatchdog.shared().pid }));
setInterval(() => undefined, 60_000);
