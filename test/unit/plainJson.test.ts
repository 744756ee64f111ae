import { describe, expect, it } from 'vitest';
import { copyPlainJson } from '../../src/domain/plainJson.js';
import { parseProtocolEvent } from '../../src/domain/protocolEvent.js';

describe('copyPlainJson', () => {
  it('deep-copies plain JSON and sizes it like JSON.stringify (escapes aside)', () => {
    const value = { a: 'héllo', b: [1, 2.5, true, null, { c: 'x' }], d: undefined };
    const copy = copyPlainJson(value, 1_000);
    expect(copy).toMatchObject({ ok: true, value: { a: 'héllo', b: [1, 2.5, true, null, { c: 'x' }] } });
    if (!copy.ok) return;
    expect(copy.value).not.toBe(value);
    expect((copy.value as { b: unknown[] }).b[4]).not.toBe(value.b[4]);
    expect(copy.bytes).toBe(Buffer.byteLength(JSON.stringify(value)));
  });

  it.each([
    [{ f: () => 1 }, 'function'],
    [{ n: Number.NaN }, 'not finite'],
    [{ d: new Date(0) }, 'not a plain object'],
    [{ b: 10n }, 'bigint'],
  ])('refuses %o', (value, message) => {
    const copy = copyPlainJson(value, 1_000);
    expect(copy.ok).toBe(false);
    if (!copy.ok) expect(copy.message).toContain(message);
  });

  it('refuses a cycle and stops early past the size bound', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(copyPlainJson(cyclic, 1e9)).toMatchObject({ ok: false, message: 'nested too deeply' });
    expect(copyPlainJson({ big: 'x'.repeat(5_000) }, 100)).toMatchObject({ ok: false, message: 'too_large' });
  });
});

describe('parseProtocolEvent', () => {
  it('accepts known and unknown events, refuses extra envelope fields, bad data and oversize', () => {
    expect(parseProtocolEvent({ event: 'text_delta', data: { text: 'hi' } })).toEqual({ ok: true, event: { event: 'text_delta', data: { text: 'hi' } }, bytes: 43 });
    expect(parseProtocolEvent({ event: 'thinking_start' })).toEqual({ ok: true, event: { event: 'thinking_start' }, bytes: 26 });
    expect(parseProtocolEvent({ event: 'brand_new', data: { x: [1] } }).ok).toBe(true);
    expect(parseProtocolEvent({ event: 'text_delta', data: { text: 'hi' }, worker: 'other' })).toMatchObject({ ok: false, reason: 'invalid_event' });
    expect(parseProtocolEvent({ event: 'text_delta', data: [] })).toMatchObject({ ok: false, reason: 'invalid_event' });
    expect(parseProtocolEvent({ event: 'thinking_start', data: { x: 1 } })).toMatchObject({ ok: false, reason: 'invalid_event' });
    expect(parseProtocolEvent({ event: 'text_delta', data: { text: 'x'.repeat(2_000) } }, 1_024)).toMatchObject({ ok: false, reason: 'too_large' });
  });
});
