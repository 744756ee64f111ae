/** Waiting with a bound: shared by the adapters that supervise processes and sockets (ACP, worker bridge). */
export type Within<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' };

/** Waits for `work` at most `ms`, or until `signal` aborts; never throws. */
export function within<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<Within<T>> {
  if (signal?.aborted) return Promise.resolve({ kind: 'aborted' });
  return new Promise((resolve) => {
    const timer = setTimeout(() => settle({ kind: 'timeout' }), ms);
    const onAbort = () => settle({ kind: 'aborted' });
    signal?.addEventListener('abort', onAbort, { once: true });
    function settle(outcome: Within<T>): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    }
    work.then(
      (value) => settle({ kind: 'ok', value }),
      (error: unknown) => settle({ kind: 'error', error }),
    );
  });
}

/** Resolves after `ms`, or at once when `signal` aborts (true: the full delay passed). */
export function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
