import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHost } from '../../src/host/createHost.js';
import { HostConfigSchema } from '../../src/host/hostConfig.js';
import { eventually } from '../../src/testing/index.js';
import { isAlive, readInfo, testWorkerOptions } from '../support/bridgeWorkerFixture.js';

// The host builds the worker bridge from configuration (`"backend": "workerBridge"`), with no test wiring.
const dir = mkdtempSync(join(tmpdir(), 'wr-bridge-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('host: workerBridge profiles', () => {
  it('creates a Worker on a real worker process, runs input over HTTP, leaks no path, and stops it on close', async () => {
    const info = join(dir, 'info.json');
    const token = 'test-token-0123456789abcdef';
    const config = HostConfigSchema.parse({
      listen: { host: '127.0.0.1', port: 0 },
      token,
      log: { level: 'silent' },
      profiles: { yoi: { backend: 'workerBridge', options: testWorkerOptions(['--info-file', info]) } },
    });
    const host = createHost(config);
    const url = await host.listen();
    const call = async (method: string, path: string, body?: unknown) => {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, text: await response.text() };
    };
    try {
      const created = await call('POST', '/v1/workers', { workerId: 'w', profile: 'yoi' });
      expect(created.status).toBe(201);
      expect(JSON.parse(created.text).worker.state).toBe('idle');
      const input = await call('POST', '/v1/workers/w/input', { kind: 'user', content: 'hello' });
      expect(input.status).toBe(202);
      expect(await eventually(() => host.runtime.get('w')?.state === 'idle')).toBe(true);
      const transcript = await call('GET', '/v1/workers/w/transcript');
      expect(transcript.text).toContain('scripted reply here');
      const { socket, pid } = await readInfo(info);
      for (const body of [created.text, input.text, transcript.text, (await call('GET', '/v1/workers/w')).text]) {
        expect(body).not.toContain(dirname(socket));
      }
      await host.close();
      expect(await eventually(() => !isAlive(pid))).toBe(true);
    } finally {
      await host.close();
    }
  });
});

describe('package exports: worker-runtime/worker-bridge', () => {
  it('exposes the backend, its module factory and its options schema from the built dist', async () => {
    const bridge = await import('worker-runtime/worker-bridge');
    expect(typeof bridge.WorkerBridgeExecutionBackend).toBe('function');
    expect(typeof bridge.workerBridgeBackendModule).toBe('function');
    expect(bridge.SOCKET_ENV).toBe('YOI_WORKER_SOCKET');
    expect(bridge.WorkerBridgeProfileOptionsSchema.safeParse({ socketPath: '/run/yoi/w.sock' }).success).toBe(true);
  });
});
