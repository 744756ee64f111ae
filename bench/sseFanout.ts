/**
 * Host benchmark 2: SSE fan-out from one Worker to 1, 10 and 1,000 subscribers over real HTTP
 * connections. The headline is the SERVER's CPU time per delivery (one frame reaching one subscriber),
 * from `process.cpuUsage()` in this process, which runs every server and the publisher; the clients
 * live in other processes and are as cheap as a client can be, so they cannot push back.
 *
 * Three servers get the same events in the same ticks, trials interleaved (bare, memory, redis, ...):
 * - bare: a plain `node:http` SSE server holding the responses. Each tick it encodes its events once
 *   into the frames the host sends (same `id:`, `event:`, `data:` JSON, same cursor format), as one
 *   Buffer, and writes that Buffer to every response, keeping a per-response pending list while a response waits for
 *   `drain` (the minimum a correct server does). This is the baseline.
 * - memory: the real host (`createHost`, FAKE backend, memory bus), events published through the
 *   Worker's execution context (the guarded publish hook every backend uses), delivered by
 *   `GET /v1/workers/:id/events`.
 * - redis: the same host on the Redis bus (local Redis at BENCH_REDIS_URL, default
 *   redis://127.0.0.1:6379, a unique key prefix deleted afterwards). Its row also shows the
 *   redis-server process's CPU per delivery (from /proc, when readable): work the bus moves there.
 * Two publishing patterns: bursty (BURST events back to back, then a macrotask) and one-at-a-time
 * (one event per macrotask).
 *
 * Clients: CLIENT_PROCESSES child processes share the subscribers. Each subscriber is a raw `net`
 * socket that sends one HTTP/1.1 request and then only counts frame ends (`\n\n`, found with
 * Buffer.indexOf) in what it reads: no HTTP or SSE parser. At the end of a trial every socket must have
 * counted exactly the frames expected and its last bytes must carry the trial's last id (so no
 * `lagged`/`end` frame stood in for observations); the first socket of each client process and server
 * also keeps everything it read, de-chunks it and checks that the ids are exactly the next sequences.
 * The clients' CPU is reported per trial (busiest client process, 100 % = one core): see the notes.
 *
 * Also: heap per idle subscriber (after full GCs), host vs bare, at 1,000 subscribers.
 * Needs `--expose-gc`; started without it, this script reruns itself with it.
 * Run: npm run bench -- sse   (profile: node --expose-gc --cpu-prof .bench-js/sseFanout.js --only=memory)
 */
import { fork, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http, { type ServerResponse } from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { ExecutionContext, ProtocolEvent, PublishResult } from 'worker-runtime';
import { createHost, HostConfigSchema, type Host } from 'worker-runtime/host';
import { FakeExecutionBackend, fakeBackendModule } from 'worker-runtime/testing';
import { macrotask, mb, median, ratio, report, sanity, si } from './lib.js';

const ROLE = process.env.BENCH_SSE_ROLE;
const SIZES: readonly number[] = process.argv.find((a) => a.startsWith('--sizes='))?.slice('--sizes='.length).split(',').map(Number) ?? [1, 10, 1000];
/** Events per trial by subscriber count and mode (one write per event per subscriber costs ~10-20 µs here). */
const EVENTS: Record<Mode, Record<number, number>> = { bursty: { 1: 6000, 10: 6000, 1000: 400 }, single: { 1: 3000, 10: 3000, 1000: 100 } };
const BURST = 100;
const TRIALS = 3;
const CLIENT_PROCESSES = 2;
const TARGET_BARE = 1.25;
const TARGET_REDIS = 0.7;
const TOKEN = 'bench-token-0123456789abcdef';
const RETRY_MS = 2000;
const TRIAL_TIMEOUT_MS = 180_000;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MODES = (process.argv.find((a) => a.startsWith('--modes='))?.slice('--modes='.length).split(',') ?? ['bursty', 'single']) as Mode[];
const VERBOSE = process.argv.includes('--verbose');
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) as Side | undefined;

type Side = 'bare' | 'memory' | 'redis';
type Mode = 'bursty' | 'single';
type ToClient =
  | { cmd: 'open'; tag: string; port: number; path: string; count: number }
  | { cmd: 'expect'; tag: string; frames: number; lastId: string; firstSequence: number }
  | { cmd: 'close'; tag: string }
  | { cmd: 'exit' };
type FromClient =
  | { type: 'opened'; tag: string }
  | { type: 'expecting'; tag: string }
  | { type: 'closed'; tag: string }
  | { type: 'done'; tag: string; cpuSeconds: number }
  | { type: 'failed'; message: string };

if (ROLE === 'clients') {
  clients();
} else if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------------
// Child process: raw-socket subscribers that count frames.

interface Conn {
  readonly socket: net.Socket;
  frames: number;
  target: number;
  lastNewline: boolean;
  tail: Buffer;
  /** Everything read, for the one socket per group that is fully checked. */
  kept: Buffer[] | null;
}

interface Group {
  readonly conns: Conn[];
  remaining: number;
  cpu: NodeJS.CpuUsage | null;
  lastId: string;
  firstSequence: number;
}

function clients(): void {
  const groups = new Map<string, Group>();
  const send = (message: FromClient): void => void process.send!(message);
  const fail = (message: string): void => {
    send({ type: 'failed', message });
    setTimeout(() => process.exit(1), 100);
  };
  const NN = Buffer.from('\n\n');

  const finish = (tag: string, group: Group): void => {
    const used = process.cpuUsage(group.cpu!);
    group.cpu = null;
    for (const [i, conn] of group.conns.entries()) {
      if (!conn.tail.toString('latin1').includes(`id: ${group.lastId}\n`)) return fail(`${tag} socket ${i}: last frame is not ${group.lastId}: ${JSON.stringify(conn.tail.toString('latin1').slice(-200))}`);
      if (conn.kept) {
        const problem = checkSequences(Buffer.concat(conn.kept).toString('utf8'), group.firstSequence);
        if (problem) return fail(`${tag} socket ${i}: ${problem}`);
        conn.kept = [];
      }
    }
    send({ type: 'done', tag, cpuSeconds: (used.user + used.system) / 1e6 });
  };

  const open = (tag: string, port: number, path: string, count: number): void => {
    const group: Group = { conns: [], remaining: 0, cpu: null, lastId: '', firstSequence: 0 };
    groups.set(tag, group);
    let ready = 0;
    const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nAccept: text/event-stream\r\n\r\n`;
    for (let i = 0; i < count; i++) {
      const socket = net.connect(port, '127.0.0.1');
      const conn: Conn = { socket, frames: 0, target: 0, lastNewline: false, tail: Buffer.alloc(0), kept: i === 0 ? [] : null };
      group.conns.push(conn);
      socket.setNoDelay(true);
      socket.write(request);
      let started = false;
      socket.on('data', (chunk: Buffer) => {
        if (!started) {
          started = true;
          if (!chunk.toString('latin1', 0, 12).startsWith('HTTP/1.1 200')) return fail(`${tag} socket ${i}: ${chunk.toString('latin1', 0, 200)}`);
        }
        let n = conn.lastNewline && chunk[0] === 10 ? 1 : 0;
        for (let at = chunk.indexOf(NN); at >= 0; at = chunk.indexOf(NN, at + 2)) n++;
        conn.lastNewline = chunk[chunk.length - 1] === 10;
        conn.tail = chunk.length >= 256 ? chunk : Buffer.concat([conn.tail, chunk]).subarray(-512);
        conn.kept?.push(chunk);
        const before = conn.frames;
        conn.frames += n;
        if (before === 0 && conn.frames > 0 && ++ready === count) send({ type: 'opened', tag });
        if (group.cpu && before < conn.target && conn.frames >= conn.target && --group.remaining === 0) finish(tag, group);
        if (conn.target > 0 && conn.frames > conn.target) fail(`${tag} socket ${i}: ${conn.frames} frames, expected ${conn.target}`);
      });
      socket.on('error', (error) => fail(`${tag} socket ${i}: ${error.message}`));
      socket.on('end', () => group.cpu && fail(`${tag} socket ${i}: the server ended the stream`));
    }
  };

  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: ToClient) => {
    switch (message.cmd) {
      case 'open':
        return open(message.tag, message.port, message.path, message.count);
      case 'expect': {
        const group = groups.get(message.tag)!;
        group.remaining = group.conns.length;
        group.lastId = message.lastId;
        group.firstSequence = message.firstSequence;
        for (const conn of group.conns) {
          conn.target = conn.frames + message.frames;
          if (conn.kept) conn.kept = [];
        }
        group.cpu = process.cpuUsage();
        return send({ type: 'expecting', tag: message.tag });
      }
      case 'close': {
        const group = groups.get(message.tag)!;
        groups.delete(message.tag);
        for (const conn of group.conns) conn.socket.destroy();
        return send({ type: 'closed', tag: message.tag });
      }
      case 'exit':
        return process.exit(0);
    }
  });
}

/** De-chunks an HTTP/1.1 chunked body (from a chunk boundary) and checks the frames' ids run on. */
function checkSequences(raw: string, first: number): string | null {
  let body = '';
  for (let at = 0; at < raw.length; ) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) return `truncated chunk header at ${at}`;
    const size = Number.parseInt(raw.slice(at, eol), 16);
    if (!Number.isFinite(size)) return `bad chunk header ${JSON.stringify(raw.slice(at, eol + 2))}`;
    body += raw.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
  let expected = first;
  for (const frame of body.split('\n\n')) {
    if (frame === '') continue;
    const match = /^id: c1\.[^.]+\.(\d+)\nevent: observation\ndata: (\{.*\})$/.exec(frame);
    if (!match || Number(match[1]) !== expected) return `expected the frame of sequence ${expected}, got ${JSON.stringify(frame.slice(0, 200))}`;
    const data = JSON.parse(match[2]!) as { sequence: number; replayed: boolean; event: { data: { text: string } } };
    if (data.sequence !== expected || data.replayed || data.event.data.text !== `token ${expected} `) return `wrong data at ${expected}`;
    expected++;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Parent: the servers, the publisher and the measurements.

interface Trial {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly clientBusy: number;
  readonly redisSeconds: number | null;
  readonly deliveries: number;
}

async function main(): Promise<void> {
  const gc = (globalThis as unknown as { gc: () => void }).gc;
  const eventAt = (seq: number): ProtocolEvent => ({ event: 'text_delta', data: { text: `token ${seq} ` } });
  const perWorker = (EVENTS.bursty[1]! + EVENTS.single[1]!) * (TRIALS + 1) + 1000;

  // --- the hosts: FAKE backend, no client can lag, heartbeats out of the way ---
  const keyPrefix = `wr-bench:sse:${process.pid}:${Date.now().toString(36)}:`;
  const redisAdmin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redisAdmin.on('error', () => undefined);
  const redisUp = await redisAdmin.connect().then(
    () => true,
    () => false,
  );
  const redisPid = redisUp ? Number(/process_id:(\d+)/.exec(await redisAdmin.info('server'))?.[1]) : NaN;
  const makeHost = async (bus: object): Promise<{ host: Host; fake: FakeExecutionBackend; url: URL }> => {
    const fake = new FakeExecutionBackend({ backendId: 'fake' });
    const config = HostConfigSchema.parse({
      listen: { host: '127.0.0.1', port: 0 },
      token: TOKEN,
      profiles: { fake: { backend: 'fake' } },
      bus,
      streams: { subscriberQueue: perWorker, retryMs: RETRY_MS, heartbeatMs: 300_000 },
    });
    const host = createHost(config, { logStream: { write: () => undefined }, backends: [fakeBackendModule(fake)] });
    return { host, fake, url: new URL(await host.listen()) };
  };
  const hosts: Partial<Record<Side, { host: Host; fake: FakeExecutionBackend; url: URL }>> = {
    memory: await makeHost({ retentionPerWorker: perWorker }),
  };
  if (redisUp) hosts.redis = await makeHost({ kind: 'redis', url: REDIS_URL, keyPrefix, retentionPerWorker: perWorker, subscriberQueue: perWorker });
  const sides: Side[] = (['bare', 'memory', 'redis'] as const).filter((s) => (s === 'redis' ? redisUp : true) && (!ONLY || s === ONLY || (s === 'bare' && ONLY !== 'memory' && ONLY !== 'redis')));

  // --- the baseline: a bare node:http SSE server, same headers and first frame as the host ---
  interface BareClient {
    readonly res: ServerResponse;
    pending: Buffer[] | null;
  }
  const bareClients = new Set<BareClient>();
  const bare = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: ${RETRY_MS}\n\n`);
    const client: BareClient = { res, pending: null };
    bareClients.add(client);
    res.on('close', () => bareClients.delete(client));
  });
  const flush = (client: BareClient): void => {
    const chunk = Buffer.concat(client.pending!);
    client.pending = null;
    if (chunk.length > 0 && !client.res.write(chunk)) waitDrain(client);
  };
  const waitDrain = (client: BareClient): void => {
    client.pending = [];
    client.res.once('drain', () => flush(client));
  };
  const bareBroadcast = (chunk: Buffer): void => {
    for (const client of bareClients) {
      if (client.pending) client.pending.push(chunk);
      else if (!client.res.write(chunk)) waitDrain(client);
    }
  };
  bare.listen(0, '127.0.0.1');
  await once(bare, 'listening');
  const barePort = (bare.address() as net.AddressInfo).port;

  // --- the client processes ---
  const children = Array.from({ length: CLIENT_PROCESSES }, () =>
    fork(fileURLToPath(import.meta.url), [], { execArgv: [], env: { ...process.env, BENCH_SSE_ROLE: 'clients' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const waiting = new Map<string, (message: FromClient) => void>();
  for (const [c, child] of children.entries()) {
    child.on('message', (message: FromClient) => {
      if (message.type === 'failed') return sanity(false, `SSE client: ${message.message}`);
      const key = `${c}:${message.type}:${message.tag}`;
      const resolve = waiting.get(key);
      if (!resolve) return sanity(false, `unexpected message from the clients: ${JSON.stringify(message)}`);
      waiting.delete(key);
      resolve(message);
    });
    child.on('exit', (code) => code !== 0 && code !== null && sanity(false, `client process exited with ${code}`));
  }
  const all = async <T extends FromClient['type']>(type: T, tag: string, message: (c: number) => ToClient | null): Promise<Extract<FromClient, { type: T }>[]> => {
    const replies: Promise<Extract<FromClient, { type: T }>>[] = [];
    for (const [c, child] of children.entries()) {
      const m = message(c);
      if (!m) continue;
      replies.push(new Promise((resolve) => waiting.set(`${c}:${type}:${tag}`, resolve as (message: FromClient) => void)));
      child.send(m);
    }
    return Promise.all(replies);
  };
  const split = (count: number, c: number): number => Math.floor(count / CLIENT_PROCESSES) + (c < count % CLIENT_PROCESSES ? 1 : 0);
  const openClients = (tag: string, port: number, path: string, count: number) =>
    all('opened', tag, (c) => (split(count, c) > 0 ? { cmd: 'open', tag, port, path, count: split(count, c) } : null));
  const closeClients = (tag: string, count: number) => all('closed', tag, (c) => (split(count, c) > 0 ? { cmd: 'close', tag } : null));

  const heapAfterGc = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) {
      await macrotask();
      gc();
    }
    return process.memoryUsage().heapUsed;
  };
  const redisCpu = (): number | null => {
    try {
      const fields = readFileSync(`/proc/${redisPid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return null;
    }
  };

  // --- publishing ---
  const seqs: Record<Side, number> = { bare: 0, memory: 0, redis: 0 };
  const epochs: Partial<Record<Side, string>> = {};
  const contextOf = (side: 'memory' | 'redis', id: string): ExecutionContext => {
    const context = hosts[side]!.fake.contextOf(id);
    sanity(context !== undefined, `no fake execution for ${id}`);
    return context;
  };
  async function publishHost(side: 'memory' | 'redis', id: string, count: number, mode: Mode): Promise<string> {
    const context = contextOf(side, id);
    const step = mode === 'bursty' ? BURST : 1;
    const results: Promise<PublishResult>[] = [];
    for (let i = 0; i < count; i += step) {
      for (let k = i; k < Math.min(count, i + step); k++) results.push(context.publish(eventAt(++seqs[side])));
      await macrotask();
    }
    const settled = await Promise.all(results);
    for (const result of settled) sanity(result.ok, `publish failed: ${JSON.stringify(result)}`);
    const last = settled.at(-1)!;
    return last.ok ? last.cursor : '';
  }
  let bareEpoch = '';
  async function publishBare(count: number, mode: Mode): Promise<string> {
    const step = mode === 'bursty' ? BURST : 1;
    let cursor = '';
    for (let i = 0; i < count; i += step) {
      let chunk = '';
      for (let k = i; k < Math.min(count, i + step); k++) {
        const sequence = ++seqs.bare;
        cursor = `c1.${bareEpoch}.${sequence}`;
        const frame = { type: 'observation', cursor, sequence, publishedAt: Date.now(), replayed: false, history: false, event: eventAt(sequence) };
        chunk += `id: ${cursor}\nevent: observation\ndata: ${JSON.stringify(frame)}\n\n`;
      }
      bareBroadcast(Buffer.from(chunk));
      await macrotask();
    }
    return cursor;
  }

  async function trial(side: Side, size: number, mode: Mode): Promise<Trial> {
    const events = EVENTS[mode][size]!;
    const tag = `${side}-${size}`;
    const firstSequence = seqs[side] + 1;
    const lastSequence = seqs[side] + events;
    const lastId = side === 'bare' ? `c1.${bareEpoch}.${lastSequence}` : `c1.${epochs[side]}.${lastSequence}`;
    gc();
    await all('expecting', tag, (c) => (split(size, c) > 0 ? { cmd: 'expect', tag, frames: events, lastId, firstSequence } : null));
    const replies = Promise.all(children.map((_, c) => (split(size, c) > 0 ? new Promise<FromClient>((resolve) => waiting.set(`${c}:done:${tag}`, resolve)) : null)));
    const timeout = setTimeout(() => sanity(false, `${tag} ${mode} trial did not complete within ${TRIAL_TIMEOUT_MS} ms`), TRIAL_TIMEOUT_MS);
    const redis0 = side === 'redis' ? redisCpu() : null;
    const cpu = process.cpuUsage();
    const start = performance.now();
    const cursor = side === 'bare' ? await publishBare(events, mode) : await publishHost(side, `fan-${size}`, events, mode);
    const finished = (await replies).filter((r): r is Extract<FromClient, { type: 'done' }> => r !== null && r.type === 'done');
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    const redis1 = side === 'redis' ? redisCpu() : null;
    clearTimeout(timeout);
    sanity(cursor === lastId, `${tag}: last cursor ${cursor}, expected ${lastId}`);
    return {
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      clientBusy: Math.max(...finished.map((r) => r.cpuSeconds)) / seconds,
      redisSeconds: redis0 !== null && redis1 !== null ? redis1 - redis0 : null,
      deliveries: events * size,
    };
  }

  // --- Workers, epochs and warm-up (JIT for the route, sink, pump and the clients) ---
  for (const side of ['memory', 'redis'] as const) {
    const entry = hosts[side];
    if (!entry) continue;
    for (const size of [...SIZES, 0]) {
      const id = size === 0 ? 'warm' : `fan-${size}`;
      const created = await entry.host.runtime.create({ workerId: id, profile: 'fake' });
      sanity(created.result.reason === 'created', `create ${id} on ${side}: ${created.result.reason}`);
    }
  }
  for (const side of ['memory', 'redis'] as const) {
    if (!hosts[side]) continue;
    await openClients(`${side}-warm`, Number(hosts[side].url.port), '/v1/workers/warm/events', 50);
    const context = contextOf(side, 'warm');
    for (let s = 1; s <= 2000; s++) sanity((await context.publish(eventAt(s))).ok, 'warm-up publish');
    await closeClients(`${side}-warm`, 50);
  }

  // --- memory per idle subscriber (1,000 open, no event yet), then the trials per size ---
  const rows: Parameters<typeof report>[1][number][] = [];
  const notes: string[] = [];
  let busiestClient = 0;
  const perDelivery = (t: Trial): number => (t.cpuSeconds / t.deliveries) * 1e6;
  const us = (v: number): string => `${v.toFixed(2)} µs`;
  let heapRows: typeof rows = [];
  for (const size of SIZES) {
    // Each Worker's first event (sequence 1, published before anyone subscribes) tells its epoch (the
    // cursors' middle part); the subscribers resume after it, so the trials deliver live events only.
    for (const side of ['memory', 'redis'] as const) {
      if (!hosts[side]) continue;
      const first = await contextOf(side, `fan-${size}`).publish(eventAt(0));
      sanity(first.ok, 'first publish');
      epochs[side] = first.cursor.split('.')[1]!;
      seqs[side] = 1;
    }
    seqs.bare = 1;
    bareEpoch = epochs.memory ?? 'bareEpoch0000';
    const h0 = await heapAfterGc();
    for (const side of sides) {
      if (side === 'bare') continue;
      await openClients(`${side}-${size}`, Number(hosts[side]!.url.port), `/v1/workers/fan-${size}/events?after=${encodeURIComponent(`c1.${epochs[side]}.1`)}`, size);
    }
    const h1 = await heapAfterGc();
    if (sides.includes('bare')) await openClients(`bare-${size}`, barePort, '/events', size);
    const h2 = await heapAfterGc();
    if (size === 1000 && sides.includes('memory') && sides.includes('bare')) {
      const hostPer = (h1 - h0) / size / (sides.includes('redis') ? 2 : 1);
      heapRows = [
        { measurement: `heap per idle SSE subscriber (${size} open, memory+redis hosts averaged)`, figure: `${Math.round(hostPer)} B`, baseline: `${Math.round((h2 - h1) / size)} B bare`, ratio: ratio(hostPer / ((h2 - h1) / size)), target: '', pass: null },
        { measurement: '  heap growth for the bare server', figure: mb(h2 - h1), baseline: '', ratio: '', target: '', pass: null },
      ];
    }
    for (const mode of MODES) {
      const trials: Record<Side, Trial[]> = { bare: [], memory: [], redis: [] };
      for (let t = 0; t <= TRIALS; t++) {
        for (const side of sides) {
          const result = await trial(side, size, mode);
          if (VERBOSE) console.error(`${side} ${size} ${mode} #${t}: ${result.seconds.toFixed(2)} s, ${perDelivery(result).toFixed(2)} µs/delivery, clients ${Math.round(100 * result.clientBusy)} %`);
          if (t > 0) trials[side].push(result); // trial 0 is the warm-up
        }
      }
      const med = (side: Side): number => median(trials[side].map((t) => perDelivery(t)));
      const rate = (side: Side): number => median(trials[side].map((t) => t.deliveries / t.seconds));
      const clients = (side: Side): number => Math.max(...trials[side].map((t) => t.clientBusy));
      for (const side of sides) busiestClient = Math.max(busiestClient, clients(side));
      const label = `${size} subscriber${size === 1 ? '' : 's'}, ${mode === 'bursty' ? `bursts of ${BURST}` : 'one event per tick'}`;
      const b = sides.includes('bare') ? med('bare') : NaN;
      const m = sides.includes('memory') ? med('memory') : NaN;
      if (sides.includes('memory')) {
        const rel = m / b;
        rows.push({
          measurement: `server CPU per delivery, memory bus, ${label}`,
          figure: us(m),
          baseline: `${us(b)} bare`,
          ratio: `${ratio(rel)} bare`,
          target: size === 1000 ? `<= ${TARGET_BARE}x bare` : '',
          pass: size === 1000 ? rel <= TARGET_BARE : null,
        });
      }
      if (sides.includes('redis')) {
        const r = med('redis');
        const redisServer = median(trials.redis.map((t) => (t.redisSeconds === null ? NaN : (t.redisSeconds / t.deliveries) * 1e6)));
        rows.push({
          measurement: `server CPU per delivery, redis bus, ${label}`,
          figure: us(r),
          baseline: `${us(b)} bare; ${us(m)} memory`,
          ratio: `${ratio(r / b)} bare; fan-out ${ratio(m / r)} memory`,
          target: size === 1000 ? `fan-out >= ${TARGET_REDIS}x memory` : '',
          pass: size === 1000 ? m / r >= TARGET_REDIS : null,
        });
        rows.push({ measurement: '  redis-server CPU per delivery (shared server, approximate)', figure: Number.isNaN(redisServer) ? 'n/a' : us(redisServer), baseline: '', ratio: '', target: '', pass: null });
      }
      rows.push({
        measurement: '  deliveries/s (wall, median)',
        figure: sides.filter((s) => s !== 'bare').map((s) => `${si(rate(s))} ${s}`).join('; '),
        baseline: sides.includes('bare') ? `${si(rate('bare'))} bare` : '',
        ratio: '',
        target: '',
        pass: null,
      });
      rows.push({
        measurement: '  busiest client process (CPU / wall)',
        figure: sides.filter((s) => s !== 'bare').map((s) => `${Math.round(100 * clients(s))} % ${s}`).join('; '),
        baseline: sides.includes('bare') ? `${Math.round(100 * clients('bare'))} % bare` : '',
        ratio: '',
        target: '',
        pass: null,
      });
      if (ONLY) for (const side of sides) console.log(`${label} ${side}: ${trials[side].map((t) => us(perDelivery(t))).join(', ')}`);
    }
    for (const side of sides) await closeClients(`${side}-${size}`, size);
  }

  for (const child of children) child.send({ cmd: 'exit' } satisfies ToClient);
  await Promise.all(children.map((child) => once(child, 'exit')));
  for (const entry of Object.values(hosts)) await entry.host.close();
  bare.closeAllConnections();
  bare.close();
  if (redisUp) {
    let cursor = '0';
    do {
      const [next, keys] = await redisAdmin.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redisAdmin.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redisAdmin.disconnect();
  }

  notes.push(
    `events per trial (bursty / one per tick): ${SIZES.map((s) => `${EVENTS.bursty[s]} / ${EVENTS.single[s]} at ${s}`).join(', ')}; ${TRIALS} trials per side after a warm-up trial, sides interleaved (${sides.join(', ')}); medians; a full GC before each trial.`,
    'server CPU = process.cpuUsage() of the one process holding every server and the publisher, from the first publish until every client counted every frame; per delivery = / (events x subscribers).',
    `clients: ${CLIENT_PROCESSES} child processes of raw net sockets counting frame ends (no HTTP/SSE parser); busiest client process at most ${Math.round(100 * busiestClient)} % of a core in any trial${busiestClient > 0.8 ? ' (near saturation: figures may be client-bound)' : ' (not saturated: the clients do not push back)'}.`,
    'every socket counted exactly the frames expected and ended on the last id; one socket per client process and server was fully de-chunked and checked for consecutive sequences and data.',
    'the host publishes through the Worker execution context (guarded publish hook); heartbeats at 300 s (none in a trial); streams.subscriberQueue and retention above everything published: no client can lag.',
    redisUp ? `redis bus: ${REDIS_URL}, key prefix ${keyPrefix} (deleted afterwards).` : `redis bus: not measured (no Redis at ${REDIS_URL}).`,
  );
  report('SSE fan-out: server CPU per delivery, host (memory and Redis bus) vs a bare node:http SSE loop', [...rows, ...heapRows], notes);
  process.exit(0);
}
