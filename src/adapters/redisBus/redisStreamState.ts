import type { StreamKeys } from './redisKeys.js';

/**
 * What the caller knows of a stream, for the script to check it against: a head that went back in the
 * same epoch is data loss (a rollback) and starts a new epoch. `knownHead: -1` makes `candidate` a
 * fresh start the stream must be in (installed once; idempotent).
 */
export interface StreamProbe {
  readonly keys: StreamKeys;
  readonly candidate: string;
  readonly knownEpoch: string;
  readonly knownHead: number;
}

/**
 * What this process knows of one Worker stream: the newest epoch and the highest sequence it was
 * handed in it (a Redis that later has less lost data), and a fresh start still to be installed.
 */
export class StreamState {
  epoch: string | null = null;
  head = 0;
  /** The epoch the stream must start before anything else (a removed Worker's id); cleared once Redis has it. */
  fresh: string | null = null;
  /** `drop` has not reached Redis yet: it is retried under `fresh`. */
  dropping = false;

  constructor(readonly keys: StreamKeys) {}

  /** A reply from Redis: the stream is in `epoch` with at least `head`. */
  learn(epoch: string, head: number): void {
    if (epoch === this.epoch) this.head = Math.max(this.head, head);
    else {
      this.epoch = epoch;
      this.head = head;
    }
    if (this.fresh === epoch) this.fresh = null;
  }

  /** What a script is to check the stream against; `candidate` makes the epoch if one must be made. */
  probe(candidate: () => string, cursor?: { epoch: string; sequence: number } | null): StreamProbe {
    if (this.fresh) return { keys: this.keys, candidate: this.fresh, knownEpoch: '', knownHead: -1 };
    if (cursor && (cursor.epoch !== this.epoch || cursor.sequence > this.head)) {
      // A client's cursor beyond what Redis has in its epoch is proof of loss too.
      return { keys: this.keys, candidate: candidate(), knownEpoch: cursor.epoch, knownHead: cursor.sequence };
    }
    return { keys: this.keys, candidate: candidate(), knownEpoch: this.epoch ?? '', knownHead: this.head };
  }
}
