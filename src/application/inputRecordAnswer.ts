import { z } from 'zod';
import type { InputRecordResult } from '../ports/executionBackendPort.js';

const InputRecordAnswerSchema = z.object({ status: z.enum(['committed', 'not_committed', 'unknown']) });

/** A backend's `inputRecord` answer, parsed at the port; anything malformed or unreadable is null. */
export function parseInputRecordAnswer(raw: unknown): InputRecordResult | null {
  try {
    const parsed = InputRecordAnswerSchema.safeParse(raw);
    return parsed.success ? { status: parsed.data.status } : null;
  } catch {
    return null;
  }
}
