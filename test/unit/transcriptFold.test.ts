import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Observation } from '../../src/domain/observation.js';
import type { ProtocolEvent } from '../../src/domain/protocolEvent.js';
import { deriveTranscript } from '../../src/domain/transcript.js';

const observations = (events: ProtocolEvent[]): Observation[] =>
  events.map((event, i) => ({ worker: { runtimeId: 'rt', workerId: 'w' }, sequence: i + 1, cursor: `c${i + 1}`, publishedAt: 0, history: false, event }) as Observation);
const user = (content: string): ProtocolEvent => ({ event: 'user_message', data: { segments: [{ kind: 'text', content }] } });
const delta = (text: string): ProtocolEvent => ({ event: 'text_delta', data: { text } });

describe('transcript fold', () => {
  it('a user message closes an open assistant (and thinking) entry: the next reply is its own entry, after it', () => {
    const entries = deriveTranscript(observations([delta('L1 '), { event: 'thinking_delta', data: { text: 't' } }, user('B?'), delta('B1 '), { event: 'thinking_delta', data: { text: 'u' } }]));
    expect(entries.map((e) => [e.kind, 'text' in e ? e.text : '', e.cursor])).toEqual([
      ['assistant', 'L1 ', 'c1'],
      ['thinking', 't', 'c2'],
      ['user', '', 'c3'],
      ['assistant', 'B1 ', 'c4'],
      ['thinking', 'u', 'c5'],
    ]);
  });

  it('property: assistant text between two user messages stays between them', () => {
    const step = fc.oneof(fc.constant<'user'>('user'), fc.string({ minLength: 1, maxLength: 4 }).map(delta));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const events = steps.map((s, i) => (s === 'user' ? user(`u${i}`) : s));
        const expected: string[][] = [[]];
        for (const e of events) if (e.event === 'user_message') expected.push([]); else expected.at(-1)!.push(String(e.data?.text));
        const groups: string[][] = [[]];
        for (const entry of deriveTranscript(observations(events))) {
          if (entry.kind === 'user') groups.push([]);
          else if (entry.kind === 'assistant') groups.at(-1)!.push(entry.text);
        }
        expect(groups.map((g) => g.join(''))).toEqual(expected.map((g) => g.join('')));
      }),
    );
  });
});
