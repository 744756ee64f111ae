import type { ObservationFrame, ObservationSubscription } from '../domain/observation.js';

/** Frames read from a subscription, with a deadline so a broken adapter fails instead of hanging. */
export async function takeFrames(
  subscription: ObservationSubscription,
  count: number,
  timeoutMs = 5_000,
): Promise<ObservationFrame[]> {
  const frames: ObservationFrame[] = [];
  const iterator = subscription[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (frames.length < count) {
    const remaining = deadline - Date.now();
    const next = await Promise.race([iterator.next(), delay(Math.max(0, remaining)).then(() => 'timeout' as const)]);
    if (next === 'timeout') {
      throw new Error(`timed out after ${timeoutMs} ms with ${frames.length} of ${count} frames (received: ${describeFrames(frames)})`);
    }
    if (next.done) break;
    frames.push(next.value);
    if (next.value.type === 'end') break;
  }
  return frames;
}

/**
 * Reads frames until one satisfies `until` (inclusive) or the subscription ends. On timeout the error
 * names `what` it waited for and the frames it did receive.
 */
export async function takeUntil(
  subscription: ObservationSubscription,
  until: (frame: ObservationFrame) => boolean,
  timeoutMs = 5_000,
  what = 'the frame it waited for',
): Promise<ObservationFrame[]> {
  const frames: ObservationFrame[] = [];
  const iterator = subscription[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    const next = await Promise.race([iterator.next(), delay(Math.max(0, remaining)).then(() => 'timeout' as const)]);
    if (next === 'timeout') {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (received ${frames.length} frames: ${describeFrames(frames)})`);
    }
    if (next.done) return frames;
    frames.push(next.value);
    if (until(next.value) || next.value.type === 'end') return frames;
  }
}

/** `user_message, text_delta x3, run_end`: what a subscriber received, for failure messages. */
export function describeFrames(frames: readonly ObservationFrame[]): string {
  const names = frames.map((f) => (f.type === 'observation' ? f.observation.event.event : `[${f.type}]`));
  const runs: string[] = [];
  for (let i = 0; i < names.length; ) {
    let j = i;
    while (j < names.length && names[j] === names[i]) j++;
    runs.push(j - i > 1 ? `${names[i]} x${j - i}` : names[i]!);
    i = j;
  }
  return runs.length === 0 ? 'nothing' : runs.join(', ');
}

/** The protocol event names of the observation frames, in order. */
export function eventNames(frames: readonly ObservationFrame[]): string[] {
  return frames.flatMap((f) => (f.type === 'observation' ? [f.observation.event.event] : []));
}

export function sequences(frames: readonly ObservationFrame[]): number[] {
  return frames.flatMap((f) => (f.type === 'observation' ? [f.observation.sequence] : []));
}

/** Polls `check` until it is true or the timeout passes; returns whether it became true. */
export async function eventually(check: () => boolean, timeoutMs = 5_000, stepMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await delay(stepMs);
  }
  return check();
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
