import type { FastifyInstance } from 'fastify';
import { ContainerModule } from 'inversify';
import { createHost, type Host } from '../../src/host/createHost.js';
import { HostConfigSchema, type HostConfigInput } from '../../src/host/hostConfig.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { FakeExecutionBackend, type FakeExecutionBackendOptions } from '../../src/testing/index.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface HostFixture {
  host: Host;
  url: string;
  fake: FakeExecutionBackend;
  limited: FakeExecutionBackend;
  logs: string[];
  /** fetch with the bearer token. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string }>;
  close(): Promise<void>;
}

/**
 * A real host on a real socket (port 0) with FAKE backends: profile `fake` (all capabilities),
 * `limited` (no stop, cancel, method, snapshot, decide), `none` (no backend).
 */
export async function startHost(
  options: {
    config?: Partial<HostConfigInput>;
    fake?: FakeExecutionBackendOptions;
    limited?: FakeExecutionBackendOptions;
    /** Called with the fastify instance before it starts (an `onRoute` hook sees every route registered). */
    onApp?: (app: FastifyInstance) => void;
  } = {},
): Promise<HostFixture> {
  const fake = new FakeExecutionBackend({ backendId: 'fake', ...options.fake });
  const limited = new FakeExecutionBackend({
    backendId: 'limited',
    capabilities: { stop: false, cancel: false, method: false, snapshot: false, restore: false, decide: false },
    ...options.limited,
  });
  const logs: string[] = [];
  const config = HostConfigSchema.parse({
    listen: { host: '127.0.0.1', port: 0 },
    token: TOKEN,
    log: { level: 'info' },
    profiles: { fake: { backend: 'fake' }, none: { backend: null } },
    ...options.config,
  });
  // `limited` is not a config kind: the test binds it and names it in the profiles directly.
  config.profiles.limited = { backend: 'limited' as never };
  const host = createHost(config, {
    logStream: { write: (line: string) => void logs.push(line) },
    backends: [
      new ContainerModule(({ bind }) => {
        bind(ExecutionBackendPort).toConstantValue(fake);
        bind(ExecutionBackendPort).toConstantValue(limited);
      }),
    ],
  });
  options.onApp?.(host.app);
  const url = await host.listen();
  const call: HostFixture['call'] = async (method, path, body, headers = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { status: response.status, body: parsed, text };
  };
  return { host, url, fake, limited, logs, call, close: () => host.close() };
}
