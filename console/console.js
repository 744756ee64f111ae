// The worker-runtime console: lists Workers, creates them, renders a Worker's live stream and shows
// every typed outcome. Streams are read with fetch (so the token travels in a header, never in a URL)
// and resume from the last cursor after a reconnect.

const $ = (id) => document.getElementById(id);
const CONNECTED = new Set(['idle', 'busy', 'paused']);
let token = null;
const workers = new Map();
let selected = null;
let workerStream = null;

// ---------- auth ----------
function takeTokenFromFragment() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem('worker-runtime-token', decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem('worker-runtime-token');
}

async function api(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    return { status: 0, body: { error: { code: 'network_error', message: 'the host could not be reached' } } };
  }
  const json = await response.json().catch(() => ({}));
  if (response.status === 401) showLogin('The token was refused.');
  return { status: response.status, body: json };
}

function showLogin(message) {
  $('app').hidden = true;
  $('login').hidden = false;
  if (message) $('login').querySelector('p').textContent = message;
}

// ---------- SSE over fetch ----------
/** Reads an SSE endpoint with the token in a header; calls onMessage(event, data, id). Resolves when the stream ends. */
async function readSse(path, lastEventId, onMessage, signal) {
  const headers = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const response = await fetch(path, { headers, signal });
  if (!response.ok || !response.body) throw new Error(`stream refused: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message', data = '', id = null;
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
        else if (line.startsWith('id: ')) id = line.slice(4);
      }
      if (data) onMessage(event, JSON.parse(data), id);
    }
  }
}

/** Keeps a stream open: reconnects with backoff, resuming after the last cursor it saw. */
function keepStreaming(path, handlers) {
  const controller = new AbortController();
  let cursor = null;
  let stopped = false;
  (async () => {
    let delay = 250;
    while (!stopped) {
      let ended = null;
      try {
        setConnection('live');
        await readSse(path, cursor, (event, data, id) => {
          if (id) cursor = id;
          if (event === 'end') ended = data.reason;
          if (event === 'reset') cursor = null;
          handlers.onMessage(event, data);
          delay = 250;
        }, controller.signal);
      } catch (error) {
        if (stopped) return;
        setConnection('reconnecting');
      }
      if (ended === 'worker_removed') return;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
  })();
  return { close() { stopped = true; controller.abort(); } };
}

function setConnection(state) {
  $('connection').textContent = state;
}

// ---------- Worker list ----------
function renderList() {
  const list = $('worker-list');
  list.replaceChildren(
    ...[...workers.values()].sort((a, b) => a.createdAt - b.createdAt).map((worker) => {
      const li = document.createElement('li');
      li.dataset.workerId = worker.workerId;
      li.className = worker.workerId === selected ? 'selected' : '';
      const name = document.createElement('span');
      name.textContent = worker.displayName ?? worker.workerId;
      const state = document.createElement('span');
      state.className = `badge state-${worker.state}`;
      state.textContent = worker.state;
      li.append(name, state);
      li.addEventListener('click', () => select(worker.workerId));
      return li;
    }),
  );
}

function onLifecycle(event, data) {
  if (event === 'workers') {
    workers.clear();
    for (const worker of data.workers) workers.set(worker.workerId, worker);
  } else if (event === 'lifecycle') {
    const { type, worker } = data.change;
    if (type === 'worker_removed') workers.delete(worker.workerId);
    else workers.set(worker.workerId, worker);
  } else return;
  renderList();
  if (selected) renderWorker();
}

// ---------- one Worker ----------
function renderWorker() {
  const worker = workers.get(selected);
  $('empty-detail').hidden = Boolean(worker);
  $('worker-view').hidden = !worker;
  if (!worker) return;
  $('worker-title').textContent = worker.displayName ?? worker.workerId;
  const state = $('worker-state');
  state.textContent = worker.state;
  state.className = `badge state-${worker.state}`;
  const diagnostic = $('worker-diagnostic');
  diagnostic.hidden = !worker.diagnostic;
  diagnostic.textContent = worker.diagnostic ? `${worker.diagnostic.code}: ${worker.diagnostic.message}` : '';
  const connected = CONNECTED.has(worker.state);
  $('composer-input').disabled = !connected;
  $('send-button').disabled = !connected;
  $('composer-notify').disabled = !connected;
  $('composer-input').placeholder = connected ? 'Message' : `This Worker cannot take input (${worker.state})`;
  $('cancel-button').disabled = !connected;
  $('stop-button').disabled = worker.state === 'stopped';
}

function select(workerId) {
  selected = workerId;
  workerStream?.close();
  $('stream').replaceChildren();
  $('stream-notice').hidden = true;
  showOutcome('op-outcome', null);
  $('composer-input').value = '';
  renderList();
  renderWorker();
  view = newView();
  workerStream = keepStreaming(`/v1/workers/${encodeURIComponent(workerId)}/events`, { onMessage: onWorkerFrame });
}

let view = newView();
function newView() {
  return { assistant: null, thinking: null, tools: new Map() };
}

function entry(kind, text) {
  const div = document.createElement('div');
  div.className = `entry ${kind}`;
  div.textContent = text;
  const stream = $('stream');
  const atBottom = stream.scrollTop + stream.clientHeight >= stream.scrollHeight - 20;
  stream.append(div);
  if (atBottom) stream.scrollTop = stream.scrollHeight;
  return div;
}

function notice(text) {
  const box = $('stream-notice');
  box.hidden = false;
  box.textContent = text;
}

function onWorkerFrame(event, frame) {
  switch (event) {
    case 'observation':
      return renderEvent(frame.event, frame);
    case 'expired':
      return notice('Older events are no longer retained; showing from the oldest available.');
    case 'reset':
      $('stream').replaceChildren();
      view = newView();
      return notice('The stream was reset; showing it from the start.');
    case 'lagged':
      return notice('The stream fell behind; resuming from the last event received.');
    case 'gap':
      entry('meta', `[${frame.to - frame.from + 1} event(s) could not be read and were skipped (${frame.reason})]`);
      return notice('Some events could not be read and were skipped; the stream continues after them.');
  }
}

function renderEvent(event, frame) {
  const data = event.data ?? {};
  switch (event.event) {
    case 'user_message':
      view.assistant = null;
      return entry('user', (data.segments ?? []).map((s) => s.content ?? s.path ?? `[${s.kind}]`).join('\n'));
    case 'text_delta':
      view.assistant ??= entry('assistant', '');
      view.assistant.textContent += data.text;
      return;
    case 'text_done':
      if (view.assistant) view.assistant.textContent = data.text;
      else entry('assistant', data.text);
      view.assistant = null;
      return;
    case 'thinking_delta':
      view.thinking ??= entry('thinking', '');
      view.thinking.textContent += data.text;
      return;
    case 'thinking_done':
      view.thinking = null;
      return;
    case 'tool_call_start':
      view.tools.set(data.id, entry('tool', `tool ${data.name} …`));
      return;
    case 'tool_call_done': {
      const line = view.tools.get(data.id) ?? entry('tool', '');
      line.textContent = `tool ${data.name}(${JSON.stringify(data.arguments)})`;
      view.tools.set(data.id, line);
      return;
    }
    case 'tool_result': {
      const line = view.tools.get(data.id) ?? entry('tool', `tool ${data.id}`);
      line.textContent += `\n→ ${data.is_error ? 'error: ' : ''}${typeof data.summary === 'string' ? data.summary : JSON.stringify(data.summary)}`;
      return;
    }
    case 'error':
      return entry('error', `error ${data.code}: ${data.message}`);
    case 'usage':
      return entry('meta', `usage: ${data.input_tokens ?? '?'} in, ${data.output_tokens ?? '?'} out`);
    case 'run_end':
      view.assistant = null;
      return entry('meta', `run ended: ${data.result}`);
    case 'alert':
      return entry('error', `${data.level}: ${data.message}`);
    default:
      if (frame.history) return;
  }
}

/** Shows a typed result (`data-outcome`, `data-reason`); null clears the line, attributes included. */
function showOutcome(id, result) {
  const line = $(id);
  delete line.dataset.outcome;
  delete line.dataset.reason;
  delete line.dataset.error;
  if (!result) {
    line.textContent = '';
    line.className = 'outcome';
    return;
  }
  const detail = result.diagnostic ? ` (${result.diagnostic.code})` : result.message ? `: ${result.message}` : '';
  line.textContent = `${result.operation}: ${result.outcome} — ${result.reason}${detail}`;
  line.className = `outcome outcome-${result.outcome}`;
  line.dataset.outcome = result.outcome;
  line.dataset.reason = result.reason;
}

/** Shows a reply: its typed result, else (no result: a refused request, the host unreachable) its error. */
function showReply(id, operation, body) {
  if (body.result) return showOutcome(id, body.result);
  showOutcome(id, null);
  const line = $(id);
  const code = body.error?.code ?? 'unknown_error';
  line.textContent = `${operation}: ${code}${body.error?.message ? ` — ${body.error.message}` : ''}`;
  line.className = 'outcome outcome-errored';
  line.dataset.error = code;
}

// ---------- actions ----------
$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const content = $('composer-input').value.trim();
  if (!content || !selected) return;
  const workerId = selected;
  showOutcome('op-outcome', null); // no stale outcome while this one is on its way
  // The HTTP input has the library's shapes: a user turn takes `content`, a notification `message`.
  const input = $('composer-notify').checked ? { kind: 'notify', message: content } : { kind: 'user', content };
  const { body } = await api('POST', `/v1/workers/${encodeURIComponent(workerId)}/input`, input);
  if (workerId !== selected) return; // another Worker was opened meanwhile
  showReply('op-outcome', 'input', body);
  if (body.result?.outcome === 'accepted' && $('composer-input').value.trim() === content) $('composer-input').value = '';
});
$('composer-input').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault(); // Enter sends; it must not also leave a newline in the composer
    $('composer').requestSubmit();
  }
});
for (const op of ['stop', 'cancel']) {
  $(`${op}-button`).addEventListener('click', async () => {
    const workerId = selected;
    showOutcome('op-outcome', null);
    const { body } = await api('POST', `/v1/workers/${encodeURIComponent(workerId)}/${op}`);
    if (workerId === selected) showReply('op-outcome', op, body);
  });
}
$('create-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const displayName = $('display-name').value.trim();
  showOutcome('create-outcome', null);
  const { body } = await api('POST', '/v1/workers', { profile: $('profile-select').value, ...(displayName ? { displayName } : {}) });
  showReply('create-outcome', 'create', body);
  if (body.worker) {
    workers.set(body.worker.workerId, body.worker);
    select(body.worker.workerId);
  }
});
$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem('worker-runtime-token', $('token-input').value.trim());
  start();
});

async function start() {
  token = takeTokenFromFragment();
  if (!token) return showLogin();
  const { status, body } = await api('GET', '/v1/runtime');
  if (status !== 200) return;
  $('login').hidden = true;
  $('app').hidden = false;
  $('runtime-info').textContent = `runtime ${body.runtimeId}`;
  $('profile-select').replaceChildren(
    ...body.profiles.map((p) => {
      const option = document.createElement('option');
      option.value = p.name;
      option.textContent = `${p.displayName ?? p.name}${p.available ? '' : ' (no backend)'}`;
      return option;
    }),
  );
  keepStreaming('/v1/events', { onMessage: onLifecycle });
}

start();
