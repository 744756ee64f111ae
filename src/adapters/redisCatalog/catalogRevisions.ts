/**
 * The revision of each Runtime catalog this process read or wrote. Every write increments the
 * Runtime's counter in Redis; a counter that went back (or vanished) means Redis lost writes (a
 * restart without persistence, a rollback), and the listeners are told so the catalog is rewritten.
 * Checked on every write, every `checkMs`, and soon after each reconnect.
 */
export class CatalogRevisions {
  private readonly revisions = new Map<string, number>();
  private readonly listeners = new Set<(runtimeId: string) => void>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  private checking = false;

  constructor(
    private readonly read: (runtimeId: string) => Promise<string | null>,
    private readonly checkMs: number,
  ) {}

  onLoss(listener: (runtimeId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The revision as read (a load). */
  seen(runtimeId: string, revision: number): void {
    this.update(runtimeId, revision, false);
  }

  /** The revision a write of ours produced: it must be above every one seen before. */
  wrote(runtimeId: string, revision: number): void {
    this.update(runtimeId, revision, true);
  }

  checkSoon(): void {
    if (!this.stopped && this.revisions.size > 0) setTimeout(() => void this.check(), 10).unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private update(runtimeId: string, revision: number, ours: boolean): void {
    const before = this.revisions.get(runtimeId);
    this.revisions.set(runtimeId, revision);
    if (!this.stopped && !this.timer) {
      this.timer = setInterval(() => void this.check(), this.checkMs);
      this.timer.unref();
    }
    if (before !== undefined && (ours ? revision <= before : revision < before)) this.lost(runtimeId);
  }

  private async check(): Promise<void> {
    if (this.checking) return; // one check at a time, however long a frozen Redis makes it
    this.checking = true;
    try {
      for (const runtimeId of [...this.revisions.keys()]) {
        const value = await this.read(runtimeId).catch(() => undefined);
        if (value === undefined || this.stopped) return; // unreachable: the reconnect checks again
        this.update(runtimeId, value === null ? 0 : Number(value), false);
      }
    } finally {
      this.checking = false;
    }
  }

  private lost(runtimeId: string): void {
    for (const listener of this.listeners) listener(runtimeId);
  }
}
