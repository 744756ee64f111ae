import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyPlainJson } from '../../src/domain/plainJson.js';
import { parseProtocolEvent } from '../../src/domain/protocolEvent.js';
import { fixture } from '../support/fixture.js';
import { PLANTED, throwingGetters } from '../support/hostileBackend.js';

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** Strings rich in what JSON escapes: quotes, backslashes, control characters, lone surrogates, astral characters. */
const escapeHeavy = fc.string({
  unit: fc.oneof(
    fc.constantFrom('"', '\\', '\n', '\t', '\u0000', '\u0001', '\u001f', '\u007f', '\u2028', '\ud800', '\udc00', '😀', 'é', 'a'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 64,
});

describe('item 5: the event size bound counts bytes as stored and sent', () => {
  it('copyPlainJson sizes any JSON value exactly as JSON.stringify encodes it in UTF-8', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        escapeHeavy,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 5 }),
        fc.dictionary(escapeHeavy, tie('node'), { maxKeys: 5 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        const copy = copyPlainJson(v, 1e9);
        expect(copy.ok).toBe(true);
        if (copy.ok) expect(copy.bytes).toBe(jsonBytes(v));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['quotes', '"'.repeat(600)],
    ['control characters', '\u0001'.repeat(300)],
    ['lone surrogates', '\ud800'.repeat(300)],
  ])('an event whose escaped JSON passes the bound is too_large (%s)', (_name, text) => {
    const event = { event: 'text_delta', data: { text } };
    expect(jsonBytes(event)).toBeGreaterThan(1024);
    expect(parseProtocolEvent(event, 1024)).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('an event at the bound exactly passes; one byte more does not', () => {
    const base = jsonBytes({ event: 'text_delta', data: { text: '' } });
    const fill = 1024 - base;
    const fits = { event: 'text_delta', data: { text: '\n'.repeat(fill >> 1) + (fill % 2 ? 'a' : '') } };
    expect(jsonBytes(fits)).toBe(1024);
    expect(parseProtocolEvent(fits, 1024).ok).toBe(true);
    expect(parseProtocolEvent({ event: 'text_delta', data: { text: `${fits.data.text}a` } }, 1024)).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('an event that reads differently the second time is stored only as it was checked', async () => {
    let reads = 0;
    const data = Object.defineProperty({}, 'status', { enumerable: true, get: () => (reads++ === 0 ? 'idle' : PLANTED) });
    const parsed = parseProtocolEvent({ event: 'status', data });
    if (parsed.ok) expect(parsed.event.data?.status).toBe('idle');
    else expect(parsed.reason).toBe('invalid_event');
  });
});

describe('item 5: context.publish answers a typed refusal for an event it cannot read', () => {
  it.each([
    ['an event whose getters throw', () => throwingGetters()],
    ['data whose getters throw', () => ({ event: 'text_delta', data: throwingGetters() })],
    ['a getter on event that throws', () => Object.defineProperty({}, 'event', { enumerable: true, get: () => { throw new Error(PLANTED); } })],
    ['a revoked proxy', () => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; }],
  ])('%s: invalid_event, never a throw, nothing stored', async (_name, make) => {
    const { runtime, fake, stored } = fixture();
    await runtime.create({ workerId: 'w', profile: 'fake' });
    const context = fake.contextOf('w')!;
    let answer: Promise<unknown> | undefined;
    expect(() => (answer = context.publish(make()))).not.toThrow();
    const result = await answer;
    expect(result).toMatchObject({ ok: false, reason: 'invalid_event' });
    expect(JSON.stringify(result)).not.toContain(PLANTED);
    expect(await stored('w')).toEqual([]);
  });
});
