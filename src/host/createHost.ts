import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ContainerModule } from 'inversify';
import { redisBusModule } from '../adapters/redisBus/redisBusModule.js';
import { RedisObservationBus } from '../adapters/redisBus/redisObservationBus.js';
import { redisCatalogModule } from '../adapters/redisCatalog/redisCatalogModule.js';
import { RedisWorkerCatalog } from '../adapters/redisCatalog/redisWorkerCatalog.js';
import { WorkerRuntime } from '../application/workerRuntime.js';
import { createRuntimeContainer } from '../container/createRuntimeContainer.js';
import { bindBuiltInBackends, suppliedModules, type HostBackendInput } from './hostBackends.js';
import type { HostConfig, HostConfigInput } from './hostConfig.js';
import { IdempotencyCache } from './idempotencyCache.js';
import { edgeServerOptions, installHttpEdge } from './httpEdge.js';
import { parseConfig } from './loadConfig.js';
import { logDestination } from './logDestination.js';
import { checkProfiles } from './profileCheck.js';
import { RequestsAtDebug } from './requestLog.js';
import { consoleRoutes } from './routes/consoleRoutes.js';
import { decisionRoutes } from './routes/decisionRoutes.js';
import { queueRoutes } from './routes/queueRoutes.js';
import { runtimeRoutes } from './routes/runtimeRoutes.js';
import { streamRoutes } from './routes/streamRoutes.js';
import { workerRoutes } from './routes/workerRoutes.js';
import { generateToken, TokenCheck, WS_PROTOCOL } from './security.js';
import { logWorkerLifecycle } from './workerLog.js';

export interface HostOptions {
  /**
   * Backends profiles may name, by id: descriptors (`{ backendId, module, profileOptions }`, whose options
   * schema is checked at start) or plain modules. They win over the built-in backend of the same id.
   */
  backends?: readonly HostBackendInput[];
  /** Where log lines go (default stdout). */
  logStream?: { write(line: string): void };
  version?: string;
}

export interface Host {
  readonly app: FastifyInstance;
  readonly runtime: WorkerRuntime;
  /** The bearer token: configured, or generated for this start. */
  readonly token: string;
  readonly tokenGenerated: boolean;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /** Ends streams with a final frame, stops live executions through the Runtime, closes the server. */
  close(): Promise<void>;
}

const REDACT = ['req.headers.authorization', 'req.headers["sec-websocket-protocol"]', 'req.headers.cookie', 'token'];

/**
 * Builds the HTTP host around a Runtime wired from the config (the host's composition root). The config
 * is the JSON file's shape (parsed here, defaults applied); every profile's backend must be bound and its
 * options must parse, else this throws a HostConfigError naming the fields.
 */
export function createHost(input: HostConfigInput | HostConfig, options: HostOptions = {}): Host {
  const config = parseConfig(input, 'createHost');
  const token = config.token ?? generateToken();
  const tokens = new TokenCheck(token);
  const stores = storeModules(config);
  const container = createRuntimeContainer({
    runtime: {
      ...config.runtime,
      profiles: Object.fromEntries(
        Object.entries(config.profiles).map(([name, p]) => [name, { backend: p.backend, options: p.options, displayName: p.displayName, busy: p.busy }]),
      ),
    },
    memoryBus: {
      retentionPerWorker: config.bus.retentionPerWorker,
      subscriberQueue: config.bus.subscriberQueue,
      ...(config.bus.kind === 'memory' ? { budgetBytes: config.bus.budgetBytes } : {}),
    },
    ...stores,
    backends: suppliedModules(options.backends),
  });
  const named = Object.values(config.profiles).flatMap((p) => (p.backend ? [p.backend] : []));
  checkProfiles(config, bindBuiltInBackends(container, named), options.backends);
  const runtime = container.get(WorkerRuntime);

  const app = Fastify({
    logger: {
      level: config.log.level,
      redact: { paths: REDACT, censor: '[redacted]' },
      // Paths only: a client may put a credential in a query string; it must not reach the logs.
      serializers: { req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: req.url.split('?')[0], ip: req.ip }) },
      stream: options.logStream ?? logDestination(config.log.format),
    },
    logController: new RequestsAtDebug(),
    ...edgeServerOptions(config),
  });

  logWorkerLifecycle(runtime, app.log);

  app.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      // Accept only our protocol name; the `bearer.<token>` entry is never echoed back.
      handleProtocols: (protocols: Set<string>) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    },
  });

  const edge = installHttpEdge(app, config, runtime, tokens);

  const idempotency = new IdempotencyCache(config.idempotency.maxKeys, config.idempotency.ttlMs);
  app.register(async (scoped) => {
    runtimeRoutes(scoped, runtime, options.version ?? '0.0.0');
    workerRoutes(scoped, runtime, idempotency);
    decisionRoutes(scoped, runtime);
    consoleRoutes(scoped);
    queueRoutes(scoped, runtime);
    streamRoutes(scoped, runtime, config, edge.keepalive);
    edge.fallbacks.register(scoped);
  });

  let closing: Promise<void> | null = null;
  return {
    app,
    runtime,
    token,
    tokenGenerated: config.token === undefined,
    async listen() {
      // Shared stores first (a clear error when Redis is unreachable), then this Runtime's Workers come back.
      if (config.bus.kind === 'redis') await container.get(RedisObservationBus).connect();
      if (config.catalog.kind === 'redis') await container.get(RedisWorkerCatalog).connect();
      for (const restored of await runtime.restoreWorkers()) {
        if (restored.diagnostic?.code === 'catalog_entry_corrupt') app.log.warn({ code: restored.diagnostic.code }, restored.diagnostic.message);
      }
      await app.listen({ host: config.listen.host, port: config.listen.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.listen.port;
      const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
      return `http://${host}:${port}`;
    },
    close() {
      closing ??= (async () => {
        await runtime.shutdown(); // every stream has been sent its final frame
        edge.closing();
        const closed = app.close();
        // Keep-alive sockets left by finished streams would hold close() until the client drops them.
        app.server.closeIdleConnections();
        // Nor may a WebSocket peer that never answers the close handshake hold the shutdown.
        const force = setTimeout(() => {
          app.server.closeAllConnections();
          edge.terminateWebSockets();
        }, 1_000);
        await closed;
        clearTimeout(force);
        if (config.catalog.kind === 'redis') await container.get(RedisWorkerCatalog).close();
      })();
      return closing;
    },
  };
}

/** The bus and catalog the config names (memory ones are the container's defaults). */
function storeModules(config: HostConfig): { bus?: ContainerModule; catalog?: ContainerModule } {
  const { kind: busKind, ...bus } = config.bus;
  const { kind: catalogKind, ...catalog } = config.catalog;
  return {
    ...(busKind === 'redis' ? { bus: redisBusModule(bus) } : {}),
    ...(catalogKind === 'redis' ? { catalog: redisCatalogModule(catalog) } : {}),
  };
}
