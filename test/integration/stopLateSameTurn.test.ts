import { describe, expect, it } from 'vitest';
import { fixture } from '../support/fixture.js';

/**
 * Rule 17 for stop: a backend that gives up its stop when the deadline's signal fires answers in the
 * deadline's own turn, before the stopper has marked the Worker errored; that answer is still reconciled.
 */

describe('a stop whose backend gives up at the deadline', () => {
  it('its late answer is reconciled (the Worker says what the backend answered), never dropped', async () => {
    const f = fixture({ runtime: { deadlines: { stopMs: 50 } } });
    await f.runtime.create({ workerId: 'w', profile: 'fake' });
    f.fake.stop = (_handle, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('gave up'))));
    expect(await f.runtime.stop('w')).toMatchObject({ outcome: 'errored', reason: 'stop_timeout' });
    // The backend did answer (it threw): rule 17 says the late answer is reconciled.
    expect(f.runtime.get('w')?.diagnostic?.code).toBe('backend_error');
  });
  it('a late done in the same turn stops the Worker (errored stop_timeout answered, then stopped)', async () => {
    const f = fixture({ runtime: { deadlines: { stopMs: 50 } } });
    await f.runtime.create({ workerId: 'w', profile: 'fake' });
    f.fake.stop = (_handle, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ status: 'done' })));
    expect(await f.runtime.stop('w')).toMatchObject({ outcome: 'errored', reason: 'stop_timeout' });
    expect(f.runtime.get('w')).toMatchObject({ state: 'stopped', diagnostic: null });
  });
});
