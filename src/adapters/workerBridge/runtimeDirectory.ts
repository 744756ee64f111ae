import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../../domain/diagnostic.js';
import { Diagnostics } from './workerBridgeDiagnostics.js';

/** Linux allows 107 bytes in a Unix socket path, macOS 103; stay below both. */
const MAX_SOCKET_PATH_BYTES = 100;

const live = new Set<string>();
let hooked = false;

function removeAllNow(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

export type RuntimeDirectoryResult = { readonly ok: true; readonly directory: RuntimeDirectory } | { readonly ok: false; readonly diagnostic: Diagnostic };

/**
 * A worker's private runtime directory (mode 0700, a fresh random name) holding its socket. It is
 * removed when the worker is stopped or gone, and, for any still present, when the host process exits.
 * Its path is host-side only: never in a diagnostic, an event or a result.
 */
export class RuntimeDirectory {
  private removed: Promise<void> | null = null;

  private constructor(
    readonly path: string,
    readonly socketPath: string,
  ) {}

  static async create(parent: string = tmpdir()): Promise<RuntimeDirectoryResult> {
    let path: string;
    try {
      path = await mkdtemp(join(parent, 'wr-worker-'));
      await chmod(path, 0o700);
    } catch {
      return { ok: false, diagnostic: Diagnostics.runtimeDirFailed('could not create it') };
    }
    const socketPath = join(path, 'worker.sock');
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
      await rm(path, { recursive: true, force: true });
      return { ok: false, diagnostic: Diagnostics.runtimeDirFailed('the socket path would be too long; choose a shorter runtimeDirParent') };
    }
    if (!hooked) {
      hooked = true;
      process.once('exit', removeAllNow);
    }
    live.add(path);
    return { ok: true, directory: new RuntimeDirectory(path, socketPath) };
  }

  /** Removes the directory and everything in it. Idempotent. */
  remove(): Promise<void> {
    this.removed ??= rm(this.path, { recursive: true, force: true }).then(
      () => void live.delete(this.path),
      () => void live.delete(this.path),
    );
    return this.removed;
  }
}
