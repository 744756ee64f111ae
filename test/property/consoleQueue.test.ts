import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkerQueue, type Slot } from '../../src/application/workerQueue.js';
import { entryView, type QueueEntryView } from '../../src/domain/queuedInput.js';

/** The console's queue mirror (console/lib/queueState.js: plain browser JavaScript, loaded as it is served). */
interface Listed {
  submissionId: string;
  position: number;
}
interface QueueStateLike {
  version: number;
  ordered(): Listed[];
  add(entry: QueueEntryView, local: boolean): boolean;
  settle(submissionId: string): { entry: unknown; position: number } | null;
  replace(entries: QueueEntryView[], since: number): void;
}
const { QueueState } = (await import(new URL('../../console/lib/queueState.js', import.meta.url).href)) as { QueueState: new () => QueueStateLike };

type Op = { kind: 'reserve'; interrupt: boolean } | { kind: 'land' } | { kind: 'dispatch' } | { kind: 'settle'; pick: number };
type Delivery = { kind: 'queued'; entry: QueueEntryView } | { kind: 'settled'; submissionId: string } | { kind: 'reply'; entry: QueueEntryView };

const ops = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('reserve' as const), interrupt: fc.boolean() }),
    fc.record({ kind: fc.constant('land' as const) }),
    fc.record({ kind: fc.constant('dispatch' as const) }),
    fc.record({ kind: fc.constant('settle' as const), pick: fc.nat() }),
  ),
  { maxLength: 40 },
);

/**
 * Plays `ops` on the host's own queue (`WorkerQueue`, as `QueuedInputs` drives it: reserved pending,
 * then landed and announced with its position; the head dispatched; any landed entry settled) and
 * returns the lifecycle changes in the host's order, the replies to each input, the queue a read would
 * answer after each change, and the final queue.
 */
function playHost(list: Op[]): { changes: Delivery[]; replies: Delivery[]; final: QueueEntryView[]; snapshots: QueueEntryView[][] } {
  const queue = new WorkerQueue();
  const changes: Delivery[] = [];
  const snapshots: QueueEntryView[][] = [[]]; // the queue a read would answer after each change
  const replies: Delivery[] = [];
  let next = 0;
  const land = (slot: Slot) => {
    slot.status = 'ready';
    const entry = entryView(slot.entry, queue.position(slot));
    changes.push({ kind: 'queued', entry });
    snapshots.push(queue.views());
    replies.push({ kind: 'reply', entry });
  };
  const landed = () => queue.slots.filter((s) => s.status !== 'pending');
  for (const op of list) {
    if (op.kind === 'reserve') {
      const entry = { submissionId: `s${next++}`, input: { kind: 'notify' as const, message: 'x', autoRun: true }, state: 'queued' as const, interrupt: op.interrupt, order: queue.order(), queuedAt: 1, idempotencyKey: null, fingerprint: '' };
      queue.insert(entry, 'pending');
    } else if (op.kind === 'land') {
      // Writes land in the order they were made (one store connection answers in order).
      const pending = queue.slots.filter((s) => s.status === 'pending').sort((x, y) => x.entry.order - y.entry.order);
      if (pending.length) land(pending[0]!);
    } else if (op.kind === 'dispatch') {
      const head = queue.head;
      if (head && head.status === 'ready' && !queue.slots.some((s) => s.status === 'active')) {
        head.status = 'active';
        head.entry = { ...head.entry, state: 'dispatching' };
      }
    } else {
      const settleable = landed();
      if (!settleable.length) continue;
      const slot = settleable[op.pick % settleable.length]!;
      queue.remove(slot);
      changes.push({ kind: 'settled', submissionId: slot.entry.submissionId });
      snapshots.push(queue.views());
    }
  }
  for (const slot of queue.slots.filter((s) => s.status === 'pending').sort((x, y) => x.entry.order - y.entry.order)) land(slot);
  return { changes, replies, final: queue.views(), snapshots };
}

/** The changes in their order, with each reply put anywhere among them (an HTTP reply races the stream). */
function deliveries(changes: Delivery[], replies: Delivery[], slots: number[]): Delivery[] {
  const out: Delivery[] = [];
  const at = replies.map((reply, i) => ({ reply, slot: (slots[i] ?? 0) % (changes.length + 1) }));
  for (let i = 0; i <= changes.length; i++) {
    for (const { reply } of at.filter((r) => r.slot === i)) out.push(reply);
    if (i < changes.length) out.push(changes[i]!);
  }
  return out;
}

function apply(state: QueueStateLike, delivery: Delivery): void {
  if (delivery.kind === 'queued') state.add(delivery.entry, false);
  else if (delivery.kind === 'reply') state.add({ ...delivery.entry, state: 'queued' }, true);
  else state.settle(delivery.submissionId);
}

const wellFormed = (state: QueueStateLike) => {
  const listed = state.ordered();
  expect(new Set(listed.map((e) => e.submissionId)).size).toBe(listed.length);
  expect(listed.map((e) => e.position)).toEqual(listed.map((_, i) => i + 1));
};

describe('the console queue mirror against the host queue', () => {
  it('changes in order with replies anywhere among them: the console ends with the host queue, in order, positions 1..n', () => {
    fc.assert(
      fc.property(ops, fc.array(fc.nat(), { maxLength: 40 }), (list, slots) => {
        const { changes, replies, final } = playHost(list);
        const state = new QueueState();
        const settled = new Set<string>();
        for (const delivery of deliveries(changes, replies, slots)) {
          apply(state, delivery);
          if (delivery.kind === 'settled') settled.add(delivery.submissionId);
          wellFormed(state);
          expect(state.ordered().filter((e) => settled.has(e.submissionId))).toEqual([]); // settled never comes back
        }
        expect(state.ordered().map((e) => [e.submissionId, e.position])).toEqual(final.map((e) => [e.submissionId, e.position]));
      }),
      { numRuns: 400 },
    );
  });

  it('a read of the host queue answered at any moment among the changes never lists a settled input nor one twice', () => {
    fc.assert(
      fc.property(ops, fc.array(fc.nat(), { maxLength: 40 }), fc.nat(), fc.nat(), fc.nat(), (list, slots, a, b, c) => {
        const { changes, replies, final, snapshots } = playHost(list);
        const stream = deliveries(changes, replies, slots);
        // The read starts after `begin` deliveries, the host answers with its queue after some of its changes
        // (no fewer than the page had seen when it asked), and the answer arrives after `arrive` deliveries.
        const begin = a % (stream.length + 1);
        const arrive = begin + (b % (stream.length - begin + 1));
        const seenChanges = stream.slice(0, begin).filter((d) => d.kind !== 'reply').length;
        const hostQueue = snapshots[seenChanges + (c % (changes.length - seenChanges + 1))]!;
        const state = new QueueState();
        let since = 0;
        stream.forEach((delivery, i) => {
          if (i === begin) since = state.version;
          if (i === arrive) state.replace(hostQueue, since);
          apply(state, delivery);
          wellFormed(state);
        });
        if (arrive === stream.length) state.replace(hostQueue, since);
        wellFormed(state);
        const settled = new Set(changes.filter((d) => d.kind === 'settled').map((d) => (d as { submissionId: string }).submissionId));
        expect(state.ordered().filter((e) => settled.has(e.submissionId))).toEqual([]);
        // The console reads again after each burst of changes: that read is the host's queue as it is.
        state.replace(final, state.version);
        expect(state.ordered().map((e) => e.submissionId)).toEqual(final.map((e) => e.submissionId));
      }),
      { numRuns: 400 },
    );
  });
});
