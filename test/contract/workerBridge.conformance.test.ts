import { WorkerBridgeExecutionBackend } from '../../src/adapters/workerBridge/workerBridgeExecutionBackend.js';
import { textInput } from '../../src/domain/workerInput.js';
import { describeExecutionBackendConformance } from '../../src/testing/index.js';
import { testWorkerOptions } from '../support/bridgeWorkerFixture.js';

// The exported suite, unchanged, against real worker subprocesses (the scripted test worker) on real Unix sockets.
describeExecutionBackendConformance({
  name: 'WorkerBridgeExecutionBackend (scripted test worker over a Unix socket)',
  create: () => {
    const backend = new WorkerBridgeExecutionBackend({ backendId: 'workerBridge' });
    return { backend, profileOptions: testWorkerOptions(), dispose: () => backend.dispose(AbortSignal.timeout(5_000)) };
  },
  capabilities: { stop: true, cancel: true, method: true, snapshot: true, restore: true },
  shortInput: textInput('hello'),
  longInput: textInput('a long run #hold'),
  failingProfileOptions: testWorkerOptions([], { command: '/nonexistent/yoi-worker' }),
});
