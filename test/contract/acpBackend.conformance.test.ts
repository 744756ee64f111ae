import { AcpExecutionBackend } from '../../src/adapters/acp/acpExecutionBackend.js';
import { textInput } from '../../src/domain/workerInput.js';
import { describeExecutionBackendConformance } from '../../src/testing/index.js';
import { testAgentOptions } from '../support/acpAgentFixture.js';

// The exported suite, unchanged, against real agent subprocesses (the scripted ACP test agent).
describeExecutionBackendConformance({
  name: 'AcpExecutionBackend (scripted ACP test agent over stdio)',
  create: () => {
    const backend = new AcpExecutionBackend({ backendId: 'acp' });
    // Permissions are left to a person (`ask`): the decision cases answer them through the Runtime.
    return { backend, profileOptions: testAgentOptions([], { permissions: { policy: 'ask' } }), dispose: () => backend.dispose(AbortSignal.timeout(5_000)) };
  },
  capabilities: { stop: true, cancel: true, method: false, snapshot: false, restore: true, decide: true },
  shortInput: textInput('hello'),
  longInput: textInput('a long run #hold'),
  askInput: textInput('write the notes #permission'),
  failingProfileOptions: { command: '/nonexistent/acp-agent' },
});
