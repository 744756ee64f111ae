import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually } from '../../src/testing/index.js';
import { startHost, TOKEN, type HostFixture } from '../support/hostFixture.js';

let h: HostFixture | null = null;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await h?.close();
  h = null;
});

/**
 * A WebSocket peer that upgrades and then never writes again: it answers no ping and no close
 * (a dead laptop, a frozen tab, a hostile client). Resolves once the server answered 101.
 */
async function silentPeer(port: number, token = TOKEN): Promise<{ socket: Socket; closed: Promise<void>; received: () => string }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `GET /v1/workers/w/events/ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: worker-runtime.v1, bearer.${token}\r\n\r\n`,
  );
  const received = () => Buffer.concat(chunks).toString('latin1');
  expect(await eventually(() => received().startsWith('HTTP/1.1 101'), 5_000)).toBe(true);
  return { socket, closed, received };
}

describe('WebSocket keepalive', () => {
  it('a peer that answers no ping is disconnected, so its subscription ends', async () => {
    h = await startHost({ config: { streams: { wsPingMs: 100 } } });
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    const peer = await silentPeer(Number(new URL(h.url).port));
    const outcome = await Promise.race([peer.closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 5_000))]);
    expect(outcome).toBe('closed');
    expect(peer.received()).toContain('\x89'); // it was pinged (opcode 0x9) before being dropped
  });

  it('a peer that answers pings stays connected and keeps receiving', async () => {
    h = await startHost({ config: { streams: { wsPingMs: 100 } } });
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    const socket = new WebSocket(`${h.url.replace('http', 'ws')}/v1/workers/w/events/ws`, ['worker-runtime.v1', `bearer.${TOKEN}`]);
    let pings = 0;
    const frames: unknown[] = [];
    socket.on('ping', () => pings++); // ws answers each ping with a pong by itself
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    expect(await eventually(() => pings >= 4, 5_000)).toBe(true);
    await h.fake.contextOf('w')!.publish({ event: 'text_delta', data: { text: 'still here' } });
    expect(await eventually(() => frames.length === 1)).toBe(true);
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  });
});

describe('shutdown with a WebSocket peer that never answers the close handshake', () => {
  it('close() ends the socket instead of waiting for the handshake', async () => {
    h = await startHost();
    await h.call('POST', '/v1/workers', { workerId: 'w', profile: 'fake' });
    const peer = await silentPeer(Number(new URL(h.url).port));
    const closing = h.close().then(() => 'closed');
    // The ws library alone would wait 30 s for the peer's close frame.
    const outcome = await Promise.race([closing, new Promise((r) => setTimeout(() => r('still waiting'), 10_000))]);
    expect(outcome).toBe('closed');
    await peer.closed;
    expect(peer.received()).toContain('"reason":"shutdown"');
  });

  it('the host process exits 0 on SIGTERM, within its grace period', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wr-ws-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ listen: { port: 0 }, profiles: { demo: { backend: 'fake' } }, shutdownGraceMs: 8_000 }));
    const child = spawn(process.execPath, [join(process.cwd(), 'dist/host/main.js'), '--config', file], {
      env: { PATH: process.env.PATH, WORKER_RUNTIME_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      child.stdout!.on('data', (chunk) => (stdout += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      expect(await eventually(() => /listening on http:\/\/[^:]+:(\d+)/.test(stdout), 10_000)).toBe(true);
      const port = Number(/listening on http:\/\/[^:]+:(\d+)/.exec(stdout)![1]);
      const created = await fetch(`http://127.0.0.1:${port}/v1/workers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ workerId: 'w', profile: 'demo' }),
      });
      expect(created.status).toBe(201);
      await silentPeer(port);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
