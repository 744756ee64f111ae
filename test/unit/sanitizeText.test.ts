import fc from 'fast-check';
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

describe('sanitizeText: every absolute-path-shaped token, wherever it stands', () => {
  it.each([
    ['エラー：/home/alice/.secret を開けません', ['alice', '.secret']],
    ['moved it -> /home/alice/.secret', ['alice', '.secret']],
    ['{"path":"\\/home\\/alice\\/.secret"}', ['alice', '.secret']],
    ['path \\u002fhome\\u002falice\\u002f.secret', ['alice', '.secret']],
    ['GET /x?f=%2Fhome%2Falice%2F.secret failed', ['alice', '.secret']],
    ['／home／alice／.secret', ['alice', '.secret']],
    ['cannot read /Users/alice/Library/Application Support/Acme Tool/state.json: denied', ['alice', 'Library', 'Application', 'Acme Tool', 'state.json']],
    ['failed to kill 4821377', ['4821377']],
    ['kill -9 4821 failed', ['4821']],
    ['at Object.<anonymous> (/srv/app/index.js:10:5)', ['/srv', 'index.js']],
    ['open ~/.ssh/id_ed25519 failed', ['.ssh', 'id_ed25519']],
    ['open ~alice/notes failed', ['alice', 'notes']],
    ['C:/Users/alice/AppData failed', ['alice', 'AppData']],
    ['C:\\\\Users\\\\alice\\\\AppData failed', ['alice', 'AppData']],
    ['share \\\\fileserver\\alice\\docs gone', ['fileserver', 'alice']],
    ['see file:///home/alice/x', ['alice']],
    ['fetch https://api.example.com/v1/hooks/T0/B1/XyZsecret?key=abc failed', ['hooks', 'XyZsecret', 'key=abc']],
    ['cwd=/home/alice,pid=31337', ['alice', '31337']],
    ['"/var/lib/app/alice.db"', ['alice']],
    ['(../../home/alice/x)', ['alice']],
  ])('%j', (text, hidden) => {
    const out = sanitizeText(text);
    for (const part of hidden) expect(out).not.toContain(part);
  });

  it('keeps prose, codes, ratios, small numbers and the host of a URL', () => {
    for (const text of ['the provider returned 429: rate limited', 'exit code 1', 'retry 3/5 and/or wait', 'listening on port 8080', 'refused (JSON-RPC -32603)']) {
      expect(sanitizeText(text)).toBe(text);
    }
    expect(sanitizeText('エラー：接続できません')).toBe('エラー：接続できません');
    expect(sanitizeText('fetch https://api.example.com/v1/messages failed')).toBe('fetch https://api.example.com/[redacted-path] failed');
    expect(sanitizeText('(see /tmp/x.log).')).toBe('(see [redacted-path]).');
  });

  it('bounds its work on huge input and never throws', () => {
    const huge = `${'/home/alice/'.repeat(200_000)} end`;
    const out = sanitizeText(huge, 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out).not.toContain('alice');
    expect(() => sanitizeText('\\u12\\x\\%zz%2')).not.toThrow();
  });

  const escapes: ((path: string) => string)[] = [
    (p) => p,
    (p) => p.replaceAll('/', '\\/'),
    (p) => p.replaceAll('/', '\\u002f'),
    (p) => p.replaceAll('/', '%2F'),
    (p) => p.replaceAll('/', '\uff0f'),
    (p) => p.replaceAll('/', '\\\\/'),
  ];
  const segment = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
  // Anything may precede a path except a letter, digit or underscore (then it is a relative path).
  const prefix = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((p) => !/[A-Za-z0-9_\\]$/.test(p));
  const suffix = fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => ` ${s}`));

  it('property: a planted path segment never survives, whatever precedes it and however it is escaped', () => {
    fc.assert(
      fc.property(prefix, fc.array(segment, { maxLength: 3 }), fc.nat(escapes.length - 1), suffix, (before, rest, escape, after) => {
        const path = ['', 'home', 'qqPLANTEDqq', ...rest].join('/');
        const out = sanitizeText(`${before}${escapes[escape]!(path)}${after}`);
        expect(out).not.toContain('PLANTED');
      }),
      { numRuns: 3_000 },
    );
  });

  it('property: a bare process id (5+ digits) never survives', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }).filter((p) => !/[\w.-]$/.test(p)), fc.integer({ min: 10_000, max: 4_194_304 }), (before, pid) => {
        expect(sanitizeText(`${before}${pid} exited`)).not.toContain(String(pid));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('diagnostics reach a browser as a code and a short sanitised text', () => {
  it('bounds the message', () => {
    const safe = sanitizeDiagnostic({ code: 'spawn_failed', severity: 'error', message: `spawn failed: ${'detail '.repeat(100)}` });
    expect(safe.code).toBe('spawn_failed');
    expect(safe.message.length).toBeLessThanOrEqual(240);
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
