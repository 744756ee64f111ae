// One Worker, opened at its URL (#/w/<id>): header with its state and the controls that can succeed
// in that state, its live transcript (resumed after a reconnect), the composer (with what a busy Worker
// does with input), the inputs queued for it and typed outcomes.
import { api, keepStreaming } from './api.js';
import { canSend, composerHint, POLICY_LABELS, policyChoices, sendEffect } from './composer.js';
import { $, compact, el } from './dom.js';
import { InputQueue } from './inputQueue.js';
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
    this.queue = new InputQueue($('input-queue'), { onReply: (op, body) => showReply('op-outcome', op, body) });
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
    $('busy-policy').dataset.worker = '';
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
    this.queue.open(workerId);
    this.update();
  }

  close() {
    this.stream?.close();
    this.stream = null;
    this.workerId = null;
    this.queue.close();
  }

  /** A change on the lifecycle stream (the Worker list is already updated): the queue's own changes. */
  lifecycleChange(change) {
    this.queue.change(change);
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
        void this.queue.refetch();
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
    const live = worker && !this.gone ? worker : undefined;
    const policy = this.policy(live, profile);
    const sendable = canSend(live, policy) && !this.inFlight.has('input');
    const effect = sendEffect(live, policy);
    $('composer-input').disabled = !CONNECTED.has(state);
    $('composer-input').placeholder = composerHint(live, policy);
    $('send-button').disabled = !sendable;
    $('send-button').textContent = effect.button;
    $('composer-notify').disabled = !sendable;
    $('composer-note').textContent = effect.note;
    $('composer-note').hidden = !effect.note;
    this.transcript.setPending(this.gone ? [] : (worker?.pendingDecisions ?? []));
  }

  /** The busy policy this input gets: the profile's, or the one picked where the profile offers a choice. */
  policy(worker, profile) {
    const select = $('busy-policy');
    const choices = worker ? policyChoices(worker, profile) : [];
    const key = `${this.workerId} ${choices.join(' ')}`;
    if (select.dataset.worker !== key) {
      // Another Worker (or other choices): start from the profile's own policy.
      select.dataset.worker = key;
      select.replaceChildren(...choices.map((p) => el('option', { value: p, text: POLICY_LABELS[p] ?? p })));
      select.value = choices[0] ?? '';
    }
    $('busy-policy-label').hidden = choices.length < 2;
    return choices.length < 2 ? choices[0] : select.value;
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
      // A picked policy travels with the input; the profile's own needs no saying.
      const picked = $('busy-policy-label').hidden ? null : $('busy-policy').value;
      const standing = this.worker?.queue?.busyPolicy;
      const { body } = await this.operate('input', 'POST', path('/input'), picked && picked !== standing ? { ...input, busyPolicy: picked } : input);
      const outcome = body.result?.outcome;
      if ((outcome === 'accepted' || outcome === 'queued') && $('composer-input').value.trim() === content) $('composer-input').value = '';
      if (outcome === 'accepted' || outcome === 'queued') {
        $('busy-policy').dataset.worker = ''; // a picked policy was for that input only: back to the profile's
        this.update();
      }
      if (outcome === 'queued') {
        const interrupting = body.result.reason === 'interrupting';
        showOutcome('op-outcome', body.result, interrupting ? 'Interrupting the current run: this input goes next.' : `Queued at position ${body.result.position}: it is sent when the Worker is idle.`);
        this.queue.queued(body.result, input.kind === 'notify' ? input : { kind: 'user', segments: [{ kind: 'text', content }] });
      }
    });
    $('busy-policy').addEventListener('change', () => this.update());
    $('composer-input').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault(); // Enter sends; it must not also leave a newline in the composer
        $('composer').requestSubmit();
      }
    });
  }
}
