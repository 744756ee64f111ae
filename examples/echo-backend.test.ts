import { textInput } from 'worker-runtime';
import { describeExecutionBackendConformance } from 'worker-runtime/testing';
import { EchoBackend } from './echo-backend.js';

describeExecutionBackendConformance({
  name: 'EchoBackend',
  create: () => ({ backend: new EchoBackend(), dispose: async () => {} }),
  capabilities: { stop: true, cancel: true, method: false, snapshot: false, restore: false },
  shortInput: textInput('hello'),
  longInput: textInput('something that runs until cancelled #hold'), // optional: enables busy-state cases
  failingProfileOptions: { prefix: 42 }, // optional: enables unavailable cases
});
