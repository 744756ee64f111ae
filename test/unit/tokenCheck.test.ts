import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenCheck } from '../../src/host/security.js';

describe('TokenCheck (constant-time compare against bytes prepared once)', () => {
  it('matches exactly the configured token, whatever is presented (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }), fc.string({ unit: 'grapheme', maxLength: 120 }), (token, presented) => {
        const check = new TokenCheck(token);
        expect(check.matches(token)).toBe(true);
        expect(check.matches(presented)).toBe(presented === token);
        expect(check.matches(null)).toBe(false);
      }),
    );
  });

  it('refuses a prefix, an extension and a zero-padded copy of the token, also past the scratch size', () => {
    for (const token of ['bench-token-0123456789abcdef', 'x'.repeat(64), 'y'.repeat(200), 'é€😀']) {
      const check = new TokenCheck(token);
      expect(check.matches(token)).toBe(true);
      expect(check.matches(token.slice(0, -1))).toBe(false);
      expect(check.matches(`${token}a`)).toBe(false);
      expect(check.matches(`${token}\u0000`)).toBe(false);
      expect(check.matches(`${token}${'z'.repeat(500)}`)).toBe(false);
      expect(check.matches('')).toBe(false);
    }
  });

  it('one check answers many requests in a row (the scratch buffer leaves nothing behind)', () => {
    const check = new TokenCheck('abc');
    expect(check.matches('abcdef')).toBe(false);
    expect(check.matches('abc')).toBe(true);
    expect(check.matches('ab')).toBe(false);
    expect(check.matches('abc')).toBe(true);
  });
});
