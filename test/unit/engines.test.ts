import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

// `npm ci` on the oldest Node the package supports must not warn EBADENGINE for anything it installs.
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean }> };
const oldest = semver.minVersion(pkg.engines.node)!.version;

describe('engines', () => {
  it(`every locked package accepts the oldest supported Node (${oldest}) and the one running the tests`, () => {
    const refusing = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!range || path === '') return [];
      return [oldest, process.version].filter((version) => !semver.satisfies(version, range)).map((version) => `${path} needs node ${range} (not ${version})`);
    });
    expect(refusing).toEqual([]);
  });
});
