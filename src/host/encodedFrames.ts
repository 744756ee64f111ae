/**
 * Remembers the wire text of recent frames, keyed by the frame object. A live frame is one object
 * shared by every subscriber of a Worker, so fan-out to N clients encodes it once, not N times.
 * Bounded: the oldest entries go first.
 */
export class EncodedFrames<K extends object> {
  private readonly texts = new Map<K, string>();

  constructor(private readonly capacity = 4096) {}

  text(frame: K, encode: (frame: K) => string): string {
    let text = this.texts.get(frame);
    if (text === undefined) {
      text = encode(frame);
      this.texts.set(frame, text);
      if (this.texts.size > this.capacity) this.texts.delete(this.texts.keys().next().value!);
    }
    return text;
  }
}
