import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryObservationBus } from '../../src/adapters/memoryBus/memoryObservationBus.js';
import { ENTRY_OVERHEAD_BYTES } from '../../src/adapters/memoryBus/observationCost.js';
import { RandomIds } from '../../src/adapters/system/randomIds.js';
import { SystemClock } from '../../src/adapters/system/systemClock.js';
import type { ObservationFrame } from '../../src/domain/observation.js';
import { parseProtocolEvent, type ProtocolEvent } from '../../src/domain/protocolEvent.js';
import type { WorkerRef } from '../../src/domain/workerRef.js';

/**
 * The memory budget of the in-process bus, against a model: every observation costs its event's JSON
 * bytes plus the per-entry overhead; all Workers' retained observations together stay within the
 * budget; past it the oldest across Workers go first (global publish order), besides each Worker's own
 * retention. A cursor of a retained observation (or of the one just before the oldest) resumes exactly;
 * a cursor of an evicted one gets `expired` naming the oldest retained cursor.
 */

type Op = { kind: 'publish'; worker: number; event: ProtocolEvent; hooked: boolean } | { kind: 'drop'; worker: number };

const eventArb: fc.Arbitrary<ProtocolEvent> = fc.oneof(
  fc.string({ maxLength: 600, unit: 'grapheme' }).map((text) => ({ event: 'text_delta', data: { text } })),
  fc.string({ maxLength: 40 }).map((text) => ({ event: 'tool_call_start', data: { id: text, name: `t"${text}\n` } })),
  fc.constant({ event: 'thinking_start' }),
  fc.integer({ min: 0, max: 1e6 }).map((turn) => ({ event: 'turn_start', data: { turn, extra: [1.5, null, true, { a: 'é' }] } })),
);

const scenarioArb = fc.record({
  budget: fc.integer({ min: 1024, max: 16 * 1024 }),
  retention: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constant(10_000)),
  workers: fc.integer({ min: 1, max: 12 }),
  ops: fc.array(
    fc.oneof(
      { weight: 20, arbitrary: fc.record({ kind: fc.constant('publish' as const), worker: fc.nat(11), event: eventArb, hooked: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), worker: fc.nat(11) }) },
    ),
    { maxLength: 160 },
  ),
});

interface Published {
  readonly worker: number;
  readonly generation: number;
  readonly sequence: number;
  readonly cursor: string;
  readonly cost: number;
}

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

describe('MemoryObservationBus memory budget (property)', () => {
  it('keeps retained bytes within the budget, evicts oldest-first across Workers, resumes exactly or says expired', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ budget, retention, workers, ops }) => {
        const bus = new MemoryObservationBus({ retentionPerWorker: retention, subscriberQueue: 64, budgetBytes: budget }, new SystemClock(), new RandomIds());
        const refs: WorkerRef[] = Array.from({ length: workers }, (_, i) => ({ runtimeId: 'prop', workerId: `w${i}` }));
        const generation = new Array<number>(workers).fill(0);
        const heads = new Array<number>(workers).fill(0);
        /** The model: retained observations in publish order. */
        let retained: Published[] = [];
        const all: Published[] = [];
        let evictedByBudget = 0;

        for (const op of ops) {
          const w = op.worker % workers;
          if (op.kind === 'drop') {
            await bus.drop(refs[w]!, 'worker_removed');
            retained = retained.filter((p) => p.worker !== w || p.generation !== generation[w]);
            generation[w]!++;
            heads[w] = 0;
            continue;
          }
          const parsed = parseProtocolEvent(op.event);
          if (!parsed.ok) throw new Error(parsed.message);
          const bytes = utf8(JSON.stringify(parsed.event));
          expect(parsed.bytes).toBe(bytes);
          const result = await bus.publish(refs[w]!, parsed.event, undefined, op.hooked ? parsed.bytes : undefined);
          if (!result.ok) throw new Error(result.message);
          expect(result.sequence).toBe(++heads[w]!);
          const entry = { worker: w, generation: generation[w]!, sequence: result.sequence, cursor: result.cursor, cost: bytes + ENTRY_OVERHEAD_BYTES };
          all.push(entry);
          retained.push(entry);
          const own = retained.filter((p) => p.worker === w && p.generation === entry.generation);
          if (own.length > retention) retained.splice(retained.indexOf(own[0]!), 1);
          let total = retained.reduce((sum, p) => sum + p.cost, 0);
          while (total > budget) {
            total -= retained.shift()!.cost;
            evictedByBudget++;
          }
          const report = bus.retention();
          expect(report.retainedBytes).toBeLessThanOrEqual(budget);
          expect(report).toEqual({ budgetBytes: budget, retainedBytes: total, retainedObservations: retained.length, evictedObservations: evictedByBudget });
        }

        for (let w = 0; w < workers; w++) {
          const expected = retained.filter((p) => p.worker === w).map((p) => p.sequence);
          const read = await bus.read(refs[w]!, { limit: 100_000 });
          if (read.status !== 'ok') throw new Error(read.status);
          expect(read.observations.map((o) => o.sequence)).toEqual(expected);
          expect(read.truncated === true).toBe((expected[0] ?? heads[w]! + 1) > 1);
          const oldest = expected[0] ?? heads[w]! + 1;
          for (const p of all.filter((q) => q.worker === w && q.generation === generation[w])) {
            const after = await bus.read(refs[w]!, { after: p.cursor, limit: 100_000 });
            if (p.sequence >= oldest - 1) {
              if (after.status !== 'ok') throw new Error(`${p.sequence}: ${after.status}`);
              expect(after.observations.map((o) => o.sequence)).toEqual(expected.filter((s) => s > p.sequence));
            } else {
              expect(after.status).toBe('expired');
              const frames = await firstFrames(bus, refs[w]!, p.cursor, 1);
              expect(frames[0]).toMatchObject({ type: 'expired', requested: p.cursor });
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

async function firstFrames(bus: MemoryObservationBus, worker: WorkerRef, after: string, count: number): Promise<ObservationFrame[]> {
  const subscription = bus.subscribe(worker, { after })[Symbol.asyncIterator]();
  const frames: ObservationFrame[] = [];
  while (frames.length < count) {
    const next = await subscription.next();
    if (next.done) break;
    frames.push(next.value);
  }
  await subscription.return?.();
  return frames;
}
