import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainInput } from '../../src/domain/inputShape.js';
import { WorkerInputSchema } from '../../src/domain/workerInput.js';

/** Inputs near the fast path's edges: right shapes, wrong kinds, extra and missing keys, bounds, odd values. */
const text = fc.oneof(fc.string({ maxLength: 8 }), fc.constant(''), fc.constant('x'.repeat(128 * 1024)), fc.constant('y'.repeat(128 * 1024 + 1)));
const oddValue = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.boolean(), fc.constant([]), fc.constant({}), text);
const segment = fc.oneof(
  fc.record({ kind: fc.constant('text'), content: text }),
  fc.record({ kind: fc.constantFrom('text', 'paste', 'flow', 'file_ref', 'custom_kind', 'Bad'), content: oddValue }, { requiredKeys: [] }),
  fc.record({ kind: fc.constant('text'), content: text, extra: oddValue }),
  oddValue,
);
const segments = fc.oneof(fc.array(segment, { maxLength: 3 }), fc.array(fc.record({ kind: fc.constant('text'), content: fc.string({ minLength: 1, maxLength: 3 }) }), { minLength: 60, maxLength: 70 }), oddValue);
const user = fc.oneof(
  fc.record({ kind: fc.constant('user'), segments }),
  fc.record({ kind: fc.constantFrom('user', 'notify', 'other'), segments, message: text, autoRun: oddValue }, { requiredKeys: [] }),
);
const notify = fc.oneof(
  fc.record({ kind: fc.constant('notify'), message: text }),
  fc.record({ kind: fc.constant('notify'), message: text, autoRun: fc.oneof(fc.boolean(), oddValue) }),
  fc.record({ kind: fc.constant('notify'), message: text, autoRun: fc.boolean(), extra: oddValue }),
);
const anyInput = fc.oneof(user, notify, fc.anything());

describe('plainInput: the structural check submitInput tries before the schema', () => {
  it('never accepts what WorkerInputSchema refuses, and answers exactly what the schema parses to (property)', () => {
    fc.assert(
      fc.property(anyInput, (value) => {
        const fast = plainInput(value);
        const parsed = WorkerInputSchema.safeParse(value);
        if (fast !== null) {
          expect(parsed.success).toBe(true);
          expect(fast).toStrictEqual(parsed.data);
          expect(fast).not.toBe(value); // a copy: later changes to the caller's object do not reach it
        }
        if (!parsed.success) expect(fast).toBeNull();
      }),
      { numRuns: 2_000 },
    );
  });

  it('takes the shapes the HTTP route builds (one text segment; a notification with or without autoRun)', () => {
    expect(plainInput({ kind: 'user', segments: [{ kind: 'text', content: 'hi' }] })).toEqual({ kind: 'user', segments: [{ kind: 'text', content: 'hi' }] });
    expect(plainInput({ kind: 'notify', message: 'm' })).toEqual({ kind: 'notify', message: 'm' });
    expect(plainInput({ kind: 'notify', message: 'm', autoRun: false })).toEqual({ kind: 'notify', message: 'm', autoRun: false });
  });

  it('leaves to the schema what it is not sure of: other prototypes, getters that throw, inherited keys', () => {
    class Input {
      kind = 'user';
      segments = [{ kind: 'text', content: 'hi' }];
    }
    expect(plainInput(new Input())).toBeNull();
    expect(plainInput(Object.create({ kind: 'notify', message: 'm' }))).toBeNull();
    const throwing = { kind: 'user', get segments(): never { throw new Error('no'); } };
    expect(plainInput(throwing)).toBeNull();
    const inherited = Object.assign(Object.create({ extra: 1 }), { kind: 'notify', message: 'm' });
    expect(plainInput(inherited)).toBeNull();
  });
});
