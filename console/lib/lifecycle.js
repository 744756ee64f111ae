// One change from the lifecycle stream (`GET /v1/events`) applied to the console's Worker list. A
// change of a type this console does not know (a newer host), or one without a Worker, is ignored.

const CARRY_PROJECTION = new Set(['worker_created', 'worker_changed', 'input_queued', 'input_settled']);

/** Applies `change` to `workers` (a Map by Worker id); false when it was not one this console knows. */
export function applyChange(workers, change) {
  const worker = change?.worker;
  if (typeof worker?.workerId !== 'string') return false;
  if (change.type === 'worker_removed') workers.delete(worker.workerId);
  else if (CARRY_PROJECTION.has(change.type)) workers.set(worker.workerId, worker);
  else return false;
  return true;
}
