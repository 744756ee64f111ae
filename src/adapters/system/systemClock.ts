import { injectable } from 'inversify';
import type { ClockPort } from '../../ports/clockPort.js';

/** Wall-clock time and Node timers (unref'd: a pending deadline never keeps the process alive). */
@injectable()
export class SystemClock implements ClockPort {
  now(): number {
    return Date.now();
  }

  setTimer(ms: number, callback: () => void): () => void {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return () => clearTimeout(timer);
  }
}
