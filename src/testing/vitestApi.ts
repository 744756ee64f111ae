// The conformance suites run under vitest, an optional peer dependency. It is loaded here, once and
// only if installed, so that `worker-runtime/testing` (the fake backend, the frame helpers) also
// works in a program without vitest; a suite called without it says what to install.
type Vitest = typeof import('vitest');

let loaded: Vitest | null = null;
let missing = '';
try {
  loaded = await import('vitest');
} catch (error) {
  missing = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** The vitest API for a suite, or a clear error naming what is missing. */
export function vitestFor(suite: string): Vitest {
  if (loaded) return loaded;
  throw new Error(
    `${suite} runs under vitest, an optional peer dependency of worker-runtime that could not be loaded (${missing}). ` +
      'Install it in your project (npm install --save-dev vitest) and call the suite from a vitest test file.',
  );
}
