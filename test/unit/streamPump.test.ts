import { describe, expect, it } from 'vitest';
import { joinedText, type Chunk } from '../../src/host/encodedFrames.js';
import { pumpFrames, type FrameSink } from '../../src/host/streamPump.js';

type F = { type: 'x'; n: number } | { type: 'end' };

class Sink implements FrameSink {
  readonly writes: string[] = [];
  closed = false;
  write(chunk: Chunk): boolean {
    this.writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  }
  drained(): Promise<boolean> {
    return Promise.resolve(true);
  }
  close(): void {
    this.closed = true;
  }
}

const text = (f: F) => (f.type === 'end' ? 'end;' : `${f.n};`);

describe('pumpFrames', () => {
  it('writes one chunk per batch, stops after the batch holding end, and closes both sides', async () => {
    const batches: F[][] = [
      [{ type: 'x', n: 1 }, { type: 'x', n: 2 }],
      [{ type: 'x', n: 3 }, { type: 'end' }],
      [{ type: 'x', n: 99 }],
    ];
    let closed = false;
    const frames = {
      nextBatch: (max?: number) => {
        expect(max).toBeGreaterThan(1);
        return Promise.resolve(batches.shift() ?? []);
      },
      close: () => void (closed = true),
      [Symbol.asyncIterator]: () => {
        throw new Error('iterated although nextBatch is offered');
      },
    };
    const sink = new Sink();
    await pumpFrames(frames, joinedText(text), sink, 1000);
    expect(sink.writes).toEqual(['1;2;', '3;end;']);
    expect(closed && sink.closed).toBe(true);
  });

  it('reads one frame at a time from a subscription without nextBatch', async () => {
    async function* gen(): AsyncGenerator<F> {
      yield { type: 'x', n: 1 };
      yield { type: 'x', n: 2 };
    }
    const iterable = gen();
    const sink = new Sink();
    await pumpFrames(Object.assign(iterable, { close: () => undefined }), joinedText(text), sink, 1000);
    expect(sink.writes).toEqual(['1;', '2;']);
    expect(sink.closed).toBe(true);
  });
});
