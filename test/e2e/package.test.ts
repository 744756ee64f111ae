import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplesRunIn } from '../support/examples.js';

// The way in, as a new user takes it: a clean clone packed with `npm pack` (prepack builds dist/), the
// tarball installed into a fresh project without vitest, the README's examples run there; then vitest
// added and the adapter example's conformance suite run. One tarball and one install for every case.

const REPO = process.cwd();
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const NPM_ENV = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', NO_COLOR: '1', FORCE_COLOR: '0' };

let work: string;
let consumer: string;
let packed: { filename: string; files: { path: string }[] };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (with a generous deadline: it must answer, not hang). */
function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: NPM_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: plain(stdout), stderr: plain(stderr) });
    });
  });
}

const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
const ok = (result: Run, what: string) => {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
};
const tsx = (file: string) => run(process.execPath, ['--import', TSX, file], consumer, 60_000);

/** The files a clean clone of this checkout has: tracked or new, not ignored, still present. */
function cleanClone(into: string): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' });
  for (const file of listed.split('\0').filter((f) => f && existsSync(join(REPO, f)))) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    copyFileSync(join(REPO, file), join(into, file));
  }
  symlinkSync(join(REPO, 'node_modules'), join(into, 'node_modules'));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wr-package-'));
  const clone = join(work, 'clone');
  cleanClone(clone);
  const pack = ok(await run('npm', ['pack', '--json', '--pack-destination', work], clone, 240_000), 'npm pack');
  packed = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as (typeof packed)[])[0]!;

  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  for (const file of ['examples/echo-backend.ts', ...examplesRunIn('consumer'), ...examplesRunIn('consumer-vitest')]) {
    copyFileSync(join(REPO, file), join(consumer, posix.basename(file)));
  }
  // The examples import inversify and zod themselves, as an adapter author's code would.
  const deps = ['inversify', 'zod'].map((name) => `${name}@${pkg.dependencies[name]}`);
  ok(await run('npm', ['install', '--prefer-offline', join(work, packed.filename), ...deps], consumer, 240_000), 'npm install (consumer)');
}, 480_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the package, built by npm pack from a clean clone', () => {
  it('ships dist/ (built by prepack), the sources its maps point to, the console, the docs and a LICENSE', () => {
    const files = new Set(packed.files.map((f) => f.path));
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/host/main.js', 'dist/testing/index.js', 'src/index.ts', 'console/index.html', 'docs/contract.md', 'docs/protocol.md', 'examples/host-fake.json', 'LICENSE', 'README.md', 'package.json']) {
      expect(files, file).toContain(file);
    }
    expect([...files].filter((f) => /^(test|bench|scripts|\.build|node_modules)\//.test(f))).toEqual([]);
    const maps = [...files].filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(50);
    const installed = join(consumer, 'node_modules', pkg.name);
    const dangling = maps.flatMap((map) => {
      const { sources } = JSON.parse(readFileSync(join(installed, map), 'utf8')) as { sources: string[] };
      return sources.map((source) => posix.normalize(posix.join(posix.dirname(map), source))).filter((source) => !files.has(source));
    });
    expect(dangling).toEqual([]);
    expect(readFileSync(join(installed, 'dist/host/main.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

describe('a fresh project that installed the tarball (no vitest)', () => {
  it('has no vitest', () => {
    expect(existsSync(join(consumer, 'node_modules/vitest'))).toBe(false);
  });

  it('runs the README embedding example to its end', async () => {
    const result = ok(await tsx('embedding.ts'), 'embedding.ts');
    expect(result.stdout).toContain('offline-1: unavailable backend_not_configured');
    expect(result.stdout).toContain('input: accepted committed');
    expect(result.stdout).toMatch(/#\d+ user_message .*Say hello/);
    expect(result.stdout).toMatch(/#\d+ run_end \{"result":"finished"\}/);
    expect(result.stdout).toContain('demo is idle');
  });

  it('runs a custom backend in the host from code (examples/custom-backend-host.ts)', async () => {
    const result = ok(await tsx('custom-backend-host.ts'), 'custom-backend-host.ts');
    expect(result.stdout).toContain('create: 201 idle');
    expect(result.stdout).toContain('input: 202 committed');
  });

  it('wires the Redis bus (examples/redis-bus.ts)', async () => {
    ok(await tsx('redis-bus.ts'), 'redis-bus.ts');
  });

  it('a conformance suite called without vitest says what to install', async () => {
    writeFileSync(
      join(consumer, 'no-vitest.mjs'),
      "import { describeExecutionBackendConformance } from 'worker-runtime/testing';\ntry { describeExecutionBackendConformance({ name: 'x' }); } catch (e) { console.log(e.message); }\n",
    );
    const result = ok(await run(process.execPath, ['no-vitest.mjs'], consumer), 'no-vitest.mjs');
    expect(result.stdout).toMatch(/^describeExecutionBackendConformance runs under vitest, an optional peer dependency of worker-runtime that could not be loaded \(ERR_MODULE_NOT_FOUND\)\. Install it in your project \(npm install --save-dev vitest\)/);
  });

  it('npx worker-runtime --help and --version answer', async () => {
    const help = ok(await run('npx', ['--no-install', 'worker-runtime', '--help'], consumer), 'npx worker-runtime --help');
    expect(help.stdout).toMatch(/^Usage: worker-runtime \[options\]/);
    const version = ok(await run('npx', ['--no-install', 'worker-runtime', '--version'], consumer), 'npx worker-runtime --version');
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('npx worker-runtime starts, and its hint to the fake config works from the project', async () => {
    const first = await startBin(['--port', '0', '--no-detect']);
    const hint = /--config (\S+)/.exec(first)?.[1];
    expect(hint).toBe('node_modules/worker-runtime/examples/host-fake.json');
    expect(await startBin(['--port', '0', '--config', hint!])).toContain('scripted  fake: Scripted fake backend');
  });
});

describe('the same project with vitest added (an adapter author)', () => {
  beforeAll(async () => {
    const versions = ['vitest', 'vite'].map((name) => `${name}@${pkg.devDependencies[name]!.replace(/^\^/, '')}`);
    ok(await run('npm', ['install', '--prefer-offline', '--save-dev', ...versions], consumer, 240_000), 'npm install vitest');
  }, 300_000);

  it('typechecks every example against the shipped types', async () => {
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, typeRoots: [join(REPO, 'node_modules/@types')], types: ['node'] },
        include: ['*.ts'],
      }),
    );
    ok(await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], consumer), 'tsc');
  }, 120_000); // a whole tsc run over the examples: ~6 s of CPU, far more wall time on a loaded machine

  it('runs the README adapter example: the conformance suite passes for the echo backend', async () => {
    const result = ok(await run('npx', ['--no-install', 'vitest', 'run', 'echo-backend.test.ts'], consumer), 'vitest run echo-backend.test.ts');
    expect(result.stdout).toMatch(/Tests\s+\S*\d+ passed/);
  });

  it('a first backend that forgets run_end gets the suite\'s message, not the runner\'s timeout', async () => {
    const echo = readFileSync(join(consumer, 'echo-backend.ts'), 'utf8');
    const forgetful = echo.replace("if (!text.includes('#hold')) await this.end(execution, 'finished');", '');
    expect(forgetful).not.toBe(echo);
    writeFileSync(join(consumer, 'forgetful-backend.ts'), forgetful);
    writeFileSync(join(consumer, 'forgetful.test.ts'), readFileSync(join(consumer, 'echo-backend.test.ts'), 'utf8').replace('./echo-backend.js', './forgetful-backend.js'));
    const result = await run('npx', ['--no-install', 'vitest', 'run', 'forgetful.test.ts', '-t', 'commits an input'], consumer);
    expect(result.code).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).toContain('timed out after 5000 ms waiting for run_end');
    expect(output).toContain('received 4 frames: invoke_start, user_message, text_delta, text_done');
    expect(output).not.toContain('Test timed out');
    // Where the failure points (through the shipped source maps) exists in the installed package.
    const pointed = [...output.matchAll(/node_modules\/worker-runtime\/((?:src|dist)\/[\w/.-]+\.[jt]s)/g)].map((m) => m[1]!);
    expect(pointed.length).toBeGreaterThan(0);
    expect(pointed.filter((file) => !existsSync(join(consumer, 'node_modules/worker-runtime', file)))).toEqual([]);
  });
});

/** Starts `npx worker-runtime`, waits for its banner, stops it; returns what it printed. */
async function startBin(args: string[]): Promise<string> {
  const child = spawn('npx', ['--no-install', 'worker-runtime', ...args], { cwd: consumer, env: { ...NPM_ENV, PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!/profiles:\n(.+\n)+(next step.*\n)?$/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const url = /listening on (\S+)/.exec(out)?.[1];
  expect(url, out).toBeDefined();
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  process.kill(-child.pid!, 'SIGTERM'); // npx and the host it started: one process group, ours
  await exited;
  await expect(fetch(`${url}/healthz`)).rejects.toThrow(); // the host itself is gone too
  return out;
}
