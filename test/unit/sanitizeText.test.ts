import { describe, expect, it } from 'vitest';
import { toBrowserEvent } from '../../src/domain/browserFrame.js';
import { isSafeCode, sanitizeDiagnostic } from '../../src/domain/diagnostic.js';
import { sanitizeText } from '../../src/domain/sanitizeText.js';

describe('sanitizeText', () => {
  it.each([
    ['socket at /run/user/1000/yoi/w.sock refused', '/run/user'],
    ['failed to bind `/run/user/1000/yoi/k3x9q2.sock`', '/run/user'],
    ['C:\\Users\\alice\\session.jsonl missing', 'alice'],
    ['env API_KEY=abc123 was set', 'abc123'],
    ['Authorization: Bearer abcdefghijklmnop', 'abcdefghijklmnop'],
    ['key sk-proj-abcdefghijklmnopqrstuv', 'abcdefghijklmnop'],
    ['child pid 4242 exited', '4242'],
    ['session 3f9a2b7c4d5e6f708192a3b4c5d6e7f8 closed', '3f9a2b7c4d5e6f708192a3b4c5d6e7f8'],
    ['redis://user:hunter2@host:6379/0', 'hunter2'],
  ])('removes the internal part of %j', (text, secret) => {
    expect(sanitizeText(text)).not.toContain(secret);
  });

  it('keeps ordinary prose, strips control characters and bounds the length', () => {
    expect(sanitizeText('the provider returned 429: rate limited')).toBe('the provider returned 429: rate limited');
    expect(sanitizeText('a\u0000b\u001bc')).toBe('a b c');
    expect(sanitizeText('x'.repeat(50), 10)).toHaveLength(10);
  });
});

describe('browser-bound free text', () => {
  it('sanitises every string inside object-valued fields, so JSON escapes cannot hide a secret', () => {
    const safe = toBrowserEvent({ event: 'compact_failed', data: { error: { detail: 'read failed:\n/home/alice/.sessions/s1.jsonl', env: '\tAPI_KEY=zzz' } } });
    expect(JSON.stringify(safe)).not.toContain('alice');
    expect(JSON.stringify(safe)).not.toContain('zzz');
  });

  it('replaces an error code that is not a plain snake_case code', () => {
    expect(toBrowserEvent({ event: 'error', data: { code: 'sk_live_abcdefghijkl', message: 'x' } }).data?.code).toBe('unknown');
    expect(toBrowserEvent({ event: 'error', data: { code: 'provider_error', message: 'x' } }).data?.code).toBe('provider_error');
  });

  it('refuses a diagnostic code shaped like a credential', () => {
    expect(isSafeCode('sk_live_abcdefghijkl')).toBe(false);
    expect(sanitizeDiagnostic({ code: 'sk_live_abcdefghijkl', severity: 'error', message: 'm' }).code).toBe('backend_diagnostic_invalid');
  });
});
