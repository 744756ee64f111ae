import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { rawErrorResponse } from './errorReplies.js';
import { sendError } from './replies.js';
import type { RequestGate } from './requestGate.js';

/**
 * A request the server handed over as an upgrade gets the host's error body when it cannot be one:
 * an upgrade of a route that is not a WebSocket (e.g. `Upgrade: h2c`), or a WebSocket handshake the
 * `ws` library refuses (bad key, version, subprotocol or extension header), which it would otherwise
 * answer with a plain-text body.
 */
export function upgradeGate(): RequestGate {
  return (request, reply) => {
    if ((request.raw as { upgrade?: boolean }).upgrade !== true || request.is404) return false;
    if (request.routeOptions.config.access === 'websocket') return false;
    sendError(reply, 400, 'upgrade_not_supported', 'this route does not upgrade: send it without an Upgrade header');
    return true;
  };
}

/** Handshakes the `ws` library refuses get the host's error body (it would answer in plain text). */
export function answerRefusedHandshakes(app: FastifyInstance): void {
  app.addHook('onReady', async () => {
    app.websocketServer.on('wsClientError', (error: Error, socket: Duplex) => {
      const version = /Version/.test(error.message) ? { 'sec-websocket-version': '13, 8' } : undefined;
      rawErrorResponse(socket, 400, 'invalid_upgrade', 'not a valid WebSocket handshake', version);
    });
  });
}
