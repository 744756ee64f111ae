import { expect } from 'vitest';
import { decodeCursor } from '../../src/domain/cursor.js';
import type { ObservationFrame, ObservationSubscription } from '../../src/domain/observation.js';
import type { ProtocolEvent } from '../../src/domain/protocolEvent.js';
import type { PublishResult } from '../../src/ports/executionContext.js';
import { eventually } from '../../src/testing/frames.js';

/** An event whose text names it uniquely in the test. */
export const note = (text: string): ProtocolEvent => ({ event: 'text_delta', data: { text } });
export const textOf = (frame: ObservationFrame): string | null =>
  frame.type === 'observation' ? String(frame.observation.event.data?.text) : null;

/** Frames read from a subscription in the background, as a browser would. */
export function record(subscription: ObservationSubscription): { frames: ObservationFrame[]; done: Promise<void>; close(): void } {
  const frames: ObservationFrame[] = [];
  const done = (async () => {
    for await (const frame of subscription) frames.push(frame);
  })();
  return { frames, done, close: () => subscription.close() };
}

/** Waits until `frames` satisfy `check`; fails the test (with the frames seen) when they do not in time. */
export async function until(frames: ObservationFrame[], check: (frames: ObservationFrame[]) => boolean, timeoutMs = 10_000): Promise<void> {
  if (!(await eventually(() => check(frames), timeoutMs, 10))) {
    throw new Error(`frames did not arrive in time: ${JSON.stringify(frames.map(describe))}`);
  }
}

export function describe(frame: ObservationFrame): string {
  switch (frame.type) {
    case 'observation':
      return `${frame.observation.cursor}=${textOf(frame)}`;
    case 'gap':
      return `gap ${frame.from}..${frame.to} ${frame.reason}`;
    case 'reset':
      return `reset -> ${frame.epoch}`;
    default:
      return frame.type;
  }
}

/**
 * What each cursor means. A cursor handed out (by a publish or a frame) must name the same event
 * forever: seeing it again with another event is an alias, the fault the contract forbids.
 */
export class CursorLedger {
  private readonly meaning = new Map<string, string>();

  published(result: PublishResult, text: string): void {
    if (result.ok) this.learn(result.cursor, text);
  }

  frames(frames: readonly ObservationFrame[]): void {
    for (const frame of frames) if (frame.type === 'observation') this.learn(frame.observation.cursor, textOf(frame)!);
  }

  private learn(cursor: string, text: string): void {
    const known = this.meaning.get(cursor);
    expect(known === undefined || known === text, `cursor ${cursor} was ${known}, now ${text}: an alias`).toBe(true);
    this.meaning.set(cursor, text);
  }
}

/**
 * No silent loss: within each epoch a subscriber's observations and gaps follow each other by
 * sequence; a jump is only allowed after an explicit `reset` or `expired`.
 */
export function expectContiguous(frames: readonly ObservationFrame[]): void {
  let epoch: string | null = null;
  let next: number | null = null;
  for (const frame of frames) {
    if (frame.type === 'reset') [epoch, next] = [frame.epoch, null];
    else if (frame.type === 'expired') [epoch, next] = [decodeCursor(frame.oldest)!.epoch, decodeCursor(frame.oldest)!.sequence];
    else if (frame.type === 'gap') {
      if (next !== null) expect(frame.from, `gap at ${frame.from}, expected ${next}`).toBe(next);
      next = frame.to + 1;
    } else if (frame.type === 'observation') {
      const at = decodeCursor(frame.observation.cursor)!;
      if (epoch !== null) expect(at.epoch, `${describe(frame)} after an epoch change without reset`).toBe(epoch);
      if (next !== null) expect(at.sequence, `${describe(frame)}: expected sequence ${next}`).toBe(next);
      [epoch, next] = [at.epoch, at.sequence + 1];
    }
  }
}

/** Commands Redis ran per second between two `INFO commandstats` readings (all commands, or those named). */
export function commandRate(before: Record<string, number>, after: Record<string, number>, ms: number, names?: readonly string[]): number {
  const keys = names ?? Object.keys(after);
  const calls = keys.reduce((sum, name) => sum + (after[name] ?? 0) - (before[name] ?? 0), 0);
  return (calls * 1000) / ms;
}

/** Resolves to how long `work` took, or rejects naming the deadline it missed. */
export async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls an asynchronous `check` (a Redis read) until it holds or `timeoutMs` passes; whether it held. */
export async function eventuallyAsync(check: () => Promise<boolean>, timeoutMs = 5_000, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return check();
}
