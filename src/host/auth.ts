import { sendError } from './replies.js';
import type { RequestGate } from './requestGate.js';
import type { TokenCheck } from './security.js';

/**
 * Who may call a route, set in its `config.access`. Absent means the bearer token is required: a
 * route is protected unless it is marked public (deny by default). `websocket` also accepts the token
 * as a `bearer.<token>` subprotocol, and only on a real upgrade (browsers cannot set headers there).
 */
export type RouteAccess = 'public' | 'websocket';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/**
 * Checks the token for the route the router matched, never for the raw URL: a percent-encoded path
 * or an absolute-form target reaches the same route, so it meets the same check. An unmatched request
 * goes on to the 404 handler, which answers the same with or without a token.
 */
export function tokenGate(tokens: TokenCheck): RequestGate {
  return (request, reply) => {
    if (request.is404) return false;
    const access = request.routeOptions.config.access;
    if (access === 'public') return false;
    // `upgrade` is true only for a request the server handed to its 'upgrade' listener (a real upgrade).
    const subprotocol = access === 'websocket' && (request.raw as { upgrade?: boolean }).upgrade === true;
    if (tokens.matches(tokens.presented(request.headers, subprotocol))) return false;
    sendError(reply.header('www-authenticate', 'Bearer'), 401, 'unauthorized', 'a valid bearer token is required');
    return true;
  };
}
