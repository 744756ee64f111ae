import type { ServerResponse } from 'node:http';
import type { Chunk } from './encodedFrames.js';
import type { FrameSink } from './streamPump.js';

/** Server-Sent Events over a raw response, with heartbeat comments to keep proxies open. */
export class SseSink implements FrameSink {
  private heartbeat: NodeJS.Timeout;
  private done = false;

  constructor(
    private readonly response: ServerResponse,
    heartbeatMs: number,
    retryMs: number,
    onClose: () => void,
  ) {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${retryMs}\n\n`);
    this.heartbeat = setInterval(() => {
      if (!response.writableNeedDrain) response.write(': heartbeat\n\n');
    }, heartbeatMs);
    this.heartbeat.unref();
    response.on('close', () => {
      this.finish();
      onClose();
    });
  }

  get closed(): boolean {
    return this.done || this.response.destroyed;
  }

  write(chunk: Chunk): boolean {
    return this.response.write(chunk);
  }

  drained(timeoutMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const settle = (drained: boolean) => {
        clearTimeout(timer);
        this.response.off('drain', onDrain).off('close', onClose);
        if (!drained) this.response.destroy();
        resolve(drained && !this.closed);
      };
      const onDrain = () => settle(true);
      const onClose = () => settle(false);
      const timer = setTimeout(() => settle(false), timeoutMs);
      this.response.once('drain', onDrain).once('close', onClose);
    });
  }

  close(): void {
    if (this.done) return;
    this.finish();
    this.response.end();
  }

  private finish(): void {
    this.done = true;
    clearInterval(this.heartbeat);
  }
}

/** One SSE message. `data` is single-line JSON, so no line splitting is needed. */
export function sseMessage(event: string, data: unknown, id?: string | null): string {
  const idLine = id ? `id: ${id}\n` : '';
  return `${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
