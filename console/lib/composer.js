// The composer's rule: what may be sent to a Worker in its current state. Kept in one place so a busy
// policy that queues input can widen it (and the queue list below the composer, inputQueue.js, can
// show what waits).

/** Whether input to `worker` can succeed now: only an idle, connected Worker takes it. */
export function canSend(worker) {
  return worker?.state === 'idle';
}

/** The composer's placeholder for `worker`: what to do, or why nothing can be sent. */
export function composerHint(worker) {
  switch (worker?.state) {
    case 'idle':
      return 'Message (Enter sends, Shift+Enter for a new line)';
    case 'busy':
    case 'paused':
      return 'The Worker is running; wait for the run to end, or cancel it';
    case 'requires_action':
      return 'The Worker waits for your decision above';
    case 'starting':
      return 'The Worker is starting…';
    default:
      return `This Worker cannot take input (${worker?.state ?? 'gone'})`;
  }
}
