// What the console knows of one Worker's queue, with no DOM and no network (so a test can drive it).
// Lifecycle changes arrive in the host's order and are applied to a mirror of its queue as they come.
// The reply to this console's own input may come before or after its `input_queued`: until that change
// comes, the entry is provisional, shown where the reply said, and moves nothing in the mirror. A
// settled input never comes back, whatever arrives late.

export class QueueState {
  constructor() {
    this.mirror = []; // entries as the host's changes put them, in queue order
    this.provisional = new Map(); // submissionId -> entry from a reply (`position` as the reply said)
    this.known = new Map(); // submissionId -> entry, for the preview of one that left before its settlement came
    this.final = new Set();
    this.version = 0;
  }

  /** The waiting inputs, in their order, numbered from 1. */
  ordered() {
    const order = [...this.mirror];
    for (const entry of [...this.provisional.values()].sort((a, b) => a.position - b.position)) order.splice(Math.max(0, Math.min(order.length, entry.position - 1)), 0, entry);
    return order.map((entry, index) => ({ ...entry, position: index + 1 }));
  }

  get size() {
    return this.mirror.length + this.provisional.size;
  }

  /**
   * An entry at its position (the ones from there on move one down). `local`: from this console's own
   * reply (provisional). The host's change for an entry already listed from a reply puts it where the
   * host says; a repeat of a change, or a reply after its change, changes nothing. False when nothing changed.
   */
  add(entry, local) {
    const id = entry.submissionId;
    if (this.final.has(id) || this.mirror.some((e) => e.submissionId === id)) return false;
    const seen = ++this.version;
    this.known.set(id, entry);
    if (local) {
      if (this.provisional.has(id)) return false;
      this.provisional.set(id, { ...entry, local: true, seen });
      return true;
    }
    this.provisional.delete(id);
    this.mirror.splice(Math.max(0, Math.min(this.mirror.length, entry.position - 1)), 0, { ...entry, local: false, seen });
    return true;
  }

  /** Settles an entry: gone from the list for good. `{ entry, position }` (entry null if never seen), or null if it already was. */
  settle(submissionId) {
    if (this.final.has(submissionId)) return null;
    const listed = this.ordered().find((e) => e.submissionId === submissionId);
    this.final.add(submissionId);
    this.mirror = this.mirror.filter((e) => e.submissionId !== submissionId);
    this.provisional.delete(submissionId);
    return { entry: listed ?? this.known.get(submissionId) ?? null, position: listed?.position ?? 1 };
  }

  /**
   * The host's list, read when changes may have been missed: the new mirror. Changes applied after
   * `since` (a `version` taken when the read started) that the answer lacks are kept: it may predate them.
   */
  replace(entries, since) {
    const newer = this.mirror.filter((entry) => entry.seen > since && !entries.some((e) => e.submissionId === entry.submissionId));
    this.mirror = [...entries]
      .filter((entry) => !this.final.has(entry.submissionId))
      .sort((a, b) => a.position - b.position)
      .map((entry) => ({ ...entry, local: false, seen: since }));
    for (const entry of this.mirror) {
      this.provisional.delete(entry.submissionId);
      this.known.set(entry.submissionId, entry);
    }
    for (const entry of newer) this.mirror.splice(Math.max(0, Math.min(this.mirror.length, entry.position - 1)), 0, entry);
  }
}
