import type { WebSocket } from 'ws';
import type { Chunk } from './encodedFrames.js';
import type { FrameSink } from './streamPump.js';

const HIGH_WATER = 1024 * 1024;

/** One JSON message per frame over a WebSocket; backpressure from `bufferedAmount`. */
export class WsSink implements FrameSink {
  constructor(private readonly socket: WebSocket) {}

  get closed(): boolean {
    return this.socket.readyState !== this.socket.OPEN;
  }

  /** Text frames: a shared Buffer goes out as the text it encodes (no copy per socket). */
  write(chunk: Chunk): boolean {
    this.socket.send(chunk, { binary: false });
    return this.socket.bufferedAmount < HIGH_WATER;
  }

  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && this.socket.bufferedAmount >= HIGH_WATER) {
      if (Date.now() > deadline) {
        this.socket.terminate();
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return !this.closed;
  }

  close(): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(1000, 'end');
  }
}
