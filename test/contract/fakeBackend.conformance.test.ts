import { describeExecutionBackendConformance, FakeExecutionBackend } from '../../src/testing/index.js';
import { textInput } from '../../src/domain/workerInput.js';

describeExecutionBackendConformance({
  name: 'FakeExecutionBackend (all capabilities)',
  create: () => {
    const backend = new FakeExecutionBackend();
    return { backend, dispose: async () => undefined };
  },
  capabilities: { stop: true, cancel: true, method: true, snapshot: true, restore: true, decide: true },
  shortInput: textInput('hello'),
  longInput: textInput('a long run #hold'),
  askInput: textInput('edit the notes #ask'),
  failingProfileOptions: { spawn: 'reject' },
});

describeExecutionBackendConformance({
  name: 'FakeExecutionBackend (no optional methods, spawn refused by profile)',
  create: () => {
    const backend = new FakeExecutionBackend({
      capabilities: { stop: false, cancel: false, method: false, snapshot: false, restore: false, decide: false },
    });
    return { backend, dispose: async () => undefined };
  },
  capabilities: { stop: false, cancel: false, method: false, snapshot: false, restore: false },
  shortInput: textInput('hello'),
  longInput: textInput('a long run #hold'),
  failingProfileOptions: { spawn: 'reject' },
});
