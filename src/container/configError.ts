import type { z } from 'zod';

/** Invalid options: the message names every offending field. */
export class ConfigError extends Error {
  readonly fields: readonly string[];

  constructor(scope: string, error: z.ZodError) {
    const lines = error.issues.map((issue) => `${[scope, ...issue.path].join('.')}: ${issue.message}`);
    super(`invalid ${scope} options:\n  ${lines.join('\n  ')}`);
    this.name = 'ConfigError';
    this.fields = error.issues.map((issue) => [scope, ...issue.path].join('.'));
  }
}
