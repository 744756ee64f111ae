import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDispatchAnswer, parseDispatchAnswerWithSchema } from '../../src/application/backendAnswers.js';

describe('parseDispatchAnswer', () => {
  it('its hand-checked fast path answers exactly as the schema does, for any answer', () => {
    const field = fc.oneof(fc.constantFrom(undefined, 'accepted', 'busy', 'rejected', 'idle', 'busy', 'paused', '', 'x'.repeat(300)), fc.anything());
    const answer = fc.oneof(
      fc.record({ status: field, submissionId: fc.oneof(field, fc.string({ maxLength: 300 })), state: field }, { requiredKeys: [] }),
      fc.record({ status: fc.constant('accepted'), submissionId: fc.string({ maxLength: 300 }), state: fc.constantFrom('idle', 'busy', 'paused', 'running') }, { requiredKeys: ['status'] }),
      fc.anything(),
    );
    fc.assert(
      fc.property(answer, (raw) => {
        const fast = parseDispatchAnswer(raw);
        const schema = parseDispatchAnswerWithSchema(raw);
        expect(fast.ok).toBe(schema.ok);
        if (fast.ok && schema.ok) expect(fast.value).toEqual(schema.value);
      }),
      { numRuns: 5000 },
    );
  });
});
