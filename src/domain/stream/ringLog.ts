/**
 * A bounded log with contiguous sequence numbers: O(1) append and O(1) lookup by sequence.
 * Storage grows by doubling up to `capacity`, so an idle stream costs a few slots, not `capacity`.
 * Once full, each append evicts the oldest entry.
 */
export class RingLog<T> {
  private slots: (T | undefined)[];
  private start = 0;
  private count = 0;
  private first = 1;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    // Never more slots than capacity: the wrap-around below relies on a full log filling its storage.
    this.slots = new Array(Math.min(4, capacity));
  }

  /** Sequence of the newest entry; `oldest - 1` when empty. */
  get head(): number {
    return this.first + this.count - 1;
  }

  /** Sequence of the oldest retained entry. */
  get oldest(): number {
    return this.first;
  }

  get size(): number {
    return this.count;
  }

  /** True when the next append evicts the oldest entry. */
  get full(): boolean {
    return this.count === this.capacity;
  }

  append(item: T): number {
    if (this.count === this.capacity) {
      this.slots[this.start] = item;
      this.start = (this.start + 1) % this.slots.length;
      this.first++;
      return this.head;
    }
    if (this.count === this.slots.length) this.grow();
    this.slots[(this.start + this.count) % this.slots.length] = item;
    this.count++;
    return this.head;
  }

  /** Drops the oldest entry (a byte budget evicting); storage shrinks once it is a quarter used. */
  dropOldest(): void {
    if (this.count === 0) return;
    this.slots[this.start] = undefined;
    this.start = (this.start + 1) % this.slots.length;
    this.count--;
    this.first++;
    if (this.slots.length > 4 && this.count < this.slots.length / 4) this.resize(Math.max(4, this.slots.length >> 1));
  }

  /** The entry with this sequence, or undefined when it is not retained. */
  at(sequence: number): T | undefined {
    const offset = sequence - this.first;
    if (offset < 0 || offset >= this.count) return undefined;
    const index = this.start + offset; // < 2 * slots.length: one subtraction instead of a division
    return this.slots[index >= this.slots.length ? index - this.slots.length : index];
  }

  private grow(): void {
    this.resize(Math.min(this.capacity, Math.max(4, this.slots.length * 2)));
  }

  private resize(size: number): void {
    const next: (T | undefined)[] = new Array(size);
    for (let i = 0; i < this.count; i++) next[i] = this.slots[(this.start + i) % this.slots.length];
    this.slots = next;
    this.start = 0;
  }
}
