/** Where a stream's frames go: an SSE response or a WebSocket. */
export interface FrameSink {
  /** Writes one encoded frame; false when the socket's buffer is full (wait for drain). */
  write(chunk: string): boolean;
  /** Resolves true once the buffer drained, false if the client went away or `timeoutMs` passed. */
  drained(timeoutMs: number): Promise<boolean>;
  readonly closed: boolean;
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
  frames: AsyncIterable<F> & { close(): void },
  encode: (frame: F) => string,
  sink: FrameSink,
  drainTimeoutMs: number,
): Promise<void> {
  try {
    for await (const frame of frames) {
      if (sink.closed) break;
      if (!sink.write(encode(frame)) && !(await sink.drained(drainTimeoutMs))) break;
      if (frame.type === 'end') break;
    }
  } finally {
    frames.close();
    sink.close();
  }
}
