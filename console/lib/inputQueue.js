// Inputs waiting for a Worker (a busy policy that queues), listed under the composer (#input-queue):
// position, a preview of the text, age, Cancel. Kept live from the lifecycle stream (`input_queued`,
// `input_settled`, applied by queueState.js) and read again from the host shortly after each change and
// whenever changes may have been missed (opening the Worker, a stream that started over). A settled
// input shows its one final outcome for a moment, then leaves the list.
import { api } from './api.js';
import { el } from './dom.js';
import { age, settledRow, waitingRow } from './queueRows.js';
import { QueueState } from './queueState.js';

const LINGER_MS = 5000;
const RESYNC_MS = 200;

export class InputQueue {
  /** `onReply(operation, body)` shows a reply in the operation line. */
  constructor(container, { onReply }) {
    this.container = container;
    this.onReply = onReply;
    this.workerId = null;
    this.ticker = 0;
    this.resync = 0;
    this.settled = new Map();
    this.clear();
  }

  clear() {
    for (const { timer } of this.settled.values()) clearTimeout(timer);
    clearTimeout(this.resync);
    this.state = new QueueState();
    this.settled = new Map(); // submissionId -> { entry, settlement, slot, timer }, shown for LINGER_MS
    this.cancelling = new Set();
    this.meta = null;
    this.reads = 0;
  }

  open(workerId) {
    if (workerId === this.workerId) return;
    this.workerId = workerId;
    this.clear();
    this.render();
    if (workerId) void this.refetch();
  }

  close() {
    this.open(null);
  }

  /** Reads the queue from the host: the truth, whenever changes may have been missed. */
  async refetch() {
    const workerId = this.workerId;
    if (!workerId) return;
    const read = ++this.reads;
    const since = this.state.version;
    const { status, body } = await api('GET', `/v1/workers/${encodeURIComponent(workerId)}/queue`);
    if (workerId !== this.workerId || read !== this.reads) return; // another Worker, or a newer read is on its way
    if (status === 200 && Array.isArray(body.queue?.entries)) {
      this.meta = body.queue;
      this.state.replace(body.queue.entries, since);
    } else if (status === 404) this.state.replace([], Infinity);
    this.render();
  }

  /** Reads the queue again soon (a burst of changes, one read): positions and `dispatching` as the host has them. */
  later() {
    clearTimeout(this.resync);
    this.resync = setTimeout(() => void this.refetch(), RESYNC_MS);
  }

  /** A lifecycle change (any type, any Worker): only this Worker's queue changes are taken. */
  change(change) {
    if (!this.workerId || change?.worker?.workerId !== this.workerId) return;
    if (change.type === 'input_queued' && change.entry?.submissionId) {
      if (this.state.add(change.entry, false)) this.render();
      this.later();
    } else if (change.type === 'input_settled' && change.settlement?.submissionId) {
      this.settle(change.settlement);
      this.later();
    }
  }

  /** An input this console sent was answered `queued`: listed now (its lifecycle change may come later, or came first). */
  queued(result, input) {
    if (!result?.submissionId || typeof result.position !== 'number') return;
    const entry = { submissionId: result.submissionId, position: result.position, state: 'queued', interrupt: result.reason === 'interrupting', queuedAt: Date.now(), input };
    if (this.state.add(entry, true)) this.render();
  }

  settle(settlement) {
    const id = settlement.submissionId;
    this.cancelling.delete(id);
    const gone = this.state.settle(id);
    if (!gone) return;
    const timer = setTimeout(() => {
      this.settled.delete(id);
      this.render();
    }, LINGER_MS);
    // Shown where it stood, just above what took its place.
    this.settled.set(id, { entry: gone.entry, settlement, slot: gone.position - 0.5, timer });
    this.render();
  }

  async cancel(submissionId) {
    const workerId = this.workerId;
    const path = `/v1/workers/${encodeURIComponent(workerId)}/queue/${encodeURIComponent(submissionId)}`;
    this.cancelling.add(submissionId);
    this.render();
    const { status, body } = await api('DELETE', path);
    if (workerId !== this.workerId) return;
    this.cancelling.delete(submissionId);
    this.onReply('dequeue', body);
    if (body.result?.outcome === 'accepted') return this.settle({ submissionId, outcome: 'cancelled', reason: body.result.reason ?? 'cancelled' });
    if (status === 409 || status === 404) {
      // Settled meanwhile (its outcome is read back), or being handed over: the host's list is the truth.
      const read = await api('GET', path);
      const settlement = read.body.submission?.settlement;
      if (workerId === this.workerId && settlement) this.settle(settlement);
    }
    void this.refetch();
  }

  render() {
    const waiting = this.state.ordered();
    const rows = [
      ...waiting.map((entry) => ({ slot: entry.position, node: waitingRow(entry, { cancelling: this.cancelling.has(entry.submissionId), cancel: (id) => void this.cancel(id) }) })),
      ...[...this.settled.values()].map((item) => ({ slot: item.slot, node: settledRow(item.entry, item.settlement) })),
    ].sort((a, b) => a.slot - b.slot);
    this.container.hidden = rows.length === 0;
    this.tick(waiting.length > 0);
    if (rows.length === 0) return this.container.replaceChildren();
    const bounds = this.meta ? `holds ${this.meta.queueLimit} at most${this.meta.durable ? ', kept in Redis' : ''}` : '';
    this.container.replaceChildren(
      el('div', { class: 'queue-head' }, el('span', { text: waiting.length ? `Queued for this Worker (${waiting.length})` : 'Queued for this Worker' }), el('span', { class: 'muted', text: bounds })),
      el('ol', { class: 'queue-list' }, rows.map((row) => row.node)),
    );
  }

  /** Keeps the ages current while something waits. */
  tick(on) {
    if (on && !this.ticker) {
      this.ticker = setInterval(() => {
        for (const node of this.container.querySelectorAll('.queued[data-state=queued] .age')) node.textContent = age(Number(node.dataset.queuedAt));
      }, 1000);
    } else if (!on && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = 0;
    }
  }
}
