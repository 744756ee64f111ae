import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcpUpdateMapper } from '../../src/adapters/acp/acpUpdateMapper.js';
import { decidePermission } from '../../src/adapters/acp/acpPermissions.js';
import { parseProtocolEvent } from '../../src/domain/protocolEvent.js';

const chunk = (text: string, messageId?: string) => ({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text }, ...(messageId && { messageId }) });

describe('AcpUpdateMapper', () => {
  it('closes a text block when its messageId changes and at flush; every event is schema-valid', () => {
    const mapper = new AcpUpdateMapper();
    const events = [
      ...mapper.map(chunk('a', 'm1'), 'live'),
      ...mapper.map(chunk('b', 'm1'), 'live'),
      ...mapper.map(chunk('c', 'm2'), 'live'),
      ...mapper.flush(),
    ];
    expect(events).toEqual([
      { event: 'text_delta', data: { text: 'a' } },
      { event: 'text_delta', data: { text: 'b' } },
      { event: 'text_done', data: { text: 'ab' } },
      { event: 'text_delta', data: { text: 'c' } },
      { event: 'text_done', data: { text: 'c' } },
    ]);
    for (const event of events) expect(parseProtocolEvent(event).ok).toBe(true);
  });

  it('carries unknown kinds and non-text content as acp_* events, odd kind names as acp_update', () => {
    const mapper = new AcpUpdateMapper();
    const image = { sessionUpdate: 'agent_message_chunk', content: { type: 'image', data: 'AAAA', mimeType: 'image/png' } };
    expect(mapper.map(image, 'live')).toEqual([{ event: 'acp_agent_message_chunk', data: { content: image.content } }]);
    expect(mapper.map({ sessionUpdate: 'Weird-Kind!', x: 1, _meta: { secret: 1 } }, 'live')).toEqual([{ event: 'acp_update', data: { kind: 'Weird-Kind!', x: 1 } }]);
    const huge = mapper.map({ sessionUpdate: 'plan', entries: ['x'.repeat(70_000)] }, 'live');
    expect(huge[0]!.data).toMatchObject({ truncated: true });
    for (const event of huge) expect(parseProtocolEvent(event).ok).toBe(true);
  });

  it('skips live user echoes but turns replayed user chunks into one user_message', () => {
    const mapper = new AcpUpdateMapper();
    const user = (text: string) => ({ sessionUpdate: 'user_message_chunk', content: { type: 'text', text } });
    expect(mapper.map(user('hi'), 'live')).toEqual([]);
    expect([...mapper.map(user('hel'), 'replay'), ...mapper.map(user('lo'), 'replay'), ...mapper.map(chunk('yes'), 'replay')]).toEqual([
      { event: 'user_message', data: { segments: [{ kind: 'text', content: 'hello' }] } },
      { event: 'text_delta', data: { text: 'yes' } },
    ]);
  });

  it('an update for an unannounced tool call starts it first', () => {
    const mapper = new AcpUpdateMapper();
    expect(mapper.map({ sessionUpdate: 'tool_call_update', toolCallId: 't', status: 'failed' }, 'live').map((e) => e.event)).toEqual([
      'tool_call_start',
      'tool_call_done',
      'tool_result',
    ]);
  });

  it('a finished tool call carries the ACP diffs it showed, paths relative to the session cwd', () => {
    const mapper = new AcpUpdateMapper(undefined, '/srv/projects/demo');
    const diff = { type: 'diff', path: '/srv/projects/demo/src/a.ts', oldText: 'x\n', newText: 'y\n' };
    mapper.map({ sessionUpdate: 'tool_call', toolCallId: 't', title: 'Edit a.ts', kind: 'edit', status: 'pending', rawInput: {} }, 'live');
    mapper.map({ sessionUpdate: 'tool_call_update', toolCallId: 't', content: [diff, { type: 'diff', path: '/elsewhere/b.ts', newText: 'new' }] }, 'live');
    const [result] = mapper.map({ sessionUpdate: 'tool_call_update', toolCallId: 't', status: 'completed' }, 'live');
    expect(result).toEqual({
      event: 'tool_result',
      data: {
        id: 't',
        summary: 'Edit a.ts',
        output: { diffs: [{ path: 'src/a.ts', old_text: 'x\n', new_text: 'y\n' }, { path: '/elsewhere/b.ts', old_text: null, new_text: 'new' }] },
        is_error: false,
      },
    });
  });
});

describe('decidePermission', () => {
  const request = (kinds: string[], toolKind = 'edit') => ({
    sessionId: 's',
    toolCall: { toolCallId: 't', title: 'T', kind: toolKind },
    options: kinds.map((kind) => ({ optionId: kind, name: kind, kind })),
  });
  const policy = (p: 'reject' | 'allow_once' | 'allow_always' | 'ask', allowToolKinds: string[] = []) => ({ policy: p, allowToolKinds });

  it('follows the policy, falls back to cancelled, and answers cancelled during a cancel', () => {
    const all = ['allow_once', 'allow_always', 'reject_once', 'reject_always'];
    expect(decidePermission(request(all), policy('reject'), false)?.option?.kind).toBe('reject_once');
    expect(decidePermission(request(['allow_once', 'reject_always']), policy('reject'), false)?.option?.kind).toBe('reject_always');
    expect(decidePermission(request(['allow_once']), policy('reject'), false)?.response).toEqual({ outcome: { outcome: 'cancelled' } });
    expect(decidePermission(request(all), policy('allow_always'), false)?.option?.kind).toBe('allow_always');
    expect(decidePermission(request(['reject_once']), policy('allow_once'), false)?.option?.kind).toBe('reject_once');
    expect(decidePermission(request(all, 'read'), policy('reject', ['read']), false)).toMatchObject({ option: { kind: 'allow_once' }, rule: 'allowed_kind' });
    expect(decidePermission(request(all), policy('allow_always'), true)?.response).toEqual({ outcome: { outcome: 'cancelled' } });
  });

  it('under ask leaves the question to a person, except listed tool kinds and a cancelled turn', () => {
    const all = ['allow_once', 'reject_once'];
    expect(decidePermission(request(all), policy('ask'), false)).toBeNull();
    expect(decidePermission(request(all, 'read'), policy('ask', ['read']), false)).toMatchObject({ option: { kind: 'allow_once' }, rule: 'allowed_kind' });
    expect(decidePermission(request(all, 'edit'), policy('ask', ['read']), false)).toBeNull();
    expect(decidePermission(request(all), policy('ask'), true)).toMatchObject({ rule: 'cancelled', response: { outcome: { outcome: 'cancelled' } } });
  });
});

describe('AcpUpdateMapper: the assembly bound is in JSON bytes', () => {
  it('escapes, multi-byte and astral characters count as the bytes they take; the cut is whole and marked', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', '"', '\n', '\\', '漢', '😀', '\u0001'), maxLength: 40 }), { maxLength: 80 }), (chunks) => {
        const mapper = new AcpUpdateMapper(256);
        for (const text of chunks) mapper.map({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } }, 'live');
        const done = mapper.flush().find((e) => e.event === 'text_done')?.data as { text: string; truncated?: boolean } | undefined;
        const whole = chunks.join('');
        if (whole === '') return;
        expect(Buffer.byteLength(JSON.stringify(done!.text)) - 2).toBeLessThanOrEqual(256);
        expect(whole.startsWith(done!.text)).toBe(true);
        expect(done!.truncated === true).toBe(done!.text !== whole);
        expect(/[\ud800-\udbff]$/.test(done!.text)).toBe(false);
      }),
    );
  });
});
