import type { z } from 'zod';

/** One offending field of a configuration. */
export interface ConfigIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** Invalid options: the message names every offending field. */
export class ConfigError extends Error {
  readonly fields: readonly string[];

  constructor(scope: string, error: z.ZodError | readonly ConfigIssue[]) {
    const issues: readonly ConfigIssue[] = Array.isArray(error) ? error : (error as z.ZodError).issues;
    const field = (issue: ConfigIssue) => [scope, ...issue.path.map(String)].join('.');
    super(`invalid ${scope} options:\n  ${issues.map((issue) => `${field(issue)}: ${issue.message}`).join('\n  ')}`);
    this.name = 'ConfigError';
    this.fields = issues.map(field);
  }
}
