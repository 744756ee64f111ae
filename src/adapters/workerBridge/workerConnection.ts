import { createConnection, type Socket } from 'node:net';
import type { ConnectFailure } from './workerBridgeDiagnostics.js';
import { LineDecoder, type LineSink } from './lineDecoder.js';

export type ConnectResult = { readonly ok: true; readonly connection: WorkerConnection } | { readonly ok: false; readonly failure: ConnectFailure };

export interface ConnectionHooks extends LineSink {
  /** The connection ended (either side closed it, or it broke); called once, after the last line. */
  closed(): void;
}

/**
 * One client connection to a worker's Unix socket: newline-delimited JSON both ways. Methods go out
 * as single lines; incoming lines are decoded in order and handed to the hooks given to `start`.
 * The socket path stays inside: nothing here reports it.
 */
export class WorkerConnection {
  /** Resolves when the connection has ended (after `closed` was called). */
  readonly done: Promise<void>;
  private ended = false;
  private hooks: ConnectionHooks | null = null;
  private resolveDone!: () => void;

  private constructor(private readonly socket: Socket) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** One attempt to connect; never throws. `missing`: nothing at the path; `refused`: nobody listening. */
  static connect(path: string, timeoutMs: number, signal?: AbortSignal): Promise<ConnectResult> {
    if (signal?.aborted) return Promise.resolve({ ok: false, failure: 'aborted' });
    return new Promise((resolve) => {
      const socket = createConnection({ path });
      const finish = (result: ConnectResult): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.removeListener('error', onError);
        if (!result.ok) socket.destroy();
        resolve(result);
      };
      const onAbort = () => finish({ ok: false, failure: 'aborted' });
      const onError = (error: NodeJS.ErrnoException) => finish({ ok: false, failure: connectFailure(error.code) });
      const timer = setTimeout(() => finish({ ok: false, failure: 'timeout' }), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once('connect', () => finish({ ok: true, connection: new WorkerConnection(socket) }));
    });
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  /** Starts reading: every line goes to `hooks` in order, then `closed` once. */
  start(hooks: ConnectionHooks, maxLineBytes: number): void {
    this.hooks = hooks;
    const decoder = new LineDecoder(maxLineBytes, hooks);
    this.socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    this.socket.once('end', () => decoder.end());
    this.socket.on('error', () => undefined); // a reset ends in `close`, reported there
    this.socket.once('close', () => this.finish());
    if (this.socket.destroyed) this.finish();
  }

  /** Writes one method line; resolves true once the socket took every byte, false if it could not. */
  send(message: Readonly<Record<string, unknown>>): Promise<boolean> {
    if (this.ended || this.socket.destroyed || !this.socket.writable) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.socket.write(`${JSON.stringify(message)}\n`, (error) => resolve(!error));
    });
  }

  /** Stops reading (back-pressure: the worker blocks once the socket buffers are full). */
  pause(): void {
    if (!this.ended) this.socket.pause();
  }

  resume(): void {
    if (!this.ended) this.socket.resume();
  }

  /** Closes the connection from this side; `closed` follows. */
  close(): void {
    this.socket.destroy();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.hooks?.closed();
    this.resolveDone();
  }
}

function connectFailure(code: string | undefined): ConnectFailure {
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
  if (code === 'ECONNREFUSED' || code === 'EACCES' || code === 'EAGAIN') return 'refused';
  return 'failed';
}
