import { afterEach, describe, expect, it } from 'vitest';
import type { HostConfigInput } from '../../src/host/hostConfig.js';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';
import { jsonOf, rawHttp } from '../support/rawHttp.js';

let h: HostFixture | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function start(config: Partial<HostConfigInput> = {}): Promise<{ fixture: HostFixture; port: number }> {
  h = await startHost({ config });
  return { fixture: h, port: Number(new URL(h.url).port) };
}

/** A request with exactly these headers (the token unless `token: false`). */
function get(path: string, headers: Record<string, string>, options: { token?: boolean; method?: string; body?: string } = {}): string {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  if (options.token !== false) lines.push(`Authorization: Bearer ${TOKEN}\r\n`);
  if (options.body !== undefined) lines.push(`Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(options.body)}\r\n`);
  return `${options.method ?? 'GET'} ${path} HTTP/1.1\r\n${lines.join('')}Connection: close\r\n\r\n${options.body ?? ''}`;
}

describe('Host header allow-list (DNS rebinding)', () => {
  it('refuses a host name that is not ours, even with the token and its own origin, and changes nothing', async () => {
    const { fixture, port } = await start();
    const body = JSON.stringify({ workerId: 'rebound', profile: 'fake' });
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, `localhost.evil.example:${port}`]) {
      for (const origin of [undefined, `http://${host}`]) {
        const response = await rawHttp(port, get('/v1/workers', { Host: host, ...(origin ? { Origin: origin } : {}) }, { method: 'POST', body }));
        expect(response.status, host).toBe(403);
        expect(jsonOf(response).error.code).toBe('host_not_allowed');
      }
    }
    const healthz = await rawHttp(port, get('/healthz', { Host: `evil.example:${port}` }, { token: false }));
    expect(healthz.status).toBe(403);
    expect(fixture.host.runtime.list()).toEqual([]);
  });

  it('serves the loopback names, IP addresses and .localhost names by default (any port), case-insensitively', async () => {
    const { port } = await start();
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `[::1]:${port}`, 'localhost', `192.168.1.5:${port}`, `[fe80::1]:${port}`, `app.localhost:${port}`]) {
      const response = await rawHttp(port, get('/v1/workers', { Host: host }));
      expect(response.status, host).toBe(200);
    }
  });

  it('a missing or malformed Host is 400 / 403 with the error body', async () => {
    const { port } = await start();
    const missing = await rawHttp(port, get('/v1/workers', {}));
    expect([missing.status, jsonOf(missing)?.error.code]).toEqual([400, 'host_required']);
    for (const host of ['a b', 'x:y:z', '[::1', 'ex%41mple.com', '']) {
      const response = await rawHttp(port, get('/v1/workers', { Host: host }));
      expect(response.status, JSON.stringify(host)).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(jsonOf(response)?.error.code, JSON.stringify(host)).toMatch(/^(host_required|host_not_allowed|invalid_request)$/);
    }
  });

  it('an absolute-form target naming another host is refused like its Host header would be', async () => {
    const { port } = await start();
    const foreign = await rawHttp(port, get(`http://evil.example:${port}/v1/workers`, { Host: `127.0.0.1:${port}` }));
    expect([foreign.status, jsonOf(foreign)?.error.code]).toEqual([403, 'host_not_allowed']);
    const ours = await rawHttp(port, get(`http://localhost:${port}/v1/workers`, { Host: `127.0.0.1:${port}` }));
    expect(ours.status).toBe(200);
  });

  it('serves the names listed in allowedHosts and the listen host', async () => {
    const { port } = await start({ allowedHosts: ['agents.internal', '10.1.2.3'] });
    for (const host of ['agents.internal', `agents.internal:${port}`, `10.1.2.3:${port}`]) {
      expect((await rawHttp(port, get('/v1/workers', { Host: host }))).status, host).toBe(200);
    }
    expect((await rawHttp(port, get('/v1/workers', { Host: 'other.internal' }))).status).toBe(403);
  });
});

describe('origin behind a TLS proxy', () => {
  const proxied = (port: number) => ({
    Host: `127.0.0.1:${port}`,
    'X-Forwarded-Proto': 'https',
    'X-Forwarded-Host': 'agents.example.com',
    Origin: 'https://agents.example.com',
  });

  it('with trustProxy, the forwarded scheme and host make the console own origin', async () => {
    const { port } = await start({ trustProxy: true, allowedHosts: ['agents.example.com'] });
    expect((await rawHttp(port, get('/v1/workers', proxied(port)))).status).toBe(200);
    const other = await rawHttp(port, get('/v1/workers', { ...proxied(port), Origin: 'https://evil.example' }));
    expect([other.status, jsonOf(other)?.error.code]).toEqual([403, 'origin_not_allowed']);
    // The forwarded host is what the browser asked for: it is checked against the allow-list too.
    const rebound = await rawHttp(port, get('/v1/workers', { ...proxied(port), 'X-Forwarded-Host': 'evil.example', Origin: 'https://evil.example' }));
    expect([rebound.status, jsonOf(rebound)?.error.code]).toEqual([403, 'host_not_allowed']);
  });

  it('without trustProxy, forwarded headers are ignored', async () => {
    const { port } = await start({ allowedHosts: ['agents.example.com'] });
    const response = await rawHttp(port, get('/v1/workers', proxied(port)));
    expect([response.status, jsonOf(response)?.error.code]).toEqual([403, 'origin_not_allowed']);
  });

  it('publicOrigin names the origin and the host browsers use', async () => {
    const { port } = await start({ publicOrigin: 'https://agents.example.com' });
    const response = await rawHttp(port, get('/v1/workers', { Host: 'agents.example.com', Origin: 'https://agents.example.com' }));
    expect(response.status).toBe(200);
    expect((await rawHttp(port, get('/v1/workers', { Host: 'agents.example.com', Origin: 'https://evil.example' }))).status).toBe(403);
  });
});
