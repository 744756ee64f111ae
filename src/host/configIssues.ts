import type { z } from 'zod';

/** One problem with a configuration: where (a dotted field path) and what, never the offending value. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** A configuration that cannot start the host; the message names each offending field. */
export class HostConfigError extends Error {
  constructor(
    message: string,
    readonly issues: readonly ConfigIssue[] = [],
  ) {
    super(message);
    this.name = 'HostConfigError';
  }

  static of(source: string, issues: readonly ConfigIssue[]): HostConfigError {
    const lines = issues.map((issue) => `  ${issue.path || '(root)'}: ${issue.message}`);
    return new HostConfigError(`invalid configuration (${source}):\n${lines.join('\n')}`, issues);
  }
}

/** Flattens zod issues under `prefix`; a union's branches are listed as alternatives. */
export function zodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): ConfigIssue[] {
  return error.issues.flatMap((issue) => flatten(issue, prefix));
}

function flatten(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): ConfigIssue[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branches = issue.errors.map((branch) => branch.map((inner) => describe(inner.path, inner.message)).join('; '));
    return [{ path: dotted(path), message: `none of the accepted shapes fits: ${branches.join(' | or | ')}` }];
  }
  return [{ path: dotted(path), message: issue.message }];
}

function describe(path: readonly PropertyKey[], message: string): string {
  return `${dotted(path) || '(here)'}: ${message}`;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}
