import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { AcpProfileOptionsInput } from '../../src/adapters/acp/acpOptions.js';
import { toBrowserFrame } from '../../src/domain/browserFrame.js';
import type { ObservationFrame, ObservationSubscription } from '../../src/domain/observation.js';
import { takeUntil } from '../../src/testing/index.js';
import { acpRuntime, runTurn, TEST_AGENT, TSX_LOADER } from '../support/acpAgentFixture.js';

// Invariant 10 for the ACP backend: a secret marker is planted in the agent's command path, its args
// (script path), its working directory, an allow-listed environment value and its ACP session id;
// then every browser-bound output of normal turns, cancel, a crash, garbage, an ignored cancel and
// failed starts is scanned. Raw observation events must not carry it either.
const SECRET = `Zq${randomBytes(9).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), `wr-acp-${SECRET}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const node = join(dir, `node-${SECRET}`);
const script = join(dir, `agent-${SECRET}.ts`);
const cwd = join(dir, `cwd-${SECRET}`);
symlinkSync(process.execPath, node);
symlinkSync(TEST_AGENT, script);
mkdirSync(cwd);
process.env.ACP_NONLEAK_TOKEN = `sk-${SECRET}`;

const options = (agentArgs: string[] = [], overrides: Partial<AcpProfileOptionsInput> = {}): AcpProfileOptionsInput => ({
  command: node,
  args: ['--import', TSX_LOADER, script, '--session-id', `sess-${SECRET}`, ...agentArgs],
  cwd,
  envAllowList: ['ACP_NONLEAK_TOKEN'],
  timeouts: { cancelWatchdogMs: 300, stopGraceMs: 500, initializeMs: 10_000 },
  ...overrides,
});

describe('AcpExecutionBackend: nothing internal reaches a browser', () => {
  it('no command path, cwd, environment value or session id in results, projections, frames or transcripts', async () => {
    const { runtime, stored } = acpRuntime({
      acp: options(),
      missing: options([], { command: join(dir, `missing-${SECRET}`, 'agent') }),
      nocwd: options([], { cwd: join(dir, `nocwd-${SECRET}`) }),
      auth: options(['--mode', 'auth']),
      exits: options(['--mode', 'exit']),
    });
    const outputs: unknown[] = [];
    const lifecycle = runtime.lifecycle();
    const streams: Promise<ObservationFrame[]>[] = [];
    for (const [workerId, profile] of [['turns', 'acp'], ['crash', 'acp'], ['garbage', 'acp'], ['watchdog', 'acp'], ['missing', 'missing'], ['nocwd', 'nocwd'], ['auth', 'auth'], ['exits', 'exits']]) {
      outputs.push(await runtime.create({ workerId, profile }));
      const observed = runtime.observe(workerId!);
      if (observed.ok) streams.push(takeUntil(observed.subscription, (f) => f.type === 'end', 30_000));
    }
    for (const content of ['#think #tool #permission #usage #unknown #env', '#error', '#echo hi']) outputs.push((await runTurn(runtime, stored, 'turns', content)).result);
    outputs.push(await runtime.submitInput('turns', { kind: 'user', segments: [{ kind: 'text', content: '#hold' }] }), await runtime.cancel('turns'));
    outputs.push((await runTurn(runtime, stored, 'crash', '#crash')).result, (await runTurn(runtime, stored, 'garbage', '#garbage')).result);
    outputs.push(await runtime.submitInput('watchdog', { kind: 'user', segments: [{ kind: 'text', content: '#ignore-cancel' }] }), await runtime.cancel('watchdog'));
    outputs.push(await runtime.submitInput('missing', { kind: 'user', segments: [{ kind: 'text', content: 'x' }] }));
    outputs.push(await runtime.stop('turns'), await runtime.stop('crash'));
    for (const workerId of ['turns', 'crash', 'garbage', 'watchdog', 'missing', 'nocwd', 'auth', 'exits']) {
      outputs.push(runtime.get(workerId), await runtime.transcript(workerId));
    }
    outputs.push(runtime.list(), runtime.summary());
    const raw = (await Promise.all((['turns', 'crash', 'garbage', 'watchdog'] as const).map((id) => stored(id)))).flat();
    await runtime.shutdown();
    const frames = (await Promise.all(streams)).flat();
    const lifecycleFrames = await takeUntil(lifecycle as unknown as ObservationSubscription, (f) => f.type === 'end', 5_000);

    expect(raw.length).toBeGreaterThan(40);
    expect(JSON.stringify(raw.map((o) => o.event))).toContain('env: ACP_NONLEAK_TOKEN'); // the variable reached the agent, by name
    const browserBound = JSON.stringify([outputs, frames.map(toBrowserFrame), lifecycleFrames]);
    expect(browserBound).not.toContain(SECRET);
    expect(JSON.stringify(raw)).not.toContain(SECRET);
  });
});
