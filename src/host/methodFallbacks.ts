import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { RouteAccess } from './auth.js';
import { sendError } from './replies.js';

interface Served {
  readonly methods: Set<string>;
  access: RouteAccess | undefined;
}

/**
 * Answers 405 with `Allow` for a method a path does not serve (instead of 404): watches the routes
 * as they are registered, then `register()` adds one fallback route per path for the other methods.
 * The fallbacks are routes like any other, so the router decodes their paths the same way and they
 * need the token unless every route of their path is public.
 */
export class MethodFallbacks {
  private readonly paths = new Map<string, Served>();

  constructor(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      if (route.config?.allow !== undefined) return; // one of ours
      const served = this.paths.get(route.url!) ?? { methods: new Set<string>(), access: route.config?.access };
      for (const method of [route.method].flat()) served.methods.add(method);
      if (route.config?.access !== 'public') served.access = undefined;
      this.paths.set(route.url!, served);
    });
  }

  register(app: FastifyInstance): void {
    for (const [url, served] of this.paths) {
      const allow = [...served.methods].sort().join(', ');
      const missing = app.supportedMethods.filter((m) => !served.methods.has(m)) as HTTPMethods[];
      if (missing.length === 0) continue;
      const access = served.access === 'public' ? ({ access: 'public' } as const) : {};
      app.route({
        method: missing,
        url,
        exposeHeadRoute: false,
        config: { ...access, allow },
        handler: (request, reply) =>
          sendError(reply.header('allow', allow), 405, 'method_not_allowed', `${request.method} is not served here; allowed: ${allow}`),
      });
    }
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on a 405 fallback route: the methods its path serves. */
    allow?: string;
  }
}
