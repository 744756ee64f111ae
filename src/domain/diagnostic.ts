import { z } from 'zod';
import { sanitizeText } from './sanitizeText.js';

export const DiagnosticSeveritySchema = z.enum(['info', 'warning', 'error']);

/** A machine-readable reason shown instead of fake output. `code` is snake_case and stable. */
export const DiagnosticSchema = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  severity: DiagnosticSeveritySchema,
  message: z.string().max(1024),
});
export type Diagnostic = z.infer<typeof DiagnosticSchema>;

export function diagnostic(code: string, message: string, severity: Diagnostic['severity'] = 'error'): Diagnostic {
  return { code, severity, message };
}

/**
 * Turns whatever a backend handed over as a diagnostic into a safe one: an unknown shape becomes
 * `backend_diagnostic_invalid`, the message is sanitised (no paths, credentials, env values) and
 * short. A browser switches on the code; the text only explains it, the backend's detail stays out.
 * Each field is read once; an object whose reading throws counts as an unknown shape.
 */
const DIAGNOSTIC_TEXT = 240;

export function sanitizeDiagnostic(raw: unknown, fallbackCode = 'backend_diagnostic_invalid'): Diagnostic {
  let code: unknown;
  let severity: unknown;
  let message: unknown;
  try {
    if (typeof raw === 'object' && raw !== null) ({ code, severity, message } = raw as Record<string, unknown>);
  } catch {
    code = severity = message = undefined;
  }
  return {
    code: isSafeCode(code) ? code : fallbackCode,
    severity: DiagnosticSeveritySchema.safeParse(severity).success ? (severity as Diagnostic['severity']) : 'error',
    // Bounded before the sanitiser too: its work grows with the text.
    message: typeof message === 'string' ? sanitizeText(message.slice(0, 4096), DIAGNOSTIC_TEXT) : '',
  };
}

/** A machine code a browser may see: snake_case, bounded, and nothing the sanitiser would redact (`sk_live_...`). */
export function isSafeCode(code: unknown): code is string {
  return typeof code === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(code) && sanitizeText(code) === code;
}
