import { describe, expect, it } from 'vitest';
import { textInput } from '../../src/domain/workerInput.js';
import { untilState } from '../../src/testing/conformanceWaits.js';
import { describeExecutionBackendConformance, FakeExecutionBackend, runtimeAround, takeFrames, takeUntil } from '../../src/testing/index.js';

// A first backend that forgets `run_end`: its Worker stays busy after the run.
const forgetful = () =>
  new FakeExecutionBackend({
    backendId: 'forgetful',
    script: (input) => [
      { event: 'invoke_start', data: { kind: 'user_send' } },
      { event: 'user_message', data: { segments: input.kind === 'user' ? input.segments : [] } },
      { event: 'text_delta', data: { text: 'hi' } },
    ],
  });

describe('conformance suite messages say what was expected', () => {
  it('waiting for run_end names it and lists what arrived instead', async () => {
    const runtime = runtimeAround(forgetful());
    await runtime.create({ workerId: 'w', profile: 'test' });
    const observed = runtime.observe('w');
    if (!observed.ok) throw new Error('observe refused');
    await runtime.submitInput('w', textInput('hello'));
    const waiting = takeUntil(observed.subscription, (f) => f.type === 'observation' && f.observation.event.event === 'run_end', 300, 'run_end after an accepted input');
    await expect(waiting).rejects.toThrow('timed out after 300 ms waiting for run_end after an accepted input (received 3 frames: invoke_start, user_message, text_delta)');
    await expect(untilState(runtime, 'w', 'idle', 100, 'after the run')).rejects.toThrow(
      /expected Worker w to be idle within 100 ms after the run, but it is busy\. A run ends when the backend publishes `run_end`.*docs\/protocol\.md/,
    );
    await runtime.shutdown();
  });

  it('takeFrames says how many of how many frames arrived, and which', async () => {
    const runtime = runtimeAround(forgetful());
    await runtime.create({ workerId: 'w', profile: 'test' });
    await runtime.submitInput('w', textInput('hello'));
    const observed = runtime.observe('w');
    if (!observed.ok) throw new Error('observe refused');
    await expect(takeFrames(observed.subscription, 5, 200)).rejects.toThrow('timed out after 200 ms with 3 of 5 frames (received: invoke_start, user_message, text_delta)');
    await runtime.shutdown();
  });

  it('refuses a runner timeout that leaves no room for its own deadlines', () => {
    expect(() =>
      describeExecutionBackendConformance({
        name: 'x',
        create: () => ({ backend: forgetful(), dispose: async () => undefined }),
        capabilities: { stop: true, cancel: true, method: true, snapshot: true, restore: true },
        shortInput: textInput('hello'),
        testTimeoutMs: 5_000,
      }),
    ).toThrow('testTimeoutMs (5000) must exceed the longest deadline plus runTimeoutMs (15000)');
  });
});
