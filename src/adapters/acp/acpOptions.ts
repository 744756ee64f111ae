import { isAbsolute, resolve } from 'node:path';
import type { ServiceIdentifier } from 'inversify';
import { z } from 'zod';
import { ENV_NAME } from '../process/childEnvironment.js';
import { ProcessLogOption, type ProcessLogEntry } from '../process/processLog.js';

const ms = (fallback: number) => z.number().int().positive().max(600_000).default(fallback);
const SNAKE = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * A profile's options for the ACP backend (`profiles.<name>.options` in the host config), parsed at
 * spawn. Nothing of the host's environment reaches the agent but `PATH` and the names listed in
 * `envAllowList`; permissions default to reject; no client capability is offered unless asked.
 */
export const AcpProfileOptionsSchema = z.strictObject({
  /** The agent executable: a name looked up on PATH, or a path. */
  command: z.string().min(1).max(4096),
  args: z.array(z.string().max(64 * 1024)).max(256).default([]),
  /** Names of host environment variables passed to the agent (values are never logged or shown). */
  envAllowList: z.array(z.string().regex(ENV_NAME, 'an environment variable name')).max(256).default([]),
  /** The agent's working directory and ACP session cwd; relative to the host's cwd. Default: the host's cwd. */
  cwd: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .transform((dir) => (dir === undefined ? process.cwd() : isAbsolute(dir) ? dir : resolve(dir))),
  timeouts: z
    .strictObject({
      initializeMs: ms(15_000),
      /** `session/new`, and `session/load` (with its history replay) on restore. */
      sessionNewMs: ms(15_000),
      /** How long writing a prompt to the agent's stdin may take before the agent counts as wedged. */
      promptAckMs: ms(5_000),
      /** How long a cancelled turn may take to end before the agent is stopped (keep it below the Runtime's cancelMs). */
      cancelWatchdogMs: ms(3_000),
      /** SIGTERM to SIGKILL. */
      stopGraceMs: ms(2_000),
      /**
       * A turn with no update from the agent for this long is ended: an `error { code: agent_turn_inactive }`
       * and a cancel (then the cancel watchdog applies). 0 turns it off. Long silent tool runs count as
       * inactivity, so keep it above the longest one.
       */
      turnInactivityMs: z.number().int().min(0).max(86_400_000).default(600_000),
    })
    .prefault({}),
  permissions: z
    .strictObject({
      /**
       * How `session/request_permission` is answered. `reject`: a reject option if offered, else
       * cancelled. `ask`: a person decides (the Worker is `requires_action` until then).
       */
      policy: z.enum(['reject', 'allow_once', 'allow_always', 'ask']).default('reject'),
      /** ACP tool kinds (`read`, `search`, ...) answered `allow_once` at once under `reject` and `ask`. */
      allowToolKinds: z.array(z.string().regex(SNAKE)).max(32).default([]),
      /** Under `ask`: how long a question waits for a person before `askFallback` answers it (`decision_timeout`). */
      askTimeoutMs: z.number().int().min(1_000).max(86_400_000).default(300_000),
      /** Under `ask`: the policy that answers when nobody did in time, or when no person can be asked. */
      askFallback: z.enum(['reject', 'allow_once', 'allow_always']).default('reject'),
    })
    .prefault({}),
  /** Client capabilities offered to the agent (default: none; the agent then uses its own tools). */
  clientCapabilities: z
    .strictObject({
      /** `fs/read_text_file`, `fs/write_text_file`, confined to `cwd`. */
      fs: z.boolean().default(false),
      /** `terminal/*`: commands run under `cwd`, supervised, with the same environment allow-list. */
      terminal: z.boolean().default(false),
    })
    .prefault({}),
  limits: z
    .strictObject({
      /** Largest line the agent may write (a larger one is a protocol fault, not a memory blow-up). */
      maxMessageBytes: z.number().int().min(4096).max(256 * 1024 * 1024).default(8 * 1024 * 1024),
      stderrTailBytes: z.number().int().min(0).max(1024 * 1024).default(16 * 1024),
      /** Events waiting to be published before the agent's output is paused (back-pressure). */
      maxQueuedEvents: z.number().int().min(16).max(1_000_000).default(10_000),
      /** JSON bytes a `text_done` / `thinking_done` may assemble (keep it below the Runtime's `maxEventBytes`); beyond, the text is cut and marked `truncated`. */
      maxAssembledBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(512 * 1024),
    })
    .prefault({}),
});
export type AcpProfileOptions = z.infer<typeof AcpProfileOptionsSchema>;
export type AcpProfileOptionsInput = z.input<typeof AcpProfileOptionsSchema>;

/** What is logged when an agent fails to start or exits (see `ProcessLogEntry`). */
export type AgentLogEntry = ProcessLogEntry;

/** Backend-wide options (the module factory's): the id profiles name, and where agent failures are logged. */
export const AcpBackendOptionsSchema = z.strictObject({
  backendId: z.string().regex(SNAKE).default('acp'),
  /** Receives an entry (with the agent's stderr tail) when an agent fails to start or exits; default: a JSON line on stderr. */
  log: ProcessLogOption,
});
export type AcpBackendOptions = z.infer<typeof AcpBackendOptionsSchema>;

export const AcpBackendOptions: ServiceIdentifier<AcpBackendOptions> = Symbol.for('worker-runtime/AcpBackendOptions');

/** The first problem with profile options, by field path only (values may be secrets). */
export function describeOptionsError(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'options';
  return `invalid ACP profile options at ${where}: ${issue?.code ?? 'invalid'}`;
}
