import { describe, expect, it } from 'vitest';

// Imports through the package's own `exports` map (the built dist), as a host or adapter author would.
describe('package exports', () => {
  it('exposes the core from "worker-runtime"', async () => {
    const core = await import('worker-runtime');
    expect(typeof core.createRuntimeContainer).toBe('function');
    expect(typeof core.WorkerRuntime).toBe('function');
    expect(typeof core.ExecutionBackendPort).toBe('symbol');
  });

  it('exposes the conformance suites and the fake from "worker-runtime/testing"', async () => {
    const testing = await import('worker-runtime/testing');
    expect(typeof testing.describeExecutionBackendConformance).toBe('function');
    expect(typeof testing.describeObservationBusConformance).toBe('function');
    expect(typeof testing.FakeExecutionBackend).toBe('function');
  });
});
