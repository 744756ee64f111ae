/**
 * Which worker event answers a method (protocol-events.md): a method is `done` only once its reply was
 * published. A method without a known reply is done once written.
 */
const REPLIES: Readonly<Record<string, (event: string, data: Readonly<Record<string, unknown>> | undefined) => boolean>> = {
  pause: (event, data) => event === 'status' && data?.status === 'paused',
  resume: (event, data) => event === 'status' && data?.status === 'running',
  compact: (event) => event === 'compact_start' || event === 'compact_done' || event === 'compact_failed',
  list_rewind_targets: (event) => event === 'rewind_targets',
  rewind_to: (event) => event === 'rewind_applied',
  list_completions: (event) => event === 'completions',
  list_workers: (event) => event === 'workers_listed',
  restore_worker: (event) => event === 'worker_restored',
  register_peer: (event) => event === 'peer_registered',
};

/** Whether the worker answers `method` with an event the bridge can wait for. */
export function hasReply(method: string): boolean {
  return Object.hasOwn(REPLIES, method);
}

export function methodAnswered(method: string, event: string, data: Readonly<Record<string, unknown>> | undefined): boolean {
  return REPLIES[method]?.(event, data) ?? false;
}
