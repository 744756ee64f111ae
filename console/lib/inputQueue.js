// Inputs waiting for a Worker, listed under the composer (the #input-queue element). The host has no
// input queue yet: this module is where one is shown once a busy policy queues input.

/** Shows `worker`'s queued inputs in `container` (today: nothing, and the container stays empty). */
export function renderInputQueue(container, worker) {
  void worker;
  container.replaceChildren();
}
