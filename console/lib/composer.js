// The composer's rule: what may be sent to a Worker in its current state, and what will happen to it.
// Input to a busy Worker gets a busy policy (the profile's, or the one picked for this input where the
// profile allows a choice): `reject` answers `busy`, so Send waits for idle; `enqueue` queues it (the
// queue is listed under the composer, inputQueue.js); `interrupt` cancels the current run and goes next.

const BUSY = new Set(['busy', 'paused', 'requires_action']);
const POLICIES = ['enqueue', 'interrupt', 'reject'];

/** Whether input sent now would meet a busy Worker (a run, or inputs already waiting). */
function meetsBusy(worker) {
  return BUSY.has(worker?.state) || (worker?.state === 'idle' && (worker.queue?.length ?? 0) > 0);
}

/** The policies a person may pick for one input (the profile's first), or just the profile's when there is no real choice. */
export function policyChoices(worker, profile) {
  const standing = worker?.queue?.busyPolicy ?? profile?.busyPolicy ?? 'reject';
  const allowed = Array.isArray(profile?.busyPolicies) ? profile.busyPolicies : [standing];
  // `reject` per input is only worth offering when it is what the profile does anyway: a person who
  // does not want to queue can simply wait.
  const choices = POLICIES.filter((p) => allowed.includes(p) && (p !== 'reject' || standing === 'reject'));
  return [standing, ...choices.filter((p) => p !== standing)];
}

/** Whether input to `worker` can succeed now under `policy`: an idle Worker takes it; a busy one only if it queues or interrupts. */
export function canSend(worker, policy = worker?.queue?.busyPolicy) {
  if (worker?.state === 'idle') return true;
  return BUSY.has(worker?.state) && (policy === 'enqueue' || policy === 'interrupt');
}

/** What sending now does, for the line under the composer and the Send button: `{ note, button }`. */
export function sendEffect(worker, policy = worker?.queue?.busyPolicy) {
  if (!canSend(worker, policy) || !meetsBusy(worker)) return { note: '', button: 'Send' };
  if (policy === 'enqueue') return { note: `The Worker is busy: this input will be queued (position ${(worker.queue?.length ?? 0) + 1}).`, button: 'Queue' };
  if (policy === 'interrupt') return { note: 'The Worker is busy: this input interrupts the current run and goes next.', button: 'Interrupt' };
  return { note: '', button: 'Send' };
}

/** The composer's placeholder for `worker`: what to do, or why nothing can be sent. */
export function composerHint(worker, policy = worker?.queue?.busyPolicy) {
  switch (worker?.state) {
    case 'idle':
      return 'Message (Enter sends, Shift+Enter for a new line)';
    case 'busy':
    case 'paused':
      if (policy === 'enqueue') return 'Message (it waits its turn in the queue)';
      if (policy === 'interrupt') return 'Message (it interrupts the current run)';
      return 'The Worker is running; wait for the run to end, or cancel it';
    case 'requires_action':
      return canSend(worker, policy) ? 'Message (the Worker waits for your decision above)' : 'The Worker waits for your decision above';
    case 'starting':
      return 'The Worker is starting…';
    default:
      return `This Worker cannot take input (${worker?.state ?? 'gone'})`;
  }
}

/** How a policy reads in the selector (“If busy: …”). */
export const POLICY_LABELS = { enqueue: 'queue it', interrupt: 'interrupt the run', reject: "don't send" };
