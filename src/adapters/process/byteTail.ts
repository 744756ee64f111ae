/**
 * Keeps the most recent `limit` bytes of a stream (a child's stderr): memory stays bounded however
 * much the child writes.
 */
export class ByteTail {
  private chunks: Buffer[] = [];
  private length = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    if (this.limit <= 0) {
      this.dropped += chunk.length;
      return;
    }
    const kept = chunk.length > this.limit ? chunk.subarray(chunk.length - this.limit) : chunk;
    this.dropped += chunk.length - kept.length;
    this.chunks.push(kept);
    this.length += kept.length;
    while (this.length - this.chunks[0]!.length >= this.limit) {
      const first = this.chunks.shift()!;
      this.length -= first.length;
      this.dropped += first.length;
    }
  }

  /** Bytes written but no longer kept. */
  get droppedBytes(): number {
    return this.dropped + Math.max(0, this.length - this.limit);
  }

  /** The kept tail, decoded as UTF-8 (a character cut at the start becomes U+FFFD). */
  text(): string {
    const all = Buffer.concat(this.chunks, this.length);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
  }
}
