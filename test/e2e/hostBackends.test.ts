import { ContainerModule } from 'inversify';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHost, type Host } from '../../src/host/createHost.js';
import { HostConfigError } from '../../src/host/loadConfig.js';
import { ExecutionBackendPort } from '../../src/ports/executionBackendPort.js';
import { FakeExecutionBackend, fakeBackendModule } from '../../src/testing/index.js';

const quiet = { logStream: { write: () => undefined } };
let host: Host | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

const failure = (run: () => unknown): HostConfigError => {
  try {
    run();
  } catch (error) {
    if (error instanceof HostConfigError) return error;
    throw error;
  }
  throw new Error('expected a HostConfigError');
};

describe('createHost and backends', () => {
  it('accepts the config file shape as is (no parseConfig first) and applies the defaults', async () => {
    host = createHost({ listen: { port: 0 }, profiles: { scripted: { backend: 'fake' } } }, quiet);
    expect(await host.listen()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.runtime.profiles()).toEqual([{ name: 'scripted', displayName: null, backend: 'fake', available: true, busyPolicy: 'reject', busyPolicies: ['reject'] }]);
  });

  it('a malformed config is a HostConfigError naming the field, not a TypeError', () => {
    const error = failure(() => createHost({ listen: { port: -1 }, profiles: [] as never }, quiet));
    expect(error.message).toContain('listen.port');
    expect(error.message).toContain('profiles');
  });

  it('runs a profile on any backend id bound through { backends }, next to the built-in ones the config names', async () => {
    const echo = new FakeExecutionBackend({ backendId: 'echo' });
    const options = z.strictObject({ greeting: z.string() });
    host = createHost(
      { listen: { port: 0 }, profiles: { mine: { backend: 'echo', options: { greeting: 'hi' } }, scripted: { backend: 'fake' } } },
      { ...quiet, backends: [{ backendId: 'echo', module: fakeBackendModule(echo), profileOptions: options }] },
    );
    await host.listen();
    expect(host.runtime.profiles().map((p) => [p.name, p.available])).toEqual([
      ['mine', true],
      ['scripted', true],
    ]);
    const { result } = await host.runtime.create({ workerId: 'w', profile: 'mine' });
    expect(result).toMatchObject({ outcome: 'accepted', reason: 'created' });
    expect(echo.calls.map((c) => c.operation)).toContain('spawn');
  });

  it('a plain ContainerModule works too: its backend ids are read once it is bound', async () => {
    const echo = new FakeExecutionBackend({ backendId: 'echo' });
    const module = new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(echo));
    host = createHost({ listen: { port: 0 }, profiles: { mine: { backend: 'echo' } } }, { ...quiet, backends: [module] });
    await host.listen();
    expect(host.runtime.profiles()[0]).toMatchObject({ name: 'mine', available: true });
  });

  it('a supplied backend wins over the built-in one of the same id', async () => {
    const mine = new FakeExecutionBackend({ backendId: 'fake' });
    host = createHost({ listen: { port: 0 }, profiles: { scripted: { backend: 'fake' } } }, { ...quiet, backends: [fakeBackendModule(mine)] });
    await host.runtime.create({ workerId: 'w', profile: 'scripted' });
    expect(mine.calls.map((c) => c.operation)).toEqual(['spawn']);
  });

  it('checks every profile at start: an unbound id, built-in options and a descriptor\'s options', () => {
    const options = z.strictObject({ greeting: z.string() });
    const error = failure(() =>
      createHost(
        {
          profiles: {
            ghost: { backend: 'ghost' },
            agent: { backend: 'acp' },
            mine: { backend: 'echo', options: { greeting: 7 } },
            offline: { backend: null },
          },
        },
        { ...quiet, backends: [{ backendId: 'echo', module: fakeBackendModule({ backendId: 'echo' }), profileOptions: options }] },
      ),
    );
    expect(error.issues.map((i) => i.path)).toEqual(['profiles.ghost.backend', 'profiles.agent.options', 'profiles.mine.options.greeting']);
    expect(error.message).toContain('no backend "ghost" is bound; built-in: fake, acp, workerBridge; bound by this host: echo');
  });
});
