import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyPlainJson } from '../../src/domain/plainJson.js';
import { isEventName, KNOWN_EVENT_DATA, parseProtocolEvent } from '../../src/domain/protocolEvent.js';
import { referenceCopyPlainJson } from '../support/referencePlainJson.js';
import { referenceParseProtocolEvent } from '../support/referenceProtocolEvent.js';

/**
 * The publish hook's parser got fast paths (the data copied with one spread, the envelope sized by
 * hand, zod skipped for data of plain required strings). As a property: for any raw event and any
 * size bound it decides exactly as the parser before them (same acceptance, reason and message, the
 * same stored event), and what it stores is a copy, plain, free of symbol keys.
 */
const leaf = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(Number.NaN),
  fc.constant(() => 1),
  fc.constant(new Date(0)),
  fc.constant(10n),
);
// Keys exclude `__proto__`: the old copy assigned it (changing the copy's prototype), the new one keeps it as a field (see the unit test).
const key = fc.oneof(fc.constantFrom('text', 'id', 'name', 'json', 'code', 'message', 'kind', 'result', 'turn', 'status', 'level'), fc.string({ maxLength: 6 })).filter((k) => k !== '__proto__');
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('tree'), { maxLength: 4 }), fc.dictionary(key, tie('tree'), { maxKeys: 5 })),
}));
const data = fc.oneof(fc.dictionary(key, tree, { maxKeys: 6 }), fc.record({ text: fc.oneof(fc.string(), fc.integer()) }), fc.constant(undefined), fc.constant([]), fc.constant(null), fc.string());
const eventName = fc.oneof(fc.constantFrom(...Object.keys(KNOWN_EVENT_DATA)), fc.constantFrom('brand_new', 'Bad', ''), fc.string({ maxLength: 8 }));
const raw = fc.oneof(
  fc.record({ event: eventName, data }, { requiredKeys: ['event'] }),
  fc.record({ event: eventName, data, extra: fc.integer() }),
  fc.constantFrom(null, 'x', [], 1),
);
const maxBytes = fc.oneof(fc.integer({ min: 0, max: 400 }), fc.constant(1024 * 1024));

function withSymbol<T>(value: T, add: boolean): T {
  if (add && typeof value === 'object' && value !== null) {
    const data = (value as { data?: unknown }).data;
    if (typeof data === 'object' && data !== null) (data as Record<symbol, unknown>)[Symbol('hidden')] = { backend: 'object' };
  }
  return value;
}

describe('parseProtocolEvent fast paths', () => {
  it('decide and store exactly as the parser before them', () => {
    fc.assert(
      fc.property(raw, maxBytes, fc.boolean(), (event, max, symbol) => {
        withSymbol(event, symbol);
        const ours = parseProtocolEvent(event, max);
        const reference = referenceParseProtocolEvent(event, max);
        expect(ours).toEqual(reference);
        if (!ours.ok) return;
        const json = JSON.stringify(ours.event);
        expect(Buffer.byteLength(json)).toBeLessThanOrEqual(max);
        if (ours.event.data !== undefined) {
          expect(ours.event.data).not.toBe((event as { data?: unknown }).data);
          expect(Object.getOwnPropertySymbols(ours.event.data)).toEqual([]);
          expect(Object.getPrototypeOf(ours.event.data)).toBe(Object.prototype);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('put the size bound exactly where the parser before them did (bounds around each event\'s own size)', () => {
    fc.assert(
      fc.property(raw, fc.integer({ min: -4, max: 4 }), (event, delta) => {
        const unbounded = referenceParseProtocolEvent(event, 1e9);
        const size = unbounded.ok ? Buffer.byteLength(JSON.stringify(unbounded.event)) : 40;
        const max = Math.max(0, size + delta);
        expect(parseProtocolEvent(event, max)).toEqual(referenceParseProtocolEvent(event, max));
      }),
      { numRuns: 3000 },
    );
  });

  it('check event names by hand exactly as the pattern does', () => {
    const alphabet = fc.constantFrom(...'abcxyz09_A-é'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, minLength: 0, maxLength: 70 })), (name) => {
        expect(isEventName(name)).toBe(/^[a-z][a-z0-9_]{0,63}$/.test(name));
      }),
      { numRuns: 5000 },
    );
    expect(isEventName('a'.repeat(64))).toBe(true);
    expect(isEventName('a'.repeat(65))).toBe(false);
  });

  it('copyPlainJson copies and sizes any value as before', () => {
    fc.assert(
      fc.property(tree, fc.integer({ min: 0, max: 300 }), (value, max) => {
        expect(copyPlainJson(value, max)).toEqual(referenceCopyPlainJson(value, max));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads each field of the backend object once, and a later mutation does not reach the stored event', () => {
    let reads = 0;
    const inner = { deep: 'a' };
    const data = { get text() {
      reads++;
      return 'hello';
    }, nested: inner };
    const parsed = parseProtocolEvent({ event: 'text_delta', data });
    expect(reads).toBe(1);
    const stored = { event: 'text_delta', data: { text: 'hello', nested: { deep: 'a' } } };
    expect(parsed).toEqual({ ok: true, event: stored, bytes: Buffer.byteLength(JSON.stringify(stored)) });
    inner.deep = 'changed';
    if (parsed.ok) expect((parsed.event.data as { nested: { deep: string } }).nested.deep).toBe('a');
  });

  it('keeps a `__proto__` field as a field of the copy (the prototype of the copy stays the plain one)', () => {
    const data = JSON.parse('{"text":"x","__proto__":{"polluted":true}}') as Record<string, unknown>;
    const parsed = parseProtocolEvent({ event: 'text_delta', data });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(Object.getPrototypeOf(parsed.event.data)).toBe(Object.prototype);
    expect(JSON.stringify(parsed.event)).toBe('{"event":"text_delta","data":{"text":"x","__proto__":{"polluted":true}}}');
  });
});
