/** One event line as the worker sent it (`{"event": ..., "data": {...}}`), before the publish hook validates it. */
export interface WireEvent {
  readonly event: string;
  readonly data?: unknown;
}

/** Why a line from the worker is not an event: not JSON, JSON but not `{ event: string }`, or over the size limit. */
export type LineFault = 'not_json' | 'not_event' | 'too_large';

export interface LineSink {
  event(event: WireEvent): void;
  fault(fault: LineFault): void;
}

const NEWLINE = 0x0a;

/**
 * Newline-delimited JSON from a worker, one call per line in arrival order. Blank lines are skipped
 * (as the protocol says). A bad line is reported as a fault and skipped; the stream goes on. A line
 * longer than `maxLineBytes` is never buffered beyond the limit: the rest of it is discarded up to
 * its newline. Top-level fields other than `event` and `data` are not carried; `data: null` counts
 * as absent.
 */
export class LineDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly sink: LineSink,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    while (newline !== -1) {
      if (this.skipping) {
        this.skipping = false;
      } else if (this.pendingBytes === 0) {
        if (newline - start > this.maxLineBytes) this.sink.fault('too_large');
        else this.line(chunk.toString('utf8', start, newline));
      } else if (this.pendingBytes + newline - start > this.maxLineBytes) {
        this.drop();
        this.sink.fault('too_large');
      } else {
        this.pending.push(chunk.subarray(start, newline));
        const line = Buffer.concat(this.pending).toString('utf8');
        this.drop();
        this.line(line);
      }
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start >= chunk.length || this.skipping) return;
    const rest = chunk.subarray(start);
    if (this.pendingBytes + rest.length > this.maxLineBytes) {
      this.drop();
      this.skipping = true;
      this.sink.fault('too_large');
      return;
    }
    // Copied: the socket may reuse its buffer.
    this.pending.push(Buffer.from(rest));
    this.pendingBytes += rest.length;
  }

  /** The stream ended: an unterminated last line still counts. */
  end(): void {
    if (this.pendingBytes > 0 && !this.skipping) {
      const line = Buffer.concat(this.pending).toString('utf8');
      this.drop();
      this.line(line);
    }
    this.drop();
    this.skipping = false;
  }

  private drop(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  private line(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      // Checked only here: a blank line is the rare case, so the common one pays nothing for it.
      if (text.trim() === '') return;
      return this.sink.fault('not_json');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return this.sink.fault('not_event');
    const { event, data } = message as { event?: unknown; data?: unknown };
    if (typeof event !== 'string') return this.sink.fault('not_event');
    this.sink.event(data === undefined || data === null ? { event } : { event, data });
  }
}
