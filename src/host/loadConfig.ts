import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { DetectedAgent } from './agentDetection.js';
import { detectedProfiles } from './agentDetection.js';
import { HostConfigError, zodIssues, type ConfigIssue } from './configIssues.js';
import { declaredBackendIds, type HostBackend } from './hostBackends.js';
import { HostConfigSchema, type HostConfig } from './hostConfig.js';
import { profileIssues } from './profileCheck.js';

export { HostConfigError } from './configIssues.js';

export interface ConfigSources {
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /** Backends other than the built-in ones that profiles may name (the descriptors you pass to createHost). */
  backends?: readonly HostBackend[];
  /** ACP agents found on this machine: each becomes a profile when the configuration names no profiles. */
  agents?: readonly DetectedAgent[];
}

/** The command-line flags the host understands (also `--help`). */
export const HOST_FLAGS = {
  config: { type: 'string', short: 'c' },
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  'memory-budget': { type: 'string' },
  'no-detect': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/**
 * Builds the host configuration: embedded defaults, then the config file (`--config` or
 * WORKER_RUNTIME_CONFIG), then environment (WORKER_RUNTIME_TOKEN, WORKER_RUNTIME_HOST/PORT,
 * WORKER_RUNTIME_MEMORY_BUDGET), then flags (`--host`, `--port`, `--log-level`, `--log-format`,
 * `--memory-budget`). Validated once, profiles included (their backend
 * is known and their options parse); an error names each field and where its value came from.
 */
export function loadConfig({ argv = [], env = {}, backends = [], agents = [] }: ConfigSources = {}): HostConfig {
  const flags = parseFlags(argv);
  const file = flags.config ?? env.WORKER_RUNTIME_CONFIG;
  const raw = file ? readConfigFile(file) : {};
  const origins = new Map<string, string>();
  const merged: Record<string, unknown> = { ...raw };
  const override = (section: 'listen' | 'log' | 'bus', field: string, value: unknown, origin: string) => {
    merged[section] = { ...((merged[section] as object | undefined) ?? {}), [field]: value };
    origins.set(`${section}.${field}`, origin);
  };
  if (env.WORKER_RUNTIME_HOST) override('listen', 'host', env.WORKER_RUNTIME_HOST, 'WORKER_RUNTIME_HOST');
  if (env.WORKER_RUNTIME_PORT) override('listen', 'port', toPort(env.WORKER_RUNTIME_PORT, 'WORKER_RUNTIME_PORT'), 'WORKER_RUNTIME_PORT');
  if (flags.host) override('listen', 'host', flags.host, '--host');
  if (flags.port) override('listen', 'port', toPort(flags.port, '--port'), '--port');
  if (env.WORKER_RUNTIME_TOKEN) {
    merged.token = env.WORKER_RUNTIME_TOKEN;
    origins.set('token', 'WORKER_RUNTIME_TOKEN');
  }
  if (flags['log-level']) override('log', 'level', flags['log-level'], '--log-level');
  if (flags['log-format']) override('log', 'format', flags['log-format'], '--log-format');
  const budget = flags['memory-budget'] ?? env.WORKER_RUNTIME_MEMORY_BUDGET;
  if (budget) {
    const origin = flags['memory-budget'] ? '--memory-budget' : 'WORKER_RUNTIME_MEMORY_BUDGET';
    if ((merged.bus as { kind?: unknown } | undefined)?.kind === 'redis') {
      throw new HostConfigError(`invalid configuration:\n  ${origin}: the memory budget is for the in-memory bus (bus.kind is "redis")`);
    }
    override('bus', 'budgetBytes', toBytes(budget, origin), origin);
  }
  if (raw.profiles === undefined && agents.length > 0) {
    Object.assign(merged, detectedProfiles(agents, merged.runtime));
    origins.set('profiles', 'agents detected on PATH');
  }

  const parsed = HostConfigSchema.safeParse(merged);
  const issues: ConfigIssue[] = parsed.success ? [] : zodIssues(parsed.error);
  issues.push(...profileIssues(merged.profiles, declaredBackendIds(backends), backends));
  if (issues.length > 0 || !parsed.success) {
    throw HostConfigError.of(file ?? 'defaults, environment and flags', issues.map((issue) => withOrigin(issue, origins)));
  }
  return parsed.data;
}

/** The command-line flags alone (for `--help`, `--version` and `--no-detect`, decided before any config is read). */
export function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: HOST_FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new HostConfigError(`invalid command line: ${(error as Error).message} (see --help)`);
  }
}

/** Validates a configuration object (the JSON file's shape); throws HostConfigError naming each bad field. */
export function parseConfig(raw: unknown, source = 'config'): HostConfig {
  const parsed = HostConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw HostConfigError.of(source, zodIssues(parsed.error));
}

function withOrigin(issue: ConfigIssue, origins: ReadonlyMap<string, string>): ConfigIssue {
  const origin = [...origins].find(([path]) => issue.path === path || issue.path.startsWith(`${path}.`))?.[1];
  return origin ? { path: `${issue.path} (from ${origin})`, message: issue.message } : issue;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new HostConfigError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new HostConfigError(`config file ${path} is not a JSON object: ${(error as Error).message}`);
  }
}

const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

/** `268435456`, `256MiB`, `256M`, `1GiB`, `512k` (units are powers of 1024). */
function toBytes(value: string, field: string): number {
  const match = /^(\d+)\s*([A-Za-z]*)$/.exec(value.trim());
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new HostConfigError(`invalid configuration:\n  ${field}: not a byte size (bytes, or a number with KiB, MiB or GiB)`);
  return Number(match[1]) * unit;
}

function toPort(value: string, field: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new HostConfigError(`invalid configuration:\n  ${field}: not a port number (0-65535)`);
  return port;
}
