import { describe, expect, it } from 'vitest';
import { RandomIds } from '../../src/adapters/system/randomIds.js';
import { SubmissionIdSchema } from '../../src/domain/queuedInput.js';
import { DecisionParamsSchema } from '../../src/host/httpSchemas.js';

describe('RandomIds submission ids (a random prefix per instance and a counter)', () => {
  it('are unique within an instance and across instances (a restart draws a new prefix)', () => {
    const seen = new Set<string>();
    for (const ids of [new RandomIds(), new RandomIds(), new RandomIds()]) {
      for (let i = 0; i < 5_000; i++) seen.add(ids.submissionId());
    }
    expect(seen.size).toBe(15_000);
  });

  it('have the shape of a submission id and of a decision id (the routes take them back)', () => {
    const ids = new RandomIds();
    for (let i = 0; i < 100; i++) {
      const id = ids.submissionId();
      expect(SubmissionIdSchema.safeParse(id).success).toBe(true);
      expect(DecisionParamsSchema.safeParse({ workerId: 'w', decisionId: id }).success).toBe(true);
      expect(id).toMatch(/^[0-9a-f]{16}-[0-9a-z]+$/);
    }
  });

  it('do not let one instance guess another instance\'s ids from its own', () => {
    const a = new RandomIds().submissionId();
    const b = new RandomIds().submissionId();
    expect(a.split('-')[0]).not.toBe(b.split('-')[0]);
  });
});
