/**
 * Host benchmark 2: SSE fan-out from one Worker to 1,000 subscribers over real HTTP connections.
 *
 * 1. Throughput. N events are published on one Worker (through its execution context, as a backend
 *    does) while 1,000 clients are subscribed to `GET /v1/workers/:id/events`; the figure is deliveries/s
 *    (N x 1,000 / wall time from the first publish until every client has received all N). The baseline
 *    is a bare SSE write loop in the same process and run: a plain `node:http` server holding 1,000
 *    responses, which encodes each event once into the same SSE frame the host sends (same `id:`,
 *    `event:`, `data:` JSON, same cursor format) and writes each burst to every response, waiting for
 *    `drain` per response when its buffer is full (the minimum a correct server does). Target >= 0.7x.
 *    Both get the same events in the same bursts (BURST events, then a macrotask); trials alternate
 *    host / bare; the median trial is shown.
 * 2. Memory per idle subscriber: heap and RSS growth after opening 1,000 idle SSE subscriptions through
 *    the host (after full GCs), divided by 1,000; the same for the bare server as a reference.
 *
 * The 1,000 (x 2) clients run in ONE CHILD PROCESS, not in this one, because:
 * - the memory figures must hold only the server's side of each subscription (client sockets, parsers
 *   and buffers would otherwise be counted in the same heap);
 * - the server gets its own core, as it would in production, and the clients' parsing does not
 *   serialise with the server's work on one event loop;
 * - the same client process, with the same code, receives from both servers, so its cost is the same
 *   for both sides. Its CPU use is reported: if it is busy near 100 %, the figures are client-bound.
 *
 * Every client checks every frame: the `id:` sequence is exactly the next one (order, no gap, no
 * repeat), the event name is `observation` and the `data:` JSON carries the same sequence; one client
 * (the first) and every client's last frame of a trial are fully JSON-parsed and compared. Any
 * `lagged`/`end` frame, unexpected frame, error or closed connection fails the run. The host is
 * configured with `streams.subscriberQueue` and `bus.retentionPerWorker` above the total number of
 * events published, so no client can lag.
 *
 * It drives the built host (`dist/`, as shipped): run `npm run build` first.
 * Needs `--expose-gc`; started without it, this script reruns itself with it.
 * Run: npx tsx bench/sseFanout.ts   (or: node --expose-gc --import tsx bench/sseFanout.ts)
 * Profile one side only (no ratio then): node --expose-gc --cpu-prof --import tsx bench/sseFanout.ts --only=host
 */
import { fork, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createHost } from 'worker-runtime/host';
import { HostConfigSchema } from 'worker-runtime/host';
import type { ExecutionContext, ProtocolEvent, PublishResult } from 'worker-runtime';
import { FakeExecutionBackend, fakeBackendModule } from 'worker-runtime/testing';
import { macrotask, mb, median, now, perSecond, ratio, report, sanity, si } from './lib.js';

const ROLE = process.env.BENCH_SSE_ROLE;
const SUBSCRIBERS = 1000;
const EVENTS = 1000; // per trial
const BURST = 100; // events published back to back before yielding a macrotask
const TRIALS = 5;
const TARGET = 0.7;
const TOKEN = 'bench-token-0123456789abcdef';
const RETRY_MS = 2000;
const TRIAL_TIMEOUT_MS = 30_000;
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) as 'host' | 'bare' | undefined;

type ToClient =
  | { cmd: 'open'; tag: string; url: string; count: number; headers: Record<string, string> }
  | { cmd: 'expect'; tag: string; from: number; to: number }
  | { cmd: 'exit' };
type FromClient =
  | { type: 'opened'; tag: string }
  | { type: 'expecting'; tag: string }
  | { type: 'done'; tag: string; cpuSeconds: number; frames: number; parsed: number }
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
// Child process: the SSE clients.

interface ClientState {
  readonly index: number;
  buf: string;
  ready: boolean;
  next: number;
  to: number;
}

interface Group {
  readonly states: ClientState[];
  readonly responses: IncomingMessage[];
  remaining: number;
  cpu: NodeJS.CpuUsage | null;
  frames: number;
  parsed: number;
}

function clients(): void {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const groups = new Map<string, Group>();
  const send = (message: FromClient): void => void process.send!(message);
  const fail = (message: string): void => {
    send({ type: 'failed', message });
    setTimeout(() => process.exit(1), 100);
  };
  const EVENT_LINE = 'event: observation\ndata: ';
  const DATA_HEAD = '{"type":"observation","cursor":"c1.';

  const onFrame = (group: Group, st: ClientState, buf: string, start: number, end: number): void => {
    if (buf.startsWith('retry:', start)) {
      st.ready = true;
      return;
    }
    if (buf.charCodeAt(start) === 58 /* ':' heartbeat comment */) return;
    if (!buf.startsWith('id: c1.', start)) return fail(`client ${st.index}: unexpected frame ${JSON.stringify(buf.slice(start, Math.min(end, start + 200)))}`);
    const nl = buf.indexOf('\n', start);
    const seq = Number(buf.slice(buf.lastIndexOf('.', nl) + 1, nl));
    if (seq !== st.next) return fail(`client ${st.index}: expected sequence ${st.next}, got ${seq}`);
    const dataAt = nl + 1 + EVENT_LINE.length;
    if (!buf.startsWith(EVENT_LINE, nl + 1) || !buf.startsWith(DATA_HEAD, dataAt)) return fail(`client ${st.index}: malformed frame at ${seq}`);
    const seqField = buf.indexOf(`"sequence":${seq},`, dataAt);
    if (seqField < 0 || seqField > end) return fail(`client ${st.index}: data does not carry sequence ${seq}`);
    group.frames++;
    if (st.index === 0 || seq === st.to) {
      group.parsed++;
      const data = JSON.parse(buf.slice(dataAt, end)) as { type: string; sequence: number; replayed: boolean; event: { event: string; data: { text: string } } };
      if (data.type !== 'observation' || data.sequence !== seq || data.replayed || data.event.event !== 'text_delta' || data.event.data.text !== `token ${seq} `) {
        return fail(`client ${st.index}: wrong frame at ${seq}: ${buf.slice(dataAt, end)}`);
      }
    }
    st.next++;
    if (st.next === st.to + 1 && --group.remaining === 0 && group.cpu) {
      const used = process.cpuUsage(group.cpu);
      group.cpu = null;
      send({ type: 'done', tag: [...groups].find(([, g]) => g === group)![0], cpuSeconds: (used.user + used.system) / 1e6, frames: group.frames, parsed: group.parsed });
    }
  };

  const open = (tag: string, url: string, count: number, headers: Record<string, string>): void => {
    const group: Group = { states: [], responses: [], remaining: 0, cpu: null, frames: 0, parsed: 0 };
    groups.set(tag, group);
    let readyCount = 0;
    for (let i = 0; i < count; i++) {
      const st: ClientState = { index: i, buf: '', ready: false, next: 1, to: 0 };
      group.states.push(st);
      const request = http.get(url, { agent, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        if (res.statusCode !== 200) return fail(`client ${i} of ${tag}: status ${res.statusCode}`);
        group.responses.push(res);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const buf = st.buf.length === 0 ? chunk : st.buf + chunk;
          let start = 0;
          for (;;) {
            const end = buf.indexOf('\n\n', start);
            if (end < 0) break;
            const wasReady = st.ready;
            onFrame(group, st, buf, start, end);
            if (!wasReady && st.ready && ++readyCount === count) send({ type: 'opened', tag });
            start = end + 2;
          }
          st.buf = start === buf.length ? '' : buf.slice(start);
        });
        res.on('end', () => fail(`client ${i} of ${tag}: stream ended`));
        res.on('error', (error) => fail(`client ${i} of ${tag}: ${error.message}`));
      });
      request.on('error', (error) => fail(`client ${i} of ${tag}: ${error.message}`));
    }
  };

  process.on('disconnect', () => process.exit(0)); // the parent is gone
  process.on('message', (message: ToClient) => {
    switch (message.cmd) {
      case 'open':
        return open(message.tag, message.url, message.count, message.headers);
      case 'expect': {
        const group = groups.get(message.tag)!;
        group.frames = 0;
        group.parsed = 0;
        group.remaining = 0;
        for (const st of group.states) {
          if (st.next !== message.from) return fail(`client ${st.index} of ${message.tag}: at ${st.next}, expected to start at ${message.from}`);
          st.to = message.to;
          group.remaining++;
        }
        group.cpu = process.cpuUsage();
        return send({ type: 'expecting', tag: message.tag });
      }
      case 'exit':
        for (const group of groups.values()) for (const res of group.responses) res.destroy();
        return process.exit(0);
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Parent: the servers, the publisher and the measurements.

async function main(): Promise<void> {
  const gc = (globalThis as unknown as { gc: () => void }).gc;

  const totalEvents = EVENTS * (TRIALS + 1) + 100;
  const eventAt = (seq: number): ProtocolEvent => ({ event: 'text_delta', data: { text: `token ${seq} ` } });

  // --- the real host: FAKE backend, one Worker to fan out from, no client can lag ---
  const fake = new FakeExecutionBackend({ backendId: 'fake' });
  const config = HostConfigSchema.parse({
    listen: { host: '127.0.0.1', port: 0 },
    token: TOKEN,
    log: { level: 'warn' },
    profiles: { fake: { backend: 'fake' } },
    bus: { retentionPerWorker: totalEvents },
    streams: { subscriberQueue: totalEvents, retryMs: RETRY_MS },
  });
  const logs: string[] = [];
  const host = createHost(config, { logStream: { write: (line: string) => void logs.push(line) }, backends: [fakeBackendModule(fake)] });
  const hostUrl = await host.listen();
  for (const id of ['fan', 'warm']) {
    const created = await host.runtime.create({ workerId: id, profile: 'fake' });
    sanity(created.result.reason === 'created' && created.worker?.state === 'idle', `create ${id}: ${created.result.reason}`);
  }
  const contextOf = (id: string): ExecutionContext => {
    const context = fake.contextOf(id);
    sanity(context !== undefined, `no fake execution for ${id}`);
    return context;
  };

  // --- the baseline: a bare node:http SSE server, same headers and first frame as the host ---
  interface BareClient {
    readonly res: ServerResponse;
    pending: string[] | null;
  }
  const bareClients = new Set<BareClient>();
  const bare = http.createServer((req, res) => {
    if (!req.url?.startsWith('/events')) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: ${RETRY_MS}\n\n`);
    const client: BareClient = { res, pending: null };
    bareClients.add(client);
    res.on('close', () => bareClients.delete(client));
  });
  const flush = (client: BareClient): void => {
    const chunk = client.pending!.join('');
    client.pending = null;
    if (chunk.length > 0 && !client.res.write(chunk)) waitDrain(client);
  };
  const waitDrain = (client: BareClient): void => {
    client.pending = [];
    client.res.once('drain', () => flush(client));
  };
  const bareBroadcast = (chunk: string): void => {
    for (const client of bareClients) {
      if (client.pending) client.pending.push(chunk);
      else if (!client.res.write(chunk)) waitDrain(client);
    }
  };
  bare.listen(0, '127.0.0.1');
  await once(bare, 'listening');
  const bareAddress = bare.address();
  const bareUrl = `http://127.0.0.1:${typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0}`;

  // --- the client process ---
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: [],
    env: { ...process.env, BENCH_SSE_ROLE: 'clients' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, (message: FromClient) => void>();
  child.on('message', (message: FromClient) => {
    if (message.type === 'failed') return sanity(false, `SSE client: ${message.message}`);
    const key = `${message.type}:${message.tag}`;
    const resolve = waiting.get(key);
    if (!resolve) return sanity(false, `unexpected message from the clients: ${JSON.stringify(message)}`);
    waiting.delete(key);
    resolve(message);
  });
  child.on('exit', (code) => code !== 0 && code !== null && sanity(false, `client process exited with ${code}`));
  const awaitMessage = <T extends FromClient['type']>(type: T, tag: string): Promise<Extract<FromClient, { type: T }>> =>
    new Promise((resolve) => waiting.set(`${type}:${tag}`, resolve as (message: FromClient) => void));
  const openClients = async (tag: string, url: string, count: number): Promise<void> => {
    const opened = awaitMessage('opened', tag);
    child.send({ cmd: 'open', tag, url, count, headers: { authorization: `Bearer ${TOKEN}` } } satisfies ToClient);
    await opened;
  };

  async function heapAfterGc(): Promise<{ heap: number; rss: number }> {
    for (let i = 0; i < 3; i++) {
      await macrotask();
      gc();
    }
    const usage = process.memoryUsage();
    return { heap: usage.heapUsed, rss: usage.rss };
  }

  // --- publishing: the host through the Worker's execution context, the bare loop by encoding once ---
  let hostSeq = 0;
  let epoch = '';
  async function publishHost(id: string, count: number): Promise<void> {
    const context = contextOf(id);
    for (let i = 0; i < count; i += BURST) {
      const burst: Promise<PublishResult>[] = [];
      for (let k = i; k < Math.min(count, i + BURST); k++) burst.push(context.publish(eventAt(++hostSeq)));
      for (const result of await Promise.all(burst)) sanity(result.ok, `publish failed: ${JSON.stringify(result)}`);
      await macrotask();
    }
  }
  let bareSeq = 0;
  async function publishBare(count: number): Promise<void> {
    for (let i = 0; i < count; i += BURST) {
      let chunk = '';
      for (let k = i; k < Math.min(count, i + BURST); k++) {
        const sequence = ++bareSeq;
        const cursor = `c1.${epoch}.${sequence}`;
        const frame = { type: 'observation', cursor, sequence, publishedAt: Date.now(), replayed: false, history: false, event: eventAt(sequence) };
        chunk += `id: ${cursor}\nevent: observation\ndata: ${JSON.stringify(frame)}\n\n`;
      }
      bareBroadcast(chunk);
      await macrotask();
    }
  }

  interface Trial {
    readonly seconds: number;
    readonly serverCpuSeconds: number;
    readonly clientCpuSeconds: number;
    readonly frames: number;
    readonly parsed: number;
  }
  async function trial(side: 'host' | 'bare'): Promise<Trial> {
    const from = (side === 'host' ? hostSeq : bareSeq) + 1;
    const expecting = awaitMessage('expecting', side);
    child.send({ cmd: 'expect', tag: side, from, to: from + EVENTS - 1 } satisfies ToClient);
    await expecting;
    const done = awaitMessage('done', side);
    const timeout = setTimeout(() => sanity(false, `${side} trial did not complete within ${TRIAL_TIMEOUT_MS} ms`), TRIAL_TIMEOUT_MS);
    const cpu = process.cpuUsage();
    const start = now();
    await (side === 'host' ? publishHost('fan', EVENTS) : publishBare(EVENTS));
    const result = await done;
    const seconds = (now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    clearTimeout(timeout);
    sanity(result.frames === EVENTS * SUBSCRIBERS, `${side}: ${result.frames} frames checked, expected ${EVENTS * SUBSCRIBERS}`);
    return { seconds, serverCpuSeconds: (used.user + used.system) / 1e6, clientCpuSeconds: result.cpuSeconds, frames: result.frames, parsed: result.parsed };
  }

  // --- warm-up on a throwaway Worker / connections (JIT for the route, sink, pump, client parser) ---
  {
    await openClients('warm-host', `${hostUrl}/v1/workers/warm/events`, 50);
    await openClients('warm-bare', `${bareUrl}/events`, 50);
    const context = contextOf('warm');
    for (let s = 1; s <= 200; s++) sanity((await context.publish(eventAt(s))).ok, 'warm-up publish');
    const probe = await context.publish(eventAt(201));
    sanity(probe.ok, 'warm-up publish');
    epoch = probe.cursor.split('.')[1]!; // same cursor length for the bare frames (epochs are per stream, all the same size)
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  // --- 2. memory per idle subscriber (measured first, on a quiet heap) ---
  const m0 = await heapAfterGc();
  await openClients('host', `${hostUrl}/v1/workers/fan/events`, SUBSCRIBERS);
  const m1 = await heapAfterGc();
  await openClients('bare', `${bareUrl}/events`, SUBSCRIBERS);
  const m2 = await heapAfterGc();
  sanity(bareClients.size === SUBSCRIBERS + 50, `bare server holds ${bareClients.size} responses`);
  const hostHeapPer = (m1.heap - m0.heap) / SUBSCRIBERS;
  const hostRssPer = (m1.rss - m0.rss) / SUBSCRIBERS;
  const bareHeapPer = (m2.heap - m1.heap) / SUBSCRIBERS;
  const bareRssPer = (m2.rss - m1.rss) / SUBSCRIBERS;

  // --- 1. throughput: warm-up trial each, then alternating trials ---
  const hostTrials: Trial[] = [];
  const bareTrials: Trial[] = [];
  if (ONLY !== 'bare') await trial('host');
  if (ONLY !== 'host') await trial('bare');
  for (let t = 0; t < TRIALS; t++) {
    if (ONLY !== 'bare') hostTrials.push(await trial('host'));
    if (ONLY !== 'host') bareTrials.push(await trial('bare'));
  }
  child.send({ cmd: 'exit' } satisfies ToClient);
  await once(child, 'exit');
  await host.close();
  bare.closeAllConnections();
  bare.close();

  const rate = (t: Trial): number => (EVENTS * SUBSCRIBERS) / t.seconds;
  const pick = (trials: Trial[]): Trial => {
    const m = median(trials.map(rate));
    return trials.reduce((best, t) => (Math.abs(rate(t) - m) < Math.abs(rate(best) - m) ? t : best));
  };
  const busy = (t: Trial): string => `${Math.round((100 * t.serverCpuSeconds) / t.seconds)} % / ${Math.round((100 * t.clientCpuSeconds) / t.seconds)} %`;
  const cpuPerDelivery = (t: Trial): number => (t.serverCpuSeconds / (EVENTS * SUBSCRIBERS)) * 1e6;
  const bytes = (n: number): string => `${Math.round(n).toLocaleString('en')} B`;
  const memoryRows = [
    {
      measurement: `heap per idle SSE subscriber (${SUBSCRIBERS} open)`,
      figure: bytes(hostHeapPer),
      baseline: `${bytes(bareHeapPer)} bare`,
      ratio: ratio(hostHeapPer / bareHeapPer),
      target: '',
      pass: null,
    },
    {
      measurement: '  RSS per idle SSE subscriber',
      figure: bytes(hostRssPer),
      baseline: `${bytes(bareRssPer)} bare`,
      ratio: '',
      target: '',
      pass: null,
    },
    {
      measurement: `  heap / RSS growth for ${SUBSCRIBERS} subscribers`,
      figure: `${mb(m1.heap - m0.heap)} / ${mb(m1.rss - m0.rss)}`,
      baseline: `${mb(m2.heap - m1.heap)} / ${mb(m2.rss - m1.rss)} bare`,
      ratio: '',
      target: '',
      pass: null,
    },
  ];
  const notes = [
    `${EVENTS} text_delta events per trial, published in bursts of ${BURST} with a macrotask between bursts; ${TRIALS} alternating trials after one warm-up trial each; median trial shown.`,
    `every client checked every frame (sequence in id and data, event name; ${SUBSCRIBERS} x ${EVENTS} frames per trial), no lagged/end frame; host streams.subscriberQueue = bus.retentionPerWorker = ${totalEvents}.`,
    'clients: one child process (http.get, keep-alive off); CPU busy = process CPU time / trial wall time, 100 % = one core saturated.',
    'bare baseline: node:http, each event JSON-encoded once per burst and the burst written to every response (per-response pending list while waiting for drain).',
    `memory: heapUsed / RSS after 3 full GCs, before and after opening ${SUBSCRIBERS} idle subscriptions (no event published yet); host first, then bare; RSS is approximate.`,
    `host log level warn; ${logs.length} log lines written.`,
  ];

  if (ONLY) {
    const trials = ONLY === 'host' ? hostTrials : bareTrials;
    for (const t of trials) console.log(`${ONLY}: ${perSecond(rate(t), 'deliveries')} in ${t.seconds.toFixed(2)} s, CPU busy server/clients ${busy(t)}, server CPU ${cpuPerDelivery(t).toFixed(2)} µs/delivery`);
    report(`SSE fan-out (--only=${ONLY}): memory per idle subscriber`, memoryRows, notes);
    process.exit(0);
  }

  const h = pick(hostTrials);
  const b = pick(bareTrials);
  const rel = rate(h) / rate(b);
  report(
    `SSE fan-out: ${SUBSCRIBERS} subscribers on one Worker via the host vs a bare node:http SSE loop`,
    [
      {
        measurement: `fan-out, ${SUBSCRIBERS} subscribers x ${EVENTS} events`,
        figure: perSecond(rate(h), 'deliveries'),
        baseline: `${perSecond(rate(b), 'deliveries')} bare SSE`,
        ratio: ratio(rel),
        target: `>= ${TARGET}x bare`,
        pass: rel >= TARGET,
      },
      {
        measurement: '  events/s published and fully delivered',
        figure: perSecond(EVENTS / h.seconds, 'events'),
        baseline: perSecond(EVENTS / b.seconds, 'events'),
        ratio: '',
        target: '',
        pass: null,
      },
      {
        measurement: '  server CPU per delivery',
        figure: `${cpuPerDelivery(h).toFixed(2)} µs`,
        baseline: `${cpuPerDelivery(b).toFixed(2)} µs`,
        ratio: ratio(cpuPerDelivery(h) / cpuPerDelivery(b)),
        target: '',
        pass: null,
      },
      {
        measurement: '  CPU busy, server / clients',
        figure: busy(h),
        baseline: busy(b),
        ratio: '',
        target: '',
        pass: null,
      },
      {
        measurement: '  all trials (deliveries/s)',
        figure: hostTrials.map((t) => si(rate(t))).join(', '),
        baseline: bareTrials.map((t) => si(rate(t))).join(', '),
        ratio: '',
        target: '',
        pass: null,
      },
      ...memoryRows,
    ],
    notes,
  );
  process.exit(0);
}
