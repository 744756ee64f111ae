import { z } from 'zod';

/** A Worker id: short, URL-safe, chosen by the caller or generated. */
export const WORKER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const WorkerIdSchema = z.string().regex(WORKER_ID_PATTERN, 'worker id: 1-64 of A-Z a-z 0-9 . _ -, starting alphanumeric');

export const RuntimeIdSchema = WorkerIdSchema;

/** Identity of one Worker: the Runtime that owns it and its id there. */
export interface WorkerRef {
  readonly runtimeId: string;
  readonly workerId: string;
}

export function sameWorker(a: WorkerRef, b: WorkerRef): boolean {
  return a.runtimeId === b.runtimeId && a.workerId === b.workerId;
}

/** A stable map key for a Worker. */
export function workerKey(ref: WorkerRef): string {
  return `${ref.runtimeId}/${ref.workerId}`;
}
