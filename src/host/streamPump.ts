import type { Chunk, FrameEncoding } from './encodedFrames.js';

/** Where a stream's frames go: an SSE response or a WebSocket. */
export interface FrameSink {
  /** Writes one encoded chunk; false when the socket's buffer is full (wait for drain). */
  write(chunk: Chunk): boolean;
  /** Resolves true once the buffer drained, false if the client went away or `timeoutMs` passed. */
  drained(timeoutMs: number): Promise<boolean>;
  readonly closed: boolean;
  close(): void;
}

interface Frame {
  readonly type: string;
}

type Frames<F> = AsyncIterable<F> & { close(): void; nextBatch?(max?: number): Promise<F[]> };

const BATCH = 256;

/**
 * Copies frames from a subscription to a sink with backpressure: while the client does not read, the
 * pump stops pulling, so the subscription's bounded queue fills and the bus answers `lagged` (producers
 * never wait). A client that stays blocked past `drainTimeoutMs` is disconnected. The sink closes after
 * the `end` frame. Frames are read a batch at a time when the subscription offers it (one wake-up and
 * one write for many frames), and encoded by `encoding` (which may share bytes across subscribers).
 */
export async function pumpFrames<F extends Frame>(frames: Frames<F>, encoding: FrameEncoding<F>, sink: FrameSink, drainTimeoutMs: number): Promise<void> {
  const next = batchReader(frames);
  try {
    for (;;) {
      const batch = await next();
      if (batch.length === 0 || sink.closed) break;
      let ok = true;
      for (const chunk of encoding.chunks(batch)) ok = sink.write(chunk) && ok;
      if (!ok && !(await sink.drained(drainTimeoutMs))) break;
      if (batch[batch.length - 1]!.type === 'end') break; // nothing follows `end` in a batch
    }
  } finally {
    frames.close();
    sink.close();
  }
}

/** The next batch (`[]` once over): `nextBatch` when offered, else one frame at a time. */
function batchReader<F>(frames: Frames<F>): () => Promise<F[]> {
  if (frames.nextBatch) return () => frames.nextBatch!(BATCH);
  const iterator = frames[Symbol.asyncIterator]();
  return async () => {
    const result = await iterator.next();
    return result.done ? [] : [result.value];
  };
}
