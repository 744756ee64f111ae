// The worker-runtime console: an agent panel over the host's API. Lists Workers (live, from the
// lifecycle stream), creates them, opens one at its own URL (#/w/<id>) with its streamed transcript,
// tool and decision cards, and shows every typed outcome. It says when the host cannot be reached or
// restarted. ES modules served as they are by the host (no build step).
import { api, keepStreaming, onUnauthorized, setToken } from './console/lib/api.js';
import { $, el } from './console/lib/dom.js';
import { applyChange } from './console/lib/lifecycle.js';
import { showOutcome, showReply } from './console/lib/outcome.js';
import { renderWelcome } from './console/lib/welcome.js';
import { WorkerView } from './console/lib/workerView.js';
import { renderWorkerList } from './console/lib/workerList.js';

const TOKEN_KEY = 'worker-runtime-token';
const workers = new Map();
let summary = { runtimeId: '', profiles: [] };
let loaded = false;
let lifecycle = null;
let bannerTimer = 0;
let lost = false;

const view = new WorkerView({
  workers,
  loaded: () => loaded,
  profile: (name) => summary.profiles.find((p) => p.name === name),
  navigate: (hash) => (location.hash = hash),
  created: (body) => created(body),
});

// ---------- sign-in ----------
function takeTokenFromFragment() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', `${location.pathname}#/`);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function showLogin(message) {
  lifecycle?.close();
  lifecycle = null;
  $('app').hidden = true;
  $('login').hidden = false;
  if (message) $('login-note').textContent = message;
  setConnection('offline');
}

onUnauthorized(() => {
  sessionStorage.removeItem(TOKEN_KEY);
  showLogin('The host refused this token. Paste the one it printed when it started.');
});

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token-input').value.trim());
  void start();
});

// ---------- host status ----------
function setConnection(state) {
  const badge = $('connection');
  badge.dataset.state = state;
  badge.textContent = { live: 'live', connecting: 'connecting…', unreachable: 'host unreachable', offline: 'offline' }[state] ?? state;
}

/** The banner under the header: `unreachable`, `restarted`, `shutdown`, `back` (fades), or null. */
function banner(kind, text) {
  const box = $('host-banner');
  clearTimeout(bannerTimer);
  if (!kind) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  box.dataset.kind = kind;
  box.replaceChildren(el('span', { text }), kind === 'restarted' ? el('button', { type: 'button', class: 'dismiss', on: { click: () => banner(null) }, text: 'OK' }) : null);
  if (kind === 'back') bannerTimer = setTimeout(() => banner(null), 4000);
}

function onLifecycleState(state) {
  if (state === 'unauthorized') return;
  setConnection(state);
  if (state === 'unreachable') {
    lost = true;
    banner('unreachable', 'Cannot reach the host. Retrying… (is it still running?)');
  } else if (state === 'live') {
    if (lost) banner('back', 'The host is reachable again.');
    lost = false;
  }
}

function onLifecycle(event, data) {
  switch (event) {
    case 'workers':
      workers.clear();
      for (const worker of data.workers) workers.set(worker.workerId, worker);
      loaded = true;
      void view.queue.refetch(); // a fresh list: changes to the open Worker's queue may have been missed
      break;
    case 'lifecycle':
      if (!applyChange(workers, data?.change)) return; // a change this console does not know: ignored
      view.lifecycleChange(data.change);
      break;
    case 'reset':
      // Another generation of the lifecycle stream: the host restarted (or lost its data). Start over from its list.
      banner('restarted', 'The host restarted: the Worker list was reloaded. Workers it did not bring back are gone.');
      void refreshSummary();
      lifecycle?.fresh();
      return;
    case 'expired':
      // Changes older than the host keeps were missed: start over from its list.
      lifecycle?.fresh();
      return;
    case 'end':
      if (data.reason === 'shutdown') banner('shutdown', 'The host is shutting down.');
      return;
    default:
      return;
  }
  render();
}

// ---------- rendering ----------
function render() {
  const selected = view.workerId;
  const count = renderWorkerList($('worker-list'), workers, selected);
  $('worker-count').textContent = count ? `(${count})` : '';
  $('no-workers').hidden = count > 0 || !loaded;
  renderWelcome($('welcome'), summary, count);
  $('welcome').hidden = Boolean(selected);
  view.update();
}

function route() {
  const match = /^#\/w\/([^/]+)$/.exec(location.hash);
  const workerId = match ? decodeURIComponent(match[1]) : null;
  document.body.dataset.view = workerId ? 'worker' : 'list';
  if (workerId) view.open(workerId);
  else view.close();
  render();
}
window.addEventListener('hashchange', route);

// ---------- create ----------
function renderProfiles() {
  const select = $('profile-select');
  const previous = select.value;
  select.replaceChildren(
    ...summary.profiles.map((p) =>
      el('option', { value: p.name, text: `${p.displayName ? `${p.displayName} — ${p.name}` : p.name}${p.backend ? ` (${p.backend})` : ''}${p.available ? '' : ' · no backend'}` }),
    ),
  );
  const firstUsable = summary.profiles.find((p) => p.available)?.name;
  select.value = summary.profiles.some((p) => p.name === previous) ? previous : (firstUsable ?? summary.profiles[0]?.name ?? '');
  profileChanged();
}

function profileChanged() {
  const profile = summary.profiles.find((p) => p.name === $('profile-select').value);
  const hint = $('profile-hint');
  hint.hidden = !profile || profile.available;
  hint.textContent =
    profile && !profile.available
      ? `No backend runs profile “${profile.name}” on this host, so a Worker from it would only be a placeholder. Pick another profile, or give this one a backend in the host's config.`
      : '';
  $('create-button').disabled = !profile?.available;
}
$('profile-select').addEventListener('change', profileChanged);

function created(body) {
  workers.set(body.worker.workerId, body.worker);
  const name = body.worker.displayName ?? body.worker.workerId;
  if (body.result.outcome === 'accepted') showOutcome('create-outcome', body.result, `Created “${name}”.`);
  else {
    showOutcome('create-outcome', body.result);
    const line = $('create-outcome');
    line.className = 'outcome outcome-warning';
    line.textContent = `Created “${name}”, but it cannot run: ${body.result.diagnostic?.code ?? body.result.reason}. Its diagnostic says why.`;
  }
  location.hash = `#/w/${encodeURIComponent(body.worker.workerId)}`;
}

$('create-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const displayName = $('display-name').value.trim();
  showOutcome('create-outcome', null);
  $('create-button').disabled = true;
  const { body } = await api('POST', '/v1/workers', { profile: $('profile-select').value, ...(displayName ? { displayName } : {}) });
  profileChanged();
  if (!body.worker) return showReply('create-outcome', 'create', body);
  $('display-name').value = '';
  created(body);
});

// ---------- start ----------
async function refreshSummary() {
  const { status, body } = await api('GET', '/v1/runtime');
  if (status !== 200) return false;
  summary = body;
  $('runtime-info').textContent = `runtime ${body.runtimeId} · ${body.profiles.length} profile${body.profiles.length === 1 ? '' : 's'}`;
  renderProfiles();
  render();
  return true;
}

async function start() {
  const token = takeTokenFromFragment();
  if (!token) return showLogin();
  setToken(token);
  setConnection('connecting');
  if (!(await refreshSummary())) {
    if (!$('login').hidden) return;
    banner('unreachable', 'Cannot reach the host. Reload the page once it runs.');
    return setConnection('unreachable');
  }
  $('login').hidden = true;
  $('app').hidden = false;
  lifecycle?.close();
  lifecycle = keepStreaming('/v1/events', { onMessage: onLifecycle, onState: onLifecycleState });
  route();
}

void start();
