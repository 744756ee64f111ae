/** Where a stream's frames go: an SSE response or a WebSocket. */
export interface FrameSink {
  /** Writes one encoded frame; false when the socket's buffer is full (wait for drain). */
  write(chunk: string): boolean;
  /** Resolves true once the buffer drained, false if the client went away or `timeoutMs` passed. */
  drained(timeoutMs: number): Promise<boolean>;
  readonly closed: boolean;
  /** Several encoded frames may be written as one chunk (SSE) rather than one message each (WebSocket). */
  readonly joinable: boolean;
  close(): void;
}

interface Frame {
  readonly type: string;
}

/**
 * Copies frames from a subscription to a sink with backpressure: while the client does not read, the
 * pump stops pulling, so the subscription's bounded queue fills and the bus answers `lagged` (producers
 * never wait). A client that stays blocked past `drainTimeoutMs` is disconnected. The sink closes after
 * the `end` frame.
 */
export async function pumpFrames<F extends Frame>(
  frames: AsyncIterable<F> & { close(): void; nextBatch?(max?: number): Promise<F[]> },
  encode: (frame: F) => string,
  sink: FrameSink,
  drainTimeoutMs: number,
): Promise<void> {
  try {
    for await (const batch of batchesOf(frames)) {
      if (sink.closed) break;
      // SSE frames concatenate into one write; a WebSocket sink gets one message per frame.
      const ended = batch.some((frame) => frame.type === 'end');
      if (!writeAll(sink, batch.map(encode)) && !(await sink.drained(drainTimeoutMs))) break;
      if (ended) break;
    }
  } finally {
    frames.close();
    sink.close();
  }
}

function writeAll(sink: FrameSink, chunks: string[]): boolean {
  if (sink.joinable) return sink.write(chunks.join(''));
  let ok = true;
  for (const chunk of chunks) ok = sink.write(chunk) && ok;
  return ok;
}

/** Batches when the subscription offers them (one wake-up for many frames), else one frame at a time. */
async function* batchesOf<F>(frames: AsyncIterable<F> & { nextBatch?(max?: number): Promise<F[]> }): AsyncGenerator<F[]> {
  if (!frames.nextBatch) {
    for await (const frame of frames) yield [frame];
    return;
  }
  for (;;) {
    const batch = await frames.nextBatch(256);
    if (batch.length === 0) return;
    yield batch;
  }
}
