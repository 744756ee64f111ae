import { HostConfigError, zodIssues, type ConfigIssue } from './configIssues.js';
import { BUILT_IN_BACKEND_IDS, profileOptionsSchema, type HostBackendInput } from './hostBackends.js';

interface ProfileLike {
  readonly backend?: unknown;
  readonly options?: unknown;
}

/**
 * Checks every profile before the host starts: its backend is one of `bound`, and its options parse
 * with that backend's schema (when it has one). Issues name fields, never values (options may hold secrets).
 */
export function profileIssues(profiles: unknown, bound: ReadonlySet<string>, supplied: readonly HostBackendInput[] = []): ConfigIssue[] {
  if (!profiles || typeof profiles !== 'object' || Array.isArray(profiles)) return [];
  const issues: ConfigIssue[] = [];
  for (const [name, profile] of Object.entries(profiles as Record<string, ProfileLike | null>)) {
    const backend = profile?.backend;
    if (typeof backend !== 'string') continue; // null (a placeholder) or a shape the config schema reports
    if (!bound.has(backend)) {
      issues.push({ path: `profiles.${name}.backend`, message: unboundMessage(backend, bound) });
      continue;
    }
    const schema = profileOptionsSchema(backend, supplied);
    const parsed = schema?.safeParse(profile?.options);
    if (parsed && !parsed.success) issues.push(...zodIssues(parsed.error, ['profiles', name, 'options']));
  }
  return issues;
}

function unboundMessage(backend: string, bound: ReadonlySet<string>): string {
  const custom = [...bound].filter((id) => !BUILT_IN_BACKEND_IDS.includes(id));
  return (
    `no backend "${backend}" is bound; built-in: ${BUILT_IN_BACKEND_IDS.join(', ')}` +
    (custom.length ? `; bound by this host: ${custom.join(', ')}` : '') +
    '; others must be passed to createHost(config, { backends })'
  );
}

/** Throws a HostConfigError naming every profile whose backend is not bound or whose options do not parse. */
export function checkProfiles(config: { profiles: unknown }, bound: ReadonlySet<string>, supplied: readonly HostBackendInput[] = []): void {
  const issues = profileIssues(config.profiles, bound, supplied);
  if (issues.length > 0) throw HostConfigError.of('profiles', issues);
}
