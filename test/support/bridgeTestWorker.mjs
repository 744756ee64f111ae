/**
 * A protocol-faithful yoi worker TEST double (scripted, not a model), run as a real subprocess:
 * `node test/support/bridgeTestWorker.mjs [flags]`. It listens on the Unix socket given by
 * `--socket <path>` or `YOI_WORKER_SOCKET`, speaks newline-delimited JSON (methods in, events out) and
 * serves any number of clients: on connect, `--alerts N` alerts, then one `snapshot`, then live events
 * (broadcast); answers (`error`) go to the asking client only.
 *
 * Start flags: `--listen-delay <ms>` (slow start), `--exit-at-start <code>`, `--no-snapshot`,
 * `--snapshot-once` (only the first client gets a snapshot),
 * `--ignore-shutdown`, `--ignore-term` (survives SIGTERM), `--pid-file <file>` (its pid, at once),
 * `--info-file <file>` (writes `{ pid, socket, cwd }` once listening), `--alert-text <text>` (the alerts' message), `--name <n>`.
 * SIGUSR2 closes every client connection server-side (the process goes on).
 *
 * `run` keywords in the input text: `#burst:N` (N `text_delta`s written as one block), `#hold` (runs
 * until cancelled), `#ignore-cancel`, `#crash` (exits with code 3 mid-run), `#garbage` (malformed
 * lines mid-run), `#drop[:ms]` (closes every connection server-side mid-run, finishes the run `ms`
 * later, default 150), `#noack` (ignores the run), `#refuse` (answers `error invalid_request`),
 * `#slow:ms` (pause between deltas), `#env` (replies with the NAMES of its environment variables),
 * `#stray` (a non-JSON line right before it commits), `#extra` (echoes the input's segments with an
 * extra `id` field and an extra segment of an unknown kind), `#internal` (an `internal_worker` event
 * whose nested snapshot carries a greeting with its cwd), `#tree:<file>` (runs test/support/treeSpawner.mjs, which leaves escaping processes behind, pids in `<file>`).
 * Methods: `pause` / `resume` (error not_running when idle), `compact`, `list_workers` (`workers_listed`),
 * `register_peer` is never answered; any other method: error invalid_request.
 * Its snapshot lists one internal worker with a greeting (cwd included), as a real worker would.
 * Otherwise: invoke_start, user_message, turn_start, three text_delta, text_done, turn_end, run_end, status idle.
 */
import { writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const flag = (name) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1] : undefined;
};
const has = (name) => argv.includes(`--${name}`);
const socketPath = flag('socket') ?? process.env.YOI_WORKER_SOCKET;
if (!socketPath) {
  console.error('no socket: pass --socket or YOI_WORKER_SOCKET');
  process.exit(64);
}
if (flag('pid-file')) writeFileSync(flag('pid-file'), String(process.pid));
if (flag('exit-at-start') !== undefined) {
  process.stderr.write('fatal: the scripted worker exits at start on purpose\n');
  process.exit(Number(flag('exit-at-start')));
}
if (has('ignore-term')) process.on('SIGTERM', () => undefined);

const clients = new Set();
const entries = [];
let status = 'idle';
let run = null; // { turn, cancel: () => void, ignoreCancel }
let turns = 0;
let segments = 0;
let greeted = false;
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const line = (event, data) => `${JSON.stringify(data === undefined ? { event } : { event, data })}\n`;
const writeTo = (socket, text) => new Promise((resolve) => (socket.destroyed ? resolve() : socket.write(text, () => resolve())));
const broadcast = (text) => Promise.all([...clients].map((socket) => writeTo(socket, text)));
const emit = (event, data) => broadcast(line(event, data));

function snapshot() {
  const greeting = { worker_name: flag('name') ?? 'bridge-test-worker', cwd: process.cwd(), provider: 'test', model: 'scripted', tools: [] };
  const internal_workers = [{ name: 'helper', greeting: { worker_name: 'helper', cwd: process.cwd(), provider: 'test', model: 'scripted' } }];
  return { entries: [...entries], greeting, status, internal_workers, ...(run ? { in_flight: { turn: run.turn } } : {}) };
}

function greet(socket) {
  let text = '';
  for (let i = 0; i < Number(flag('alerts') ?? 0); i++) {
    text += line('alert', { level: 'warn', source: 'test-worker', message: flag('alert-text') ?? `alert ${i}`, timestamp_ms: Date.now() });
  }
  if (!has('no-snapshot') && !(has('snapshot-once') && greeted)) text += line('snapshot', snapshot());
  greeted = true;
  if (text) socket.write(text);
}

async function startRun(kind, input, sender) {
  const text = input.map((s) => (typeof s.content === 'string' ? s.content : '')).join(' ');
  if (kind === 'user_send' && text.includes('#noack')) return;
  if (kind === 'user_send' && text.includes('#refuse')) return writeTo(sender, line('error', { code: 'invalid_request', message: `refused by script at ${socketPath}` }));
  const turn = ++turns;
  let cancelled = false;
  let release = () => undefined;
  const cancelledPromise = new Promise((resolve) => (release = resolve));
  run = { turn, ignoreCancel: text.includes('#ignore-cancel'), cancel: () => ((cancelled = true), release()) };
  status = 'running';
  await emit('invoke_start', { kind });
  if (kind === 'user_send') {
    entries.push({ kind: 'user', segments: input });
    if (text.includes('#stray')) await broadcast('a stray log line, not JSON\n');
    const echoed = text.includes('#extra') ? [...input.map((s, i) => ({ ...s, id: `seg-${i}` })), { kind: 'worker_note', note: 'kept' }] : input;
    await emit('user_message', { segments: echoed });
  }
  if (text.includes('#internal')) {
    await emit('internal_worker', { name: 'helper', snapshot: { entries: [], status: 'idle', greeting: { worker_name: 'helper', cwd: process.cwd() }, internal_workers: [{ greeting: { worker_name: 'deeper', cwd: process.cwd() } }] } });
  }
  await emit('turn_start', { turn });
  const reply = await body(text, () => cancelled, cancelledPromise);
  if (!cancelled) {
    entries.push({ kind: 'assistant', text: reply });
    await emit('text_done', { text: reply });
  }
  await emit('turn_end', { turn, result: 'finished' });
  run = null;
  status = 'idle';
  await broadcast(line('run_end', { result: 'finished' }) + line('status', { status: 'idle' }));
}

const bursts = new Map();
/** N deltas as one block of lines, built once per N (so a repeated burst measures the reader, not the writer). */
function burstOf(n) {
  if (!bursts.has(n)) {
    let block = '';
    let reply = '';
    for (let i = 0; i < n; i++) {
      block += line('text_delta', { text: `c${i} ` });
      reply += `c${i} `;
    }
    bursts.set(n, { block, reply });
  }
  return bursts.get(n);
}

/** Streams the reply's deltas; returns the full text. */
async function body(text, isCancelled, cancelledPromise) {
  const burst = /#burst:(\d+)/.exec(text);
  if (burst) {
    const { block, reply } = burstOf(Number(burst[1]));
    await broadcast(block);
    return reply;
  }
  const tree = /#tree:(\S+)/.exec(text);
  if (tree) {
    const spawner = fileURLToPath(new URL('./treeSpawner.mjs', import.meta.url));
    await new Promise((resolve) => spawn(process.execPath, [spawner, tree[1]], { stdio: 'ignore' }).once('exit', resolve));
  }
  const parts = text.includes('#env') ? [Object.keys(process.env).sort().join(',')] : ['scripted ', 'reply ', 'here'];
  await emit('text_delta', { text: parts[0] });
  if (text.includes('#crash')) {
    process.stderr.write('fatal: the scripted worker crashed on purpose\n');
    await delay(20);
    process.exit(3);
  }
  if (text.includes('#garbage')) {
    await broadcast('this is not json\n[1,2]\n{"data":{}}\n{"event":"text_delta","data":{"text":5}}\n\n');
  }
  const drop = /#drop(?::(\d+))?/.exec(text);
  if (drop) {
    dropClients();
    await delay(Number(drop[1] ?? 150));
  }
  if (text.includes('#hold') || text.includes('#ignore-cancel')) await cancelledPromise;
  if (isCancelled()) return parts[0];
  const slow = /#slow:(\d+)/.exec(text);
  for (const part of parts.slice(1)) {
    if (slow) await delay(Number(slow[1]));
    await emit('text_delta', { text: part });
  }
  return parts.join('');
}

function dropClients() {
  for (const socket of clients) socket.destroy();
  clients.clear();
}

async function handle(socket, message) {
  const answer = (code, text) => writeTo(socket, line('error', { code, message: text }));
  switch (message.method) {
    case 'run':
      if (run) return answer('already_running', 'a run is in progress');
      if (!Array.isArray(message.params?.input)) return answer('invalid_request', 'run needs params.input');
      return startRun('user_send', message.params.input, socket);
    case 'notify': {
      if (typeof message.params?.message !== 'string') return answer('invalid_request', 'notify needs params.message');
      if (run && message.params.auto_run !== false) return answer('already_running', 'a run is in progress');
      const item = { kind: 'notification', message: message.params.message };
      entries.push({ kind: 'system', item });
      await emit('system_item', { item });
      if (message.params.auto_run !== false) return startRun('notify', [{ kind: 'text', content: message.params.message }], socket);
      return;
    }
    case 'cancel':
      if (!run) return answer('not_running', 'nothing to cancel');
      if (!run.ignoreCancel) run.cancel();
      return;
    case 'compact':
      await emit('compact_start');
      return emit('compact_done', { new_segment_id: ++segments });
    case 'pause':
    case 'resume':
      if (!run) return answer('not_running', `nothing to ${message.method}`);
      status = message.method === 'pause' ? 'paused' : 'running';
      return emit('status', { status });
    case 'list_workers':
      return writeTo(socket, line('workers_listed', { workers: [{ name: 'helper', greeting: { worker_name: 'helper', cwd: process.cwd() } }] }));
    case 'register_peer':
      return;
    case 'shutdown':
      if (has('ignore-shutdown')) return;
      await emit('shutdown');
      for (const client of clients) client.end();
      server.close();
      setTimeout(() => process.exit(0), 10);
      return;
    default:
      return answer('invalid_request', 'unknown method');
  }
}

const server = createServer((socket) => {
  clients.add(socket);
  socket.on('error', () => undefined);
  socket.on('close', () => clients.delete(socket));
  greet(socket);
  let rest = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const text of lines) {
      if (text.trim() === '') continue;
      let message;
      try {
        message = JSON.parse(text);
      } catch {
        void writeTo(socket, line('error', { code: 'invalid_request', message: 'not JSON' }));
        continue;
      }
      void handle(socket, message);
    }
  });
});

process.on('SIGUSR2', dropClients);
await delay(Number(flag('listen-delay') ?? 0));
rmSync(socketPath, { force: true });
server.listen(socketPath, () => {
  const info = flag('info-file');
  if (info) writeFileSync(info, JSON.stringify({ pid: process.pid, socket: socketPath, cwd: process.cwd() }));
});
