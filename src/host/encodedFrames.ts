/** What a sink writes: text, or bytes encoded once and shared by every subscriber. */
export type Chunk = string | Uint8Array;

/** Turns a batch of frames into the chunks a sink writes (one per batch for SSE, one per frame for WebSocket). */
export interface FrameEncoding<F> {
  chunks(batch: readonly F[]): readonly Chunk[];
}

interface BatchEntry<K> {
  readonly frames: readonly K[];
  readonly bytes: Buffer;
}

/**
 * The wire bytes of recent frames, keyed by the frame object, and of recent batches of them. A live
 * frame is one object shared by every subscriber of a Worker, and subscribers woken by the same
 * publish read the same batch: fan-out to N clients encodes each frame once and builds each batch's
 * bytes once, and every response writes the same Buffer (no string building or UTF-8 encoding per
 * subscriber). Frames that are not `shared` (made for one subscriber: replayed, control) are encoded
 * each time. Bounded: the oldest entries go first.
 */
export class EncodedFrames<K extends object> {
  private readonly texts = new Map<K, Buffer>();
  /** Batches by their first frame; a hit must hold the very same frames. */
  private readonly batches = new Map<K, BatchEntry<K>>();

  constructor(
    private readonly encode: (frame: K) => string,
    private readonly shared: (frame: K) => boolean,
    private readonly capacity = 4096,
    private readonly batchCapacity = 64,
  ) {}

  /** One frame's bytes (cached when shared). */
  frame(frame: K): Buffer {
    if (!this.shared(frame)) return Buffer.from(this.encode(frame));
    let bytes = this.texts.get(frame);
    if (bytes === undefined) {
      bytes = Buffer.from(this.encode(frame));
      this.texts.set(frame, bytes);
      if (this.texts.size > this.capacity) this.texts.delete(this.texts.keys().next().value!);
    }
    return bytes;
  }

  /** A batch's bytes as one Buffer: the same Buffer for every subscriber that reads the same frames. */
  batch(frames: readonly K[]): Buffer {
    if (frames.length === 1) return this.frame(frames[0]!);
    const first = frames[0]!;
    const cached = this.batches.get(first);
    if (cached && sameFrames(cached.frames, frames)) return cached.bytes;
    let cacheable = true;
    const parts: Buffer[] = new Array(frames.length);
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      cacheable &&= this.shared(frame);
      parts[i] = this.frame(frame);
    }
    const bytes = Buffer.concat(parts);
    if (cacheable) {
      this.batches.delete(first);
      this.batches.set(first, { frames: frames.slice(), bytes });
      if (this.batches.size > this.batchCapacity) this.batches.delete(this.batches.keys().next().value!);
    }
    return bytes;
  }

  /** SSE: one chunk per batch. */
  readonly joined: FrameEncoding<K> = { chunks: (batch) => [this.batch(batch)] };
  /** WebSocket: one message per frame. */
  readonly each: FrameEncoding<K> = { chunks: (batch) => batch.map((frame) => this.frame(frame)) };
}

function sameFrames<K>(a: readonly K[], b: readonly K[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Frames encoded per subscriber and joined into one chunk per batch (streams without shared frames). */
export function joinedText<F>(encode: (frame: F) => string): FrameEncoding<F> {
  return { chunks: (batch) => [batch.length === 1 ? encode(batch[0]!) : batch.map(encode).join('')] };
}
