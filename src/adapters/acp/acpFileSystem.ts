import { readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, sep } from 'node:path';
import { RequestError, type ReadTextFileRequest, type ReadTextFileResponse, type WriteTextFileRequest } from '@agentclientprotocol/sdk';

const MAX_READ_BYTES = 4 * 1024 * 1024;
const MAX_WRITE_BYTES = 4 * 1024 * 1024;

/**
 * The client `fs/*` capability, offered only when a profile asks for it: text files under the
 * session's working directory (symlinks resolved), bounded in size. Anything outside is refused.
 */
export class AcpFileSystem {
  private rootReal: Promise<string> | null = null;

  constructor(private readonly root: string) {}

  /** `fs/read_text_file`: the file's text, or the `limit` lines from the 1-based `line`. */
  async read(params: ReadTextFileRequest): Promise<ReadTextFileResponse> {
    const path = await this.confine(params.path, false);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) throw RequestError.resourceNotFound(params.path);
    if (info.size > MAX_READ_BYTES) throw RequestError.invalidParams(undefined, 'file too large');
    const content = await readFile(path, 'utf8');
    if (params.line == null && params.limit == null) return { content };
    const lines = content.split('\n');
    const from = Math.max(0, (params.line ?? 1) - 1);
    return { content: lines.slice(from, params.limit == null ? undefined : from + params.limit).join('\n') };
  }

  /** `fs/write_text_file`: creates or replaces a file inside the working directory. */
  async write(params: WriteTextFileRequest): Promise<Record<string, never>> {
    if (Buffer.byteLength(params.content) > MAX_WRITE_BYTES) throw RequestError.invalidParams(undefined, 'content too large');
    const path = await this.confine(params.path, true);
    await writeFile(path, params.content, 'utf8');
    return {};
  }

  /** The real path of `path` if it lies under the root (for a write, its directory must). */
  private async confine(path: string, forWrite: boolean): Promise<string> {
    if (!isAbsolute(path)) throw RequestError.invalidParams(undefined, 'path must be absolute');
    this.rootReal ??= realpath(this.root);
    const root = await this.rootReal;
    const existing = await realpath(path).catch(() => null);
    const real = existing ?? (forWrite ? await realpath(dirname(path)).then((dir) => join(dir, basename(path)), () => null) : null);
    if (real === null) throw RequestError.resourceNotFound(path);
    if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) {
      throw RequestError.invalidParams(undefined, 'path is outside the working directory');
    }
    return real;
  }
}
