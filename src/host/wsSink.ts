import type { WebSocket } from 'ws';
import type { FrameSink } from './streamPump.js';

const HIGH_WATER = 1024 * 1024;

/** One JSON message per frame over a WebSocket; backpressure from `bufferedAmount`. */
export class WsSink implements FrameSink {
  readonly joinable = false;

  constructor(private readonly socket: WebSocket) {}

  get closed(): boolean {
    return this.socket.readyState !== this.socket.OPEN;
  }

  write(chunk: string): boolean {
    this.socket.send(chunk);
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
