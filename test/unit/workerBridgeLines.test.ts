import { describe, expect, it } from 'vitest';
import { LineDecoder, type LineFault, type WireEvent } from '../../src/adapters/workerBridge/lineDecoder.js';
import { SubmissionTracker, type SubmissionOutcome } from '../../src/adapters/workerBridge/submissionTracker.js';

function decoder(max = 1024) {
  const seen: (WireEvent | LineFault)[] = [];
  const lines = new LineDecoder(max, { event: (e) => void seen.push(e), fault: (f) => void seen.push(f) });
  return { lines, seen };
}

describe('LineDecoder', () => {
  it('splits lines across chunks (multi-byte characters included), skips blank ones, keeps an unterminated last line', () => {
    const { lines, seen } = decoder();
    const bytes = Buffer.from('{"event":"text_delta","data":{"text":"héllo ✓"}}\n\n  \r\n{"event":"thinking_start"}\n{"event":"a","data":null}');
    for (let i = 0; i < bytes.length; i += 3) lines.push(bytes.subarray(i, i + 3));
    lines.end();
    expect(seen).toEqual([{ event: 'text_delta', data: { text: 'héllo ✓' } }, { event: 'thinking_start' }, { event: 'a' }]);
  });

  it('reports bad lines and goes on; an oversized line is discarded up to its newline, never buffered past the limit', () => {
    const { lines, seen } = decoder(64);
    lines.push(Buffer.from('nope\n[1]\n{"data":{}}\n{"event":"ok","x":1}\n'));
    lines.push(Buffer.from(`{"event":"big","data":{"t":"${'x'.repeat(50)}`));
    lines.push(Buffer.from(`${'y'.repeat(100)}"}}\n{"event":"after"}\n`));
    lines.push(Buffer.from(`{"event":"big2","data":"${'z'.repeat(100)}"}\n{"event":"last"}\n`));
    expect(seen).toEqual(['not_json', 'not_event', 'not_event', { event: 'ok' }, 'too_large', { event: 'after' }, 'too_large', { event: 'last' }]);
  });
});

describe('SubmissionTracker', () => {
  const run = { kind: 'user' as const, segments: [{ kind: 'text' as const, content: 'hi' }] };
  const settled = async (outcome: Promise<SubmissionOutcome>) => Promise.race([outcome, new Promise((r) => setTimeout(r, 10, 'pending'))]);

  it('commits a run on the first matching user_message after arming (key order aside)', async () => {
    const tracker = new SubmissionTracker('segments');
    const { outcome, arm } = tracker.begin(run);
    tracker.observe({ event: 'user_message', data: { segments: [{ content: 'hi', kind: 'text' }] } }); // before arming: ignored
    arm();
    tracker.observe({ event: 'user_message', data: { segments: [{ kind: 'text', content: 'other' }] } });
    expect(await settled(outcome)).toBe('pending');
    tracker.observe({ event: 'user_message', data: { segments: [{ content: 'hi', kind: 'text' }] } });
    expect(await outcome).toEqual({ kind: 'committed' });
    expect(tracker.waiting).toBe(false);
  });

  it('reads error answers: already_running is busy, anything else refused; first mode takes any user_message', async () => {
    const tracker = new SubmissionTracker('first');
    let pending = tracker.begin(run);
    pending.arm();
    tracker.observe({ event: 'error', data: { code: 'already_running', message: 'x' } });
    expect(await pending.outcome).toEqual({ kind: 'busy' });
    pending = tracker.begin({ kind: 'notify', message: 'n' });
    pending.arm();
    tracker.observe({ event: 'error', data: { code: 'invalid_request', message: 'x' } });
    expect(await pending.outcome).toEqual({ kind: 'refused', code: 'invalid_request' });
    pending = tracker.begin(run);
    pending.arm();
    tracker.observe({ event: 'user_message', data: { segments: [{ kind: 'text', content: 'rewritten' }] } });
    expect(await pending.outcome).toEqual({ kind: 'committed' });
    const stale = tracker.begin(run);
    const next = tracker.begin(run);
    stale.arm(); // an older submission's arm step must not arm the newer one
    tracker.observe({ event: 'user_message', data: { segments: run.segments } });
    expect(await stale.outcome).toEqual({ kind: 'abandoned' });
    expect(await settled(next.outcome)).toBe('pending');
  });
});
