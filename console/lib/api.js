// The host's HTTP API with the bearer token in a header (never in a URL), and its SSE streams read
// with fetch (an EventSource cannot send a header), resuming after the last cursor on a reconnect.

let token = null;
let unauthorized = () => undefined;

export function setToken(value) {
  token = value;
}

/** Called when the host refuses the token (401). */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

/** `{ status, body }`; status 0 when the host could not be reached. */
export async function api(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    return { status: 0, body: { error: { code: 'host_unreachable', message: 'the host could not be reached' } } };
  }
  const json = await response.json().catch(() => ({}));
  if (response.status === 401) unauthorized();
  return { status: response.status, body: json };
}

class StreamRefused extends Error {
  constructor(status) {
    super(`stream refused: ${status}`);
    this.status = status;
  }
}

/** Reads one SSE response; calls onMessage(event, data, id) per message. Resolves when the server ends it. */
async function readSse(path, lastEventId, onOpen, onMessage, signal) {
  const headers = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const response = await fetch(path, { headers, signal });
  if (!response.ok || !response.body) {
    if (response.status === 401) unauthorized();
    throw new StreamRefused(response.status);
  }
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      let data = '';
      let id = null;
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += (data ? '\n' : '') + line.slice(6);
        else if (line.startsWith('id: ')) id = line.slice(4);
      }
      if (data) onMessage(event, JSON.parse(data), id);
    }
  }
}

/**
 * Keeps a stream open: reconnects with backoff, resuming after the last cursor it saw. `onState`
 * hears `connecting`, `live`, `unreachable`; `onGone` a 404 or `end { worker_removed }` (then it
 * stops). `fresh()` drops the cursor and reconnects (after a `reset`: start over from a full list).
 */
export function keepStreaming(path, { onMessage, onState = () => undefined, onGone = () => undefined }) {
  let controller = new AbortController();
  let cursor = null;
  let stopped = false;
  (async () => {
    let delay = 250;
    while (!stopped) {
      let ended = null;
      onState('connecting');
      try {
        await readSse(
          path,
          cursor,
          () => {
            onState('live');
            delay = 250;
          },
          (event, data, id) => {
            if (id) cursor = id;
            if (event === 'end') ended = data.reason;
            onMessage(event, data);
          },
          controller.signal,
        );
      } catch (error) {
        if (stopped) return;
        if (error?.status === 404) return onGone('not_found');
        if (error?.status === 401) return onState('unauthorized');
        if (!controller.signal.aborted) onState('unreachable');
      }
      if (ended === 'worker_removed') return onGone('worker_removed');
      if (controller.signal.aborted) {
        controller = new AbortController();
        continue; // a fresh start was asked for: at once
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 4000);
    }
  })();
  return {
    close() {
      stopped = true;
      controller.abort();
    },
    fresh() {
      cursor = null;
      controller.abort();
    },
  };
}
