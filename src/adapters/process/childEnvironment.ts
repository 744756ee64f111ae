/** A valid environment variable name (POSIX portable set). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * The whole environment a supervised child gets: `PATH`, plus the variables named in `allowList` that
 * are set in `source`. Nothing else of the host's environment is passed (no credentials by accident).
 */
export function childEnvironment(
  allowList: readonly string[],
  source: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  if (source.PATH !== undefined) env.PATH = source.PATH;
  for (const name of allowList) {
    if (!ENV_NAME.test(name)) continue;
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
