import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { RandomIds } from '../../src/adapters/system/randomIds.js';
import { SystemClock } from '../../src/adapters/system/systemClock.js';
import { RedisBusOptionsSchema, RedisObservationBus, type RedisBusOptionsInput } from '../../src/adapters/redisBus/index.js';

let unique = 0;

/** A key prefix no other test (or process) uses. */
export function uniquePrefix(tag = 'obs'): string {
  return `wr-test:${tag}:${process.pid}:${Date.now().toString(36)}:${unique++}:`;
}

/** A connected bus over `url`; the caller closes it. */
export async function connectedBus(options: RedisBusOptionsInput): Promise<RedisObservationBus> {
  const bus = new RedisObservationBus(RedisBusOptionsSchema.parse(options), new SystemClock(), new RandomIds());
  await bus.connect();
  return bus;
}

/** Deletes every key under `prefix`. */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private, non-persistent redis-server on `port` (a child process), for fault tests: it can be
 * killed with SIGKILL and started again on the same port without touching the shared Redis.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
    const child = spawn(process.env.REDIS_SERVER ?? 'redis-server', args, { stdio: 'ignore' });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve());
    });
    for (let attempt = 0; attempt < 100; attempt++) {
      if (await pingable(this.url)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`private redis-server on port ${this.port} did not answer`);
  }

  /** SIGKILL: no shutdown, no save. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** Whether `redis-server` can be started here. */
export async function canSpawnRedis(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.env.REDIS_SERVER ?? 'redis-server', ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

async function pingable(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
