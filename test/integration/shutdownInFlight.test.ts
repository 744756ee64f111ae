import { describe, expect, it } from 'vitest';
import { textInput } from '../../src/domain/workerInput.js';
import { Gate } from '../../src/testing/index.js';
import { fixture } from '../support/fixture.js';

/** Shutdown waits for the work in flight: here an interrupt whose cancel the backend has not answered yet. */
describe('shutdown while an interrupt waits for its cancel', () => {
  it('waits for the cancel; the interrupting input is answered runtime_stopped and nothing reaches the backend after it was disposed', async () => {
    const f = fixture({ runtime: { profiles: { i: { backend: 'fake', busy: { policy: 'interrupt' } } } } });
    const gate = new Gate();
    const cancel = f.fake.cancel!.bind(f.fake);
    const log: string[] = [];
    f.fake.cancel = async (handle, signal) => {
      await gate.wait();
      log.push('cancel answered');
      return cancel(handle, signal);
    };
    const dispose = f.fake.dispose.bind(f.fake);
    f.fake.dispose = async () => {
      log.push('disposed');
      return dispose();
    };
    await f.runtime.create({ workerId: 'w', profile: 'i' });
    await f.runtime.submitInput('w', textInput('#hold'));
    const interrupting = f.runtime.submitInput('w', textInput('interrupt it'));
    const done = f.runtime.shutdown();
    let finished = false;
    void done.then(() => (finished = true));
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(finished).toBe(false); // the cancel is still out
    gate.open();
    await done;
    expect(log).toEqual(['cancel answered', 'disposed']);
    expect(await interrupting).toMatchObject({ operation: 'input', reason: 'runtime_stopped' });
    expect(f.fake.dispatches).toHaveLength(1);
  });
});
