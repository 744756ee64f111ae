import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputBodySchema, WorkerIdParamsSchema } from '../../src/host/httpSchemas.js';
import { plainInputBody, plainWorkerId } from '../../src/host/inputBody.js';

const odd = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.boolean(), fc.constant(''), fc.constant({}), fc.constant(['a']));
const str = fc.oneof(fc.string({ maxLength: 6 }), fc.constant(''), fc.constantFrom('k-1', 'a:b.c_d', 'bad key', 'x'.repeat(128), 'x'.repeat(129)));
const policy = fc.oneof(fc.constantFrom('reject', 'enqueue', 'interrupt', 'later', 'REJECT'), odd);
const field = <T>(value: fc.Arbitrary<T>) => fc.oneof(value, odd);
const body = fc.record(
  {
    kind: fc.oneof(fc.constantFrom('user', 'notify', 'other'), odd),
    content: field(str),
    message: field(str),
    segments: fc.oneof(fc.constant([{ kind: 'text', content: 'x' }]), odd),
    autoRun: field(fc.boolean()),
    idempotencyKey: field(str),
    busyPolicy: policy,
    extra: odd,
  },
  { requiredKeys: [], noNullPrototype: true },
);
/** JSON bodies are what the route gets: the same values after a JSON round trip (undefined fields dropped) too. */
const jsonBody = body.map((b) => JSON.parse(JSON.stringify(b)) as unknown);

describe('plainInputBody: the input route\'s hand check of its common bodies', () => {
  it('never accepts a body InputBodySchema refuses, and answers what the schema parses it to (property)', () => {
    fc.assert(
      fc.property(fc.oneof(body, jsonBody, fc.anything()), (value) => {
        const fast = plainInputBody(value);
        const parsed = InputBodySchema.safeParse(value);
        if (fast !== null) {
          expect(parsed.success).toBe(true);
          expect(fast).toStrictEqual(parsed.data);
        }
        if (!parsed.success) expect(fast).toBeNull();
      }),
      { numRuns: 3_000 },
    );
  });

  it('takes the bodies clients send most', () => {
    expect(plainInputBody({ kind: 'user', content: 'hi' })).toEqual({ kind: 'user', content: 'hi' });
    expect(plainInputBody({ kind: 'user', content: 'hi', idempotencyKey: 'k-1', busyPolicy: 'enqueue' })).not.toBeNull();
    expect(plainInputBody({ kind: 'notify', message: 'm', autoRun: true })).not.toBeNull();
    expect(plainInputBody({ kind: 'notify', content: 'legacy' })).toBeNull(); // the schema path names the rename
  });
});

describe('plainWorkerId', () => {
  it('agrees with the params schema (property)', () => {
    const id = fc.oneof(fc.string({ maxLength: 70 }), fc.constantFrom('w0', 'a'.repeat(64), 'a'.repeat(65), '-w', 'w/x', 'w.x_y-z'));
    fc.assert(
      fc.property(fc.oneof(fc.record({ workerId: id }), fc.record({ workerId: id, other: fc.string() }), fc.anything()), (params) => {
        const fast = plainWorkerId(params);
        const parsed = WorkerIdParamsSchema.safeParse(params);
        if (fast !== null) expect(parsed.success && parsed.data.workerId === fast).toBe(true);
        if (!parsed.success) expect(fast).toBeNull();
      }),
      { numRuns: 2_000 },
    );
  });
});
