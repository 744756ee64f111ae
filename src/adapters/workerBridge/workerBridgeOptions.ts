import { isAbsolute, resolve } from 'node:path';
import type { ServiceIdentifier } from 'inversify';
import { z } from 'zod';
import { ENV_NAME } from '../process/childEnvironment.js';
import { ProcessLogOption } from '../process/processLog.js';

const ms = (fallback: number) => z.number().int().positive().max(600_000).default(fallback);
const BACKEND_ID = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const absolute = (dir: string): string => (isAbsolute(dir) ? dir : resolve(dir));

/** The environment variable that tells a started worker where to listen. */
export const SOCKET_ENV = 'YOI_WORKER_SOCKET';
/** Replaced by the socket path in every argument of a started worker. */
export const SOCKET_PLACEHOLDER = '{socket}';

const Timeouts = z
  .strictObject({
    /** A started worker must accept connections on its socket within this. */
    startMs: ms(10_000),
    /** One connection attempt, and then the worker's first `snapshot` on it. */
    connectMs: ms(5_000),
    /** After `run` / `notify` was written: the worker's committed `user_message` (or `system_item`) must arrive within this. */
    ackMs: ms(5_000),
    /** After `cancel` was written: the run must end within this (keep it below the Runtime's `deadlines.cancelMs`). */
    cancelMs: ms(3_000),
    /** After `shutdown` was written: the worker must close the connection (or exit) within this. */
    stopMs: ms(3_000),
    /** SIGTERM to SIGKILL, for a worker the bridge started. */
    stopGraceMs: ms(2_000),
  })
  .prefault({});

const Reconnect = z
  .strictObject({
    initialDelayMs: z.number().int().min(1).max(60_000).default(100),
    maxDelayMs: z.number().int().min(1).max(600_000).default(5_000),
    factor: z.number().min(1).max(10).default(2),
    /** Attempts before the Worker stays `unavailable` for good (`worker_reconnect_failed`); 0: no limit. */
    maxAttempts: z.number().int().min(0).max(1_000_000).default(0),
  })
  .prefault({});

const Limits = z
  .strictObject({
    /** Largest line the worker may send; a longer one is skipped (an `error { code: internal }` in its place). */
    maxLineBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(8 * 1024 * 1024),
    stderrTailBytes: z.number().int().min(0).max(1024 * 1024).default(16 * 1024),
    /** Events received but not yet published before reading from the socket pauses (back-pressure). */
    maxQueuedEvents: z.number().int().min(16).max(1_000_000).default(10_000),
  })
  .prefault({});

const Common = {
  timeouts: Timeouts,
  reconnect: Reconnect,
  limits: Limits,
  /**
   * How a `user_message` is matched to the pending `run`: `segments` (its segments equal the input's)
   * or `first` (the first one after the write; for workers that rewrite segments).
   */
  ackMatch: z.enum(['segments', 'first']).default('segments'),
};

/** Start a worker process: the bridge gives it a private runtime directory and the socket path to listen on. */
const CommandTarget = z.strictObject({
  /** The worker executable: a name looked up on PATH, or a path. */
  command: z.string().min(1).max(4096),
  /** Arguments; `{socket}` in any of them is replaced by the socket path. */
  args: z.array(z.string().max(64 * 1024)).max(256).default([]),
  /** Names of host environment variables passed to the worker (it gets PATH, these and `YOI_WORKER_SOCKET`). */
  envAllowList: z.array(z.string().regex(ENV_NAME, 'an environment variable name')).max(256).default([]),
  /** The worker's working directory (relative: to the host's cwd). Default: the host's cwd. */
  cwd: z.string().min(1).max(4096).optional().transform((dir) => (dir === undefined ? process.cwd() : absolute(dir))),
  /** Where the private runtime directory is created (default: the OS temp directory). */
  runtimeDirParent: z.string().min(1).max(4096).optional().transform((dir) => (dir === undefined ? undefined : absolute(dir))),
  ...Common,
});

/** Attach to an already running worker's socket. */
const SocketTarget = z.strictObject({
  socketPath: z.string().min(1).max(4096).transform(absolute),
  ...Common,
});

/**
 * A profile's options for the worker bridge (`profiles.<name>.options`), parsed at spawn: exactly one
 * of `command` (start a worker) or `socketPath` (attach to a running one).
 */
export const WorkerBridgeProfileOptionsSchema = z.union([CommandTarget, SocketTarget]);
export type WorkerBridgeProfileOptions = z.infer<typeof WorkerBridgeProfileOptionsSchema>;
export type WorkerBridgeProfileOptionsInput = z.input<typeof WorkerBridgeProfileOptionsSchema>;
export type CommandOptions = z.infer<typeof CommandTarget>;

export function isCommand(options: WorkerBridgeProfileOptions): options is CommandOptions {
  return 'command' in options;
}

/** Backend-wide options (the module factory's): the id profiles name. */
export const WorkerBridgeBackendOptionsSchema = z.strictObject({
  /** Matches the host's backend kind by default, so host profiles say `"backend": "workerBridge"`. */
  backendId: z.string().regex(BACKEND_ID).default('workerBridge'),
  /** Receives an entry (with the worker's stderr tail) when a started worker fails to start or ends unexpectedly; default: a JSON line on stderr. */
  log: ProcessLogOption,
});
export type WorkerBridgeBackendOptions = z.infer<typeof WorkerBridgeBackendOptionsSchema>;

export const WorkerBridgeBackendOptions: ServiceIdentifier<WorkerBridgeBackendOptions> = Symbol.for('worker-runtime/WorkerBridgeBackendOptions');

export type ParsedProfileOptions = { readonly ok: true; readonly options: WorkerBridgeProfileOptions } | { readonly ok: false; readonly message: string };

/**
 * Parses a profile's options against the branch its keys choose (`socketPath` without `command`:
 * attach; otherwise start), so a problem is reported at its own field. The message names the field
 * path only (values may be paths or secrets).
 */
export function parseProfileOptions(raw: unknown): ParsedProfileOptions {
  const value = raw ?? {};
  const attach = typeof value === 'object' && 'socketPath' in value && !('command' in value);
  const parsed = (attach ? SocketTarget : CommandTarget).safeParse(value);
  if (parsed.success) return { ok: true, options: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'options';
  return { ok: false, message: `invalid worker bridge profile options at ${where}: ${issue?.code ?? 'invalid'} (give either command or socketPath)` };
}
