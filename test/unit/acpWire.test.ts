import { PassThrough } from 'node:stream';
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
