import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/adapters/acp/eventQueue.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('EventQueue', () => {
  it('runs items (through the handler) and steps in the order queued, sync or async, a throwing one stopping nothing', async () => {
    // Each entry: an item or a step, handled synchronously, asynchronously, or by throwing.
    const entry = fc.record({ kind: fc.constantFrom('item', 'step'), how: fc.constantFrom('sync', 'async', 'throw', 'reject') });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 30 }), async (entries) => {
        const seen: number[] = [];
        const act = (n: number, how: string): void | Promise<void> => {
          if (how === 'sync') return void seen.push(n);
          if (how === 'throw') {
            seen.push(n);
            throw new Error('step failed');
          }
          return tick().then(() => {
            seen.push(n);
            if (how === 'reject') throw new Error('step failed');
          });
        };
        const queue = new EventQueue<{ n: number; how: string }>(undefined, ({ n, how }) => act(n, how));
        entries.forEach(({ kind, how }, n) => queue.run(kind === 'item' ? { n, how } : () => act(n, how)));
        await queue.idle();
        expect(seen).toEqual(entries.map((_, n) => n));
      }),
      { numRuns: 100 },
    );
  });

  it('asks its producer to pause at `high` pending and to resume at `low`, counting items like steps', async () => {
    const changes: boolean[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const queue = new EventQueue<number>({ high: 4, low: 1, onChange: (paused) => changes.push(paused) }, () => undefined);
    queue.run(() => gate);
    for (let i = 0; i < 4; i++) queue.run(i);
    expect(changes).toEqual([true]);
    release();
    await queue.idle();
    expect(changes).toEqual([true, false]);
  });
});
