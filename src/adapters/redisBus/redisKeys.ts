import type { WorkerRef } from '../../domain/workerRef.js';

/** The two keys of one Worker stream. They share a hash tag, so a script may touch both (cluster slot). */
export interface StreamKeys {
  /** The Redis stream: entry id `<sequence>-0`, one field named after the epoch, the value the payload JSON. */
  readonly stream: string;
  /** A hash: `epoch` (this stream's generation) and `seq` (the last sequence assigned). */
  readonly meta: string;
}

/**
 * `<prefix>{<runtimeId>:<workerId>}:log` and `...:meta`. Ids are percent-encoded, so `:`, `{`, `}`
 * and `%` inside an id can never make two Workers share a key.
 */
export function streamKeys(prefix: string, worker: WorkerRef): StreamKeys {
  const tag = `${prefix}{${encodeURIComponent(worker.runtimeId)}:${encodeURIComponent(worker.workerId)}}`;
  return { stream: `${tag}:log`, meta: `${tag}:meta` };
}
