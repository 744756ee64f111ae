import { RingLog } from './ringLog.js';

/** What a budget evicts from: a stream's log and the one call that drops its oldest entry. */
export interface BudgetedLog {
  readonly log: { readonly oldest: number; readonly head: number; readonly capacity: number };
  /** Drops the oldest retained entry (its subscribers are handled as for a retention eviction). */
  evictOldest(): void;
}

/** What a budget reports (bytes are JSON bytes plus the per-entry overhead, see `RetentionBudget`). */
export interface RetentionReport {
  readonly budgetBytes: number;
  readonly retainedBytes: number;
  readonly retainedObservations: number;
  /** Observations evicted because the budget was full (not counting per-stream retention). */
  readonly evictedObservations: number;
}

/** One stream's share of a budget: the cost of each entry it retains, by sequence. */
export class BudgetAccount {
  /** Costs by sequence, kept in step with the stream's log (same first sequence, same evictions). */
  readonly costs: RingLog<number>;
  bytes = 0;
  closed = false;

  constructor(readonly stream: BudgetedLog) {
    this.costs = new RingLog<number>(stream.log.capacity);
  }
}

/**
 * One byte budget shared by many bounded logs: retained bytes never exceed `limit`, and when they
 * would, the oldest entries across all logs go first (global publish order). Entries are queued in
 * publish order as (account, sequence); an entry that its own log already evicted (per-stream
 * retention) or whose log was released is skipped when it reaches the front, and the queue is compacted
 * once more than half of it is such entries, so each charge is O(1) amortised and no log is scanned.
 */
export class RetentionBudget {
  private accounts: (BudgetAccount | undefined)[] = new Array(16);
  private sequences = new Float64Array(16);
  private start = 0;
  private length = 0;
  private retained = 0;
  private entries = 0;
  private evicted = 0;

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  }

  open(stream: BudgetedLog): BudgetAccount {
    return new BudgetAccount(stream);
  }

  /** Records that `account`'s log just appended `sequence` costing `bytes`, then evicts down to the limit. */
  charge(account: BudgetAccount, sequence: number, bytes: number): void {
    this.settle(account);
    account.costs.append(bytes);
    account.bytes += bytes;
    this.retained += bytes;
    this.entries++;
    this.push(account, sequence);
    while (this.retained > this.limit && this.length > 0) this.evictFront();
  }

  /** The stream is gone: its entries no longer count. */
  release(account: BudgetAccount): void {
    if (account.closed) return;
    this.settle(account);
    account.closed = true;
    this.retained -= account.bytes;
    this.entries -= account.costs.size;
    account.bytes = 0;
  }

  report(): RetentionReport {
    return { budgetBytes: this.limit, retainedBytes: this.retained, retainedObservations: this.entries, evictedObservations: this.evicted };
  }

  /** Forgets the costs of entries the log evicted by itself (per-stream retention). */
  private settle(account: BudgetAccount): void {
    const { costs, stream } = account;
    while (costs.size > 0 && costs.oldest < stream.log.oldest) this.forgetOldest(account);
  }

  private forgetOldest(account: BudgetAccount): void {
    const cost = account.costs.at(account.costs.oldest)!;
    account.costs.dropOldest();
    account.bytes -= cost;
    this.retained -= cost;
    this.entries--;
  }

  private evictFront(): void {
    const account = this.accounts[this.start]!;
    const sequence = this.sequences[this.start]!;
    this.accounts[this.start] = undefined;
    this.start = (this.start + 1) % this.accounts.length;
    this.length--;
    if (account.closed) return;
    this.settle(account);
    if (sequence < account.costs.oldest || account.costs.size === 0) return; // already gone with its own retention
    account.stream.evictOldest();
    this.forgetOldest(account);
    this.evicted++;
  }

  private push(account: BudgetAccount, sequence: number): void {
    if (this.length === this.accounts.length) {
      if (this.length > 2 * this.entries + 16) this.compact();
      else this.resize(this.accounts.length * 2);
    } else if (this.length > 64 && this.length < this.accounts.length / 4) this.resize(this.accounts.length / 2);
    const at = (this.start + this.length) % this.accounts.length;
    this.accounts[at] = account;
    this.sequences[at] = sequence;
    this.length++;
  }

  /** Drops queued entries that are no longer retained (more than half of the queue when called). */
  private compact(): void {
    const size = this.accounts.length;
    let kept = 0;
    for (let i = 0; i < this.length; i++) {
      const from = (this.start + i) % size;
      const account = this.accounts[from]!;
      const sequence = this.sequences[from]!;
      this.accounts[from] = undefined;
      if (account.closed || sequence < account.stream.log.oldest) continue;
      const to = (this.start + kept) % size;
      this.accounts[to] = account;
      this.sequences[to] = sequence;
      kept++;
    }
    this.length = kept;
  }

  private resize(size: number): void {
    const accounts: (BudgetAccount | undefined)[] = new Array(size);
    const sequences = new Float64Array(size);
    for (let i = 0; i < this.length; i++) {
      const from = (this.start + i) % this.accounts.length;
      accounts[i] = this.accounts[from];
      sequences[i] = this.sequences[from]!;
    }
    this.accounts = accounts;
    this.sequences = sequences;
    this.start = 0;
  }
}
