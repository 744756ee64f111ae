import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { WorkerRuntime } from '../application/workerRuntime.js';
import { tokenGate } from './auth.js';
import { clientErrorReply, closingGate, connectReply, frameworkErrorReply, installErrorReplies } from './errorReplies.js';
import type { HostConfig } from './hostConfig.js';
import { installJsonBody } from './jsonBody.js';
import { MethodFallbacks } from './methodFallbacks.js';
import type { RequestGate } from './requestGate.js';
import { hostAndOriginGate } from './requestPolicy.js';
import type { TokenCheck } from './security.js';
import { answerRefusedHandshakes, upgradeGate } from './upgradePolicy.js';
import { WsKeepalive } from './wsKeepalive.js';

/** Fastify options of the edge: every refusal before a route runs gets the host's error body. */
export function edgeServerOptions(config: HostConfig): Partial<FastifyServerOptions> & { http: { requireHostHeader: false } } {
  return {
    frameworkErrors: frameworkErrorReply,
    clientErrorHandler: clientErrorReply,
    // A request without Host gets the host's error body from the policy hook, not node's empty 400.
    http: { requireHostHeader: false },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: false, // closingGate answers instead, with the host's error body
  };
}

export interface HttpEdge {
  /** Registers the 405 fallbacks: call last, in the plugin that registered the routes. */
  readonly fallbacks: MethodFallbacks;
  readonly keepalive: WsKeepalive;
  /** From now on every new request is 503 (the server is closing). */
  closing(): void;
  /** Ends WebSocket peers that did not answer the close handshake. */
  terminateWebSockets(): void;
}

/**
 * The hostile-client edge around the routes. onRequest, in this order: closing, Host and origin,
 * upgrade shape, then the token of the matched route (deny by default); then one error body for
 * every refusal, the bounded JSON parser, 405 for unserved methods and WebSocket keepalive.
 */
export function installHttpEdge(app: FastifyInstance, config: HostConfig, runtime: WorkerRuntime, tokens: TokenCheck): HttpEdge {
  let serverClosing = false;
  app.server.on('connect', connectReply);
  const gates: RequestGate[] = [closingGate(() => serverClosing), hostAndOriginGate(hostPolicyOf(config)), upgradeGate(), tokenGate(tokens)];
  app.addHook('onRequest', (request, reply, done) => {
    for (const gate of gates) if (gate(request, reply)) return; // it answered: the request goes no further
    done();
  });
  answerRefusedHandshakes(app);
  installErrorReplies(app, runtime, config.bodyLimitBytes);
  installJsonBody(app);
  const keepalive = new WsKeepalive(config.streams.wsPingMs);
  app.addHook('onClose', async () => keepalive.stop());
  return {
    fallbacks: new MethodFallbacks(app),
    keepalive,
    closing: () => void (serverClosing = true),
    terminateWebSockets: () => {
      for (const socket of app.websocketServer.clients) socket.terminate();
    },
  };
}

/** The names and origins the config serves: the listen host (unless a wildcard) and the public origin come with it. */
function hostPolicyOf(config: HostConfig): { hosts: string[]; origins: string[] } {
  const listen = config.listen.host;
  const hosts = [...config.allowedHosts, ...(listen === '0.0.0.0' || listen === '::' ? [] : [listen])];
  const origins = [...config.allowedOrigins];
  if (config.publicOrigin) {
    hosts.push(new URL(config.publicOrigin).hostname);
    origins.push(config.publicOrigin);
  }
  return { hosts, origins };
}
