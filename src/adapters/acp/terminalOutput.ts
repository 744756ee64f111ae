/**
 * A terminal's merged output, keeping at most `limit` bytes: when more arrives, the oldest bytes go
 * (ACP truncates from the beginning), cut at a UTF-8 character boundary.
 */
export class TerminalOutput {
  private chunks: Buffer[] = [];
  private length = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length <= this.limit) return;
    this.truncated = true;
    const all = Buffer.concat(this.chunks, this.length);
    let start = all.length - this.limit;
    while (start < all.length && (all[start]! & 0xc0) === 0x80) start++; // not inside a character
    this.chunks = [all.subarray(start)];
    this.length = all.length - start;
  }

  text(): string {
    return Buffer.concat(this.chunks, this.length).toString('utf8');
  }
}
