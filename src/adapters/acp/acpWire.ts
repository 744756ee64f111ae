import type { Readable, Writable } from 'node:stream';
import type { AnyMessage, Stream } from '@agentclientprotocol/sdk';

/** Why the agent's output can no longer be trusted. */
export type WireFaultReason = 'not_json' | 'message_too_large';

/** A typed protocol fault of the agent's output (the ACP connection is closed with it). */
export class AcpWireError extends Error {
  constructor(readonly reason: WireFaultReason) {
    super(reason === 'not_json' ? 'the agent wrote a line that is not a JSON object' : 'the agent wrote an oversized message');
    this.name = 'AcpWireError';
  }
}

export interface WireHooks {
  /** Sees every message in arrival order, synchronously; `true` consumes it (the SDK never sees it). */
  tap(message: AnyMessage): boolean;
  fault(error: AcpWireError): void;
  /** The agent's output ended (EOF). */
  end(): void;
}

const NEWLINE = 0x0a;

/**
 * Newline-delimited JSON between this client and an agent's stdio, as an ACP SDK `Stream`. Unlike the
 * SDK's `ndJsonStream`, a non-JSON line or an oversized message is a fault (the agent is broken), not
 * a line to answer and skip, and every message passes `tap` in arrival order before the SDK sees it,
 * so `session/update` notifications are handled in order relative to the responses that follow them.
 */
export class AcpWire {
  readonly stream: Stream;
  /** Resolves when the agent's output ended or faulted (every message before it was handled). */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private controller!: ReadableStreamDefaultController<AnyMessage>;
  private done = false;
  private cancelled = false;
  private readonly writeWaiters = new Map<string, (written: boolean) => void>();
  private readonly requestIds = new Map<string, unknown>();
  private readonly answerWaiters = new Map<unknown, (written: boolean) => void>();

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly maxMessageBytes: number,
    private readonly hooks: WireHooks,
  ) {
    const readable = new ReadableStream<AnyMessage>({
      start: (controller) => void (this.controller = controller),
      cancel: () => void (this.cancelled = true), // the SDK closed its connection: nothing more is read by it
    });
    const writable = new WritableStream<AnyMessage>({ write: (message) => this.write(message) });
    this.stream = { readable, writable };
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    input.on('data', (chunk: Buffer) => this.receive(chunk));
    input.once('end', () => this.finish());
    input.once('close', () => this.finish());
  }

  /** Resolves true once the next message with `method` was handed to the agent's stdin, false if that failed. */
  whenWritten(method: string): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.done) return resolve(false);
      this.writeWaiters.get(method)?.(false);
      this.writeWaiters.set(method, resolve);
    });
  }

  /** Resolves true once our response to the agent's request `id` was handed to its stdin, false if that failed or the wire closed. */
  whenAnswered(id: unknown): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.done) return resolve(false);
      this.answerWaiters.get(id)?.(false);
      this.answerWaiters.set(id, resolve);
    });
  }

  /** The JSON-RPC id of the last request with `method` handed to the agent (to recognise its response in `tap`). */
  lastRequestId(method: string): unknown {
    return this.requestIds.get(method);
  }

  /** Stops reading the agent's output (back-pressure: the agent blocks once the pipe is full). */
  pause(): void {
    this.input.pause();
  }

  /** Reads the agent's output again. */
  resume(): void {
    if (!this.done) this.input.resume();
  }

  private receive(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    while (newline !== -1 && !this.done) {
      if (this.pendingBytes + newline - start > this.maxMessageBytes) return this.fault('message_too_large');
      if (this.pending.length === 0) this.line(chunk.toString('utf8', start, newline));
      else {
        const line = Buffer.concat([...this.pending, chunk.subarray(start, newline)]).toString('utf8');
        this.pending = [];
        this.pendingBytes = 0;
        this.line(line);
      }
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (this.done || start >= chunk.length) return;
    const rest = chunk.subarray(start);
    if (this.pendingBytes + rest.length > this.maxMessageBytes) return this.fault('message_too_large');
    this.pending.push(rest);
    this.pendingBytes += rest.length;
  }

  private line(text: string): void {
    let message: unknown;
    try {
      // JSON allows the whitespace around a value (a CR of a CRLF line included), so the common line
      // is parsed as it is; only a line that fails is trimmed (other Unicode spaces, a BOM) and retried.
      message = JSON.parse(text);
    } catch {
      const trimmed = text.trim();
      if (trimmed === '') return;
      try {
        if (trimmed === text) throw new SyntaxError('not JSON');
        message = JSON.parse(trimmed);
      } catch {
        return this.fault('not_json');
      }
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return this.fault('not_json');
    if (!this.hooks.tap(message as AnyMessage) && !this.cancelled) this.controller.enqueue(message as AnyMessage);
  }

  private fault(reason: WireFaultReason): void {
    if (this.done) return;
    const error = new AcpWireError(reason);
    this.close();
    this.hooks.fault(error);
    if (!this.cancelled) this.controller.error(error);
  }

  private finish(): void {
    if (this.done) return;
    if (this.pendingBytes > 0) {
      const last = Buffer.concat(this.pending).toString('utf8');
      this.pending = [];
      this.pendingBytes = 0;
      this.line(last); // an unterminated last line still counts
      if (this.done) return;
    }
    this.close();
    this.hooks.end();
    if (!this.cancelled) this.controller.close();
  }

  private close(): void {
    this.done = true;
    this.pending = [];
    this.input.removeAllListeners('data');
    this.input.resume(); // keep draining (and discarding) so the agent never blocks on a full pipe
    for (const resolve of [...this.writeWaiters.values(), ...this.answerWaiters.values()]) resolve(false);
    this.writeWaiters.clear();
    this.answerWaiters.clear();
    this.resolveClosed();
  }

  private write(message: AnyMessage): Promise<void> {
    const method = typeof (message as { method?: unknown }).method === 'string' ? (message as { method: string }).method : null;
    const id = (message as { id?: unknown }).id;
    if (method !== null && id !== undefined) this.requestIds.set(method, id);
    const answered = method === null && id !== undefined ? this.answerWaiters.get(id) : undefined;
    if (answered) this.answerWaiters.delete(id);
    if (this.done || this.output.destroyed || !this.output.writable) {
      this.settleWrite(method, false);
      answered?.(false);
      return Promise.reject(new Error('the agent input is closed'));
    }
    return new Promise((resolve, reject) => {
      this.output.write(`${JSON.stringify(message)}\n`, (error) => {
        this.settleWrite(method, !error);
        answered?.(!error);
        if (error) reject(error);
        else resolve();
      });
    });
  }

  private settleWrite(method: string | null, written: boolean): void {
    if (method === null) return;
    const waiter = this.writeWaiters.get(method);
    if (!waiter) return;
    this.writeWaiters.delete(method);
    waiter(written);
  }
}
