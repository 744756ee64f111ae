import { describe, expect, it } from 'vitest';

// Imports through the package's own `exports` map (the built dist), as a host or adapter author would.
describe('package exports', () => {
  it('exposes the core from "worker-runtime"', async () => {
    const core = await import('worker-runtime');
    expect(typeof core.createRuntimeContainer).toBe('function');
    expect(typeof core.WorkerRuntime).toBe('function');
    expect(typeof core.ExecutionBackendPort).toBe('symbol');
  });

  it('exposes each heavy adapter behind its own subpath', async () => {
    expect(typeof (await import('worker-runtime/acp')).AcpExecutionBackend).toBe('function');
    expect(typeof (await import('worker-runtime/worker-bridge')).WorkerBridgeExecutionBackend).toBe('function');
    expect(typeof (await import('worker-runtime/redis')).RedisObservationBus).toBe('function');
    expect(typeof (await import('worker-runtime/redis-catalog')).RedisWorkerCatalog).toBe('function');
    expect(typeof (await import('worker-runtime/host')).createHost).toBe('function');
  });

  it('exposes the conformance suites and the fake from "worker-runtime/testing"', async () => {
    const testing = await import('worker-runtime/testing');
    expect(typeof testing.describeExecutionBackendConformance).toBe('function');
    expect(typeof testing.describeObservationBusConformance).toBe('function');
    expect(typeof testing.FakeExecutionBackend).toBe('function');
  });
});
