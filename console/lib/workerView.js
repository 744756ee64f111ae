// One Worker, opened at its URL (#/w/<id>): header with its state and the controls that can succeed
// in that state, its live transcript (resumed after a reconnect), the composer and typed outcomes.
import { api, keepStreaming } from './api.js';
import { canSend, composerHint } from './composer.js';
import { $, compact } from './dom.js';
import { renderInputQueue } from './inputQueue.js';
import { showOutcome, showReply } from './outcome.js';
import { Transcript } from './transcript.js';
import { stateLabel } from './workerList.js';

const RUNNING = new Set(['busy', 'paused', 'requires_action']);
const CONNECTED = new Set(['idle', ...RUNNING]);
const FINAL = new Set(['stopped', 'unavailable', 'errored']);

export class WorkerView {
  /** `ctx`: `{ workers: Map, loaded(), profile(name), navigate(hash), created(body) }`. */
  constructor(ctx) {
    this.ctx = ctx;
    this.workerId = null;
    this.stream = null;
    this.gone = false;
    this.inFlight = new Set();
    this.transcript = new Transcript($('stream'), {
      decide: (decisionId, optionId) => this.decide(decisionId, optionId),
      onUsage: (usage) => this.showUsage(usage),
    });
    this.wire();
  }

  get worker() {
    return this.workerId ? this.ctx.workers.get(this.workerId) : undefined;
  }

  open(workerId) {
    if (workerId === this.workerId) return this.update();
    this.close();
    this.workerId = workerId;
    this.gone = false;
    this.lastName = null;
    $('composer-input').value = '';
    showOutcome('op-outcome', null);
    $('stream-notice').hidden = true;
    this.transcript.reset();
    this.stream = keepStreaming(`/v1/workers/${encodeURIComponent(workerId)}/events`, {
      onMessage: (event, frame) => this.frame(event, frame),
      onGone: () => {
        this.gone = true;
        this.notice('This Worker is not on the host any more (removed, or the host restarted without it).');
        this.update();
      },
    });
    this.update();
  }

  close() {
    this.stream?.close();
    this.stream = null;
    this.workerId = null;
  }

  frame(event, frame) {
    switch (event) {
      case 'observation':
        return this.transcript.show(frame);
      case 'expired':
        return this.notice('Older events are no longer retained; showing from the oldest available.');
      case 'reset':
        this.transcript.reset();
        this.transcript.setPending(this.worker?.pendingDecisions ?? []);
        return this.notice('The stream started over (the host restarted or lost its data); showing it from its start.');
      case 'lagged':
        return this.notice('The stream fell behind; it resumed from the last event received.');
      case 'gap':
        this.transcript.note('alert', `${frame.to - frame.from + 1} event(s) could not be read and were skipped (${frame.reason})`);
        return this.notice('Some events could not be read and were skipped; the stream continues after them.');
    }
  }

  notice(text) {
    const box = $('stream-notice');
    box.hidden = false;
    box.textContent = text;
  }

  /** Re-renders the header and controls from the Worker's projection. */
  update() {
    const worker = this.worker;
    $('worker-view').hidden = !this.workerId;
    if (!this.workerId) return;
    if (worker) this.lastName = worker.displayName;
    const state = worker && !this.gone ? worker.state : this.ctx.loaded() ? 'gone' : 'loading';
    $('worker-title').textContent = (worker ? worker.displayName : this.lastName) ?? this.workerId;
    const badge = $('worker-state');
    badge.textContent = stateLabel(state);
    badge.className = `badge state-${state}`;
    const profile = worker ? this.ctx.profile(worker.profile) : undefined;
    $('worker-meta').dataset.base = worker ? `${worker.workerId} · ${worker.profile}${profile?.backend ? ` · ${profile.backend}` : ''}` : this.workerId;
    this.showUsage(this.transcript.usage);
    const diagnostic = $('worker-diagnostic');
    diagnostic.hidden = !worker?.diagnostic;
    diagnostic.dataset.severity = worker?.diagnostic?.severity ?? '';
    diagnostic.textContent = worker?.diagnostic ? `${worker.diagnostic.code}: ${worker.diagnostic.message}` : '';
    const can = (op, ok) => ($(`${op}-button`).disabled = !ok || this.inFlight.has(op));
    can('cancel', RUNNING.has(state));
    can('stop', CONNECTED.has(state));
    can('remove', FINAL.has(state));
    can('clone', Boolean(worker && profile?.available));
    const sendable = canSend(worker && !this.gone ? worker : undefined) && !this.inFlight.has('input');
    $('composer-input').disabled = !CONNECTED.has(state);
    $('composer-input').placeholder = composerHint(worker && !this.gone ? worker : undefined);
    $('send-button').disabled = !sendable;
    $('composer-notify').disabled = !sendable;
    this.transcript.setPending(this.gone ? [] : (worker?.pendingDecisions ?? []));
    renderInputQueue($('input-queue'), worker);
  }

  showUsage(usage) {
    const meta = $('worker-meta');
    const parts = [meta.dataset.base ?? ''];
    if (usage.contextTokens !== null) {
      const of = usage.contextWindow ? ` / ${compact(usage.contextWindow)} (${Math.round((100 * usage.contextTokens) / usage.contextWindow)}%)` : '';
      parts.push(`context ${compact(usage.contextTokens)}${of}`);
    }
    if (usage.inputTokens || usage.outputTokens) parts.push(`tokens ${compact(usage.inputTokens)} in · ${compact(usage.outputTokens)} out`);
    if (usage.cost) parts.push(`${usage.cost.amount.toFixed(2)} ${usage.cost.currency}`);
    meta.textContent = parts.filter(Boolean).join(' · ');
  }

  async operate(op, method, path, body) {
    const workerId = this.workerId;
    this.inFlight.add(op);
    this.update();
    showOutcome('op-outcome', null); // no stale outcome while this one is on its way
    const reply = await api(method, path, body);
    this.inFlight.delete(op);
    if (workerId === this.workerId) {
      showReply('op-outcome', op, reply.body);
      this.update();
    }
    return reply;
  }

  async decide(decisionId, optionId) {
    const path = `/v1/workers/${encodeURIComponent(this.workerId)}/decisions/${encodeURIComponent(decisionId)}`;
    const { body } = await this.operate('decide', 'POST', path, { optionId });
    return body.result ?? { outcome: 'errored', error: body.error?.code, message: body.error?.message };
  }

  wire() {
    const path = (suffix = '') => `/v1/workers/${encodeURIComponent(this.workerId)}${suffix}`;
    $('cancel-button').addEventListener('click', () => this.operate('cancel', 'POST', path('/cancel')));
    $('stop-button').addEventListener('click', () => this.operate('stop', 'POST', path('/stop')));
    $('remove-button').addEventListener('click', async () => {
      const { body } = await this.operate('remove', 'DELETE', path());
      if (body.result?.outcome === 'accepted') this.ctx.navigate('#/');
    });
    $('clone-button').addEventListener('click', async () => {
      const worker = this.worker;
      if (!worker) return;
      const { body } = await this.operate('clone', 'POST', '/v1/workers', { profile: worker.profile, ...(worker.displayName ? { displayName: worker.displayName } : {}) });
      if (body.worker) this.ctx.created(body);
    });
    $('composer').addEventListener('submit', async (event) => {
      event.preventDefault();
      const content = $('composer-input').value.trim();
      if (!content || !this.workerId || $('send-button').disabled) return;
      // The library's shapes: a user turn takes `content`, a notification `message`.
      const input = $('composer-notify').checked ? { kind: 'notify', message: content } : { kind: 'user', content };
      const { body } = await this.operate('input', 'POST', path('/input'), input);
      if (body.result?.outcome === 'accepted' && $('composer-input').value.trim() === content) $('composer-input').value = '';
    });
    $('composer-input').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault(); // Enter sends; it must not also leave a newline in the composer
        $('composer').requestSubmit();
      }
    });
  }
}
