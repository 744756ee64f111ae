import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { rawErrorResponse } from './errorReplies.js';
import { sendError } from './replies.js';

/**
 * A request the server handed over as an upgrade gets the host's error body when it cannot be one:
 * an upgrade of a route that is not a WebSocket (e.g. `Upgrade: h2c`), or a WebSocket handshake the
 * `ws` library refuses (bad key, version, subprotocol or extension header), which it would otherwise
 * answer with a plain-text body.
 */
export function installUpgradePolicy(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if ((request.raw as { upgrade?: boolean }).upgrade !== true || request.is404) return;
    if (request.routeOptions.config.access !== 'websocket') {
      return sendError(reply, 400, 'upgrade_not_supported', 'this route does not upgrade: send it without an Upgrade header');
    }
  });
  app.addHook('onReady', async () => {
    app.websocketServer.on('wsClientError', (error: Error, socket: Duplex) => {
      const version = /Version/.test(error.message) ? { 'sec-websocket-version': '13, 8' } : undefined;
      rawErrorResponse(socket, 400, 'invalid_upgrade', 'not a valid WebSocket handshake', version);
    });
  });
}
