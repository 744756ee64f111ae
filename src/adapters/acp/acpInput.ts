import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ContentBlock } from '@agentclientprotocol/sdk';
import type { Segment, WorkerInput } from '../../domain/workerInput.js';

export type PromptPlan =
  | {
      readonly ok: true;
      readonly blocks: ContentBlock[];
      /** What `user_message` shows: the input's own segments (a notify as one text segment). */
      readonly segments: Segment[];
      readonly kind: 'user_send' | 'notify';
    }
  | { readonly ok: false; readonly message: string };

/**
 * A Worker input as the content of one `session/prompt`: `text` and `paste` segments become text
 * blocks, a `file_ref` a `resource_link` (resolved against the session cwd), a notify one text block.
 * Segment kinds ACP has no place for (`flow`, unknown kinds) refuse the whole input.
 */
export function planPrompt(input: WorkerInput, cwd: string): PromptPlan {
  if (input.kind === 'notify') {
    if (input.autoRun === false) return { ok: false, message: 'an ACP agent cannot take a notification without running a turn' };
    return { ok: true, blocks: [{ type: 'text', text: input.message }], segments: [{ kind: 'text', content: input.message }], kind: 'notify' };
  }
  const blocks: ContentBlock[] = [];
  for (const segment of input.segments) {
    switch (segment.kind) {
      case 'text':
      case 'paste':
        blocks.push({ type: 'text', text: String(segment.content) });
        break;
      case 'file_ref': {
        const path = String(segment.path);
        blocks.push({ type: 'resource_link', uri: pathToFileURL(resolve(cwd, path)).href, name: basename(path) || path });
        break;
      }
      default:
        return { ok: false, message: `segment kind ${String(segment.kind).slice(0, 64)} is not supported by ACP agents` };
    }
  }
  return { ok: true, blocks, segments: input.segments, kind: 'user_send' };
}
