/**
 * Every file under examples/ that README.md or docs/ shows as a TS or shell snippet (marked
 * `<!-- example: <file> -->` above the block, which must equal the file, or `<!-- excerpt: <file> -->`,
 * whose lines must be the file's own, in order), and where a test runs it:
 * `consumer` in a fresh project that installed the packed tarball without vitest (test/e2e/package.test.ts),
 * `consumer-vitest` there once vitest is added, `repository` in this checkout (test/e2e/docExamples.test.ts),
 * `own-test` by a test of its own (named beside it), `agent-config` an agent's own configuration file (test/unit/agentConfigs.test.ts checks it; the Codex one is
 * what the real-agent tests run, pointed at the mock model server).
 */
export const EXAMPLES = {
  'examples/embedding.ts': 'consumer',
  'examples/custom-backend-host.ts': 'consumer',
  'examples/redis-bus.ts': 'consumer',
  'examples/echo-backend.test.ts': 'consumer-vitest',
  'examples/two-hosts.sh': 'repository',
  'examples/curl-walkthrough.sh': 'own-test', // test/e2e/curlWalkthrough.test.ts, against a real host process
  'examples/agents/codex-config.toml': 'agent-config',
  'examples/agents/opencode.json': 'agent-config',
} as const satisfies Record<string, 'consumer' | 'consumer-vitest' | 'repository' | 'own-test' | 'agent-config'>;

export type ExampleFile = keyof typeof EXAMPLES;

export const examplesRunIn = (where: (typeof EXAMPLES)[ExampleFile]): ExampleFile[] =>
  (Object.keys(EXAMPLES) as ExampleFile[]).filter((file) => EXAMPLES[file] === where);
