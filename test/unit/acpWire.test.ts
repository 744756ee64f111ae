import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcpWire, type AcpWireError } from '../../src/adapters/acp/acpWire.js';

function wire(maxBytes = 64) {
  const input = new PassThrough();
  const output = new PassThrough();
  const tapped: unknown[] = [];
  const faults: AcpWireError[] = [];
  let ended = false;
  const w = new AcpWire(input, output, maxBytes, { tap: (m) => (tapped.push(m), true), fault: (e) => faults.push(e), end: () => (ended = true) });
  return { w, input, output, tapped, faults, ended: () => ended };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('AcpWire', () => {
  it('splits lines across chunks, skips blank lines, keeps an unterminated last line', async () => {
    const t = wire();
    t.input.write('{"a":1}\n\n{"b"');
    t.input.write(':2}\r\n{"c":3}');
    t.input.end();
    await tick();
    expect(t.tapped).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
    expect(t.ended()).toBe(true);
    expect(t.faults).toEqual([]);
  });

  it('any JSON object line, padded with whitespace (JSON or Unicode: CR, NBSP, BOM), split anywhere, is tapped in order; blank lines are skipped', async () => {
    const space = fc.string({ unit: fc.constantFrom(' ', '\t', '\r', '\u00a0', '\ufeff', '\u2028'), maxLength: 3 });
    const object = fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.constant('漢😀')), { maxKeys: 4 });
    const line = fc.oneof({ weight: 4, arbitrary: fc.tuple(space, object, space) }, { weight: 1, arbitrary: space.map((s) => [s, null, ''] as const) });
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 6 }), async (lines, cuts) => {
        const bytes = Buffer.from(lines.map(([before, value, after]) => `${before}${value === null ? '' : JSON.stringify(value)}${after}\n`).join(''));
        const t = wire(1 << 20);
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        let from = 0;
        for (const cut of [...at, bytes.length]) {
          if (cut > from) t.input.write(bytes.subarray(from, cut)); // cuts may fall inside a multi-byte character
          from = Math.max(from, cut);
        }
        t.input.end();
        await tick();
        expect(t.faults).toEqual([]);
        expect(t.tapped).toEqual(lines.filter(([, value]) => value !== null).map(([, value]) => value));
      }),
      { numRuns: 200 },
    );
  });

  it('a non-JSON line or a JSON non-object is a not_json fault; nothing after it is read', async () => {
    for (const bad of ['hello\n', '[1,2]\n', '42\n']) {
      const t = wire();
      t.input.write(`{"ok":1}\n${bad}{"late":1}\n`);
      await tick();
      expect(t.tapped).toEqual([{ ok: 1 }]);
      expect(t.faults.map((f) => f.reason)).toEqual(['not_json']);
    }
  });

  it('a line over the limit is a message_too_large fault, even when it never ends', async () => {
    const t = wire(64);
    for (let i = 0; i < 10; i++) t.input.write('x'.repeat(16));
    await tick();
    expect(t.faults.map((f) => f.reason)).toEqual(['message_too_large']);
    expect(t.tapped).toEqual([]);
  });

  it('whenWritten resolves once the method was handed to the output, false once the wire is done', async () => {
    const t = wire();
    const written = t.w.whenWritten('session/prompt');
    const writer = t.w.stream.writable.getWriter();
    await writer.write({ jsonrpc: '2.0', id: 1, method: 'session/prompt', params: {} });
    expect(await written).toBe(true);
    expect(String(t.output.read())).toContain('"session/prompt"');
    const pending = t.w.whenWritten('session/prompt');
    t.input.end();
    await tick();
    expect(await pending).toBe(false);
  });
});
