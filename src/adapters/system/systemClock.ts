import { injectable } from 'inversify';
import type { ClockPort } from '../../ports/clockPort.js';

/** Calls of `coarseNow()` served from one reading at most (bounds the lag within one long synchronous run). */
const COARSE_READS = 256;

/** Wall-clock time and Node timers (unref'd: a pending deadline never keeps the process alive). */
@injectable()
export class SystemClock implements ClockPort {
  private coarse = 0;
  /** Reads left from the current coarse reading; 0: read the clock again. */
  private coarseLeft = 0;
  private readonly expire = (): void => void (this.coarseLeft = 0);

  now(): number {
    return Date.now();
  }

  /** `Date.now()` read once per tick (the reading expires in a microtask) and every COARSE_READS calls. */
  coarseNow(): number {
    if (this.coarseLeft === 0) {
      this.coarse = Date.now();
      queueMicrotask(this.expire);
    }
    this.coarseLeft = this.coarseLeft === 0 ? COARSE_READS - 1 : this.coarseLeft - 1;
    return this.coarse;
  }

  setTimer(ms: number, callback: () => void): () => void {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return () => clearTimeout(timer);
  }
}
