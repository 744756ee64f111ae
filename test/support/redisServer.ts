import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** How a private server keeps its data: not at all, AOF fsynced on every write, or AOF once a second. */
export type Persistence = 'none' | 'aof-always' | 'aof-everysec';

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

/** Whether `redis-server` can be started here. */
export async function canSpawnRedis(): Promise<boolean> {
  const command = process.env.REDIS_SERVER ?? 'redis-server';
  const spawnable = await new Promise<boolean>((resolve) => {
    const child = spawn(command, ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
  // As with the shared Redis: in CI a fault test never skips silently for want of a server.
  if (!spawnable && process.env.CI) throw new Error(`the Redis fault tests need ${command} in CI, and it cannot be started`);
  if (!spawnable) console.warn(`skipping Redis fault tests: ${command} cannot be started (set REDIS_SERVER or install redis-server)`);
  return spawnable;
}

/**
 * A private redis-server (a child process on a loopback port, its own data directory), for fault
 * tests: killed, restarted, frozen (SIGSTOP), rolled back to an older snapshot, always by its own pid,
 * never touching the shared Redis. `start()` answers once it serves.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'wr-redis-'));
  private aof: boolean;

  constructor(
    readonly port: number,
    private readonly persistence: Persistence = 'none',
  ) {
    this.aof = persistence !== 'none';
  }

  static async create(persistence: Persistence = 'none'): Promise<PrivateRedis> {
    const server = new PrivateRedis(await freePort(), persistence);
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const aof = this.aof ? ['--appendonly', 'yes', '--appendfsync', this.persistence === 'aof-everysec' ? 'everysec' : 'always'] : ['--appendonly', 'no'];
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--dbfilename', 'dump.rdb', '--save', '', ...aof, '--daemonize', 'no'];
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

  /** SIGKILL: no shutdown, no save (what was fsynced to the AOF survives). */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP: connections stay open, nothing answers. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /** An RDB snapshot of the data as it is now, to come back to with `rollBack`. */
  async snapshot(): Promise<void> {
    await this.admin(async (redis) => void (await redis.call('SAVE')));
    copyFileSync(join(this.dir, 'dump.rdb'), join(this.dir, 'snapshot.rdb'));
  }

  /** Kills the server and starts it from the snapshot: Redis is back, with older data (AOF off from then on). */
  async rollBack(): Promise<void> {
    await this.kill();
    rmSync(join(this.dir, 'appendonlydir'), { recursive: true, force: true });
    copyFileSync(join(this.dir, 'snapshot.rdb'), join(this.dir, 'dump.rdb'));
    this.aof = false;
    await this.start();
  }

  /** Runs `work` with a plain client of this server. */
  async admin<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis(this.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      return await work(redis);
    } finally {
      redis.disconnect();
    }
  }

  /** Calls per command since the last `resetStats` (`INFO commandstats`), e.g. `{ xread: 12, evalsha: 40 }`. */
  commandStats(): Promise<Record<string, number>> {
    return this.admin(async (redis) => {
      const info = (await redis.info('commandstats')) as string;
      const stats: Record<string, number> = {};
      for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) stats[match[1]!] = Number(match[2]);
      return stats;
    });
  }

  resetStats(): Promise<void> {
    return this.admin(async (redis) => void (await redis.config('RESETSTAT')));
  }

  /** Kills the server (thawing it first) and removes its data directory. */
  async dispose(): Promise<void> {
    this.thaw();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
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
