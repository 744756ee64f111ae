import { describe, expect, it } from 'vitest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestsAtDebug } from '../../src/host/requestLog.js';

/** A pino-like logger at `level` that records what it is asked to write. */
function logger(level: 'info' | 'debug') {
  const lines: { level: string; msg: string }[] = [];
  const write = (name: string) => (_fields: unknown, msg: string) => void lines.push({ level: name, msg });
  const log = {
    level,
    isLevelEnabled: (l: string) => (level === 'debug' ? true : l !== 'debug' && l !== 'trace'),
    debug: write('debug'),
    info: write('info'),
    error: write('error'),
  };
  return { log, lines };
}

function exchange(level: 'info' | 'debug') {
  const { log, lines } = logger(level);
  let timed = 0;
  const request = { log, raw: { method: 'GET', url: '/v1/workers' } } as unknown as FastifyRequest;
  const reply = {
    log,
    statusCode: 200,
    get elapsedTime() {
      timed++;
      return 1.5;
    },
  } as unknown as FastifyReply;
  return { request, reply, lines, timed: () => timed };
}

describe('RequestsAtDebug', () => {
  it('at info a request costs no log work: no line, no response time read', () => {
    const controller = new RequestsAtDebug();
    const { request, reply, lines, timed } = exchange('info');
    controller.incomingRequest(request);
    controller.requestCompleted(null, request, reply);
    controller.routeNotFound(request);
    expect(lines).toEqual([]);
    expect(timed()).toBe(0);
  });

  it('at info a request that errored is still an error line; at debug requests are debug lines', () => {
    const controller = new RequestsAtDebug();
    const info = exchange('info');
    controller.requestCompleted(new Error('socket hang up'), info.request, info.reply);
    expect(info.lines).toEqual([{ level: 'error', msg: 'request errored' }]);
    const debug = exchange('debug');
    controller.incomingRequest(debug.request);
    controller.requestCompleted(null, debug.request, debug.reply);
    expect(debug.lines).toEqual([
      { level: 'debug', msg: 'incoming request' },
      { level: 'debug', msg: 'request completed' },
    ]);
  });
});
